// sinter_rl: CartPole step by step against trajectories computed independently from Gym's
// published equations (a plain-Python transcription of classic_control/cartpole.py, double
// precision), the episode rules (termination, TimeLimit truncation, bad actions), the replay
// buffer, discounted returns, and copying weights between networks and between sessions.
#include "sinter/rl/CartPole.h"
#include "sinter/rl/Losses.h"
#include "sinter/rl/ReplayBuffer.h"
#include "sinter/rl/Returns.h"
#include "sinter/rl/Weights.h"
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <set>

using namespace sinter;
using namespace sinter::rl;
using Catch::Matchers::Contains;

TEST_CASE("CartPole follows Gym's equations for a fixed action sequence", "[rl][cartpole]") {
  const std::vector<int> actions = {1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1,
                                    0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  // (x, ẋ, θ, θ̇) after each step from (0.01, −0.02, 0.03, 0.04); the pole passes 12° at step 23.
  const std::vector<std::array<double, 4>> expected = {
      {0.0096000000000000009, 0.17467919574755525, 0.030799999999999998, -0.24306871796000809},
      {0.013093583914951107, 0.36934797605795561, 0.025938625640799837, -0.52587962805014832},
      {0.020480543436110221, 0.17387081260481596, 0.015421033079796869, -0.22513741609237464},
      {0.023957959688206541, 0.36876901017476171, 0.010918284757949377, -0.51291634780265871},
      {0.031333339891701777, 0.17349499275068458, 0.00065995780189620316, -0.21681286835696195},
      {0.034803239746715467, -0.021636386741578473, -0.0036762995652430356, 0.076078164719837749},
      {0.034370512011883896, -0.21670544277345885, -0.0021547362708462803, 0.36759894183747555},
      {0.030036403156414718, -0.021552939941453797, 0.0051972425659032309, 0.074237375169250164},
      {0.02960534435758564, 0.17349411900528805, 0.0066819900692882345, -0.21680127946381111},
      {0.0330752267376914, 0.36851991283108854, 0.0023459644800120118, -0.50736894898654261},
      {0.040445624994313173, 0.17336498493560651, -0.0078014144997188405, -0.21394764975205305},
      {0.043912924693025303, 0.36859759751455123, -0.012080367494759901, -0.50908124956752032},
      {0.051284876643316324, 0.17364790683938075, -0.022261992486110306, -0.2202295924828227},
      {0.054757834780103938, -0.0211488708365693, -0.026666584335766762, 0.0653486864090847},
      {0.054334857363372555, 0.17434505629394015, -0.025359610607585067, -0.23562699433220707},
      {0.057821758489251356, 0.36981997559536339, -0.030072150494229209, -0.53620002085516671},
      {0.065218158001158627, 0.56535157700525374, -0.04079615091133254, -0.83820469326019453},
      {0.076525189541263708, 0.76100618618278726, -0.057560244776536429, -1.1434331577559569},
      {0.091745313264919456, 0.9568310119327027, -0.080428907931655566, -1.4535972971248672},
      {0.1108819335035735, 1.1528432670875959, -0.10950085387415291, -1.7702858314643413},
      {0.13393879884532542, 1.3490175436780132, -0.14490657050343975, -2.0949138013298776},
      {0.16091914971888568, 1.5452710056276198, -0.18680484653003732, -2.4286623077511584},
      {0.19182456983143809, 1.7414462769305508, -0.23537809268506049, -2.7724075841978313},
  };
  CartPole env;
  env.setState({0.01, -0.02, 0.03, 0.04});
  for (size_t t = 0; t < actions.size(); ++t) {
    StepResult r = env.step(actions[t]);
    for (int k = 0; k < 4; ++k) {
      CHECK(env.state()[k] == Approx(expected[t][k]).margin(1e-14));
      CHECK(r.observation[k] == static_cast<float>(expected[t][k]));
    }
    CHECK(r.reward == 1.0);
    CHECK(r.terminated == (t + 1 == actions.size()));
    CHECK_FALSE(r.truncated);
  }
  CHECK_THROWS_WITH(env.step(0), Contains("call reset()"));
}

TEST_CASE("CartPole: reset, truncation at the version's limit, bad input", "[rl][cartpole]") {
  CartPole v1, v0("CartPole-v0"), again;
  CHECK(v1.maxEpisodeSteps() == 500);
  CHECK(v0.maxEpisodeSteps() == 200);
  std::array<float, 4> a = v1.reset(42), b = again.reset(42), c = again.reset();
  CHECK(a == b);
  CHECK(a != c);
  for (float v : a)
    CHECK(std::abs(v) <= 0.05f);
  // A balancing controller (push toward the side the pole falls to) keeps it up: the episode
  // ends by truncation at exactly the limit.
  for (CartPole *env : {&v1, &v0}) {
    std::array<float, 4> obs = env->reset(7);
    StepResult r;
    int steps = 0;
    do {
      r = env->step(obs[2] + 0.5f * obs[3] > 0 ? 1 : 0);
      obs = r.observation;
      ++steps;
    } while (!r.done());
    CHECK(steps == env->maxEpisodeSteps());
    CHECK(r.truncated);
    CHECK_FALSE(r.terminated);
  }
  v1.reset(1);
  CHECK_THROWS_WITH(v1.step(2), Contains("action 2 is not in the action space"));
  CHECK_THROWS_WITH(CartPole("CartPole-v2"), Contains("unknown version 'CartPole-v2'"));
  std::set<int> sampled;
  for (int i = 0; i < 100; ++i)
    sampled.insert(v1.actionSpace().sample());
  CHECK(sampled == std::set<int>{0, 1});
}

TEST_CASE("ReplayBuffer keeps the latest transitions and samples without replacement",
          "[rl][replay]") {
  ReplayBuffer<int> buffer(5);
  for (int i = 0; i < 8; ++i)
    buffer.put(i);
  CHECK(buffer.size() == 5);
  std::mt19937_64 rng(3);
  std::vector<int> all = buffer.sample(5, rng);
  CHECK(std::set<int>(all.begin(), all.end()) == std::set<int>{3, 4, 5, 6, 7});
  std::vector<int> counts(8, 0);
  for (int k = 0; k < 2000; ++k) {
    std::vector<int> two = buffer.sample(2, rng);
    REQUIRE(two[0] != two[1]);
    ++counts[two[0]];
  }
  for (int i = 3; i < 8; ++i)
    CHECK(counts[i] > 300); // each 400 expected
  CHECK_THROWS_WITH(buffer.sample(6, rng), Contains("only 5 are stored"));
  CHECK_THROWS_WITH(ReplayBuffer<int>(0), Contains("capacity"));
}

TEST_CASE("discounted returns and moving averages", "[rl][returns]") {
  std::vector<float> g = discountedReturns({1, 1, 1}, 0.5);
  CHECK(g == std::vector<float>{1.75f, 1.5f, 1});
  CHECK(discountedReturns({1, 0}, 0.5, 4) == std::vector<float>{2, 2});
  CHECK(movingAverage({2, 4, 6, 8}, 2) == std::vector<double>{2, 3, 5, 7});
  CHECK(meanOf({1, 2, 3, 4}, 1, 10) == 3);
}

TEST_CASE("weights copied between networks in a graph and between sessions", "[rl][weights]") {
  Graph g;
  Variable online = g.variable("online", constant(g, std::vector<float>{1, 2, 3}, {3}));
  Variable target = g.variable("target", constant(g, std::vector<float>{0, 0, 0}, {3}));
  Variable other = g.variable("other", constant(g, std::vector<float>{0, 0}, {2}));
  Tensor x = g.input("x", {3});
  Program p = g.compile({{"step", {x}, {}, {{online, online + x}}},
                         {"sync", {}, {}, assignUpdates({target}, {online})}});
  p.run("step", {HostTensor(DType::F32, {3})});
  runtime::Session copy = p.newSession();
  p.run("sync", {});
  auto floats = [](const HostTensor &t) {
    return std::vector<float>(t.as<float>().begin(), t.as<float>().end());
  };
  CHECK(floats(p.variable("target")) == std::vector<float>{1, 2, 3});
  CHECK_THROWS_WITH(assignUpdates({other}, {online}),
                    Contains("'other' is float32 [2] but 'online' is float32 [3]"));
  CHECK_THROWS_WITH(assignUpdates({other, target}, {online}), Contains("2 targets but 1 sources"));

  p.variable("online").as<float>()[0] = 10;
  copyVariables(p.session(), copy, {"online"});
  CHECK(floats(copy.variable("online")) == std::vector<float>{10, 2, 3});
  copyVariables(p.session(), {"target"}, copy, {"online"});
  CHECK(floats(copy.variable("online")) == std::vector<float>{1, 2, 3});
  // A mismatch anywhere copies nothing.
  CHECK_THROWS_WITH(copyVariables(p.session(), {"online", "online"}, copy, {"target", "other"}),
                    Contains("'online' is float32 [3] but 'other' is float32 [2]"));
  CHECK(floats(copy.variable("target")) == std::vector<float>{0, 0, 0});
  CHECK(variableNames({online, target}) == std::vector<std::string>{"online", "target"});
}

TEST_CASE("pickActions and PPO's clipped surrogate", "[rl][losses]") {
  Graph g;
  Tensor values = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor actions = constant(g, std::vector<int32_t>{1, 0, 1}, {3, 1});
  // Ratios 1.8 (clipped to 1.2 for a positive advantage) and 0.4 (clipped to 0.8, which is
  // smaller for a negative advantage): −mean(1.2, −0.8) = −0.2.
  Tensor loss = clippedSurrogateLoss(constant(g, std::vector<float>{0.9f, 0.2f}, {2, 1}),
                                     constant(g, std::vector<float>{0.5f, 0.5f}, {2, 1}),
                                     constant(g, std::vector<float>{1, -1}, {2, 1}), 0.2);
  // Four samples where each of min(r·A, clip(r)·A) picks differently: ratios 1.8, 0.4, 0.4, 1.8
  // with advantages 1, −1, 1, −1 give min terms 1.2, −0.8, 0.4, −1.8, a loss of 0.25; clipping
  // alone or no clipping would give 0, max instead of min −0.25.
  Tensor mixed =
      clippedSurrogateLoss(constant(g, std::vector<float>{0.9f, 0.2f, 0.2f, 0.9f}, {4, 1}),
                           constant(g, std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}, {4, 1}),
                           constant(g, std::vector<float>{1, -1, 1, -1}, {4, 1}), 0.2);
  Program p = g.compile({{"f", {}, {pickActions(values, actions), loss, mixed}}});
  auto r = p.run("f", {});
  CHECK(r[2].as<float>()[0] == Approx(0.25));
  CHECK(r[0].shape() == Shape{3, 1});
  CHECK(std::vector<float>(r[0].as<float>().begin(), r[0].as<float>().end()) ==
        std::vector<float>{2, 3, 6});
  CHECK(r[1].as<float>()[0] == Approx(-0.2));
  CHECK_THROWS_WITH(pickActions(values, constant(g, std::vector<int32_t>{1, 0, 1}, {3})),
                    Contains("needs values [b, C] and actions [b, 1]"));
}

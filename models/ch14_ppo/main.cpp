// Book 14.3.6: PPO (clipped surrogate) on CartPole-v1. Actor 4-100-2 (softmax) and critic
// 4-100-1, He normal, Adam 1e-3 and 3e-3. After each finished episode with at least a batch of
// transitions stored, round(10·n/batch) steps each take a random batch without replacement:
// advantage = stop_gradient(G − V(s)), ratio = π(a|s)/π_old(a|s) (π(a|s) by gather_nd, as the
// book), loss −mean(min(ratio·A, clip(ratio, 1 ± ε)·A)) for the actor and MSE(G, V(s)) for the
// critic, both in one compiled step. Returns are discounted within each episode (the book's loop
// runs them across episode boundaries of the buffer). Every --eval-every episodes, 10 greedy
// episodes; when they average ≥ 475, 100 more decide whether CartPole-v1 is solved.
#include "sinter/TensorLanguage.h"
#include "sinter/nn/Model.h"

#include "../common/Cli.h"
#include "../common/Rl.h"

#include <cmath>
#include <numeric>
#include <random>

using namespace sinter;
using namespace sinter::models;

namespace {

struct Transition {
  std::array<float, 4> state;
  int action;
  float probability; // π_old(a|s)
  float reward;
  bool episodeEnd;
};

} // namespace

int main(int argc, char **argv) {
  Cli cli(argc, argv,
          {{"--episodes", "500"},
           {"--seed", "0"},
           {"--batch", "32"},
           {"--gamma", "0.98"},
           {"--clip", "0.2"},
           {"--eval-every", "10"},
           {"--plot", "ch14_ppo_returns.png"}},
          "[--episodes N] [--seed N] [--batch N] [--gamma G] [--clip EPS] [--eval-every N] "
          "[--plot PATH]");
  try {
    const long episodes = cli.integer("--episodes"), evalEvery = cli.integer("--eval-every");
    const int64_t seed = cli.integer("--seed"), batch = cli.integer("--batch");
    const double gamma = cli.real("--gamma"), clip = cli.real("--clip");
    if (episodes < 1 || batch < 1 || evalEvery < 1)
      throw Error("--episodes, --batch and --eval-every must be positive");
    rl::CartPole env("CartPole-v1");

    Graph g;
    nn::Sequential actor({nn::Dense(100, "relu", true, agent::heNormal(seed)),
                          nn::Dense(2, "softmax", true, agent::heNormal(seed))}); // π(·|s)
    nn::Sequential critic({nn::Dense(100, "relu", true, agent::heNormal(seed)),
                           nn::Dense(1, {}, true, agent::heNormal(seed))}); // V(s)

    Tensor state = g.input("state", {1, 4});
    Tensor pi1 = actor(state);
    Tensor sampled = random::categorical(nn::rngStep(g), log(pi1), 1, seed);
    Tensor greedy = argmax(pi1, 1);

    agent::PpoUpdate ppo = agent::ppoUpdate(g, actor, critic, batch, clip);
    Program program =
        g.compile({{"act", {state}, {sampled, pi1}, {nn::rngStepUpdate(g)}, {"action", "probs"}},
                   {"greedy", {state}, {greedy}, {}, {"action"}},
                   {"train",
                    ppo.inputs,
                    {ppo.policyLoss, ppo.valueLoss},
                    ppo.updates,
                    {"policy_loss", "value_loss"}}});
    std::printf("compile_seconds=%.2f\n", program.compileSeconds());

    agent::ObservationEntry act(program.session(), "act"), greedyAct(program.session(), "greedy");
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    std::vector<Transition> buffer;
    std::vector<double> episodeReturns;
    HostTensor bs(DType::F32, {batch, 4}), ba(DType::I32, {batch, 1}), bp(DType::F32, {batch, 1}),
        br(DType::F32, {batch, 1});
    double actSeconds = 0;
    long envSteps = 0;
    agent::SolvedCheck checkSolved;
    agent::Stopwatch total;
    for (long episode = 0; episode < episodes; ++episode) {
      std::array<float, 4> obs = env.reset(static_cast<uint64_t>(seed) * 100003 + episode);
      double episodeReturn = 0;
      agent::Stopwatch rollout;
      for (rl::StepResult r;;) {
        const std::vector<HostTensor> &out = act(obs);
        int action = out[0].as<int32_t>()[0];
        float probability = out[1].as<float>()[action];
        r = env.step(action);
        buffer.push_back({obs, action, probability, static_cast<float>(r.reward), r.done()});
        episodeReturn += r.reward;
        obs = r.observation;
        if (r.done())
          break;
      }
      actSeconds += rollout.seconds();
      envSteps += static_cast<long>(episodeReturn);
      episodeReturns.push_back(episodeReturn);

      if (static_cast<int64_t>(buffer.size()) >= batch) {
        std::vector<float> returns(buffer.size());
        double gt = 0;
        for (size_t t = buffer.size(); t-- > 0;) {
          gt = buffer[t].reward + (buffer[t].episodeEnd ? 0.0 : gamma * gt);
          returns[t] = static_cast<float>(gt);
        }
        std::vector<size_t> all(buffer.size());
        std::iota(all.begin(), all.end(), 0);
        long passes = std::lround(10.0 * static_cast<double>(buffer.size()) / batch);
        for (long pass = 0; pass < passes; ++pass) {
          std::vector<size_t> pick;
          std::sample(all.begin(), all.end(), std::back_inserter(pick), batch, rng);
          for (int64_t i = 0; i < batch; ++i) {
            const Transition &t = buffer[pick[i]];
            std::copy(t.state.begin(), t.state.end(), bs.as<float>().begin() + 4 * i);
            ba.as<int32_t>()[i] = t.action;
            bp.as<float>()[i] = t.probability;
            br.as<float>()[i] = returns[pick[i]];
          }
          program.run("train", {bs, ba, bp, br});
        }
        buffer.clear();
      }
      if ((episode + 1) % evalEvery == 0) {
        bool solved =
            checkSolved([&](const std::array<float, 4> &o) { return greedyAct.action(o); },
                        episode + 1, episodeReturns, evalEvery);
        if (solved)
          break;
      }
    }
    agent::writeReturnCurve(cli.str("--plot"), "PPO on CartPole-v1", episodeReturns);
    agent::printSummary(episodeReturns, envSteps, total.seconds(), actSeconds, checkSolved);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

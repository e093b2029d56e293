// Book 14.4.7: DQN on CartPole-v1. Q network 4-256-256-2 (He normal) and a target network of
// the same shape; ε-greedy actions with ε = max(0.01, 0.08 − 0.01·episode/200); transitions
// (s, a, r/100, s', done mask) into a replay buffer; once it holds more than --warmup (2,000),
// training steps on random batches minimise Huber(r + γ·max_a' Q_target(s', a')·mask, Q(s, a)),
// Q(s, a) by gather_nd: --updates at the end of each episode (the book's schedule) and
// --step-updates after every environment step (the original DQN's; the book's alone did not
// get past returns of about 100 in 2,000 episodes here). The "sync_target" entry copies Q into
// the target network every --target-every episodes. γ 0.99 and Adam 1e-4 (the book does not
// give them). Every --eval-every episodes, 10 greedy episodes; when they
// average ≥ 475, 100 more decide whether CartPole-v1 is solved.
#include "sinter/TensorLanguage.h"
#include "sinter/nn/Losses.h"
#include "sinter/nn/Model.h"
#include "sinter/optim/Optimizers.h"
#include "sinter/rl/Losses.h"
#include "sinter/rl/ReplayBuffer.h"
#include "sinter/rl/Weights.h"

#include "../common/Cli.h"
#include "../common/Rl.h"

#include <random>

using namespace sinter;
using namespace sinter::models;

namespace {

struct Transition {
  std::array<float, 4> state, next;
  int action;
  float reward, doneMask;
};

nn::Sequential qNetwork(int64_t seed) {
  return nn::Sequential({nn::Dense(256, "relu", true, agent::heNormal(seed)),
                         nn::Dense(256, "relu", true, agent::heNormal(seed)),
                         nn::Dense(2, {}, true, agent::heNormal(seed))});
}

} // namespace

int main(int argc, char **argv) {
  Cli cli(argc, argv,
          {{"--episodes", "2000"},
           {"--seed", "0"},
           {"--lr", "0.0001"},
           {"--gamma", "0.99"},
           {"--batch", "32"},
           {"--buffer", "50000"},
           {"--updates", "10"},
           {"--step-updates", "1"},
           {"--warmup", "2000"},
           {"--target-every", "10"},
           {"--eval-every", "20"},
           {"--plot", "ch14_dqn_returns.png"}},
          "[--episodes N] [--seed N] [--lr RATE] [--gamma G] [--batch N] [--buffer N] "
          "[--updates N] [--step-updates N] [--warmup N] [--target-every N] [--eval-every N] "
          "[--plot PATH]");
  try {
    const long episodes = cli.integer("--episodes"), updatesPerEpisode = cli.integer("--updates");
    const long stepUpdates = cli.integer("--step-updates");
    const long targetEvery = cli.integer("--target-every"), evalEvery = cli.integer("--eval-every");
    const int64_t seed = cli.integer("--seed"), batch = cli.integer("--batch");
    const size_t warmup = static_cast<size_t>(std::max(0L, cli.integer("--warmup")));
    const double gamma = cli.real("--gamma");
    if (episodes < 1 || batch < 1 || updatesPerEpisode < 0 || stepUpdates < 0 || targetEvery < 1 ||
        evalEvery < 1 || cli.integer("--buffer") < batch)
      throw Error("--episodes, --batch, --target-every and --eval-every must be positive, "
                  "--updates and --step-updates not negative, and --buffer at least --batch");
    rl::CartPole env("CartPole-v1");

    Graph g;
    nn::Sequential q = qNetwork(seed), qTarget = qNetwork(seed + 1);
    Tensor state = g.input("state", {1, 4});
    Tensor greedy = argmax(q(state), 1);

    Tensor s = g.input("states", {batch, 4}), a = g.input("actions", {batch, 1}, DType::I32);
    Tensor r = g.input("rewards", {batch, 1}), next = g.input("next_states", {batch, 4});
    Tensor doneMask = g.input("done_masks", {batch, 1});
    Tensor qa = rl::pickActions(q(s), a);
    Tensor target = r + gamma * reduceMax(qTarget(next), {1}, /*keepdims=*/true) * doneMask;
    Tensor loss = losses::huber()(target, qa);
    optim::Adam adam(cli.real("--lr"));
    qTarget(state); // builds the target network's weights before the copy below
    Program program =
        g.compile({{"greedy", {state}, {greedy}, {}, {"action"}},
                   {"train",
                    {s, a, r, next, doneMask},
                    {loss},
                    adam.minimize(loss, q.trainableVariables()),
                    {"loss"}},
                   {"sync_target", {}, {}, rl::assignUpdates(qTarget.variables(), q.variables())}});
    std::printf("compile_seconds=%.2f\n", program.compileSeconds());
    program.run("sync_target", {});

    agent::ObservationEntry greedyAct(program.session(), "greedy");
    rl::ReplayBuffer<Transition> memory(static_cast<size_t>(cli.integer("--buffer")));
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    std::uniform_real_distribution<double> coin(0, 1);
    std::vector<double> episodeReturns;
    HostTensor bs(DType::F32, {batch, 4}), ba(DType::I32, {batch, 1}), br(DType::F32, {batch, 1}),
        bn(DType::F32, {batch, 4}), bm(DType::F32, {batch, 1});
    // `count` steps on random batches from the replay buffer.
    auto train = [&](long count) {
      for (long u = 0; u < count; ++u) {
        std::vector<Transition> sample = memory.sample(static_cast<size_t>(batch), rng);
        for (int64_t i = 0; i < batch; ++i) {
          const Transition &t = sample[i];
          std::copy(t.state.begin(), t.state.end(), bs.as<float>().begin() + 4 * i);
          std::copy(t.next.begin(), t.next.end(), bn.as<float>().begin() + 4 * i);
          ba.as<int32_t>()[i] = t.action;
          br.as<float>()[i] = t.reward;
          bm.as<float>()[i] = t.doneMask;
        }
        program.run("train", {bs, ba, br, bn, bm});
      }
    };
    double actSeconds = 0;
    long envSteps = 0;
    agent::SolvedCheck checkSolved;
    agent::Stopwatch total;
    env.actionSpace().seed(static_cast<uint64_t>(seed) + 17);
    for (long episode = 0; episode < episodes; ++episode) {
      double epsilon = std::max(0.01, 0.08 - 0.01 * (static_cast<double>(episode) / 200));
      std::array<float, 4> obs = env.reset(static_cast<uint64_t>(seed) * 100003 + episode);
      double episodeReturn = 0;
      agent::Stopwatch rollout;
      for (rl::StepResult step;;) {
        int action = coin(rng) < epsilon ? env.actionSpace().sample() : greedyAct.action(obs);
        step = env.step(action);
        // A truncated episode did not fail: its last state still has a future.
        memory.put({obs, step.observation, action, static_cast<float>(step.reward / 100.0),
                    step.terminated ? 0.0f : 1.0f});
        episodeReturn += step.reward;
        obs = step.observation;
        if (memory.size() > warmup && stepUpdates > 0) {
          actSeconds += rollout.seconds();
          train(stepUpdates);
          rollout = agent::Stopwatch();
        }
        if (step.done())
          break;
      }
      actSeconds += rollout.seconds();
      envSteps += static_cast<long>(episodeReturn);
      episodeReturns.push_back(episodeReturn);

      if (memory.size() > warmup)
        train(updatesPerEpisode);
      if ((episode + 1) % targetEvery == 0)
        program.run("sync_target", {});
      if ((episode + 1) % evalEvery == 0) {
        char state[64];
        std::snprintf(state, sizeof state, " buffer=%zu epsilon=%.3f", memory.size(), epsilon);
        bool solved =
            checkSolved([&](const std::array<float, 4> &o) { return greedyAct.action(o); },
                        episode + 1, episodeReturns, evalEvery, state);
        if (solved)
          break;
      }
    }
    agent::writeReturnCurve(cli.str("--plot"), "DQN on CartPole-v1", episodeReturns);
    agent::printSummary(episodeReturns, envSteps, total.seconds(), actSeconds, checkSolved);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

// Book 14.1.5: REINFORCE on CartPole-v1. The policy 4-128-2 (He normal) samples each action in
// the compiled "act" entry (tf.random.categorical); after an episode, one "train" call takes the
// episode's states, actions and discounted returns and ascends Σ_t log π(a_t|s_t)·G_t — the
// gradient of the log-probabilities the book stores on its persistent tape, recomputed in one
// batch (the graph is static, so the step is compiled once for any episode length).
#include "sinter/TensorLanguage.h"
#include "sinter/nn/Model.h"
#include "sinter/optim/Optimizers.h"

#include "../common/Cli.h"
#include "../common/Rl.h"

using namespace sinter;
using namespace sinter::models;

int main(int argc, char **argv) {
  Cli cli(argc, argv,
          {{"--episodes", "400"},
           {"--seed", "0"},
           {"--lr", "0.002"},
           {"--gamma", "0.98"},
           {"--env", "CartPole-v1"},
           {"--plot", "ch14_reinforce_returns.png"}},
          "[--episodes N] [--seed N] [--lr RATE] [--gamma G] [--env CartPole-v1|CartPole-v0] "
          "[--plot PATH]");
  try {
    const long episodes = cli.integer("--episodes");
    const int64_t seed = cli.integer("--seed");
    const double gamma = cli.real("--gamma");
    if (episodes < 1)
      throw Error("--episodes must be positive");
    rl::CartPole env(cli.str("--env"));

    Graph g;
    nn::Sequential logits({nn::Dense(128, "relu", true, agent::heNormal(seed)),
                           nn::Dense(2, {}, true, agent::heNormal(seed))}); // the policy's logits
    // act: one observation → a sampled action; the RNG counter advances on every call.
    Tensor state = g.input("state", {1, 4});
    Tensor action = random::categorical(nn::rngStep(g), logits(state), 1, seed);
    // train: one episode → −Σ_t log π(a_t|s_t)·G_t, minimised by Adam.
    Tensor states = g.input("states", {-1, 4});
    Tensor actions = g.input("actions", {-1}, DType::I32);
    Tensor returns = g.input("returns", {-1});
    Tensor logProb = reduceSum(logSoftmax(logits(states)) * oneHot(actions, 2), {1});
    Tensor loss = -reduceSum(logProb * returns);
    optim::Adam adam(cli.real("--lr"));
    Program program = g.compile({{"act", {state}, {action}, {nn::rngStepUpdate(g)}, {"action"}},
                                 {"train",
                                  {states, actions, returns},
                                  {loss},
                                  adam.minimize(loss, logits.trainableVariables()),
                                  {"loss"}}});
    std::printf("compile_seconds=%.2f env=%s\n", program.compileSeconds(),
                cli.str("--env").c_str());

    agent::ObservationEntry act(program.session(), "act");
    std::vector<double> episodeReturns;
    double actSeconds = 0;
    long envSteps = 0;
    agent::Stopwatch total;
    for (long episode = 0; episode < episodes; ++episode) {
      agent::Rollout episodeSteps;
      std::array<float, 4> obs = env.reset(static_cast<uint64_t>(seed) * 100003 + episode);
      agent::Stopwatch rollout;
      for (rl::StepResult r;;) {
        int a = act.action(obs);
        r = env.step(a);
        episodeSteps.add(obs, a, static_cast<float>(r.reward));
        obs = r.observation;
        if (r.done())
          break;
      }
      actSeconds += rollout.seconds();
      const int64_t n = episodeSteps.size();
      envSteps += n;
      program.run("train", episodeSteps.batch(rl::discountedReturns(episodeSteps.rewards, gamma)));
      episodeReturns.push_back(static_cast<double>(n));
      if ((episode + 1) % 20 == 0)
        std::printf("episode %ld: return=%d average(20)=%.1f\n", episode + 1, static_cast<int>(n),
                    rl::meanOf(episodeReturns, episodeReturns.size() - 20, episodeReturns.size()));
    }
    agent::writeReturnCurve(cli.str("--plot"), "REINFORCE on " + cli.str("--env"), episodeReturns);
    std::printf("episodes=%ld env_steps=%ld seconds=%.1f policy_steps_per_s=%.0f %s\n", episodes,
                envSteps, total.seconds(), envSteps / actSeconds,
                agent::firstLastText(episodeReturns).c_str());
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

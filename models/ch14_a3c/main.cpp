// Book 14.5.3: A3C on CartPole-v0. One compiled program holds the ActorCritic (actor 4-128-2
// logits, critic 4-128-1) and one Adam. The program's own session is the global model; each of
// --workers threads runs a session of its own (Program::newSession: its private client model)
// and a private environment. Every 20 steps or at the end of an episode a worker computes the
// gradients of its rollout's loss in its session ("gradients" entry), then, under the global
// lock, applies them to the global variables ("apply": Adam.applyGradients on gradient inputs —
// the book's opt.apply_gradients(zip(grads, server.trainable_weights))) and pulls the global
// values into its session (client.set_weights(server.get_weights())). Sessions are never shared
// between threads, so the only synchronisation is that lock.
#include "sinter/TensorLanguage.h"
#include "sinter/nn/Model.h"
#include "sinter/optim/Optimizers.h"
#include "sinter/rl/Weights.h"

#include "../common/Cli.h"
#include "../common/Rl.h"

#include <cmath>
#include <mutex>
#include <random>
#include <thread>

using namespace sinter;
using namespace sinter::models;

namespace {

constexpr int kRolloutSteps = 20;
constexpr double kGamma = 0.99;

/// What the workers share: the global model's session, the episode count and the returns.
struct Shared {
  runtime::Session &global;
  std::vector<std::string> trainable; // names of the variables the workers pull
  long maxEpisodes;
  std::mutex lock;
  long episodes = 0;
  std::vector<double> returns;
  long envSteps = 0;
  std::string error; // the first worker's failure; it stops the others
};

void rollouts(Shared &shared, runtime::Session &session, uint64_t seed) {
  rl::CartPole env("CartPole-v0");
  std::mt19937_64 rng(seed);
  agent::ObservationEntry act(session, "act"); // → probs [1, 2], value [1, 1]
  agent::Rollout steps;                        // since the last push
  for (long episode = 0;; ++episode) {
    {
      std::lock_guard<std::mutex> guard(shared.lock);
      if (shared.episodes >= shared.maxEpisodes)
        return;
    }
    std::array<float, 4> obs = env.reset(seed * 1000003 + episode);
    double episodeReturn = 0;
    long episodeSteps = 0;
    for (bool done = false; !done;) {
      float p0 = act(obs)[0].as<float>()[0];
      int action = std::uniform_real_distribution<float>(0, 1)(rng) < p0 ? 0 : 1;
      rl::StepResult r = env.step(action);
      done = r.done();
      episodeReturn += r.reward;
      ++episodeSteps;
      steps.add(obs, action, r.terminated ? -1.0f : static_cast<float>(r.reward)); // the book's −1
      obs = r.observation;
      if (steps.size() < kRolloutSteps && !done)
        continue;
      // The rollout's targets: discounted rewards, bootstrapped from V(s') unless the pole fell.
      double bootstrap = r.terminated ? 0.0 : act(obs)[1].as<float>()[0];
      std::vector<HostTensor> grads = session.run(
          "gradients", steps.batch(rl::discountedReturns(steps.rewards, kGamma, bootstrap)));
      grads.erase(grads.begin()); // the loss
      {
        std::lock_guard<std::mutex> guard(shared.lock);
        shared.global.run("apply", grads);
        rl::copyVariables(shared.global, session, shared.trainable);
      }
      steps.clear();
    }
    std::lock_guard<std::mutex> guard(shared.lock);
    if (shared.episodes < shared.maxEpisodes) {
      ++shared.episodes;
      shared.returns.push_back(episodeReturn);
      shared.envSteps += episodeSteps;
    }
  }
}

/// A worker thread: its failure ends every worker and is reported by main.
void work(Shared &shared, runtime::Session session, uint64_t seed) {
  try {
    rollouts(shared, session, seed);
  } catch (const std::exception &e) {
    std::lock_guard<std::mutex> guard(shared.lock);
    if (shared.error.empty())
      shared.error = e.what();
    shared.episodes = shared.maxEpisodes;
  }
}

} // namespace

int main(int argc, char **argv) {
  Cli cli(argc, argv,
          {{"--episodes", "400"},
           {"--seed", "0"},
           {"--workers", std::to_string(std::max(1u, std::thread::hardware_concurrency()))},
           {"--lr", "0.001"},
           {"--plot", "ch14_a3c_returns.png"}},
          "[--episodes N] [--seed N] [--workers N] [--lr RATE] [--plot PATH]");
  try {
    const long episodes = cli.integer("--episodes"), workers = cli.integer("--workers");
    const int64_t seed = cli.integer("--seed");
    if (episodes < 1 || workers < 1)
      throw Error("--episodes and --workers must be positive");

    Graph g;
    nn::Sequential actor({nn::Dense(128, "relu", true, agent::heNormal(seed)),
                          nn::Dense(2, {}, true, agent::heNormal(seed))}); // logits
    nn::Sequential critic({nn::Dense(128, "relu", true, agent::heNormal(seed)),
                           nn::Dense(1, {}, true, agent::heNormal(seed))}); // V(s)
    Tensor state = g.input("state", {1, 4});
    Tensor probs = softmax(actor(state)), value = critic(state);

    // The book's compute_loss over one rollout.
    Tensor s = g.input("states", {-1, 4}), a = g.input("actions", {-1}, DType::I32);
    Tensor returns = g.input("returns", {-1});
    Tensor logits = actor(s);
    Tensor advantage = returns - reshape(critic(s), {-1});
    Tensor policyLoss = sparseSoftmaxCrossEntropyWithLogits(a, logits) * stopGradient(advantage);
    Tensor entropy = softmaxCrossEntropyWithLogits(softmax(logits), logits);
    Tensor loss = reduceMean(0.5 * square(advantage) + policyLoss - 0.01 * entropy);
    std::vector<Variable> vars = actor.trainableVariables();
    for (const Variable &v : critic.trainableVariables())
      vars.push_back(v);
    std::vector<Tensor> wrt(vars.begin(), vars.end());
    std::vector<Tensor> grads = gradients(loss, wrt);
    grads.insert(grads.begin(), loss);

    // apply: gradients from a worker, applied to this session's (the global model's) variables.
    std::vector<Tensor> gradInputs;
    for (const Variable &v : vars)
      gradInputs.push_back(g.input("grad/" + v.name(), v.shape()));
    optim::Adam adam(cli.real("--lr"));
    Program program = g.compile({{"act", {state}, {probs, value}, {}, {"probs", "value"}},
                                 {"gradients", {s, a, returns}, grads},
                                 {"apply", gradInputs, {}, adam.applyGradients(gradInputs, vars)}});
    std::printf("compile_seconds=%.2f workers=%ld\n", program.compileSeconds(), workers);

    Shared shared{program.session(), rl::variableNames(vars), episodes};
    agent::Stopwatch total;
    std::vector<std::thread> threads;
    for (long w = 0; w < workers; ++w)
      threads.emplace_back(work, std::ref(shared), program.newSession(),
                           static_cast<uint64_t>(seed) * 7919 + static_cast<uint64_t>(w));
    for (std::thread &t : threads)
      t.join();
    double seconds = total.seconds();
    if (!shared.error.empty())
      throw Error("a worker failed: " + shared.error);

    // A fingerprint of the trained global weights: one worker gives the same bits every run.
    double weightSum = 0;
    for (const std::string &name : shared.trainable)
      for (float v : program.variable(name).as<float>())
        weightSum += v;
    agent::writeReturnCurve(cli.str("--plot"),
                            "A3C on CartPole-v0 (" + std::to_string(workers) +
                                (workers == 1 ? " worker)" : " workers)"),
                            shared.returns);
    std::printf("episodes=%zu env_steps=%ld seconds=%.1f env_steps_per_s=%.0f %s "
                "weight_sum=%.9g finite=%d\n",
                shared.returns.size(), shared.envSteps, seconds, shared.envSteps / seconds,
                agent::firstLastText(shared.returns).c_str(), weightSum,
                std::isfinite(weightSum) ? 1 : 0);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

// The chapter-14 programs' shared parts: He-normal weights seeded by --seed, a compiled entry
// called once per environment step without allocating, greedy evaluation episodes, and the
// return curve (PNG, with its moving average) and summary numbers every program prints.
#ifndef SINTER_MODELS_COMMON_RL_H
#define SINTER_MODELS_COMMON_RL_H

#include "sinter/Program.h"
#include "sinter/io/Plot.h"
#include "sinter/nn/Initializers.h"
#include "sinter/nn/Model.h"
#include "sinter/rl/CartPole.h"
#include "sinter/rl/Losses.h"
#include "sinter/rl/Returns.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

namespace sinter::models::agent {

using namespace sinter::rl;

/// He normal (the book's kernel_initializer='he_normal'), its seed mixed from the weight's name
/// and the run's --seed, so another --seed starts from other weights.
inline initializers::Initializer heNormal(int64_t runSeed) {
  return [runSeed, base = initializers::heNormal()](Graph &g, const Shape &shape, int64_t seed,
                                                    DType dtype) {
    uint64_t mixed =
        static_cast<uint64_t>(seed) ^ (static_cast<uint64_t>(runSeed) * 0x9E3779B97F4A7C15ull);
    return base(g, shape, static_cast<int64_t>(mixed >> 1), dtype);
  };
}

/// An entry of one observation [1, 4] in, called through the raw path with buffers allocated
/// once (the entry must take that one argument): the host round trip of every environment step.
class ObservationEntry {
public:
  ObservationEntry(runtime::Session &session, const std::string &entry)
      : session_(session), index_(session.entryIndex(entry)), observation_(DType::F32, {1, 4}) {
    const runtime::EntryInfo &info = session.artifact().entries()[index_];
    if (info.args.size() != 1 || info.args[0].shape != std::vector<int64_t>{1, 4})
      throw Error("entry '" + entry + "' must take one observation [1, 4]");
    for (const runtime::TensorSpec &spec : info.results) {
      results_.emplace_back(spec);
      pointers_.push_back(results_.back().data());
    }
  }
  /// Runs the entry on `obs`; the results stay valid until the next call.
  const std::vector<HostTensor> &operator()(const std::array<float, 4> &obs) {
    std::memcpy(observation_.data(), obs.data(), sizeof(obs));
    const void *args[] = {observation_.data()};
    session_.call(index_, args, pointers_.data());
    return results_;
  }
  /// The first result read as an action (an int32 or int64 class id).
  int action(const std::array<float, 4> &obs) {
    const HostTensor &a = (*this)(obs)[0];
    return a.dtype() == DType::I64 ? static_cast<int>(a.as<int64_t>()[0]) : a.as<int32_t>()[0];
  }

private:
  runtime::Session &session_;
  int index_;
  HostTensor observation_;
  std::vector<HostTensor> results_;
  std::vector<void *> pointers_;
};

using Policy = std::function<int(const std::array<float, 4> &)>;

/// The steps of an episode (or of a rollout within one) and their batch for a training entry
/// taking states [n, 4], actions [n] (int32) and returns [n].
struct Rollout {
  std::vector<float> states, rewards;
  std::vector<int32_t> actions;
  void add(const std::array<float, 4> &state, int action, float reward) {
    states.insert(states.end(), state.begin(), state.end());
    actions.push_back(action);
    rewards.push_back(reward);
  }
  int64_t size() const { return static_cast<int64_t>(rewards.size()); }
  void clear() {
    states.clear();
    actions.clear();
    rewards.clear();
  }
  /// {states, actions, returns} as host tensors.
  std::vector<HostTensor> batch(const std::vector<float> &returns) const {
    HostTensor s(DType::F32, {size(), 4}), a(DType::I32, {size()}), g(DType::F32, {size()});
    std::copy(states.begin(), states.end(), s.as<float>().begin());
    std::copy(actions.begin(), actions.end(), a.as<int32_t>().begin());
    std::copy(returns.begin(), returns.end(), g.as<float>().begin());
    return {s, a, g};
  }
};

/// Returns of `episodes` episodes of `env` acting with `policy` (greedy evaluation), the first
/// reset from `seed`.
inline std::vector<double> evaluate(CartPole &env, const Policy &policy, int episodes,
                                    uint64_t seed) {
  std::vector<double> returns;
  for (int e = 0; e < episodes; ++e) {
    std::array<float, 4> obs = e == 0 ? env.reset(seed) : env.reset();
    double total = 0;
    for (StepResult r;;) {
      r = env.step(policy(obs));
      total += r.reward;
      obs = r.observation;
      if (r.done())
        break;
    }
    returns.push_back(total);
  }
  return returns;
}

/// CartPole-v1 counts as solved when the greedy policy's mean return over 100 consecutive
/// episodes is at least 475. Each check runs 10 greedy episodes and, when they reach 475, the
/// 100 that decide.
struct SolvedCheck {
  CartPole env{"CartPole-v1"};
  double quickMean = 0, evalMean = 0;
  bool evaluated = false; ///< whether the latest check ran the 100 deciding episodes
  long solvedAt = -1;     ///< the training episode after which it was solved; −1 while not
  /// Checks after training episode `episode` and prints the progress line: the mean of the
  /// last `window` training returns, the greedy means, and `extra`.
  bool operator()(const Policy &policy, long episode, const std::vector<double> &returns,
                  long window, const std::string &extra = "") {
    quickMean = meanOf(evaluate(env, policy, 10, 7 + episode), 0, 10);
    evaluated = quickMean >= 475;
    if (evaluated) {
      evalMean = meanOf(evaluate(env, policy, 100, 1000003 + episode), 0, 100);
      if (evalMean >= 475)
        solvedAt = episode;
    }
    std::printf(
        "episode %ld: average(%ld)=%.1f greedy(10)=%.1f", episode, window,
        meanOf(returns, returns.size() - std::min<size_t>(window, returns.size()), returns.size()),
        quickMean);
    if (evaluated)
      std::printf(" greedy(100)=%.1f", evalMean);
    std::printf("%s\n", extra.c_str());
    return solvedAt >= 0;
  }
};

/// Wall-clock seconds since construction.
struct Stopwatch {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

/// The return per episode and its moving average (figures 14.6 and 14.11) as a PNG.
inline void writeReturnCurve(const std::string &path, const std::string &title,
                             const std::vector<double> &returns, size_t window = 20) {
  io::PlotOptions options;
  options.xLabel = "episode";
  options.yLabel = "return";
  io::plotCurves(
      path, title,
      {{"return", returns},
       {"moving average (" + std::to_string(window) + ")", movingAverage(returns, window)}},
      options);
  std::printf("wrote %s\n", path.c_str());
}

/// "first100=… last100=…": the mean return of the first and the last 100 episodes (fewer when
/// there are fewer than 200).
inline std::string firstLastText(const std::vector<double> &returns) {
  size_t k = std::min<size_t>(100, returns.size() / 2);
  char text[96];
  std::snprintf(text, sizeof text, "first%zu=%.1f last%zu=%.1f", k, meanOf(returns, 0, k), k,
                meanOf(returns, returns.size() - k, returns.size()));
  return text;
}

/// The last line of a CartPole training program: episodes, environment steps, seconds,
/// environment steps per second with the policy in the loop (`actSeconds`: the time of the
/// rollouts alone), the first and last 100 returns, and the solved check's result.
inline void printSummary(const std::vector<double> &returns, long envSteps, double seconds,
                         double actSeconds, const SolvedCheck &solved) {
  std::printf("episodes=%zu env_steps=%ld seconds=%.1f policy_steps_per_s=%.0f %s solved=%d "
              "solved_at=%ld eval_mean=%.1f\n",
              returns.size(), envSteps, seconds, envSteps / actSeconds,
              firstLastText(returns).c_str(), solved.solvedAt >= 0 ? 1 : 0, solved.solvedAt,
              solved.evalMean);
}

/// PPO's update (14.3.5) on a batch of `batch` transitions: the inputs "states" [b, 4],
/// "actions" [b, 1] (int32), "old_probs" and "returns" [b, 1]; the clipped surrogate of `actor`
/// (advantage = returns − V(s), without gradient) and the critic's squared error, minimised by
/// Adam(1e-3) and Adam(3e-3).
struct PpoUpdate {
  std::vector<Tensor> inputs; // states, actions, old_probs, returns
  Tensor policyLoss, valueLoss;
  std::vector<Update> updates;
};

inline PpoUpdate ppoUpdate(Graph &g, nn::Sequential &actor, nn::Sequential &critic, int64_t batch,
                           double clip) {
  Tensor s = g.input("states", {batch, 4}), a = g.input("actions", {batch, 1}, DType::I32);
  Tensor oldProb = g.input("old_probs", {batch, 1}), target = g.input("returns", {batch, 1});
  Tensor v = critic(s);
  Tensor advantage = stopGradient(target - v);
  PpoUpdate u{{s, a, oldProb, target},
              clippedSurrogateLoss(pickActions(actor(s), a), oldProb, advantage, clip),
              reduceMean(square(target - v)),
              {}};
  optim::Adam actorAdam(1e-3), criticAdam(3e-3);
  u.updates = actorAdam.minimize(u.policyLoss, actor.trainableVariables());
  for (const Update &update : criticAdam.minimize(u.valueLoss, critic.trainableVariables()))
    u.updates.push_back(update);
  return u;
}

} // namespace sinter::models::agent

#endif

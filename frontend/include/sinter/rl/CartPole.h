// CartPole as Gym defines it (classic_control/cartpole.py): a pole on a cart moved left or right
// by a force of 10 N; reward 1 for every step, the episode terminates when the pole leans more
// than 12° or the cart leaves ±2.4, and is truncated at the version's step limit (v1: 500, v0:
// 200). Gym's constants and Euler integration (τ = 0.02 s) in double precision; observations are
// float32 as Gym returns them.
#ifndef SINTER_RL_CARTPOLE_H
#define SINTER_RL_CARTPOLE_H

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace sinter::rl {

/// Gym's Discrete(n): actions 0 … n−1, with its own random stream for sample().
class DiscreteSpace {
public:
  explicit DiscreteSpace(int n, uint64_t seed = 0) : n_(n), rng_(seed) {}
  int n() const { return n_; }
  int sample() { return std::uniform_int_distribution<int>(0, n_ - 1)(rng_); }
  void seed(uint64_t seed) { rng_.seed(seed); }

private:
  int n_;
  std::mt19937_64 rng_;
};

/// The result of one step, as Gym ≥ 0.26: (observation, reward, terminated, truncated).
struct StepResult {
  std::array<float, 4> observation;
  double reward = 0;
  bool terminated = false; ///< the pole fell or the cart left the track
  bool truncated = false;  ///< the step limit was reached (TimeLimit)
  bool done() const { return terminated || truncated; }
};

class CartPole {
public:
  static constexpr double kGravity = 9.8, kMassCart = 1.0, kMassPole = 0.1;
  static constexpr double kHalfLength = 0.5, kForce = 10.0, kTau = 0.02;
  static constexpr double kThetaThreshold = 12 * 2 * 3.14159265358979323846 / 360;
  static constexpr double kXThreshold = 2.4;

  /// "CartPole-v1" (500 steps) or "CartPole-v0" (200); any other name is an Error.
  explicit CartPole(const std::string &version = "CartPole-v1");
  /// Starts an episode: every state variable uniform in [−0.05, 0.05], from `seed` (the first
  /// reset seeds the environment's stream; later resets without a seed continue it, as Gym).
  std::array<float, 4> reset(std::optional<uint64_t> seed = std::nullopt);
  /// Pushes the cart left (0) or right (1). An action outside {0, 1}, or a step after the
  /// episode ended without a reset, is an Error.
  StepResult step(int action);

  DiscreteSpace &actionSpace() { return actions_; }
  int maxEpisodeSteps() const { return maxSteps_; }
  int elapsedSteps() const { return elapsed_; }
  /// The full-precision state (x, ẋ, θ, θ̇); setState starts an episode from it (Gym's
  /// env.unwrapped.state = ...).
  const std::array<double, 4> &state() const { return state_; }
  void setState(const std::array<double, 4> &state);

private:
  std::array<float, 4> observation() const;
  int maxSteps_;
  int elapsed_ = 0;
  bool needsReset_ = true;
  std::array<double, 4> state_{};
  std::mt19937_64 rng_{0};
  DiscreteSpace actions_{2};
};

} // namespace sinter::rl

#endif

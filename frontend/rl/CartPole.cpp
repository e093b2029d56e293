#include "sinter/rl/CartPole.h"

#include "sinter/Graph.h"

#include <cmath>

namespace sinter::rl {

CartPole::CartPole(const std::string &version) {
  if (version == "CartPole-v1")
    maxSteps_ = 500;
  else if (version == "CartPole-v0")
    maxSteps_ = 200;
  else
    throw Error("rl::CartPole: unknown version '" + version + "' (CartPole-v1 or CartPole-v0)");
}

std::array<float, 4> CartPole::reset(std::optional<uint64_t> seed) {
  if (seed) {
    rng_.seed(*seed);
    actions_.seed(*seed + 1);
  }
  std::uniform_real_distribution<double> start(-0.05, 0.05);
  for (double &v : state_)
    v = start(rng_);
  elapsed_ = 0;
  needsReset_ = false;
  return observation();
}

void CartPole::setState(const std::array<double, 4> &state) {
  state_ = state;
  elapsed_ = 0;
  needsReset_ = false;
}

StepResult CartPole::step(int action) {
  if (action != 0 && action != 1)
    throw Error("rl::CartPole::step: action " + std::to_string(action) +
                " is not in the action space {0, 1}");
  if (needsReset_)
    throw Error("rl::CartPole::step: the episode has ended (or never started); call reset()");
  auto [x, xDot, theta, thetaDot] = state_;
  constexpr double totalMass = kMassCart + kMassPole, poleMassLength = kMassPole * kHalfLength;
  double force = action == 1 ? kForce : -kForce;
  double cosTheta = std::cos(theta), sinTheta = std::sin(theta);
  double temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass;
  double thetaAcc = (kGravity * sinTheta - cosTheta * temp) /
                    (kHalfLength * (4.0 / 3.0 - kMassPole * cosTheta * cosTheta / totalMass));
  double xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass;
  // Euler, in Gym's order: positions from the old velocities.
  x += kTau * xDot;
  xDot += kTau * xAcc;
  theta += kTau * thetaDot;
  thetaDot += kTau * thetaAcc;
  state_ = {x, xDot, theta, thetaDot};
  ++elapsed_;

  StepResult r;
  r.observation = observation();
  r.reward = 1.0; // also on the step that ends the episode, as Gym
  r.terminated =
      x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  r.truncated = elapsed_ >= maxSteps_; // Gym's TimeLimit: both may be true
  needsReset_ = r.done();
  return r;
}

std::array<float, 4> CartPole::observation() const {
  return {static_cast<float>(state_[0]), static_cast<float>(state_[1]),
          static_cast<float>(state_[2]), static_cast<float>(state_[3])};
}

} // namespace sinter::rl

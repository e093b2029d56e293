// Returns of an episode: discounted sums of rewards (REINFORCE's, PPO's and A3C's targets) and
// the moving average the return curves plot.
#ifndef SINTER_RL_RETURNS_H
#define SINTER_RL_RETURNS_H

#include <cstddef>
#include <vector>

namespace sinter::rl {

/// G_t = r_t + γ·G_{t+1}, backwards from G_T = `bootstrap` (0 at the end of an episode; V(s_T)
/// when a rollout stops before it, as A3C's).
std::vector<float> discountedReturns(const std::vector<float> &rewards, double gamma,
                                     double bootstrap = 0);

/// The mean of the last `window` values (fewer at the start) at each position.
std::vector<double> movingAverage(const std::vector<double> &values, std::size_t window);

/// The mean of values[begin, end) (clamped to the vector; 0 when empty).
double meanOf(const std::vector<double> &values, std::size_t begin, std::size_t end);

} // namespace sinter::rl

#endif

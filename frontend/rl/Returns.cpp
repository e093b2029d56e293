#include "sinter/rl/Returns.h"

#include <algorithm>

namespace sinter::rl {

std::vector<float> discountedReturns(const std::vector<float> &rewards, double gamma,
                                     double bootstrap) {
  std::vector<float> out(rewards.size());
  double g = bootstrap;
  for (size_t t = rewards.size(); t-- > 0;) {
    g = rewards[t] + gamma * g;
    out[t] = static_cast<float>(g);
  }
  return out;
}

std::vector<double> movingAverage(const std::vector<double> &values, size_t window) {
  std::vector<double> out(values.size());
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= window)
      sum -= values[i - window];
    out[i] = sum / static_cast<double>(std::min(i + 1, window));
  }
  return out;
}

double meanOf(const std::vector<double> &values, size_t begin, size_t end) {
  end = std::min(end, values.size());
  if (begin >= end)
    return 0;
  double sum = 0;
  for (size_t i = begin; i < end; ++i)
    sum += values[i];
  return sum / static_cast<double>(end - begin);
}

} // namespace sinter::rl

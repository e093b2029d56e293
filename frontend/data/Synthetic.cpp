// make_moons.
#include "sinter/data/Synthetic.h"

#include <cmath>
#include <numbers>
#include <random>

namespace sinter::data {

Moons makeMoons(int64_t n, double noise, uint64_t seed, bool shuffle) {
  if (n < 0)
    throw DataError("makeMoons: negative sample count");
  if (noise < 0)
    throw DataError("makeMoons: negative noise");
  int64_t nOut = n / 2, nIn = n - nOut;
  std::vector<double> xs, ys;
  std::vector<int32_t> labels;
  auto half = [&](int64_t m, bool inner) {
    for (int64_t i = 0; i < m; ++i) {
      double t =
          m > 1 ? std::numbers::pi * static_cast<double>(i) / static_cast<double>(m - 1) : 0.0;
      xs.push_back(inner ? 1.0 - std::cos(t) : std::cos(t));
      ys.push_back(inner ? 1.0 - std::sin(t) - 0.5 : std::sin(t));
      labels.push_back(inner ? 1 : 0);
    }
  };
  half(nOut, false);
  half(nIn, true);
  std::vector<int64_t> order = permutation(n, seed);
  if (!shuffle)
    for (int64_t i = 0; i < n; ++i)
      order[static_cast<size_t>(i)] = i;
  // Noise from its own stream (Box-Muller over 53-bit uniforms).
  std::mt19937_64 rng(seed ^ 0x9E3779B97F4A7C15ull);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  bool haveSpare = false;
  double spare = 0;
  auto normal = [&] {
    if (haveSpare) {
      haveSpare = false;
      return spare;
    }
    double u1 = 1.0 - uniform(), u2 = uniform(); // u1 in (0, 1]
    double r = std::sqrt(-2.0 * std::log(u1)), a = 2.0 * std::numbers::pi * u2;
    spare = r * std::sin(a);
    haveSpare = true;
    return r * std::cos(a);
  };
  Moons m;
  m.x = HostTensor(DType::F32, {n, 2}, "x");
  m.y = HostTensor(DType::I32, {n}, "y");
  auto x = m.x.as<float>();
  auto y = m.y.as<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    size_t src = static_cast<size_t>(order[static_cast<size_t>(i)]);
    double nx = noise > 0 ? noise * normal() : 0.0;
    double ny = noise > 0 ? noise * normal() : 0.0;
    x[static_cast<size_t>(2 * i)] = static_cast<float>(xs[src] + nx);
    x[static_cast<size_t>(2 * i + 1)] = static_cast<float>(ys[src] + ny);
    y[static_cast<size_t>(i)] = labels[src];
  }
  return m;
}

} // namespace sinter::data

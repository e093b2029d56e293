// Generated data sets: sklearn's make_moons (the book's sections 7.9 and 9).
#pragma once

#include "sinter/data/Dataset.h"

#include <cstdint>

namespace sinter::data {

struct Moons {
  HostTensor x; // [n, 2] float32
  HostTensor y; // [n] int32, 0 (outer moon) or 1 (inner moon)
};

/// sklearn.datasets.make_moons: n/2 (rounded down) points on the outer half circle
/// (cos t, sin t) and the rest on the inner one (1 - cos t, 1 - sin t - 0.5), t evenly spaced
/// over [0, pi] (linspace) in each; shuffled when `shuffle`; then Gaussian noise of standard
/// deviation `noise` added to both coordinates. Deterministic for a seed on every platform
/// (mt19937_64, a portable permutation, and Box-Muller normals), but not NumPy's stream.
Moons makeMoons(int64_t n, double noise, uint64_t seed, bool shuffle = true);

} // namespace sinter::data

// Initialisers (Keras' formulas), weight regularisers and named activations
// (see sinter/nn/Initializers.h).
#include "sinter/nn/Initializers.h"

#include "sinter/TensorLanguage.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace sinter::initializers {

namespace {

/// Keras' _compute_fans: rank 0 → (1, 1); rank 1 → (n, n); rank 2 → [in, out]; convolution
/// kernels [..., in, out] multiply both by the receptive field (the product of the leading dims).
std::pair<double, double> fans(const Shape &shape) {
  if (shape.empty())
    return {1, 1};
  if (shape.size() == 1)
    return {double(shape[0]), double(shape[0])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i)
    receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

/// Keras' VarianceScaling: variance `scale / n` (n = fan_in, or the mean of fan_in and fan_out).
/// The truncated normal is drawn within ±2σ, so its σ is divided by the standard deviation of
/// a unit normal truncated to [−2, 2] (0.8796…) to give the requested variance.
enum class Mode { FanIn, FanAvg };
enum class Distribution { TruncatedNormal, Uniform };

Initializer varianceScaling(double scale, Mode mode, Distribution distribution) {
  return [=](Graph &g, const Shape &shape, int64_t seed, DType dtype) {
    auto [fanIn, fanOut] = fans(shape);
    double n = mode == Mode::FanIn ? fanIn : (fanIn + fanOut) / 2;
    double variance = scale / std::max(1.0, n);
    if (distribution == Distribution::Uniform) {
      double limit = std::sqrt(3 * variance);
      return random::uniform(g, shape, -limit, limit, seed, dtype);
    }
    constexpr double kTruncatedStddev = 0.87962566103423978;
    return random::truncatedNormal(g, shape, 0, std::sqrt(variance) / kTruncatedStddev, seed,
                                   dtype);
  };
}

} // namespace

Initializer zeros() {
  return [](Graph &g, const Shape &shape, int64_t, DType dtype) {
    return sinter::zeros(g, shape, dtype);
  };
}
Initializer ones() {
  return [](Graph &g, const Shape &shape, int64_t, DType dtype) {
    return sinter::ones(g, shape, dtype);
  };
}
Initializer constant(double value) {
  return [value](Graph &g, const Shape &shape, int64_t, DType dtype) {
    return fill(g, shape, value, dtype);
  };
}
Initializer identity(double gain) {
  return [gain](Graph &g, const Shape &shape, int64_t, DType dtype) {
    if (shape.size() != 2)
      throw Error("initializers::identity: needs a 2-D weight, got rank " +
                  std::to_string(shape.size()));
    return eye(g, shape[0], shape[1], dtype) * gain;
  };
}
Initializer randomNormal(double mean, double stddev) {
  return [=](Graph &g, const Shape &shape, int64_t seed, DType dtype) {
    return random::normal(g, shape, mean, stddev, seed, dtype);
  };
}
Initializer randomUniform(double minval, double maxval) {
  return [=](Graph &g, const Shape &shape, int64_t seed, DType dtype) {
    return random::uniform(g, shape, minval, maxval, seed, dtype);
  };
}
Initializer truncatedNormal(double mean, double stddev) {
  return [=](Graph &g, const Shape &shape, int64_t seed, DType dtype) {
    return random::truncatedNormal(g, shape, mean, stddev, seed, dtype);
  };
}
// limit √(6 / (fan_in + fan_out)) = √(3 · 2 / (fan_in + fan_out)).
Initializer glorotUniform() { return varianceScaling(1.0, Mode::FanAvg, Distribution::Uniform); }
// σ √(2 / (fan_in + fan_out)) after truncation.
Initializer glorotNormal() {
  return varianceScaling(1.0, Mode::FanAvg, Distribution::TruncatedNormal);
}
// σ √(2 / fan_in) after truncation.
Initializer heNormal() { return varianceScaling(2.0, Mode::FanIn, Distribution::TruncatedNormal); }
// limit √(6 / fan_in).
Initializer heUniform() { return varianceScaling(2.0, Mode::FanIn, Distribution::Uniform); }

// Keras' Orthogonal: the Q of a QR factorisation of a normal matrix (rows = the product of all
// dims but the last), signs fixed by R's diagonal. Computed on the host (modified Gram-Schmidt
// on the longer side), so the weight is a constant of the graph.
Initializer orthogonal(double gain) {
  return [gain](Graph &g, const Shape &shape, int64_t seed, DType dtype) {
    if (shape.size() < 2)
      throw Error("initializers::orthogonal: needs a weight of rank 2 or more, got rank " +
                  std::to_string(shape.size()));
    int64_t cols = shape.back(), rows = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i)
      rows *= shape[i];
    // Orthonormal vectors of length n = max(rows, cols), k = min(rows, cols) of them.
    int64_t n = std::max(rows, cols), k = std::min(rows, cols);
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<std::vector<double>> q(static_cast<size_t>(k), std::vector<double>(n));
    for (auto &v : q)
      for (double &x : v)
        x = normal(rng);
    for (int64_t j = 0; j < k; ++j) {
      for (int64_t i = 0; i < j; ++i) {
        double dot = std::inner_product(q[j].begin(), q[j].end(), q[i].begin(), 0.0);
        for (int64_t e = 0; e < n; ++e)
          q[j][e] -= dot * q[i][e];
      }
      double norm = std::sqrt(std::inner_product(q[j].begin(), q[j].end(), q[j].begin(), 0.0));
      for (double &x : q[j])
        x /= norm;
    }
    std::vector<float> values(static_cast<size_t>(rows * cols));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        values[r * cols + c] = static_cast<float>(gain * (rows >= cols ? q[c][r] : q[r][c]));
    Tensor t = constant(g, values, shape);
    return dtype == DType::F32 ? t : cast(t, dtype);
  };
}

} // namespace sinter::initializers

namespace sinter::regularizers {

Regularizer l1(double lambda) {
  return [lambda](const Tensor &w) { return lambda * reduceSum(abs(w)); };
}
Regularizer l2(double lambda) {
  return [lambda](const Tensor &w) { return lambda * reduceSum(square(w)); };
}
Regularizer l1l2(double l1, double l2) {
  return [l1, l2](const Tensor &w) { return l1 * reduceSum(abs(w)) + l2 * reduceSum(square(w)); };
}

} // namespace sinter::regularizers

namespace sinter::activations {

Tensor leakyRelu(const Tensor &x, double alpha, Loc loc) {
  Graph &g = x.graph();
  Tensor a = scalar(g, alpha, x.dtype(), loc);
  return where(greater(x, scalar(g, 0.0, x.dtype(), loc), loc), x, mul(a, x, loc), loc);
}

Tensor elu(const Tensor &x, double alpha, Loc loc) {
  Graph &g = x.graph();
  DType dt = x.dtype();
  Tensor zero = scalar(g, 0.0, dt, loc);
  // exp of min(x, 0): the branch not taken must not overflow (its gradient would be 0·∞).
  Tensor negative = mul(scalar(g, alpha, dt, loc),
                        sub(exp(minimum(x, zero, loc), loc), scalar(g, 1.0, dt, loc), loc), loc);
  return where(greater(x, zero, loc), x, negative, loc);
}

Tensor softmax(const Tensor &x, int64_t axis, Loc loc) {
  int64_t rank = x.rank();
  if (rank == 0)
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": softmax needs a tensor of rank ≥ 1, not a scalar");
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": softmax axis " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(rank));
  if (a == rank - 1)
    return sinter::softmax(x, loc);
  // Swap `axis` with the last one (a permutation that is its own inverse).
  std::vector<int64_t> perm(static_cast<size_t>(rank));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(a)], perm.back());
  return transpose(sinter::softmax(transpose(x, perm, loc), loc), perm, loc);
}

Activation byName(const std::string &name) {
  if (name == "linear" || name.empty())
    return [](const Tensor &x) { return x; };
  if (name == "relu")
    return [](const Tensor &x) { return relu(x); };
  if (name == "leaky_relu")
    return [](const Tensor &x) { return leakyRelu(x); };
  if (name == "sigmoid")
    return [](const Tensor &x) { return sigmoid(x); };
  if (name == "tanh")
    return [](const Tensor &x) { return tanh(x); };
  if (name == "softmax")
    return [](const Tensor &x) { return activations::softmax(x, -1); };
  if (name == "elu")
    return [](const Tensor &x) { return elu(x); };
  throw Error("unknown activation '" + name +
              "' (expected linear, relu, leaky_relu, sigmoid, tanh, softmax or elu)");
}

} // namespace sinter::activations

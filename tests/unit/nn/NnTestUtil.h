// Helpers shared by the nn unit tests: host tensors from lists, and evaluating several graph
// values with one compiled program (one compile per test instead of one per value).
#ifndef SINTER_TESTS_UNIT_NN_NNTESTUTIL_H
#define SINTER_TESTS_UNIT_NN_NNTESTUTIL_H

#include "sinter/nn/Model.h"
#include "sinter/sinter.h"

#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace nntest {

using namespace sinter;

inline HostTensor hostF32(const Shape &shape, const std::vector<float> &values) {
  HostTensor t(DType::F32, shape);
  REQUIRE(static_cast<int64_t>(values.size()) == t.numElements());
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

template <class T>
HostTensor hostOf(DType dtype, const Shape &shape, const std::vector<T> &values) {
  HostTensor t(dtype, shape);
  REQUIRE(static_cast<int64_t>(values.size()) == t.numElements());
  std::copy(values.begin(), values.end(), t.as<T>().begin());
  return t;
}

inline std::vector<float> floats(const HostTensor &t) {
  auto s = t.as<float>();
  return {s.begin(), s.end()};
}

/// Compiles one entry without inputs whose outputs are `values`, runs it, returns the results.
inline std::vector<HostTensor> evalAll(Graph &g, const std::vector<Tensor> &values) {
  Program p = g.compile({{"eval", {}, values}});
  return p.run("eval", {});
}

/// The first element of a float32 result.
inline double scalarOf(const HostTensor &t) { return t.as<float>()[0]; }

using sinter::testing::errorOf;

/// n points drawn uniformly from [-1, 1]², as [n, 2].
inline HostTensor randomPoints(int64_t n, uint64_t seed) {
  HostTensor x(DType::F32, {n, 2});
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float &v : x.as<float>())
    v = u(rng);
  return x;
}

/// randomPoints and labels [n, 1]: 1 when x0 + x1 > 0 (flipped when `flip`).
inline std::pair<HostTensor, HostTensor> separable(int64_t n, uint64_t seed, bool flip = false) {
  HostTensor x = randomPoints(n, seed), y(DType::F32, {n, 1});
  auto p = x.as<float>();
  for (int64_t i = 0; i < n; ++i)
    y.as<float>()[i] = ((p[2 * i] + p[2 * i + 1] > 0) != flip) ? 1.0f : 0.0f;
  return {x, y};
}

/// Dense(8, relu) → Dense(1, sigmoid), compiled with Adam(0.05), binary cross-entropy, accuracy.
inline std::shared_ptr<nn::Sequential> binaryModel() {
  auto m = std::make_shared<nn::Sequential>(std::initializer_list<nn::Sequential::LayerRef>{
      nn::Dense(8, "relu"), nn::Dense(1, "sigmoid")});
  m->compile(optim::Adam(0.05), losses::binaryCrossentropy(), {"accuracy"});
  return m;
}

} // namespace nntest

#endif

// Helpers shared by the Catch2 tests.
#ifndef SINTER_TESTS_COMMON_TESTUTIL_H
#define SINTER_TESTS_COMMON_TESTUTIL_H

#include "sinter/Ops.h"
#include "sinter/Program.h"
#include "sinter/runtime/Runtime.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace sinter::testing {

/// Asserts that `fn` throws an E (sinter::Error unless told) and returns its message.
template <class E = Error, class Fn> std::string errorOf(Fn &&fn) {
  try {
    fn();
  } catch (const E &e) {
    return e.what();
  } catch (const std::exception &e) {
    FAIL("expected another exception type, got: " << e.what());
  }
  FAIL("expected an exception, nothing was thrown");
  return {};
}

/// The elements of a host tensor of any numeric dtype, as doubles.
inline std::vector<double> values(const runtime::HostTensor &h) {
  using runtime::DType;
  std::vector<double> out;
  auto add = [&](auto span) {
    for (auto v : span)
      out.push_back(static_cast<double>(v));
  };
  switch (h.dtype()) {
  case DType::F32:
    add(h.as<float>());
    break;
  case DType::F64:
    add(h.as<double>());
    break;
  case DType::I32:
    add(h.as<int32_t>());
    break;
  case DType::I64:
    add(h.as<int64_t>());
    break;
  case DType::I16:
    add(h.as<int16_t>());
    break;
  case DType::I8:
    add(h.as<int8_t>());
    break;
  case DType::U8:
  case DType::Bool:
    add(h.as<uint8_t>());
    break;
  default:
    FAIL("unexpected dtype " << runtime::dtypeName(h.dtype()));
  }
  return out;
}

/// A float32 tensor of `shape` with values uniform in [-1, 1) from `seed`.
inline runtime::HostTensor randomTensor(const std::vector<int64_t> &shape, unsigned seed) {
  runtime::HostTensor t(runtime::DType::F32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float &v : t.as<float>())
    v = u(rng);
  return t;
}

/// Compiles one entry without inputs that returns `outputs`, and runs it.
inline std::vector<runtime::HostTensor> eval(Graph &g, const std::vector<Tensor> &outputs) {
  return g.compile({{"f", {}, outputs}}).run("f", {});
}

/// `got` has `shape` and every element within `tol` of `expected`.
inline void check(const runtime::HostTensor &got, const std::vector<int64_t> &shape,
                  const std::vector<double> &expected, double tol = 0) {
  REQUIRE(got.shape() == shape);
  std::vector<double> v = values(got);
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    INFO("element " << i << ": got " << v[i] << ", expected " << expected[i]);
    CHECK(std::abs(v[i] - expected[i]) <= tol);
  }
}

/// A two-layer perceptron on a graph: logits = relu(x·w1 + b1)·w2 + b2, the weights drawn from
/// normal(0, 0.5) with `seed` and `seed + 1`, the biases zero.
struct TwoLayerMlp {
  Variable w1, b1, w2, b2;

  TwoLayerMlp(Graph &g, int64_t in, int64_t hidden, int64_t out, uint64_t seed)
      : w1(g.variable("w1", random::normal(g, {in, hidden}, 0, 0.5, seed))),
        b1(g.variable("b1", zeros(g, {hidden}))),
        w2(g.variable("w2", random::normal(g, {hidden, out}, 0, 0.5, seed + 1))),
        b2(g.variable("b2", zeros(g, {out}))) {}

  Tensor operator()(const Tensor &x) const { return matmul(relu(matmul(x, w1) + b1), w2) + b2; }
};

} // namespace sinter::testing

#endif

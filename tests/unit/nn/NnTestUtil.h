// Helpers shared by the nn unit tests: host tensors from lists, and evaluating several graph
// values with one compiled program (one compile per test instead of one per value).
#ifndef SINTER_TESTS_UNIT_NN_NNTESTUTIL_H
#define SINTER_TESTS_UNIT_NN_NNTESTUTIL_H

#include "sinter/sinter.h"

#include <catch2/catch.hpp>

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

/// Runs `fn` and returns the message of the sinter::Error it throws (fails if none).
template <class F> std::string errorOf(F &&fn) {
  try {
    fn();
  } catch (const sinter::Error &e) {
    return e.what();
  }
  FAIL("expected a sinter::Error");
  return "";
}

} // namespace nntest

#endif

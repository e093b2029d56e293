// Errors that only the data can reveal, raised by compiled code at run time: an index out of
// range in gather_nd / scatter_nd (and so in gather and Embedding) is an Error naming the entry,
// the op's line and the index (also when the bound is the batch size), never a clamped value
// returned in silence.
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace sinter;
using Catch::Contains;

namespace {

HostTensor ids(const std::vector<int32_t> &values, const Shape &shape) {
  HostTensor t(DType::I32, shape);
  std::copy(values.begin(), values.end(), t.as<int32_t>().begin());
  return t;
}

} // namespace

TEST_CASE("an index out of range in a gather is an Error naming entry, line and index",
          "[runtime-errors]") {
  Graph g;
  Tensor table = g.input("table", {5, 3});
  Tensor idx = g.input("idx", {4}, DType::I32);
  Tensor rows = gather(table, idx); // the line the error names
  const int gatherLine = __LINE__ - 1;
  Program p = g.compile({{"lookup", {table, idx}, {rows}}});
  HostTensor t(DType::F32, {5, 3});
  CHECK(p.run("lookup", {t, ids({0, 4, 2, 1}, {4})})[0].shape() == Shape{4, 3});
  for (int32_t bad : {5, -1, 1000}) {
    INFO("index " << bad);
    try {
      p.run("lookup", {t, ids({0, bad, 2, 1}, {4})});
      FAIL("no error for index " << bad);
    } catch (const Error &e) {
      std::string m = e.what();
      CHECK_THAT(m, Contains("entry 'lookup'"));
      CHECK_THAT(m, Contains("RunTimeErrorTest.cpp:" + std::to_string(gatherLine)));
      CHECK_THAT(m, Contains("index " + std::to_string(bad) + " is out of range [0, 5)"));
    }
  }
  // The session is usable after the error.
  CHECK(p.run("lookup", {t, ids({1, 1, 1, 1}, {4})})[0].shape() == Shape{4, 3});
}

TEST_CASE("out-of-range indices in scatter_nd and in a dynamic batch are errors too",
          "[runtime-errors]") {
  Graph g;
  Tensor idx = g.input("idx", {2, 1}, DType::I32), upd = g.input("upd", {2});
  Tensor scattered = scatterNd(idx, upd, {4});
  Program p = g.compile({{"scatter", {idx, upd}, {scattered}}});
  Graph h;
  Tensor x = h.input("x", {-1, 3}), pick = h.input("pick", {-1, 1}, DType::I32);
  Tensor picked = gatherNd(x, pick); // rows of the batch: the bound is the batch size
  Program q = h.compile({{"pick", {x, pick}, {picked}}});
  HostTensor u(DType::F32, {2});
  CHECK_NOTHROW(p.run("scatter", {ids({0, 3}, {2, 1}), u}));
  CHECK_THROWS_WITH(p.run("scatter", {ids({0, 4}, {2, 1}), u}),
                    Contains("scatter_nd: index 4 is out of range [0, 4)"));
  HostTensor rows(DType::F32, {3, 3});
  CHECK_NOTHROW(q.run("pick", {rows, ids({2, 0, 1}, {3, 1})}));
  CHECK_THROWS_WITH(q.run("pick", {rows, ids({2, 3, 1}, {3, 1})}),
                    Contains("index 3 is out of range [0, 3)"));
}

TEST_CASE("numerics checking names the first op that produced NaN or inf", "[runtime-errors]") {
  auto floats = [](std::vector<float> v, const Shape &shape) {
    HostTensor t(DType::F32, shape);
    std::copy(v.begin(), v.end(), t.as<float>().begin());
    return t;
  };
  Graph g;
  Tensor x = g.input("x", {-1, 2});
  Tensor y = log(x); // NaN for x < 0
  const int logLine = __LINE__ - 1;
  Tensor z = 1.0 / (y + 1.0); // inf where log(x) = −1
  const int divLine = __LINE__ - 1;
  debugging::enableCheckNumerics(true);
  Program checked = g.compile({{"f", {x}, {z}}});
  debugging::enableCheckNumerics(false);
  Program unchecked = g.compile({{"f", {x}, {z}}});

  CHECK_NOTHROW(checked.run("f", {floats({1, 2, 3, 4, 5, 6}, {3, 2})}));
  // NaN from log at row 1, column 0 (element 2); the division after it is not blamed.
  CHECK_THROWS_WITH(checked.run("f", {floats({1, 2, -1, 4}, {2, 2})}),
                    Contains("entry 'f'") &&
                        Contains("RunTimeErrorTest.cpp:" + std::to_string(logLine) +
                                 ": log produced NaN (element 2 of its result)"));
  CHECK_THROWS_WITH(checked.run("f", {floats({1, std::exp(-1.0f), 3, 4}, {2, 2})}),
                    Contains("RunTimeErrorTest.cpp:" + std::to_string(divLine)) &&
                        Contains("produced inf (element 1 of its result)"));
  // Off: the same values pass through silently, as in TensorFlow without the check.
  HostTensor r = unchecked.run("f", {floats({1, 2, -1, 4}, {2, 2})})[0];
  CHECK(std::isnan(r.as<float>()[2]));
}

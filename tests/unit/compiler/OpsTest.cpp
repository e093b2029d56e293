// Numerics of each sinter op through the real compiler: a Graph is built with the public API,
// an entry point is compiled to native code, run on host tensors and compared with a reference
// computed here in C++. Also the build-time errors (shape mismatches naming the user's line).
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include "../../common/ReferenceMatmul.h"
#include "../../common/TestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace sinter;
using sinter::testing::values;

namespace {

// Tolerances: exact IEEE arithmetic (add/mul/...) within 1e-5 relative in f32; the
// transcendental functions use polynomial approximations in f32.
constexpr double kArithRel = 1e-5;
constexpr double kMathAbs = 2e-6, kMathRel = 1e-5;
constexpr double kF64Rel = 1e-12, kF64Abs = 1e-14;

template <class T> HostTensor host(DType dtype, const Shape &shape, const std::vector<T> &v) {
  HostTensor h(dtype, shape);
  REQUIRE(static_cast<int64_t>(v.size()) == h.numElements());
  std::copy(v.begin(), v.end(), h.as<T>().begin());
  return h;
}
HostTensor hostF32(const Shape &s, const std::vector<float> &v) { return host(DType::F32, s, v); }
HostTensor hostF64(const Shape &s, const std::vector<double> &v) { return host(DType::F64, s, v); }
HostTensor hostI32(const Shape &s, const std::vector<int32_t> &v) { return host(DType::I32, s, v); }

/// A host tensor of `dtype` (F32 or F64) holding `v`.
HostTensor hostFloat(DType dtype, const Shape &s, const std::vector<double> &v) {
  if (dtype == DType::F64)
    return hostF64(s, v);
  return hostF32(s, std::vector<float>(v.begin(), v.end()));
}

/// Compiles one entry point `f` (inputs → outputs) and runs it once.
std::vector<HostTensor> runOnce(Graph &g, const std::vector<Tensor> &inputs,
                                const std::vector<Tensor> &outputs,
                                const std::vector<HostTensor> &args) {
  Program p = g.compile({{"f", inputs, outputs}});
  return p.run("f", args);
}

void checkClose(const HostTensor &got, const Shape &shape, const std::vector<double> &expected,
                double rel, double abs = 0) {
  REQUIRE(got.shape() == shape);
  std::vector<double> v = values(got);
  REQUIRE(v.size() == expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    INFO("element " << i << ": got " << v[i] << ", expected " << expected[i]);
    CHECK(std::abs(v[i] - expected[i]) <= abs + rel * std::abs(expected[i]));
  }
}

void checkExact(const HostTensor &got, const Shape &shape, const std::vector<double> &expected) {
  checkClose(got, shape, expected, 0, 0);
}

std::vector<double> mapValues(const std::vector<double> &x, double (*f)(double)) {
  std::vector<double> out;
  for (double v : x)
    out.push_back(f(v));
  return out;
}

std::vector<double> roundToF32(std::vector<double> v) {
  for (double &x : v)
    x = static_cast<float>(x);
  return v;
}

Shape shapeOf(const Tensor &t) { return t.shape(); }

} // namespace

TEST_CASE("constant, fill, zeros, ones", "[ops]") {
  Graph g;
  Tensor c = constant(g, std::vector<float>{1.5f, -2.f, 3.25f, 0.f, 7.f, -0.5f}, {2, 3});
  Tensor ci = constant(g, std::vector<int32_t>{1, -2, 3, 2147483647}, {4});
  Tensor f = fill(g, {2, 2}, 3.5);
  Tensor fd = fill(g, {3}, 0.1, DType::F64);
  Tensor fi = fill(g, {2}, 7, DType::I32);
  Tensor z = zeros(g, {2, 3});
  Tensor o = ones(g, {3}, DType::I32);
  Tensor s = scalar(g, 2.5);
  Tensor zl = zerosLike(c), ol = onesLike(ci);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.dtype() == DType::F32);
  CHECK(ci.dtype() == DType::I32);
  CHECK(s.rank() == 0);
  auto r = runOnce(g, {}, {c, ci, f, fd, fi, z, o, s, zl, ol}, {});
  checkExact(r[0], {2, 3}, {1.5, -2, 3.25, 0, 7, -0.5});
  checkExact(r[1], {4}, {1, -2, 3, 2147483647});
  checkExact(r[2], {2, 2}, {3.5, 3.5, 3.5, 3.5});
  REQUIRE(r[3].dtype() == DType::F64);
  checkExact(r[3], {3}, {0.1, 0.1, 0.1}); // exactly the double 0.1
  checkExact(r[4], {2}, {7, 7});
  checkExact(r[5], {2, 3}, {0, 0, 0, 0, 0, 0});
  checkExact(r[6], {3}, {1, 1, 1});
  checkExact(r[7], {}, {2.5});
  checkExact(r[8], {2, 3}, std::vector<double>(6, 0));
  checkExact(r[9], {4}, {1, 1, 1, 1});
}

TEST_CASE("constant with the wrong number of values throws", "[ops][errors]") {
  Graph g;
  CHECK_THROWS_AS(constant(g, std::vector<float>{1, 2, 3}, {2, 2}), Error);
}

TEST_CASE("float arithmetic: add sub mul div pow maximum minimum", "[ops]") {
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      std::vector<double> a{1.5, -2.25, 3.0, 0.5, 10.0, -7.5};
      std::vector<double> b{0.5, 4.0, -1.5, 2.0, 3.0, -7.5};
      if (dt == DType::F32) {
        a = roundToF32(a);
        b = roundToF32(b);
      }
      Graph g;
      Tensor x = g.input("a", {2, 3}, dt), y = g.input("b", {2, 3}, dt);
      auto r = runOnce(g, {x, y},
                       {add(x, y), sub(x, y), mul(x, y), div(x, y), maximum(x, y), minimum(x, y),
                        x + y, x - y, x * y, x / y, x * 2.0, 1.0 - x, -x},
                       {hostFloat(dt, {2, 3}, a), hostFloat(dt, {2, 3}, b)});
      REQUIRE(r[0].dtype() == dt);
      std::vector<double> e[7];
      for (size_t i = 0; i < a.size(); ++i) {
        e[0].push_back(a[i] + b[i]);
        e[1].push_back(a[i] - b[i]);
        e[2].push_back(a[i] * b[i]);
        e[3].push_back(a[i] / b[i]);
        e[4].push_back(std::max(a[i], b[i]));
        e[5].push_back(std::min(a[i], b[i]));
      }
      double rel = dt == DType::F32 ? kArithRel : kF64Rel;
      for (int k = 0; k < 6; ++k)
        checkClose(r[k], {2, 3}, e[k], rel);
      for (int k = 0; k < 4; ++k)
        checkClose(r[6 + k], {2, 3}, e[k], rel);
      std::vector<double> twice, oneMinus, negated;
      for (double v : a) {
        twice.push_back(2 * v);
        oneMinus.push_back(1 - v);
        negated.push_back(-v);
      }
      checkClose(r[10], {2, 3}, twice, rel);
      checkClose(r[11], {2, 3}, oneMinus, rel);
      checkClose(r[12], {2, 3}, negated, rel);
    }
  }
}

TEST_CASE("pow", "[ops]") {
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      std::vector<double> a{0.5, 2.0, 3.0, 1.5, 10.0, 0.25};
      std::vector<double> b{2.0, -1.0, 0.5, 3.0, 1.5, 0.0};
      Graph g;
      Tensor x = g.input("a", {6}, dt), y = g.input("b", {6}, dt);
      auto r = runOnce(g, {x, y}, {pow(x, y)}, {hostFloat(dt, {6}, a), hostFloat(dt, {6}, b)});
      std::vector<double> e;
      for (size_t i = 0; i < a.size(); ++i)
        e.push_back(std::pow(a[i], b[i]));
      if (dt == DType::F32)
        checkClose(r[0], {6}, e, kMathRel, kMathAbs);
      else
        checkClose(r[0], {6}, e, kF64Rel, kF64Abs);
    }
  }
}

TEST_CASE("int32 arithmetic", "[ops]") {
  std::vector<int32_t> a{7, -7, 9, 0, 100, -3};
  std::vector<int32_t> b{2, 2, -4, 5, 7, -3};
  Graph g;
  Tensor x = g.input("a", {6}, DType::I32), y = g.input("b", {6}, DType::I32);
  auto r = runOnce(g, {x, y},
                   {add(x, y), sub(x, y), mul(x, y), div(x, y), maximum(x, y), minimum(x, y),
                    neg(x), abs(x), x * 3.0, reduceSum(x), reduceMax(x)},
                   {hostI32({6}, a), hostI32({6}, b)});
  REQUIRE(r[0].dtype() == DType::I32);
  std::vector<double> e[8];
  for (size_t i = 0; i < a.size(); ++i) {
    e[0].push_back(a[i] + b[i]);
    e[1].push_back(a[i] - b[i]);
    e[2].push_back(a[i] * b[i]);
    e[3].push_back(a[i] / b[i]); // C++ truncates toward zero, as the op documents
    e[4].push_back(std::max(a[i], b[i]));
    e[5].push_back(std::min(a[i], b[i]));
    e[6].push_back(-a[i]);
    e[7].push_back(std::abs(a[i]));
  }
  for (int k = 0; k < 8; ++k) {
    INFO("output " << k);
    checkExact(r[k], {6}, e[k]);
  }
  checkExact(r[8], {6}, {21, -21, 27, 0, 300, -9});
  REQUIRE(r[9].dtype() == DType::I32);
  checkExact(r[9], {}, {106});
  checkExact(r[10], {}, {100});
}

TEST_CASE("uint8 abs and sign, and bool maximum/minimum/reduceMax/reduceMin, are unsigned",
          "[ops]") {
  // uint8 200 is not −56: |200| = 200, sign(200) = 1. A bool's true is 1, not −1:
  // max(true, false) is true; reduceMax is "any", reduceMin "all".
  Graph g;
  HostTensor bytes(DType::U8, {3}), flags(DType::Bool, {4}), other(DType::Bool, {4});
  std::vector<uint8_t> u{200, 0, 7};
  std::copy(u.begin(), u.end(), bytes.as<uint8_t>().begin());
  std::vector<bool> f{true, false, true, false}, o{false, false, true, true};
  for (size_t i = 0; i < 4; ++i) {
    flags.as<bool>()[i] = f[i];
    other.as<bool>()[i] = o[i];
  }
  Tensor x = g.input("x", {3}, DType::U8);
  Tensor p = g.input("p", {4}, DType::Bool), q = g.input("q", {4}, DType::Bool);
  auto r = runOnce(g, {x, p, q},
                   {abs(x), sign(x), maximum(p, q), minimum(p, q), reduceMax(p), reduceMin(p),
                    reduceMax(logicalAnd(p, q)), reduceMin(logicalOr(p, q))},
                   {bytes, flags, other});
  checkExact(r[0], {3}, {200, 0, 7});
  checkExact(r[1], {3}, {1, 0, 1});
  checkExact(r[2], {4}, {1, 0, 1, 1});
  checkExact(r[3], {4}, {0, 0, 1, 0});
  checkExact(r[4], {}, {1});
  checkExact(r[5], {}, {0});
  checkExact(r[6], {}, {1});
  checkExact(r[7], {}, {0});
}

TEST_CASE("unary math: neg exp log sqrt square abs relu sigmoid tanh", "[ops]") {
  const std::vector<double> xs{-9.5, -3.25, -1.0, -0.3, -1e-3, 0.0,
                               2e-4, 0.45,  1.0,  2.5,  6.0,   10.0};
  const std::vector<double> pos{1e-4, 0.01, 0.3, 0.5, 0.999, 1.0, 1.5, 2.0, 7.25, 100.0, 1e4, 3e7};
  const Shape shape{3, 4};
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      std::vector<double> x = xs, p = pos;
      if (dt == DType::F32) {
        x = roundToF32(x);
        p = roundToF32(p);
      }
      Graph g;
      Tensor a = g.input("x", shape, dt), b = g.input("p", shape, dt);
      auto r = runOnce(
          g, {a, b},
          {neg(a), exp(a), log(b), sqrt(b), square(a), abs(a), relu(a), sigmoid(a), tanh(a)},
          {hostFloat(dt, shape, x), hostFloat(dt, shape, p)});
      for (const HostTensor &t : r)
        REQUIRE(t.dtype() == dt);
      bool f32 = dt == DType::F32;
      double arel = f32 ? kArithRel : kF64Rel, mrel = f32 ? kMathRel : kF64Rel,
             mabs = f32 ? kMathAbs : kF64Abs;
      checkExact(r[0], shape, mapValues(x, [](double v) { return -v; }));
      {
        INFO("exp");
        checkClose(r[1], shape, mapValues(x, std::exp), mrel, mabs);
      }
      {
        INFO("log");
        checkClose(r[2], shape, mapValues(p, std::log), mrel, mabs);
      }
      {
        INFO("sqrt");
        checkClose(r[3], shape, mapValues(p, std::sqrt), arel);
      }
      checkClose(r[4], shape, mapValues(x, [](double v) { return v * v; }), arel);
      checkExact(r[5], shape, mapValues(x, std::fabs));
      checkExact(r[6], shape, mapValues(x, [](double v) { return v > 0 ? v : 0.0; }));
      {
        INFO("sigmoid");
        checkClose(r[7], shape, mapValues(x, [](double v) { return 1 / (1 + std::exp(-v)); }), mrel,
                   mabs);
      }
      {
        INFO("tanh");
        checkClose(r[8], shape, mapValues(x, std::tanh), mrel, mabs);
      }
    }
  }
}

TEST_CASE("comparisons and where", "[ops]") {
  std::vector<float> a{1, 2, 3, 4, 5, 6}, b{3, 2, 1, 4, 0, 7};
  Graph g;
  Tensor x = g.input("a", {6}), y = g.input("b", {6});
  auto r = runOnce(g, {x, y},
                   {equal(x, y), notEqual(x, y), less(x, y), lessEqual(x, y), greater(x, y),
                    greaterEqual(x, y), where(greater(x, y), x, y),
                    where(less(x, y), x, scalar(g, -1.0))},
                   {hostF32({6}, a), hostF32({6}, b)});
  REQUIRE(r[0].dtype() == DType::Bool);
  std::vector<double> e[8];
  for (size_t i = 0; i < a.size(); ++i) {
    e[0].push_back(a[i] == b[i]);
    e[1].push_back(a[i] != b[i]);
    e[2].push_back(a[i] < b[i]);
    e[3].push_back(a[i] <= b[i]);
    e[4].push_back(a[i] > b[i]);
    e[5].push_back(a[i] >= b[i]);
    e[6].push_back(a[i] > b[i] ? a[i] : b[i]);
    e[7].push_back(a[i] < b[i] ? a[i] : -1.0);
  }
  for (int k = 0; k < 8; ++k) {
    INFO("output " << k);
    checkExact(r[k], {6}, e[k]);
  }
}

TEST_CASE("integer comparisons and where on int32", "[ops]") {
  Graph g;
  Tensor x = g.input("a", {4}, DType::I32), y = g.input("b", {4}, DType::I32);
  auto r = runOnce(g, {x, y}, {less(x, y), where(greaterEqual(x, y), x, y)},
                   {hostI32({4}, {-5, 3, 0, 9}), hostI32({4}, {2, 3, -1, 10})});
  checkExact(r[0], {4}, {1, 0, 0, 1});
  REQUIRE(r[1].dtype() == DType::I32);
  checkExact(r[1], {4}, {2, 3, 0, 10});
}

TEST_CASE("cast", "[ops]") {
  Graph g;
  Tensor f = g.input("f", {6});
  Tensor i = g.input("i", {4}, DType::I32);
  Tensor toInt = cast(f, DType::I32);
  Tensor toBool = cast(f, DType::Bool);
  Tensor boolToFloat = cast(toBool, DType::F32);
  Tensor boolToInt = cast(greater(i, zerosLike(i)), DType::I32);
  Tensor intToFloat = cast(i, DType::F32);
  Tensor toF64 = cast(f, DType::F64);
  Tensor backToF32 = cast(toF64, DType::F32);
  CHECK(cast(f, DType::F32).id() == f.id()); // a no-op cast is the same tensor
  auto r = runOnce(
      g, {f, i}, {toInt, toBool, boolToFloat, boolToInt, intToFloat, toF64, backToF32},
      {hostF32({6}, {2.7f, -2.7f, 0.f, -0.5f, 1e6f, 3.f}), hostI32({4}, {-3, 0, 5, 16777217})});
  REQUIRE(r[0].dtype() == DType::I32);
  checkExact(r[0], {6}, {2, -2, 0, 0, 1000000, 3}); // truncation toward zero
  REQUIRE(r[1].dtype() == DType::Bool);
  checkExact(r[1], {6}, {1, 1, 0, 1, 1, 1});
  checkExact(r[2], {6}, {1, 1, 0, 1, 1, 1});
  REQUIRE(r[3].dtype() == DType::I32);
  checkExact(r[3], {4}, {0, 0, 1, 1});
  REQUIRE(r[4].dtype() == DType::F32);
  checkExact(r[4], {4}, {-3, 0, 5, 16777216}); // nearest f32
  REQUIRE(r[5].dtype() == DType::F64);
  checkExact(r[5], {6}, {2.7f, -2.7f, 0.f, -0.5f, 1e6f, 3.f});
  checkExact(r[6], {6}, {2.7f, -2.7f, 0.f, -0.5f, 1e6f, 3.f});
}

namespace {

std::vector<double> iotaValues(int64_t n, double scale, double offset) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = static_cast<float>(scale * static_cast<double>((i * 7) % 11) + offset);
  return v;
}

/// With `on`, programs compiled in its scope use no library kernels (SINTER_GENERATED_ONLY=1):
/// matmuls become generated loops (those of sinter-compile --standalone).
struct GeneratedOnlyScope {
  explicit GeneratedOnlyScope(bool on) {
    if (on)
      setenv("SINTER_GENERATED_ONLY", "1", 1);
  }
  ~GeneratedOnlyScope() { unsetenv("SINTER_GENERATED_ONLY"); }
};

} // namespace

TEST_CASE("matmul 2-D with all transpose combinations", "[ops][matmul]") {
  // Small, large enough for vectorized loops with remainders, and (generated) register tiles
  // with leftover rows and columns and a deep k split into cache blocks (TileContractions.cpp).
  const auto [m, k, n] =
      GENERATE(table<int64_t, int64_t, int64_t>({{3, 5, 4}, {37, 53, 29}, {13, 300, 40}}));
  const bool generatedOnly = GENERATE(false, true);
  INFO("generated loops only: " << generatedOnly);
  GeneratedOnlyScope scope(generatedOnly);
  for (DType dt : {DType::F32, DType::F64}) {
    for (int combo = 0; combo < 4; ++combo) {
      bool ta = combo & 1, tb = combo & 2;
      DYNAMIC_SECTION(runtime::dtypeName(dt) << " ta=" << ta << " tb=" << tb) {
        Shape sa = ta ? Shape{k, m} : Shape{m, k};
        Shape sb = tb ? Shape{n, k} : Shape{k, n};
        std::vector<double> av = iotaValues(m * k, 0.25, -1.0), bv = iotaValues(k * n, -0.5, 2.0);
        Graph g;
        Tensor a = g.input("a", sa, dt), b = g.input("b", sb, dt);
        Tensor c = matmul(a, b, ta, tb);
        CHECK(c.shape() == Shape{m, n});
        auto r = runOnce(g, {a, b}, {c}, {hostFloat(dt, sa, av), hostFloat(dt, sb, bv)});
        checkClose(r[0], {m, n}, testing::referenceMatmul(av, bv, 1, m, k, n, ta, tb),
                   dt == DType::F32 ? kArithRel : kF64Rel, 1e-6);
      }
    }
  }
}

TEST_CASE("matmul batched 3-D and broadcast batch", "[ops][matmul]") {
  const bool generatedOnly = GENERATE(false, true);
  INFO("generated loops only: " << generatedOnly);
  GeneratedOnlyScope scope(generatedOnly);
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      const int64_t batch = 2, m = 3, k = 4, n = 2;
      std::vector<double> av = iotaValues(batch * m * k, 0.5, -1.5);
      std::vector<double> bv = iotaValues(batch * k * n, 0.25, 0.5);
      std::vector<double> wv = iotaValues(k * n, -0.75, 1.0);
      Graph g;
      Tensor a = g.input("a", {batch, m, k}, dt);
      Tensor b = g.input("b", {batch, k, n}, dt);
      Tensor w = g.input("w", {k, n}, dt);
      Tensor bt = g.input("bt", {batch, n, k}, dt);
      Tensor c = matmul(a, b);
      Tensor cw = matmul(a, w); // [2,3,4] x [4,2]: w broadcast over the batch
      Tensor ct = matmul(a, bt, false, true);
      Tensor a4 = reshape(a, {1, batch, m, k});
      Tensor c4 = matmul(a4, reshape(w, {1, 1, k, n})); // [1,2,3,4] x [1,1,4,2]
      CHECK(c.shape() == Shape{batch, m, n});
      CHECK(cw.shape() == Shape{batch, m, n});
      CHECK(c4.shape() == Shape{1, batch, m, n});
      // bt holds b transposed in its last two dimensions.
      std::vector<double> btv(batch * n * k);
      for (int64_t p = 0; p < batch; ++p)
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < n; ++j)
            btv[p * n * k + j * k + i] = bv[p * k * n + i * n + j];
      auto r = runOnce(g, {a, b, w, bt}, {c, cw, ct, c4},
                       {hostFloat(dt, {batch, m, k}, av), hostFloat(dt, {batch, k, n}, bv),
                        hostFloat(dt, {k, n}, wv), hostFloat(dt, {batch, n, k}, btv)});
      double rel = dt == DType::F32 ? kArithRel : kF64Rel;
      std::vector<double> expected = testing::referenceMatmul(av, bv, batch, m, k, n, false, false);
      checkClose(r[0], {batch, m, n}, expected, rel, 1e-6);
      std::vector<double> wb;
      for (int64_t p = 0; p < batch; ++p)
        wb.insert(wb.end(), wv.begin(), wv.end());
      std::vector<double> expectedW =
          testing::referenceMatmul(av, wb, batch, m, k, n, false, false);
      checkClose(r[1], {batch, m, n}, expectedW, rel, 1e-6);
      checkClose(r[2], {batch, m, n}, expected, rel, 1e-6);
      checkClose(r[3], {1, batch, m, n}, expectedW, rel, 1e-6);
    }
  }
}

TEST_CASE("matmul batched, large enough for register tiles", "[ops][matmul]") {
  // Generated: each batch's product is tiled (TileContractions.cpp), with leftover rows and
  // columns; a's transposed form reads its columns.
  const bool generatedOnly = GENERATE(false, true);
  INFO("generated loops only: " << generatedOnly);
  GeneratedOnlyScope scope(generatedOnly);
  const int64_t batch = 3, m = 14, k = 9, n = 35;
  for (bool ta : {false, true}) {
    DYNAMIC_SECTION("ta=" << ta) {
      Shape sa = ta ? Shape{batch, k, m} : Shape{batch, m, k};
      std::vector<double> av = iotaValues(batch * m * k, 0.5, -1.5);
      std::vector<double> bv = iotaValues(batch * k * n, 0.25, 0.5);
      Graph g;
      Tensor a = g.input("a", sa, DType::F32), b = g.input("b", {batch, k, n}, DType::F32);
      Tensor c = matmul(a, b, ta, false);
      auto r = runOnce(g, {a, b}, {c},
                       {hostFloat(DType::F32, sa, av), hostFloat(DType::F32, {batch, k, n}, bv)});
      checkClose(r[0], {batch, m, n}, testing::referenceMatmul(av, bv, batch, m, k, n, ta, false),
                 kArithRel, 1e-6);
    }
  }
}

TEST_CASE("reductions with axes, negative axes and keepdims", "[ops][reduce]") {
  // x[i][j][l] = values of a [2,3,4] tensor.
  const Shape shape{2, 3, 4};
  std::vector<double> xv(24);
  for (int i = 0; i < 24; ++i)
    xv[i] = static_cast<float>(std::sin(i * 1.7) * 5.0);
  auto at = [&](int i, int j, int l) { return xv[i * 12 + j * 4 + l]; };
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      Graph g;
      Tensor x = g.input("x", shape, dt);
      Tensor sumLast = reduceSum(x, {-1});
      Tensor sum02 = reduceSum(x, {0, 2}, true);
      Tensor sumAll = reduceSum(x);
      Tensor meanMid = reduceMean(x, {1});
      Tensor meanAll = reduceMean(x, {}, true);
      Tensor maxNeg = reduceMax(x, {-2, 0});
      Tensor maxAll = reduceMax(x);
      CHECK(sumLast.shape() == Shape{2, 3});
      CHECK(sum02.shape() == Shape{1, 3, 1});
      CHECK(sumAll.shape() == Shape{});
      CHECK(meanMid.shape() == Shape{2, 4});
      CHECK(meanAll.shape() == Shape{1, 1, 1});
      CHECK(maxNeg.shape() == Shape{4});
      auto r = runOnce(g, {x}, {sumLast, sum02, sumAll, meanMid, meanAll, maxNeg, maxAll},
                       {hostFloat(dt, shape, xv)});
      double rel = dt == DType::F32 ? kArithRel : kF64Rel, abs = 1e-5;
      std::vector<double> e0, e1, e3, e5;
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) {
          double s = 0;
          for (int l = 0; l < 4; ++l)
            s += at(i, j, l);
          e0.push_back(s);
        }
      for (int j = 0; j < 3; ++j) {
        double s = 0;
        for (int i = 0; i < 2; ++i)
          for (int l = 0; l < 4; ++l)
            s += at(i, j, l);
        e1.push_back(s);
      }
      for (int i = 0; i < 2; ++i)
        for (int l = 0; l < 4; ++l) {
          double s = 0;
          for (int j = 0; j < 3; ++j)
            s += at(i, j, l);
          e3.push_back(s / 3);
        }
      for (int l = 0; l < 4; ++l) {
        double m = -INFINITY;
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 3; ++j)
            m = std::max(m, at(i, j, l));
        e5.push_back(m);
      }
      double total = std::accumulate(xv.begin(), xv.end(), 0.0);
      checkClose(r[0], {2, 3}, e0, rel, abs);
      checkClose(r[1], {1, 3, 1}, e1, rel, abs);
      checkClose(r[2], {}, {total}, rel, abs);
      checkClose(r[3], {2, 4}, e3, rel, abs);
      checkClose(r[4], {1, 1, 1}, {total / 24}, rel, abs);
      checkExact(r[5], {4}, e5);
      checkExact(r[6], {}, {*std::max_element(xv.begin(), xv.end())});
    }
  }
}

TEST_CASE("bad reduce axes throw", "[ops][reduce][errors]") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  CHECK_THROWS_AS(reduceSum(x, {2}), Error);
  CHECK_THROWS_AS(reduceMean(x, {-3}), Error);
  CHECK_THROWS_AS(reduceMax(x, {0, -2}), Error); // repeated
  try {
    reduceSum(x, {5});
    FAIL("no error");
  } catch (const Error &e) {
    std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("OpsTest.cpp:"));
    CHECK_THAT(m, Catch::Contains("axis 5"));
  }
}

TEST_CASE("reshape with -1, transpose with a permutation", "[ops][shape]") {
  std::vector<double> xv(24);
  std::iota(xv.begin(), xv.end(), 0.0);
  Graph g;
  Tensor x = g.input("x", {2, 3, 4});
  Tensor r1 = reshape(x, {-1, 4});
  Tensor r2 = reshape(x, {4, -1, 2});
  Tensor r3 = reshape(reduceSum(x), {1, 1});
  Tensor t = transpose(x, {2, 0, 1});
  Tensor tDefault = transpose(x); // reverses the dimensions
  CHECK(r1.shape() == Shape{6, 4});
  CHECK(r2.shape() == Shape{4, 3, 2});
  CHECK(t.shape() == Shape{4, 2, 3});
  CHECK(tDefault.shape() == Shape{4, 3, 2});
  CHECK_THROWS_AS(reshape(x, {5, -1}), Error);
  CHECK_THROWS_AS(reshape(x, {-1, -1}), Error);
  CHECK_THROWS_AS(reshape(x, {5, 5}), Error);
  auto r = runOnce(g, {x}, {r1, r2, r3, t, tDefault},
                   {hostF32({2, 3, 4}, std::vector<float>(xv.begin(), xv.end()))});
  checkExact(r[0], {6, 4}, xv);
  checkExact(r[1], {4, 3, 2}, xv);
  checkExact(r[2], {1, 1}, {276});
  std::vector<double> et, ed;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j)
      for (int l = 0; l < 3; ++l)
        et.push_back(xv[j * 12 + l * 4 + i]); // t[i][j][l] = x[j][l][i]
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      for (int l = 0; l < 2; ++l)
        ed.push_back(xv[l * 12 + j * 4 + i]);
  checkExact(r[3], {4, 2, 3}, et);
  checkExact(r[4], {4, 3, 2}, ed);
}

TEST_CASE("transposes large enough to be blocked, with partial blocks", "[ops][shape]") {
  // sinter-tile-transposes: 16 x 16 blocks in parallel, the last rows and columns on views.
  // [37, 50] -> [50, 37]: two whole blocks, 5 left on one side and 2 on the other;
  // [3, 20, 33] by {2, 0, 1} and {0, 2, 1}: leading dimensions of their own.
  Graph g;
  Tensor m = g.input("m", {37, 50});
  Tensor c = g.input("c", {3, 20, 33});
  Tensor mt = transpose(m, {1, 0}), ct = transpose(c, {2, 0, 1}), cs = transpose(c, {0, 2, 1});
  std::vector<float> mv(37 * 50), cv(3 * 20 * 33);
  std::iota(mv.begin(), mv.end(), 0.0f);
  std::iota(cv.begin(), cv.end(), 0.0f);
  auto r = runOnce(g, {m, c}, {mt, ct, cs}, {hostF32({37, 50}, mv), hostF32({3, 20, 33}, cv)});
  std::vector<double> emt, ect, ecs;
  for (int j = 0; j < 50; ++j)
    for (int i = 0; i < 37; ++i)
      emt.push_back(mv[i * 50 + j]);
  for (int k = 0; k < 33; ++k)
    for (int a = 0; a < 3; ++a)
      for (int j = 0; j < 20; ++j)
        ect.push_back(cv[(a * 20 + j) * 33 + k]);
  for (int a = 0; a < 3; ++a)
    for (int k = 0; k < 33; ++k)
      for (int j = 0; j < 20; ++j)
        ecs.push_back(cv[(a * 20 + j) * 33 + k]);
  checkExact(r[0], {50, 37}, emt);
  checkExact(r[1], {33, 3, 20}, ect);
  checkExact(r[2], {3, 33, 20}, ecs);
}

TEST_CASE("a transpose large enough to be stored around the caches", "[ops][shape]") {
  // [1024, 1030] -> [1030, 1024] (4.2 MB of floats): the blocks go through vector registers
  // and streaming stores when the output buffer is 64-byte aligned, through the transpose on
  // views when it is not; the last 6 rows are the transpose on views either way. The second
  // result is an internal buffer (the transpose feeds the addition).
  constexpr int64_t kRows = 1024, kCols = 1030;
  Graph g;
  Tensor x = g.input("x", {kRows, kCols});
  Tensor t = transpose(x, {1, 0});
  Program p = g.compile({{"f", {x}, {t, t + 1.0}, {}, {"t", "t1"}}});
  std::vector<float> xv(kRows * kCols);
  std::iota(xv.begin(), xv.end(), 0.0f);
  auto expectTransposed = [&](const float *out, float plus) {
    int64_t wrong = 0;
    for (int64_t c = 0; c < kCols; ++c)
      for (int64_t r = 0; r < kRows; ++r)
        wrong += out[c * kRows + r] != xv[r * kCols + c] + plus;
    CHECK(wrong == 0);
  };
  HostTensor aligned(DType::F32, {kCols, kRows}), plusOne(DType::F32, {kCols, kRows});
  p.call(p.entryIndex("f"), {xv.data()}, {aligned.data(), plusOne.data()});
  expectTransposed(aligned.as<float>().data(), 0.0f);
  expectTransposed(plusOne.as<float>().data(), 1.0f);
  // One float past a 64-byte boundary.
  std::vector<float> storage(kCols * kRows + 32);
  float *misaligned = storage.data() + 1;
  while (reinterpret_cast<uintptr_t>(misaligned) % 64 != 4)
    ++misaligned;
  p.call(p.entryIndex("f"), {xv.data()}, {misaligned, plusOne.data()});
  expectTransposed(misaligned, 0.0f);
}

TEST_CASE("broadcastTo and NumPy broadcasting in binary ops", "[ops][broadcast]") {
  Graph g;
  Tensor col = g.input("col", {3, 1});
  Tensor row = g.input("row", {4});
  Tensor s = g.input("s", {});
  Tensor sum = col + row;
  Tensor prod = mul(row, col);
  Tensor b = broadcastTo(row, {2, 4});
  Tensor bc = broadcastTo(col, {2, 3, 5});
  Tensor scaled = s * col;
  CHECK(sum.shape() == Shape{3, 4});
  CHECK(prod.shape() == Shape{3, 4});
  CHECK(bc.shape() == Shape{2, 3, 5});
  CHECK(broadcastShapes({3, 1}, {4}) == Shape{3, 4});
  CHECK(broadcastShapes({2, 1, 5}, {7, 1}) == Shape{2, 7, 5});
  CHECK_THROWS_AS(broadcastTo(row, {4, 3}), Error);
  CHECK_THROWS_AS(broadcastTo(col, {3}), Error);
  std::vector<double> cv{1, 2, 3}, rv{10, 20, 30, 40};
  auto r =
      runOnce(g, {col, row, s}, {sum, prod, b, bc, scaled},
              {hostF32({3, 1}, {1, 2, 3}), hostF32({4}, {10, 20, 30, 40}), hostF32({}, {0.5f})});
  std::vector<double> e0, e1, e3, e4;
  for (double c : cv)
    for (double v : rv) {
      e0.push_back(c + v);
      e1.push_back(c * v);
    }
  for (int i = 0; i < 2; ++i)
    for (double c : cv)
      for (int l = 0; l < 5; ++l)
        e3.push_back(c);
  for (double c : cv)
    e4.push_back(0.5 * c);
  checkExact(r[0], {3, 4}, e0);
  checkExact(r[1], {3, 4}, e1);
  checkExact(r[2], {2, 4}, {10, 20, 30, 40, 10, 20, 30, 40});
  checkExact(r[3], {2, 3, 5}, e3);
  checkExact(r[4], {3, 1}, e4);
}

TEST_CASE("softmax", "[ops][composite]") {
  Graph g;
  Tensor x = constant(g, std::vector<float>{2.0f, 1.0f, 0.1f}, {3});
  Tensor m = g.input("m", {2, 4});
  Tensor big = g.input("big", {3}); // large logits: needs the max shift to stay finite
  std::vector<float> mv{1, 2, 3, 4, -1, 0, 1, 0.5f};
  auto r = runOnce(g, {m, big}, {softmax(x), softmax(m), softmax(big)},
                   {hostF32({2, 4}, mv), hostF32({3}, {1000.f, 999.f, 998.f})});
  // The book's example: softmax([2, 1, 0.1]) = [0.659, 0.242, 0.099].
  checkClose(r[0], {3}, {0.659, 0.242, 0.099}, 0, 5e-4);
  double z = std::exp(2.0) + std::exp(1.0) + std::exp(0.1);
  checkClose(r[0], {3}, {std::exp(2.0) / z, std::exp(1.0) / z, std::exp(0.1) / z}, kMathRel,
             kMathAbs);
  std::vector<double> e;
  for (int row = 0; row < 2; ++row) {
    double s = 0;
    for (int j = 0; j < 4; ++j)
      s += std::exp(mv[row * 4 + j]);
    for (int j = 0; j < 4; ++j)
      e.push_back(std::exp(mv[row * 4 + j]) / s);
  }
  checkClose(r[1], {2, 4}, e, kMathRel, kMathAbs);
  double zb = 1 + std::exp(-1.0) + std::exp(-2.0);
  checkClose(r[2], {3}, {1 / zb, std::exp(-1.0) / zb, std::exp(-2.0) / zb}, kMathRel, kMathAbs);
}

TEST_CASE("a large f32 softmax runs on the runtime's kernel, with the same values and gradient",
          "[ops][composite]") {
  // [64, 512] = 32,768 elements: sinter-decompose keeps the composite for the oneDNN kernel;
  // the float64 twin is decomposed into generated loops. Both, and their gradients, agree.
  constexpr int64_t kRows = 64, kCols = 512;
  Graph g;
  Tensor x = g.input("x", {kRows, kCols}), w = g.input("w", {kRows, kCols});
  Tensor y32 = softmax(x), y64 = softmax(cast(x, DType::F64));
  Tensor g32 = gradients(reduceSum(y32 * w), {x})[0];
  Tensor g64 = gradients(reduceSum(y64 * cast(w, DType::F64)), {x})[0];
  std::vector<float> xv(kRows * kCols), wv(kRows * kCols);
  for (size_t i = 0; i < xv.size(); ++i) {
    xv[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 4);
    wv[i] = static_cast<float>(std::cos(0.11 * static_cast<double>(i)));
  }
  auto r = runOnce(g, {x, w}, {y32, y64, g32, g64},
                   {hostF32({kRows, kCols}, xv), hostF32({kRows, kCols}, wv)});
  std::vector<double> y32v = values(r[0]), y64v = values(r[1]), g32v = values(r[2]),
                      g64v = values(r[3]);
  for (size_t i = 0; i < y32v.size(); ++i) {
    INFO("element " << i);
    CHECK(std::abs(y32v[i] - y64v[i]) <= 1e-6 + 1e-5 * std::abs(y64v[i]));
    CHECK(std::abs(g32v[i] - g64v[i]) <= 1e-6 + 1e-4 * std::abs(g64v[i]));
  }
  for (int64_t row = 0; row < kRows; ++row) {
    double sum = 0;
    for (int64_t c = 0; c < kCols; ++c)
      sum += y32v[row * kCols + c];
    CHECK(std::abs(sum - 1) < 1e-5);
  }
}

TEST_CASE("softmaxCrossEntropyWithLogits", "[ops][composite]") {
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      std::vector<double> logits{2.0, 1.0, 0.1, -1.5, 3.0, 0.5, 0.0, 0.0, 0.0};
      std::vector<double> labels{1, 0, 0, 0.2, 0.5, 0.3, 0, 0, 1};
      Graph g;
      Tensor lg = g.input("logits", {3, 3}, dt), lb = g.input("labels", {3, 3}, dt);
      Tensor loss = softmaxCrossEntropyWithLogits(lb, lg);
      CHECK(loss.shape() == Shape{3});
      auto r = runOnce(g, {lg, lb}, {loss},
                       {hostFloat(dt, {3, 3}, logits), hostFloat(dt, {3, 3}, labels)});
      std::vector<double> e;
      for (int i = 0; i < 3; ++i) {
        double mx = std::max({logits[3 * i], logits[3 * i + 1], logits[3 * i + 2]}), s = 0;
        for (int j = 0; j < 3; ++j)
          s += std::exp(logits[3 * i + j] - mx);
        double l = 0;
        for (int j = 0; j < 3; ++j)
          l -= labels[3 * i + j] * (logits[3 * i + j] - mx - std::log(s));
        e.push_back(l);
      }
      if (dt == DType::F32)
        checkClose(r[0], {3}, e, kMathRel, kMathAbs);
      else
        checkClose(r[0], {3}, e, 1e-11, 1e-13);
      // Row 0 is -log(softmax([2, 1, 0.1])[0]) = -log(0.659).
      CHECK(values(r[0])[0] == Approx(-std::log(0.659)).epsilon(1e-3));
    }
  }
}

namespace {

struct Moments {
  double mean = 0, stddev = 0, min = INFINITY, max = -INFINITY;
};

Moments moments(const std::vector<double> &v) {
  Moments m;
  for (double x : v) {
    m.mean += x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v)
    m.stddev += (x - m.mean) * (x - m.mean);
  m.stddev = std::sqrt(m.stddev / static_cast<double>(v.size()));
  return m;
}

std::vector<HostTensor> randomSamples(int64_t seed) {
  Graph g;
  Tensor u = random::uniform(g, {100, 100}, -2.0, 3.0, seed);
  Tensor n = random::normal(g, {10000}, 1.5, 2.0, seed);
  Tensor t = random::truncatedNormal(g, {10000}, -1.0, 0.5, seed);
  Tensor n64 = random::normal(g, {10000}, 0.0, 1.0, seed, DType::F64);
  CHECK(u.dtype() == DType::F32);
  CHECK(n64.dtype() == DType::F64);
  return runOnce(g, {}, {u, n, t, n64}, {});
}

} // namespace

TEST_CASE("random uniform, normal, truncated normal", "[ops][random]") {
  auto a = randomSamples(42);
  auto b = randomSamples(42);
  auto c = randomSamples(43);
  SECTION("the same seed gives the same numbers across two compiles") {
    for (size_t k = 0; k < a.size(); ++k) {
      INFO("output " << k);
      REQUIRE(a[k].byteSize() == b[k].byteSize());
      CHECK(std::memcmp(a[k].data(), b[k].data(), a[k].byteSize()) == 0);
      CHECK(std::memcmp(a[k].data(), c[k].data(), a[k].byteSize()) != 0);
    }
  }
  SECTION("uniform in [-2, 3)") {
    Moments m = moments(values(a[0]));
    CHECK(m.min >= -2.0);
    CHECK(m.max < 3.0);
    CHECK(m.min < -1.99);
    CHECK(m.max > 2.99);
    CHECK(m.mean == Approx(0.5).margin(0.05));
    CHECK(m.stddev == Approx(5.0 / std::sqrt(12.0)).margin(0.03));
    // Elements are not all alike (a broken counter would repeat values).
    std::vector<double> v = values(a[0]);
    std::sort(v.begin(), v.end());
    CHECK(std::unique(v.begin(), v.end()) - v.begin() > 9900);
  }
  SECTION("normal(1.5, 2)") {
    Moments m = moments(values(a[1]));
    CHECK(m.mean == Approx(1.5).margin(0.06));
    CHECK(m.stddev == Approx(2.0).margin(0.06));
    Moments m64 = moments(values(a[3]));
    CHECK(m64.mean == Approx(0.0).margin(0.03));
    CHECK(m64.stddev == Approx(1.0).margin(0.03));
    // About 4.55% outside 2σ.
    int outside = 0;
    for (double x : values(a[1]))
      outside += std::abs(x - 1.5) > 4.0;
    CHECK(outside > 330);
    CHECK(outside < 590);
  }
  SECTION("truncated normal(-1, 0.5) within 2σ") {
    std::vector<double> v = values(a[2]);
    Moments m = moments(v);
    CHECK(m.min >= -2.0 - 1e-6);
    CHECK(m.max <= 0.0 + 1e-6);
    CHECK(m.mean == Approx(-1.0).margin(0.02));
    // The standard deviation of a normal truncated at ±2σ is 0.8796σ.
    CHECK(m.stddev == Approx(0.8796 * 0.5).margin(0.015));
  }
}

TEST_CASE("variables and updates persist across calls", "[ops][variables]") {
  Graph g;
  Variable counter = g.variable("counter", scalar(g, 0.0));
  Variable acc = g.variable("acc", zeros(g, {3}), /*trainable=*/false);
  Tensor x = g.input("x", {3});
  CHECK(counter.name() == "counter");
  CHECK(!acc.trainable());
  Program p = g.compile({
      {"step",
       {x},
       {counter, acc + x},
       {{counter, counter + 1.0}, {acc, acc + x}},
       {"before", "sum"}},
      {"peek", {}, {counter}},
  });
  HostTensor in = hostF32({3}, {1, 2, 3});
  auto r1 = p.run("step", {in});
  checkExact(r1[0], {}, {0}); // reads see the value at the start of the call
  checkExact(r1[1], {3}, {1, 2, 3});
  auto r2 = p.run("step", {in});
  checkExact(r2[0], {}, {1});
  checkExact(r2[1], {3}, {2, 4, 6});
  checkExact(p.variable("counter"), {}, {2});
  checkExact(p.variable("acc"), {3}, {2, 4, 6});
  checkExact(p.run("peek", {})[0], {}, {2});
}

TEST_CASE("a matmul shape mismatch names the user's line and the op", "[ops][errors]") {
  Graph g;
  Tensor a = g.input("a", {2, 3}), b = g.input("b", {4, 5});
  int line = __LINE__ + 2;
  try {
    matmul(a, b);
    FAIL("no error");
  } catch (const Error &e) {
    std::string m = e.what();
    INFO(m);
    CHECK_THAT(m, Catch::Contains("OpsTest.cpp:" + std::to_string(line)));
    CHECK_THAT(m, Catch::Contains("sinter.matmul"));
  }
  CHECK_THROWS_AS(matmul(a, reshape(b, {20})), Error); // rank 1
  CHECK_THROWS_AS(matmul(reshape(a, {1, 2, 3}), reshape(b, {4, 5, 1})), Error);
}

TEST_CASE("an add of incompatible shapes names broadcasting", "[ops][errors]") {
  Graph g;
  Tensor a = g.input("a", {2, 3}), b = g.input("b", {4});
  int line = __LINE__ + 2;
  try {
    (void)add(a, b);
    FAIL("no error");
  } catch (const Error &e) {
    std::string m = e.what();
    INFO(m);
    CHECK_THAT(m, Catch::Contains("OpsTest.cpp:" + std::to_string(line)));
    CHECK_THAT(m, Catch::Contains("broadcast"));
    CHECK_THAT(m, Catch::Contains("[2, 3]"));
  }
  int opLine = __LINE__ + 2;
  try {
    (void)(a * b);
    FAIL("no error");
  } catch (const Error &e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("OpsTest.cpp:" + std::to_string(opLine)));
  }
}

TEST_CASE("variable updates read the values at the start of the call (swap)", "[ops][variables]") {
  Graph g;
  Variable a = g.variable("a", constant(g, std::vector<float>{1, 2, 3, 4}, {2, 2}));
  Variable b = g.variable("b", constant(g, std::vector<float>{5, 6, 7, 8}, {2, 2}));
  Variable m = g.variable("m", constant(g, std::vector<float>{1, 2, 3, 4}, {2, 2}));
  // a, b = b, a and m = mᵀ: every update sees the values from before the call.
  Program p = g.compile({{"swap", {}, {a, b}, {{a, b}, {b, a}, {m, transpose(m)}}}});
  auto r = p.run("swap", {});
  checkExact(r[0], {2, 2}, {1, 2, 3, 4});
  checkExact(r[1], {2, 2}, {5, 6, 7, 8});
  checkExact(p.variable("a"), {2, 2}, {5, 6, 7, 8});
  checkExact(p.variable("b"), {2, 2}, {1, 2, 3, 4});
  checkExact(p.variable("m"), {2, 2}, {1, 3, 2, 4});
}

TEST_CASE("special values: overflow, log(0), pow of negative bases", "[ops][edge]") {
  for (DType dt : {DType::F32, DType::F64}) {
    DYNAMIC_SECTION(runtime::dtypeName(dt)) {
      Graph g;
      Tensor x = g.input("x", {4}, dt);
      Tensor a = g.input("a", {4}, dt), b = g.input("b", {4}, dt);
      auto r = runOnce(g, {x, a, b},
                       {exp(x), log(x + 100.0), sigmoid(x), tanh(x), pow(a, b), sqrt(x + 100.0)},
                       {hostFloat(dt, {4}, {-100, 80, 1000, -1000}),
                        hostFloat(dt, {4}, {-2, 0, -3, 4}), hostFloat(dt, {4}, {3, 2, 2, 0.5})});
      std::vector<double> e = values(r[0]);
      CHECK(e[0] == Approx(std::exp(-100.0)).margin(1e-30));
      CHECK(e[1] == Approx(std::exp(80.0)).epsilon(1e-5));
      CHECK(std::isinf(e[2]));
      CHECK(e[3] == 0);
      std::vector<double> l = values(r[1]);
      CHECK(std::isinf(l[0]));
      CHECK(l[0] < 0);         // log(0) = -inf
      CHECK(std::isnan(l[3])); // log(-900)
      std::vector<double> s = values(r[2]);
      CHECK(s[0] == Approx(0).margin(1e-30));
      CHECK(s[2] == 1);
      CHECK(s[3] == 0);
      std::vector<double> t = values(r[3]);
      CHECK(t[2] == 1);
      CHECK(t[3] == -1);
      std::vector<double> p = values(r[4]);
      CHECK(p[0] == Approx(-8)); // integral exponents of negative bases, as std::pow
      CHECK(p[1] == 0);
      CHECK(p[2] == Approx(9));
      CHECK(p[3] == Approx(2));
      CHECK(values(r[5])[0] == 0); // sqrt(0)
    }
  }
}

// A reduction over no axis (of a rank-0 value) is the identity. It used to lower to a generic
// with parallel loops only whose body read its output; elementwise fusion merged it into the
// consumer's loop, where it became a running sum ([6.1, 12.2, 18.3, 24.4]).
TEST_CASE("a reduction of a scalar broadcast into an elementwise op", "[ops][fusion]") {
  for (DType dtype : {DType::F32, DType::F64}) {
    Graph g;
    Tensor x1 = cast(constant(g, std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f}, {2, 2}), dtype);
    Tensor x2 = cast(constant(g, std::vector<float>{1, 2, 3}, {3}), dtype);
    Tensor scalarSum = reduceSum(reduceSum(x2, {0}));
    std::vector<double> got = values(sinter::testing::eval(g, {reshape(x1, {4}) + scalarSum})[0]);
    std::vector<double> want{6.1, 6.2, 6.3, 6.4};
    for (size_t i = 0; i < want.size(); ++i)
      REQUIRE(got[i] == Approx(want[i]).epsilon(1e-6));
    for (auto op : {reduceMean(scalarSum), reduceMax(scalarSum), reduceProd(scalarSum)}) {
      std::vector<double> y = values(sinter::testing::eval(g, {reshape(x1, {4}) * op})[0]);
      for (size_t i = 0; i < 4; ++i)
        REQUIRE(y[i] == Approx((i + 1) * 0.1 * 6).epsilon(1e-6));
    }
  }
}

// The tensor language of chapters 4–5 (TensorLanguage.h) through the compiler: every function is
// built with the public API, compiled and run, and compared with exact values; the errors name
// the user's line and the dimension at fault.
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include "../../common/TestUtil.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace sinter;
using Catch::Contains;
using sinter::testing::check;
using sinter::testing::eval;
using sinter::testing::values;

namespace {

std::vector<double> iotaValues(int n, int from = 0) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(from + i);
  return v;
}

} // namespace

TEST_CASE("constant from nested lists infers TensorFlow's dtype", "[tensor-language][creation]") {
  Graph g;
  Tensor a = constant(g, {{1, 2}, {3, 4}});
  Tensor b = constant(g, {1, 2., 3.3});
  Tensor c = constant(g, {true, false});
  Tensor d = constant(g, 5);
  Tensor e = constant(g, 1.2);
  Tensor f = constant(g, {1.2});
  Tensor h = constant(g, {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}});
  Tensor i = constant(g, {1, 2}, DType::F64);
  Tensor j = constant(g, {-1, 0, 1, 2}, DType::Bool);
  Tensor k = constant(g, {1.0, 2.0}, DType::I64);
  CHECK(a.shape() == Shape{2, 2});
  CHECK(a.dtype() == DType::I32);
  CHECK(b.dtype() == DType::F32);
  CHECK(c.dtype() == DType::Bool);
  CHECK(d.shape() == Shape{});
  CHECK(d.dtype() == DType::I32);
  CHECK(e.dtype() == DType::F32);
  CHECK(f.shape() == Shape{1});
  CHECK(h.shape() == Shape{2, 2, 2});
  CHECK(i.dtype() == DType::F64);
  CHECK(k.dtype() == DType::I64);
  auto r = eval(g, {a, b, c, d, f, h, i, j, k});
  check(r[0], {2, 2}, {1, 2, 3, 4});
  check(r[1], {3}, {1, 2, 3.3f});
  check(r[2], {2}, {1, 0});
  check(r[3], {}, {5});
  check(r[4], {1}, {1.2f});
  check(r[5], {2, 2, 2}, iotaValues(8, 1));
  check(r[6], {2}, {1, 2});
  check(r[7], {4}, {1, 0, 1, 1});
  check(r[8], {2}, {1, 2});
}

TEST_CASE("constant errors: ragged lists, bools mixed with numbers, lossy conversions",
          "[tensor-language][creation][errors]") {
  Graph g;
  CHECK_THROWS_WITH(constant(g, {{1, 2}, {3}}),
                    Contains("ragged") && Contains("TensorLanguageTest.cpp"));
  CHECK_THROWS_WITH(constant(g, {{1, 2}, 3}), Contains("ragged"));
  CHECK_THROWS_WITH(constant(g, {1, {2, 3}}), Contains("ragged"));
  CHECK_THROWS_WITH(constant(g, {true, 1}), Contains("bools and numbers"));
  CHECK_THROWS_WITH(constant(g, {1.5}, DType::I32), Contains("cannot convert"));
}

TEST_CASE("range, linspace, eye, oneHot, meshgrid", "[tensor-language][creation]") {
  Graph g;
  Tensor r5 = range(g, 5), r10 = range(g, 0, 10, 2), r19 = range(g, 1, 10, 2);
  Tensor down = range(g, 5, 0, -1), fr = range(g, 0, 1, 0.25, DType::F32),
         rf = range(g, 3, DType::F64);
  Tensor ls = linspace(g, -8, 8, 5), ls3 = linspace(g, 0, 1, 3);
  Tensor e2 = eye(g, 2), e23 = eye(g, 2, 3, DType::I32);
  Tensor oh = oneHot(constant(g, {0, 1, 2, 3}), 4);
  Tensor ohOut = oneHot(constant(g, {{1, 5}}), 3);
  auto [mx, my] = meshgrid(constant(g, {1., 2., 3.}), constant(g, {10., 20.}));
  CHECK(r5.dtype() == DType::I32);
  CHECK(fr.dtype() == DType::F32);
  CHECK(rf.dtype() == DType::F64);
  CHECK(ls.dtype() == DType::F32);
  CHECK(oh.dtype() == DType::F32);
  CHECK(ohOut.shape() == Shape{1, 2, 3});
  auto r = eval(g, {r5, r10, r19, down, fr, rf, ls, ls3, e2, e23, oh, ohOut, mx, my});
  check(r[0], {5}, {0, 1, 2, 3, 4});
  check(r[1], {5}, {0, 2, 4, 6, 8});
  check(r[2], {5}, {1, 3, 5, 7, 9});
  check(r[3], {5}, {5, 4, 3, 2, 1});
  check(r[4], {4}, {0, 0.25, 0.5, 0.75});
  check(r[5], {3}, {0, 1, 2});
  check(r[6], {5}, {-8, -4, 0, 4, 8});
  check(r[7], {3}, {0, 0.5, 1});
  check(r[8], {2, 2}, {1, 0, 0, 1});
  check(r[9], {2, 3}, {1, 0, 0, 0, 1, 0});
  check(r[10], {4, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  check(r[11], {1, 2, 3}, {0, 1, 0, 0, 0, 0}); // index 5 >= depth: a row of zeros
  check(r[12], {2, 3}, {1, 2, 3, 1, 2, 3});
  check(r[13], {2, 3}, {10, 10, 10, 20, 20, 20});
  CHECK_THROWS_WITH(range(g, 0, 5, 0), Contains("delta must not be 0"));
  CHECK_THROWS_WITH(oneHot(constant(g, {1.5}), 3), Contains("integers"));
  CHECK_THROWS_WITH(meshgrid(eye(g, 2), range(g, 2)), Contains("two vectors"));
}

TEST_CASE("random::uniformInt: integers in [minval, maxval), same seed, same numbers",
          "[tensor-language][creation]") {
  Graph g;
  Tensor a = random::uniformInt(g, {2, 50}, 0, 100, 7);
  Tensor b = random::uniformInt(g, {2, 50}, 0, 100, 7);
  Tensor c = random::uniformInt(g, {1000}, -3, 2, 8, DType::I64);
  CHECK(a.dtype() == DType::I32);
  CHECK(c.dtype() == DType::I64);
  auto r = eval(g, {a, b, c});
  std::vector<double> va = values(r[0]), vb = values(r[1]), vc = values(r[2]);
  CHECK(va == vb);
  for (double v : va)
    CHECK((v >= 0 && v < 100 && v == std::floor(v)));
  std::vector<int> seen(5, 0);
  for (double v : vc) {
    REQUIRE((v >= -3 && v < 2));
    seen[static_cast<int>(v) + 3]++;
  }
  for (int s : seen)
    CHECK(s > 100); // every value of the range comes up
  CHECK_THROWS_WITH(random::uniformInt(g, {2}, 5, 5, 1), Contains("maxval"));
}

TEST_CASE("indexing: integers, slices, negative steps, ellipsis, new axes",
          "[tensor-language][indexing]") {
  Graph g;
  Tensor x = reshape(range(g, 24), {2, 3, 4}); // x[i,j,k] = 12i + 4j + k
  Tensor r9 = range(g, 9);
  std::vector<Tensor> outs{
      x(0),                                      // 0
      x(-1, 1),                                  // 1
      x(S(), S(_, _, -1), S(1, _)),              // 2: x[:, ::-1, 1:]
      x(ellipsis, 1),                            // 3: x[..., 1]
      x(1, ellipsis),                            // 4
      x(newAxis, 0),                             // 5: x[None, 0]
      x(S(), newAxis),                           // 6
      x(ellipsis, newAxis),                      // 7
      x(S(_, _, 2), ellipsis, S(1, _)),          // 8: x[::2, ..., 1:]
      r9(S(8, 0, -1)),                           // 9
      r9(S(_, _, -1)),                           // 10
      r9(S(_, _, -2)),                           // 11
      r9(S(-2, _, -3)),                          // 12: 7, 4, 1
      r9(S(2, 7, 2)),                            // 13
      r9(S(-3, _)),                              // 14
      r9(S(100)),                                // 15: clamped
      index(x, {1, S(0, 3, 2), -1}),             // 16: x[1, 0:3:2, -1]
      x(S(_, _, -1), S(-1, 0, -2), S(3, 0, -2)), // 17
      x(),                                       // 18: the whole tensor
  };
  auto r = eval(g, outs);
  auto xv = [](int i, int j, int k) { return 12.0 * i + 4 * j + k; };
  check(r[0], {3, 4}, iotaValues(12));
  check(r[1], {4}, {16, 17, 18, 19});
  std::vector<double> e2;
  for (int i = 0; i < 2; ++i)
    for (int j = 2; j >= 0; --j)
      for (int k = 1; k < 4; ++k)
        e2.push_back(xv(i, j, k));
  check(r[2], {2, 3, 3}, e2);
  std::vector<double> e3;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      e3.push_back(xv(i, j, 1));
  check(r[3], {2, 3}, e3);
  check(r[4], {3, 4}, iotaValues(12, 12));
  check(r[5], {1, 3, 4}, iotaValues(12));
  check(r[6], {2, 1, 3, 4}, iotaValues(24));
  check(r[7], {2, 3, 4, 1}, iotaValues(24));
  std::vector<double> e8;
  for (int j = 0; j < 3; ++j)
    for (int k = 1; k < 4; ++k)
      e8.push_back(xv(0, j, k));
  check(r[8], {1, 3, 3}, e8);
  check(r[9], {8}, {8, 7, 6, 5, 4, 3, 2, 1});
  check(r[10], {9}, {8, 7, 6, 5, 4, 3, 2, 1, 0});
  check(r[11], {5}, {8, 6, 4, 2, 0});
  check(r[12], {3}, {7, 4, 1});
  check(r[13], {3}, {2, 4, 6});
  check(r[14], {3}, {6, 7, 8});
  check(r[15], {9}, iotaValues(9));
  check(r[16], {2}, {xv(1, 0, 3), xv(1, 2, 3)});
  std::vector<double> e17;
  for (int i = 1; i >= 0; --i)
    for (int k : {3, 1})
      e17.push_back(xv(i, 2, k)); // x[::-1, -1:0:-2, 3:0:-2]
  check(r[17], {2, 1, 2}, e17);
  check(r[18], {2, 3, 4}, iotaValues(24));
}

TEST_CASE("indexing: empty slices, as Python", "[tensor-language][indexing]") {
  Graph g;
  Tensor r9 = range(g, 9);
  Tensor e1 = r9(S(5, 2)), e2 = r9(S(2, 5, -1)), e3 = r9(S(20, _));
  CHECK(e1.shape() == Shape{0});
  CHECK(e2.shape() == Shape{0});
  CHECK(e3.shape() == Shape{0});
  auto r = eval(g, {e1, e2, e3});
  check(r[0], {0}, {});
  check(r[2], {0}, {});
}

TEST_CASE("indexing: the book's slice shapes on [4,32,32,3]", "[tensor-language][indexing]") {
  Graph g;
  Tensor x = zeros(g, {4, 32, 32, 3});
  CHECK(x(0).shape() == Shape{32, 32, 3});
  CHECK(x(0)(1).shape() == Shape{32, 3});
  CHECK(x(0)(1)(2).shape() == Shape{3});
  CHECK(x(2)(1)(0)(1).shape() == Shape{});
  CHECK(x(1, 9, 2).shape() == Shape{3});
  CHECK(x(S(1, 3)).shape() == Shape{2, 32, 32, 3});
  CHECK(x(0, S()).shape() == Shape{32, 32, 3});
  CHECK(x(S(), S(0, 28, 2), S(0, 28, 2), S()).shape() == Shape{4, 14, 14, 3});
  CHECK(x(0, S(_, _, -2), S(_, _, -2)).shape() == Shape{16, 16, 3});
  CHECK(x(S(), S(), S(), 1).shape() == Shape{4, 32, 32});
  CHECK(x(S(0, 2), ellipsis, S(1, _)).shape() == Shape{2, 32, 32, 2});
  CHECK(x(S(2, _), ellipsis).shape() == Shape{2, 32, 32, 3});
  CHECK(x(ellipsis, S(_, 2)).shape() == Shape{4, 32, 32, 2});
}

TEST_CASE("indexing errors name the dimension", "[tensor-language][indexing][errors]") {
  Graph g;
  Tensor x = reshape(range(g, 24), {2, 3, 4});
  CHECK_THROWS_WITH(index(x, {2}), Contains("index 2 is out of range for dimension 0 of size 2") &&
                                       Contains("TensorLanguageTest.cpp"));
  CHECK_THROWS_WITH(index(x, {0, -4}), Contains("dimension 1 of size 3"));
  CHECK_THROWS_WITH(x(0, 0, 4), Contains("dimension 2 of size 4"));
  CHECK_THROWS_WITH(x(S(), S(_, _, 0)),
                    Contains("step of dimension 1 is 0") && Contains("TensorLanguageTest.cpp"));
  CHECK_THROWS_WITH(index(x, {0, 0, 0, 0}), Contains("too many indices"));
  CHECK_THROWS_WITH(index(x, {ellipsis, 0, ellipsis}), Contains("single ellipsis"));
}

TEST_CASE("expandDims, squeeze, tile", "[tensor-language][shape]") {
  Graph g;
  Tensor x = reshape(range(g, 6), {2, 3});
  CHECK(expandDims(x, 0).shape() == Shape{1, 2, 3});
  CHECK(expandDims(x, 2).shape() == Shape{2, 3, 1});
  CHECK(expandDims(x, -1).shape() == Shape{2, 3, 1});
  CHECK(expandDims(x, -3).shape() == Shape{1, 2, 3});
  CHECK(expandDims(x, 1).shape() == Shape{2, 1, 3});
  CHECK_THROWS_WITH(expandDims(x, 3), Contains("axis 3 is out of range"));
  CHECK_THROWS_WITH(expandDims(x, -4), Contains("axis -4 is out of range"));
  Tensor y = zeros(g, {1, 28, 28, 1});
  CHECK(squeeze(y).shape() == Shape{28, 28});
  CHECK(squeeze(y, {0}).shape() == Shape{28, 28, 1});
  CHECK(squeeze(y, {-1}).shape() == Shape{1, 28, 28});
  CHECK_THROWS_WITH(squeeze(y, {1}), Contains("cannot squeeze dimension 1") && Contains("not 1") &&
                                         Contains("TensorLanguageTest.cpp"));
  Tensor b = expandDims(constant(g, {1, 2}), 0);
  Tensor t1 = tile(b, {2, 1});
  Tensor sq = reshape(range(g, 4), {2, 2});
  Tensor t2 = tile(sq, {1, 2});
  Tensor t3 = tile(t2, {2, 1});
  Tensor t4 = tile(constant(g, {{1.5}, {2.5}}), {2, 3});
  CHECK_THROWS_WITH(tile(sq, {2}), Contains("multiples"));
  auto r = eval(g, {squeeze(expandDims(x, 1)), t1, t2, t3, t4});
  check(r[0], {2, 3}, iotaValues(6));
  check(r[1], {2, 2}, {1, 2, 1, 2});
  check(r[2], {2, 4}, {0, 1, 0, 1, 2, 3, 2, 3});
  check(r[3], {4, 4}, {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3});
  check(r[4], {4, 3}, {1.5, 1.5, 1.5, 2.5, 2.5, 2.5, 1.5, 1.5, 1.5, 2.5, 2.5, 2.5});
}

TEST_CASE("stack, concat, split, unstack", "[tensor-language][shape]") {
  Graph g;
  Tensor a = reshape(range(g, 6), {2, 3}), b = reshape(range(g, 6, 12, 1), {2, 3});
  Tensor s0 = stack({a, b}), s1 = stack({a, b}, 1), sm = stack({a, b}, -1);
  CHECK(s0.shape() == Shape{2, 2, 3});
  CHECK(s1.shape() == Shape{2, 2, 3});
  CHECK(sm.shape() == Shape{2, 3, 2});
  CHECK(stack({zeros(g, {35, 8}), zeros(g, {35, 8})}, -1).shape() == Shape{35, 8, 2});
  CHECK(concat({zeros(g, {4, 35, 8}), zeros(g, {6, 35, 8})}, 0).shape() == Shape{10, 35, 8});
  CHECK_THROWS_WITH(stack({zeros(g, {35, 4}), zeros(g, {35, 8})}),
                    Contains("shapes of all inputs must match: values[0].shape = [35, 4]") &&
                        Contains("values[1].shape = [35, 8]") &&
                        Contains("TensorLanguageTest.cpp"));
  CHECK_THROWS_WITH(concat({zeros(g, {4, 32, 8}), zeros(g, {6, 35, 8})}, 0),
                    Contains("dimensions of inputs should match") &&
                        Contains("TensorLanguageTest.cpp"));
  Tensor big = zeros(g, {10, 35, 8});
  auto parts = split(big, 10, 0);
  REQUIRE(parts.size() == 10);
  CHECK(parts[3].shape() == Shape{1, 35, 8});
  auto sized = split(big, {4, 2, 2, 2}, 0);
  REQUIRE(sized.size() == 4);
  CHECK(sized[0].shape() == Shape{4, 35, 8});
  CHECK(sized[1].shape() == Shape{2, 35, 8});
  auto un = unstack(big);
  REQUIRE(un.size() == 10);
  CHECK(un[0].shape() == Shape{35, 8});
  CHECK(unstack(big, -1).size() == 8);
  CHECK_THROWS_WITH(split(big, 3, 0), Contains("cannot be split into 3"));
  CHECK_THROWS_WITH(split(big, {4, 4}, 0), Contains("sizes add up to 8"));
  Tensor x = reshape(range(g, 12), {3, 4});
  auto cols = split(x, {1, -1}, 1);
  auto halves = split(x, 2, -1);
  auto rows = unstack(x, 0);
  auto cs = unstack(x, 1);
  auto r = eval(g, {s0, s1, sm, cols[0], cols[1], halves[1], rows[2], cs[3]});
  check(r[0], {2, 2, 3}, iotaValues(12));
  check(r[1], {2, 2, 3}, {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11});
  check(r[2], {2, 3, 2}, {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11});
  check(r[3], {3, 1}, {0, 4, 8});
  check(r[4], {3, 3}, {1, 2, 3, 5, 6, 7, 9, 10, 11});
  check(r[5], {3, 2}, {2, 3, 6, 7, 10, 11});
  check(r[6], {4}, {8, 9, 10, 11});
  check(r[7], {3}, {3, 7, 11});
}

TEST_CASE("pad with interior padding", "[tensor-language][shape]") {
  Graph g;
  Tensor x = constant(g, {1, 2, 3});
  Tensor m = constant(g, {{1., 2.}, {3., 4.}});
  auto r = eval(g, {padInterior(x, {{1, 0}}, {1}), padInterior(m, {{0, 1}, {1, 0}}, {1, 0}, -1)});
  check(r[0], {6}, {0, 1, 0, 2, 0, 3});
  check(r[1], {4, 3}, {-1, 1, 2, -1, -1, -1, -1, 3, 4, -1, -1, -1});
  CHECK_THROWS_WITH(padInterior(x, {{1, 0}}, {}), Contains("interior"));
}

TEST_CASE("logBase, norm, clipping", "[tensor-language][math]") {
  Graph g;
  Tensor p = pow(scalar(g, 10), constant(g, {1., 2.}));
  Tensor v = constant(g, {{3., -4.}, {0., 12.}});
  Tensor lb = logBase(p, 10), l2 = logBase(constant(g, {8., 0.5}), 2);
  Tensor n1 = norm(v, 1), n2 = norm(v, 2), ninf = norm(v, inf),
         n3 = norm(constant(g, {3., 3., 3.}), 3);
  Tensor n2rows = norm(v, 2, {1}), n1cols = norm(v, 1, {0}, true);
  Tensor cv = clipByValue(range(g, 9), 2, 7);
  Tensor cn = clipByNorm(constant(g, {3., 4.}), 1), cnSmall = clipByNorm(constant(g, {3., 4.}), 10);
  Tensor cnZero = clipByNorm(zeros(g, {3}), 1);
  Tensor cnRows = clipByNorm(constant(g, {{3., 4.}, {0.3, 0.4}}), 1, {1});
  auto [clipped, gnorm] = clipByGlobalNorm({constant(g, {3., 4.}), constant(g, {12.})}, 6.5);
  auto [kept, gnorm2] = clipByGlobalNorm({constant(g, {3., 4.})}, 10);
  auto r = eval(g, {lb, l2, n1, n2, ninf, n3, n2rows, n1cols, cv, cn, cnSmall, cnZero, cnRows,
                    clipped[0], clipped[1], gnorm, kept[0], gnorm2});
  check(r[0], {2}, {1, 2}, 1e-6);
  check(r[1], {2}, {3, -1}, 1e-6);
  check(r[2], {}, {19});
  check(r[3], {}, {13}, 1e-6);
  check(r[4], {}, {12});
  check(r[5], {}, {3 * std::cbrt(3.0)}, 1e-5);
  check(r[6], {2}, {5, 12}, 1e-6);
  check(r[7], {1, 2}, {3, 16});
  check(r[8], {9}, {2, 2, 2, 3, 4, 5, 6, 7, 7});
  check(r[9], {2}, {0.6, 0.8}, 1e-6);
  check(r[10], {2}, {3, 4}, 1e-6);
  check(r[11], {3}, {0, 0, 0});
  check(r[12], {2, 2}, {0.6, 0.8, 0.3, 0.4}, 1e-6);
  check(r[13], {2}, {1.5, 2}, 1e-6);
  check(r[14], {1}, {6}, 1e-6);
  check(r[15], {}, {13}, 1e-6);
  check(r[16], {2}, {3, 4}, 1e-6);
  check(r[17], {}, {5}, 1e-6);
  CHECK_THROWS_WITH(norm(range(g, 3), 2), Contains("float"));
  CHECK_THROWS_WITH(norm(v, -1), Contains("ord"));
  CHECK_THROWS_WITH(clipByValue(v, 3, 2), Contains("lower bound"));
  CHECK_THROWS_WITH(clipByGlobalNorm({v, range(g, 2)}, 1), Contains("one float dtype"));
}

TEST_CASE("gather along any axis", "[tensor-language][gather]") {
  Graph g;
  Tensor a = reshape(range(g, 8), {4, 2});
  Tensor x = reshape(range(g, 24), {2, 3, 4}); // 12i + 4j + k
  Tensor g0 = gather(a, constant(g, {3, 1, 0, 2}));
  Tensor g1 = gather(x, constant(g, {2, 0}), 1);
  Tensor g2 = gather(x, constant(g, {{3, 0}, {1, 1}}), -1);
  Tensor g3 = gather(gather(x, constant(g, {1}), 0), constant(g, {0, 2}), 1);
  CHECK(g2.shape() == Shape{2, 3, 2, 2});
  auto r = eval(g, {g0, g1, g2, g3});
  check(r[0], {4, 2}, {6, 7, 2, 3, 0, 1, 4, 5});
  std::vector<double> e1;
  for (int i = 0; i < 2; ++i)
    for (int j : {2, 0})
      for (int k = 0; k < 4; ++k)
        e1.push_back(12 * i + 4 * j + k);
  check(r[1], {2, 2, 4}, e1);
  std::vector<double> e2;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k : {3, 0, 1, 1})
        e2.push_back(12 * i + 4 * j + k);
  check(r[2], {2, 3, 2, 2}, e2);
  check(r[3], {1, 2, 4}, {12, 13, 14, 15, 20, 21, 22, 23});
  CHECK_THROWS_WITH(gather(a, constant(g, {1.})), Contains("int32 or int64"));
  CHECK_THROWS_WITH(gather(a, constant(g, {1}), 2), Contains("axis 2 is out of range"));
}

TEST_CASE("booleanMask: run-time rows on axis 0, static with a constant mask on other axes",
          "[tensor-language][gather]") {
  Graph g;
  Tensor x = reshape(range(g, 24), {2, 3, 4}); // 12i + 4j + k
  Tensor m1 = booleanMask(x, constant(g, {false, true}));
  Tensor m2 = booleanMask(x, constant(g, {{true, true, false}, {false, true, true}}));
  Tensor m3 = booleanMask(x, constant(g, {true, false, true, true}), 2);
  Tensor m4 = booleanMask(x,
                          constant(g, {{true, false, false, true},
                                       {false, true, false, false},
                                       {false, false, false, true}}),
                          1);
  CHECK(m1.shape()[0] == -1);
  CHECK(m3.shape() == Shape{2, 3, 3});
  CHECK(m4.shape() == Shape{2, 4});
  auto r = eval(g, {m1, m2, m3, m4});
  check(r[0], {1, 3, 4}, iotaValues(12, 12));
  std::vector<double> e2;
  for (auto [i, j] : {std::pair{0, 0}, {0, 1}, {1, 1}, {1, 2}})
    for (int k = 0; k < 4; ++k)
      e2.push_back(12 * i + 4 * j + k);
  check(r[1], {4, 4}, e2);
  std::vector<double> e3;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k : {0, 2, 3})
        e3.push_back(12 * i + 4 * j + k);
  check(r[2], {2, 3, 3}, e3);
  check(r[3], {2, 4}, {0, 3, 5, 11, 12, 15, 17, 23});

  // Using the run-time-sized result anywhere but gatherNd / an output is an error that says why.
  CHECK_THROWS_WITH(m1 + 1.0, Contains("run time") && Contains("TensorLanguageTest.cpp"));
  CHECK_THROWS_WITH(reshape(m2, {-1}), Contains("run time"));
  // A mask fed at run time can only be used on the leading dimensions.
  Tensor in = g.input("mask", {4}, DType::Bool);
  CHECK_THROWS_WITH(booleanMask(x, in, 2), Contains("axis 0"));
  CHECK_THROWS_WITH(booleanMask(x, constant(g, {true, false, true})), Contains("does not match"));
  CHECK_THROWS_WITH(booleanMask(x, range(g, 2)), Contains("bool"));
}

TEST_CASE("booleanMask with a mask fed at run time", "[tensor-language][gather]") {
  Graph g;
  Tensor x = g.input("x", {5}, DType::F32);
  Tensor positive = booleanMask(x, greater(x, zeros(g, {})));
  Program p = g.compile({{"f", {x}, {positive}}});
  HostTensor in(DType::F32, {5});
  std::vector<float> v{0.5f, -1.f, 2.f, 0.f, 3.f};
  std::copy(v.begin(), v.end(), in.as<float>().begin());
  check(p.run("f", {in})[0], {3}, {0.5, 2, 3});
}

TEST_CASE("random::categorical draws classes with the softmax's probabilities",
          "[tensor-language][random]") {
  Graph g;
  // Row 0: p = softmax(log 0.2, log 0.5, log 0.3); row 1: class 2 impossible (−inf), 0 and 1
  // equally likely; row 2: all mass on class 1.
  double inf = std::numeric_limits<double>::infinity();
  Tensor logits = constant(
      g, {{std::log(0.2), std::log(0.5), std::log(0.3)}, {0.0, 0.0, -inf}, {-inf, 3.0, -inf}});
  Tensor offset = constant(g, 0, DType::I64);
  const int n = 20000;
  Tensor a = random::categorical(offset, logits, n, 11);
  Tensor b = random::categorical(offset, logits, n, 11);
  CHECK(a.dtype() == DType::I32);
  CHECK(a.shape() == Shape{3, n});
  auto r = eval(g, {a, b});
  std::vector<double> va = values(r[0]);
  CHECK(va == values(r[1])); // same seed and offset, same draws
  std::vector<std::vector<double>> counts(3, std::vector<double>(3, 0));
  for (int row = 0; row < 3; ++row)
    for (int k = 0; k < n; ++k)
      counts[row][static_cast<int>(va[row * n + k])] += 1.0 / n;
  // 20,000 draws: the standard error of each frequency is below 0.0036.
  CHECK(counts[0][0] == Approx(0.2).margin(0.015));
  CHECK(counts[0][1] == Approx(0.5).margin(0.015));
  CHECK(counts[0][2] == Approx(0.3).margin(0.015));
  CHECK(counts[1][0] == Approx(0.5).margin(0.015));
  CHECK(counts[1][2] == 0);
  CHECK(counts[2][1] == Approx(1));
  // Another offset gives other draws with the same frequencies.
  Graph h;
  Tensor other =
      random::categorical(constant(h, 1, DType::I64),
                          constant(h, {{std::log(0.2), std::log(0.5), std::log(0.3)}}), n, 11);
  std::vector<double> vo = values(eval(h, {other})[0]);
  CHECK(std::vector<double>(va.begin(), va.begin() + n) != vo);
  CHECK_THROWS_WITH(random::categorical(offset, constant(g, {1.0, 2.0}), 1, 0),
                    Contains("logits must be a float tensor [batch, classes]"));
  CHECK_THROWS_WITH(random::categorical(offset, logits, 0, 0), Contains("numSamples"));
}

TEST_CASE("logSoftmax and sparseSoftmaxCrossEntropyWithLogits", "[tensor-language][nn]") {
  Graph g;
  // Logits far beyond exp's range: the shifted form stays finite.
  Tensor logits = constant(g, {{1.0, 2.0, 3.0}, {1000.0, 0.0, -1000.0}}, DType::F64);
  Tensor labels = constant(g, {2, 0});
  auto r = eval(g, {logSoftmax(logits), sparseSoftmaxCrossEntropyWithLogits(labels, logits)});
  double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  check(r[0], {2, 3}, {1 - lse, 2 - lse, 3 - lse, 0, -1000, -2000}, 1e-12);
  check(r[1], {2}, {lse - 3, 0}, 1e-12);
  CHECK_THROWS_WITH(sparseSoftmaxCrossEntropyWithLogits(constant(g, {{1, 2}}), logits),
                    Contains("one dimension fewer"));
}

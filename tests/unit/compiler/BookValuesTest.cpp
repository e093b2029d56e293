// The book's deterministic examples of chapters 4–5 (and the clipping examples of chapter 11) as
// golden values. Each case cites the line of the book's text (Lnnnn) its values come from.
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include "../../common/TestUtil.h"

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

using namespace sinter;
using Catch::Contains;
using sinter::testing::check;
using sinter::testing::eval;
using sinter::testing::values;

TEST_CASE("4.2 precision: int16 overflow, float16 pi, bool casts", "[book][ch4]") {
  Graph g;
  Tensor i16 = constant(g, 123456789, DType::I16);          // L1811
  Tensor cast16 = cast(constant(g, 123456789), DType::I16); // L1896
  Tensor i32 = constant(g, 123456789);
  Tensor pi32 = constant(g, std::numbers::pi);                   // L1841: float32
  Tensor pi64 = constant(g, std::numbers::pi, DType::F64);       // L1855
  Tensor pi16 = cast(cast(pi32, DType::F16), DType::F64);        // L1886
  Tensor toBool = cast(constant(g, {-1, 0, 1, 2}), DType::Bool); // L1928
  Tensor toInt = cast(constant(g, {true, false}), DType::I32);   // L1909
  CHECK(pi32.dtype() == DType::F32);
  auto r = eval(
      g, {cast(i16, DType::I32), cast(cast16, DType::I32), i32, pi32, pi64, pi16, toBool, toInt});
  check(r[0], {}, {-13035});
  check(r[1], {}, {-13035});
  check(r[2], {}, {123456789});
  check(r[3], {}, {3.1415927f});
  CHECK(r[4].as<double>()[0] == 3.141592653589793);
  check(r[5], {}, {3.140625});
  check(r[6], {4}, {1, 0, 1, 1});
  CHECK(r[6].dtype() == DType::Bool);
  check(r[7], {2}, {1, 0});
}

TEST_CASE("4.4 creation: fill, range, one_hot", "[book][ch4]") {
  Graph g;
  Tensor f = fill(g, {}, -1, DType::I32);
  auto r = eval(g, {f, fill(g, {2, 2}, 99, DType::I32), range(g, 10), range(g, 0, 10, 2),
                    range(g, 1, 10, 2), oneHot(constant(g, {0, 1, 2, 3}), 10)});
  check(r[0], {}, {-1});
  check(r[1], {2, 2}, {99, 99, 99, 99});
  check(r[2], {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  check(r[3], {5}, {0, 2, 4, 6, 8});
  check(r[4], {5}, {1, 3, 5, 7, 9});
  std::vector<double> oh(40, 0);
  for (int i = 0; i < 4; ++i)
    oh[i * 10 + i] = 1;
  check(r[5], {4, 10}, oh);
}

TEST_CASE("4.6 slicing: negative steps on range(9) and the [4,32,32,3] shapes", "[book][ch4]") {
  Graph g;
  Tensor x = range(g, 9);
  auto r = eval(g, {x(S(8, 0, -1)), x(S(_, _, -1)), x(S(_, _, -2))}); // L2665-2694
  check(r[0], {8}, {8, 7, 6, 5, 4, 3, 2, 1});
  check(r[1], {9}, {8, 7, 6, 5, 4, 3, 2, 1, 0});
  check(r[2], {5}, {8, 6, 4, 2, 0});
  Tensor t = zeros(g, {4, 32, 32, 3});
  CHECK(t(0).shape() == Shape{32, 32, 3});
  CHECK(t(0)(1).shape() == Shape{32, 3});
  CHECK(t(0)(1)(2).shape() == Shape{3});
  CHECK(t(2)(1)(0)(1).shape() == Shape{});
  CHECK(t(1, 9, 2).shape() == Shape{3});
  CHECK(t(S(1, 3)).shape() == Shape{2, 32, 32, 3});
  CHECK(t(S(), S(0, 28, 2), S(0, 28, 2), S()).shape() == Shape{4, 14, 14, 3});
  CHECK(t(0, S(_, _, -2), S(_, _, -2)).shape() == Shape{16, 16, 3});
  CHECK(t(S(), S(), S(), 1).shape() == Shape{4, 32, 32});
  CHECK(t(S(0, 2), ellipsis, S(1, _)).shape() == Shape{2, 32, 32, 2});
  CHECK(t(S(2, _), ellipsis).shape() == Shape{2, 32, 32, 3});
  CHECK(t(ellipsis, S(_, 2)).shape() == Shape{4, 32, 32, 2});
}

TEST_CASE("4.7 shape transforms: reshape, expand_dims, squeeze, transpose, tile", "[book][ch4]") {
  Graph g;
  Tensor x = reshape(range(g, 96), {2, 4, 4, 3});
  CHECK(reshape(x, {2, -1}).shape() == Shape{2, 48});
  CHECK(reshape(x, {2, 4, 12}).shape() == Shape{2, 4, 12});
  CHECK(reshape(x, {2, -1, 3}).shape() == Shape{2, 16, 3});
  Tensor img = random::uniformInt(g, {28, 28}, 0, 10, 1);
  Tensor e2 = expandDims(img, 2);
  CHECK(e2.shape() == Shape{28, 28, 1});
  Tensor e0 = expandDims(e2, 0);
  CHECK(e0.shape() == Shape{1, 28, 28, 1});
  CHECK(squeeze(e0, {0}).shape() == Shape{28, 28, 1});
  CHECK(squeeze(squeeze(e0, {0}), {2}).shape() == Shape{28, 28});
  CHECK(squeeze(e0).shape() == Shape{28, 28});
  CHECK(transpose(zeros(g, {2, 32, 32, 3}), {0, 3, 1, 2}).shape() == Shape{2, 3, 32, 32});
  Tensor b = expandDims(constant(g, {1, 2}), 0);
  Tensor sq = reshape(range(g, 4), {2, 2});
  auto r = eval(g, {reshape(x, {2, -1, 3}), tile(b, {2, 1}), tile(sq, {1, 2}),
                    tile(tile(sq, {1, 2}), {2, 1})});
  std::vector<double> all(96);
  for (int i = 0; i < 96; ++i)
    all[i] = i;
  check(r[0], {2, 16, 3}, all);
  check(r[1], {2, 2}, {1, 2, 1, 2});             // L3153-3170
  check(r[2], {2, 4}, {0, 1, 0, 1, 2, 3, 2, 3}); // L3190-3205
  check(r[3], {4, 4}, {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3});
}

TEST_CASE("4.8 broadcasting and 4.9.4 matmul shapes", "[book][ch4]") {
  Graph g;
  CHECK(broadcastTo(zeros(g, {32, 1}), {2, 32, 32, 3}).shape() == Shape{2, 32, 32, 3});
  CHECK_THROWS_WITH(broadcastTo(zeros(g, {32, 2}), {2, 32, 32, 4}), Contains("[32, 2]"));
  CHECK((zeros(g, {2, 32, 32, 1}) + zeros(g, {32, 32})).shape() == Shape{2, 32, 32, 32});
  CHECK(matmul(zeros(g, {4, 3, 28, 32}), zeros(g, {4, 3, 32, 2})).shape() == Shape{4, 3, 28, 2});
  CHECK(matmul(zeros(g, {4, 28, 32}), zeros(g, {32, 16})).shape() == Shape{4, 28, 16});
}

TEST_CASE("4.9 math: // % pow exp log and other bases", "[book][ch4]") {
  Graph g;
  Tensor x = range(g, 5);
  Tensor two = scalar(g, 2, DType::I32);
  Tensor r4 = range(g, 4);
  Tensor xf = cast(x, DType::F32);
  auto r =
      eval(g, {floordiv(x, two), x % 2, pow(r4, scalar(g, 3, DType::I32)),
               pow(r4, scalar(g, 2, DType::I32)), pow(constant(g, {1., 4., 9.}), scalar(g, 0.5)),
               square(xf), sqrt(square(xf)), pow(scalar(g, 2), constant(g, {1., 2., 3.})),
               exp(scalar(g, 1)), log(exp(scalar(g, 3))),
               logBase(pow(scalar(g, 10), constant(g, {1., 2.})), 10)});
  check(r[0], {5}, {0, 0, 1, 1, 2}); // L3360
  check(r[1], {5}, {0, 1, 0, 1, 0}); // L3374
  check(r[2], {4}, {0, 1, 8, 27});   // L3398
  check(r[3], {4}, {0, 1, 4, 9});
  check(r[4], {3}, {1, 2, 3}, 1e-6);
  check(r[5], {5}, {0, 1, 4, 9, 16});
  check(r[6], {5}, {0, 1, 2, 3, 4}, 1e-6);
  check(r[7], {3}, {2, 4, 8}, 1e-6);  // L3484
  check(r[8], {}, {2.7182817}, 3e-7); // L3498
  check(r[9], {}, {3}, 1e-6);         // L3516
  check(r[10], {2}, {1, 2}, 1e-6);    // L3542
  CHECK(r[0].dtype() == DType::I32);
  CHECK(r[1].dtype() == DType::I32);
}

TEST_CASE("5.1 concat, stack, split, unstack shapes and errors", "[book][ch5]") {
  Graph g;
  CHECK(concat({zeros(g, {4, 35, 8}), zeros(g, {6, 35, 8})}, 0).shape() == Shape{10, 35, 8});
  CHECK(concat({zeros(g, {10, 35, 4}), zeros(g, {10, 35, 4})}, 2).shape() == Shape{10, 35, 8});
  CHECK_THROWS_WITH(concat({zeros(g, {4, 32, 8}), zeros(g, {6, 35, 8})}, 0),
                    Contains("dimensions of inputs should match"));
  CHECK(stack({zeros(g, {35, 8}), zeros(g, {35, 8})}, 0).shape() == Shape{2, 35, 8});
  CHECK(stack({zeros(g, {35, 8}), zeros(g, {35, 8})}, -1).shape() == Shape{35, 8, 2});
  CHECK_THROWS_WITH(stack({zeros(g, {35, 4}), zeros(g, {35, 8})}, 0),
                    Contains("values[0].shape = [35, 4]") && Contains("values[1].shape = [35, 8]"));
  Tensor x = zeros(g, {10, 35, 8});
  auto parts = split(x, 10, 0);
  CHECK(parts.size() == 10);
  CHECK(parts[0].shape() == Shape{1, 35, 8});
  auto sized = split(x, {4, 2, 2, 2}, 0);
  CHECK(sized.size() == 4);
  CHECK(sized[0].shape() == Shape{4, 35, 8});
  auto un = unstack(x, 0);
  CHECK(un.size() == 10);
  CHECK(un[0].shape() == Shape{35, 8});
}

TEST_CASE("5.2 statistics: norms of ones(2,2), softmax, argmax", "[book][ch5]") {
  Graph g;
  Tensor o = ones(g, {2, 2});
  Tensor am = argmax(constant(g, {{0.9, 0.1}, {0.6, 0.4}}), 1);
  CHECK(am.dtype() == DType::I64);
  auto r = eval(g, {norm(o, 1), norm(o, 2), norm(o, inf), softmax(constant(g, {2., 1., 0.1})), am});
  check(r[0], {}, {4}); // L3986-3991
  check(r[1], {}, {2});
  check(r[2], {}, {1});
  check(r[3], {3}, {0.6590012, 0.24243298, 0.09856589}, 1e-6);
  check(r[4], {2}, {0, 0});
}

TEST_CASE("5.4 pad and 5.5 clipping", "[book][ch5]") {
  Graph g;
  Tensor a = constant(g, {1, 2, 3, 4, 5, 6});
  Tensor b = pad(constant(g, {7, 8, 1, 6}), {{0, 2}});
  Tensor x = range(g, 9);
  Tensor two = scalar(g, 2, DType::I32), seven = scalar(g, 7, DType::I32);
  auto r = eval(g, {b, stack({a, b}, 0), maximum(x, two), minimum(x, seven),
                    minimum(maximum(x, two), seven), clipByValue(x, 2, 7),
                    relu(constant(g, {-1., 2.}))});
  check(r[0], {6}, {7, 8, 1, 6, 0, 0}); // L4242
  check(r[1], {2, 6}, {1, 2, 3, 4, 5, 6, 7, 8, 1, 6, 0, 0});
  CHECK(r[1].dtype() == DType::I32);
  check(r[2], {9}, {2, 2, 2, 3, 4, 5, 6, 7, 8}); // L4311
  check(r[3], {9}, {0, 1, 2, 3, 4, 5, 6, 7, 7});
  check(r[4], {9}, {2, 2, 2, 3, 4, 5, 6, 7, 7});
  check(r[5], {9}, {2, 2, 2, 3, 4, 5, 6, 7, 7}); // L4357
  check(r[6], {2}, {0, 2});
}

TEST_CASE("11.6.1 clip_by_norm 5.380655 -> 5.0 and clip_by_global_norm 4.1547523 -> 2.0",
          "[book][ch11]") {
  Graph g;
  // A [2,2] tensor of norm 5.380655 (the book's is random): 3² + 2² + 2.5² + c² = 5.380655².
  double c = std::sqrt(5.380655 * 5.380655 - 9 - 4 - 6.25);
  Tensor a = constant(g, {{3., 2.}, {2.5, c}});
  Tensor b = clipByNorm(a, 5);
  // Two [3,3] tensors of global norm 4.1547523: ones (norm 3) and one entry t.
  double t = std::sqrt(4.1547523 * 4.1547523 - 9);
  Tensor w1 = ones(g, {3, 3});
  Tensor w2 = pad(constant(g, {{t}}), {{1, 1}, {0, 2}});
  Tensor globalNorm = sqrt(square(norm(w1)) + square(norm(w2)));
  auto [clipped, gn] = clipByGlobalNorm({w1, w2}, 2);
  Tensor globalNorm2 = sqrt(square(norm(clipped[0])) + square(norm(clipped[1])));
  auto r = eval(g, {norm(a), norm(b), globalNorm, gn, globalNorm2});
  check(r[0], {}, {5.380655}, 1e-6); // L11277
  check(r[1], {}, {5.0}, 1e-6);      // L11278
  check(r[2], {}, {4.1547523}, 1e-6);
  check(r[3], {}, {4.1547523}, 1e-6); // L11313
  check(r[4], {}, {2.0}, 1e-6);       // L11314
}

TEST_CASE("5.6 gather, gather_nd, boolean_mask, where", "[book][ch5]") {
  Graph g;
  Tensor a = reshape(range(g, 8), {4, 2});
  Tensor x = reshape(range(g, 4 * 35 * 8), {4, 35, 8}); // x[i,j,k] = 280i + 8j + k
  CHECK(gather(x, constant(g, {0, 1}), 0).shape() == Shape{2, 35, 8});
  CHECK(gather(x, constant(g, {0, 3, 8, 11, 12, 26}), 1).shape() == Shape{4, 6, 8});
  CHECK(gather(x, constant(g, {2, 4}), 2).shape() == Shape{4, 35, 2});
  CHECK(gather(gather(x, constant(g, {1, 2}), 0), constant(g, {2, 3, 5, 26}), 1).shape() ==
        Shape{2, 4, 8});
  Tensor nd = gatherNd(x, constant(g, {{1, 1}, {2, 2}, {3, 3}}));
  Tensor manual = stack({x(1, 1), x(2, 2), x(3, 3)}, 0);
  Tensor ndFull = gatherNd(x, constant(g, {{1, 1, 2}, {2, 2, 3}, {3, 3, 4}}));
  Tensor bm0 = booleanMask(x, constant(g, {true, false, false, true}), 0);
  Tensor bm2 = booleanMask(x, constant(g, {true, false, false, true, true, false, false, true}), 2);
  CHECK(bm2.shape() == Shape{4, 35, 4});
  Tensor y = reshape(range(g, 48), {2, 3, 8});
  Tensor bmNd = booleanMask(y, constant(g, {{true, true, false}, {false, true, true}}));
  Tensor gNd = gatherNd(y, constant(g, {{0, 0}, {0, 1}, {1, 1}, {1, 2}}));
  Tensor cond = constant(g, {{true, false, false}, {false, true, false}, {true, true, false}});
  Tensor sel = where(cond, ones(g, {3, 3}), zeros(g, {3, 3}));
  Tensor coords = where(cond);
  CHECK(coords.dtype() == DType::I64);
  auto r = eval(g, {gather(a, constant(g, {3, 1, 0, 2}), 0), nd, manual, ndFull, bm0, bmNd, gNd,
                    sel, coords, bm2});
  check(r[0], {4, 2}, {6, 7, 2, 3, 0, 1, 4, 5}); // L4417-4425
  CHECK(r[1].shape() == Shape{3, 8});
  CHECK(values(r[1]) == values(r[2]));
  check(r[3], {3}, {290, 579, 868});
  CHECK(r[4].shape() == Shape{2, 35, 8});
  CHECK(values(r[4])[35 * 8] == 3 * 280);
  CHECK(r[5].shape() == Shape{4, 8});
  CHECK(values(r[5]) == values(r[6]));              // L4552-4581
  check(r[7], {3, 3}, {1, 0, 0, 0, 1, 0, 1, 1, 0}); // L4605
  check(r[8], {4, 2}, {0, 0, 1, 1, 2, 0, 2, 1});    // L4631
  CHECK(values(r[9])[0] == 0);
  CHECK(values(r[9])[3] == 7);
}

TEST_CASE("5.6 scatter_nd and meshgrid", "[book][ch5]") {
  Graph g;
  Tensor s1 = scatterNd(constant(g, {{4}, {3}, {1}, {7}}), constant(g, {4.4, 3.3, 1.1, 7.7}), {8});
  Tensor upd = constant(g, {{{5, 5, 5, 5}, {6, 6, 6, 6}, {7, 7, 7, 7}, {8, 8, 8, 8}},
                            {{1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 3, 3}, {4, 4, 4, 4}}});
  Tensor s3 = scatterNd(constant(g, {{1}, {3}}), upd, {4, 4, 4});
  auto [mx, my] = meshgrid(linspace(g, -8, 8, 100), linspace(g, -8, 8, 100));
  CHECK(mx.shape() == Shape{100, 100});
  CHECK(my.shape() == Shape{100, 100});
  Tensor rr = sqrt(mx * mx + my * my);
  Tensor z = sin(rr) / rr;
  auto r = eval(g, {s1, s3, z});
  check(r[0], {8}, {0, 1.1f, 0, 3.3f, 4.4f, 0, 0, 7.7f}); // L4706
  std::vector<double> e3(64, 0);
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 4; ++k) {
      e3[16 * 1 + 4 * j + k] = 5 + j;
      e3[16 * 3 + 4 * j + k] = 1 + j;
    }
  check(r[1], {4, 4, 4}, e3); // L4723-4749
  // z at the corner (−8, −8): r = 8√2.
  double r0 = 8 * std::sqrt(2.0);
  CHECK(values(r[2])[0] == Approx(std::sin(r0) / r0).margin(1e-6));
}

TEST_CASE("1.5.3 autograd: d/dw (a w^2 + b w + c) = 10 at a,b,c,w = 1,2,3,4", "[book][ch1]") {
  Graph g;
  Tensor a = scalar(g, 1), b = scalar(g, 2), c = scalar(g, 3);
  Tensor w = g.input("w", {});
  Tensor y = a * w * w + b * w + c;
  Tensor dw = gradients(y, {w})[0];
  HostTensor wv(DType::F32, {});
  wv.as<float>()[0] = 4;
  auto r = g.compile({{"f", {w}, {dw}}}).run("f", {wv});
  check(r[0], {}, {10}); // L654
}

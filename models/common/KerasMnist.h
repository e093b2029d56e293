// What the Keras-style MNIST programs (ch08, ch10) share around their own model: the flags, the
// data as one-hot tensors, compile(Adam, cross-entropy from logits, accuracy) with optional data
// parallelism, and the end — evaluate, predict, then save → nn::Model::load → predict again: the
// loaded model must predict what the trained one does.
#ifndef SINTER_MODELS_COMMON_KERASMNIST_H
#define SINTER_MODELS_COMMON_KERASMNIST_H

#include "Mnist.h"

#include "sinter/Distributed.h"
#include "sinter/nn/Model.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <unistd.h>

namespace sinter::models {

constexpr int64_t kKerasBatch = 128, kKerasPredictBatch = 100;

/// mnistFlags plus --lr (default `lr`), --save MODEL.sinter, --distributed and the program's own
/// `more` (described by `moreUsage`).
inline Cli kerasMnistCli(int argc, char **argv, const std::string &epochs,
                         const std::string &dataset, const std::string &lr,
                         std::map<std::string, std::string> more, const std::string &moreUsage) {
  more.insert({{"--lr", lr}, {"--save", "-"}, {"--distributed", ""}});
  return Cli(argc, argv, mnistFlags(epochs, dataset, std::move(more)),
             std::string(kMnistUsage) + " [--lr RATE] [--save MODEL.sinter] [--distributed]" +
                 moreUsage);
}

struct KerasMnistData {
  std::string dataset;
  long epochs = 0;
  bool chief = true; // the rank that prints and writes files
  HostTensor xTrain, yTrain, xTest, yTest;
};

/// Joins the ranks of `mpirun` with --distributed, then the data set the flags name (quick runs:
/// 2 epochs, 6,000 training images) as images [n, ...imageShape] and one-hot labels.
inline KerasMnistData kerasMnistData(const Cli &cli, const Shape &imageShape) {
  if (cli.on("--distributed"))
    distributed::initialize();
  KerasMnistData d;
  d.chief = distributed::rank() == 0;
  auto [dataset, data, epochs] = mnistRun(cli, /*quickEpochs=*/2, /*quickTrain=*/6000);
  d.dataset = dataset;
  d.epochs = epochs;
  std::tie(d.xTrain, d.yTrain) = oneHotImages(data.train, imageShape);
  std::tie(d.xTest, d.yTest) = oneHotImages(data.test, imageShape);
  return d;
}

/// compile(Adam(--lr), CategoricalCrossentropy(from_logits=True), ['accuracy']), and
/// distribute() with --distributed.
inline void compileKerasMnist(nn::Model &model, const Cli &cli) {
  model.compile(optim::Adam(cli.real("--lr")), losses::categoricalCrossentropy(/*fromLogits=*/true),
                {"accuracy"});
  if (cli.on("--distributed"))
    model.distribute();
}

/// Saves `model` at `path` ("-": a temporary file, removed afterwards), loads it back with
/// nn::Model::load and returns the largest |difference| between its predictions of `x` (in
/// batches of `batch`) and `expected` — the trained model's. NaN propagates.
inline double saveLoadMaxDiff(nn::Model &model, std::string path, const HostTensor &x,
                              const HostTensor &expected, int64_t batch) {
  bool keep = path != "-";
  if (!keep)
    path = "/tmp/sinter_" + model.name() + "_" + std::to_string(::getpid()) + ".sinter";
  model.save(path);
  const HostTensor after = nn::Model::load(path)->predict(x, batch);
  if (keep)
    std::printf("saved %s\n", path.c_str());
  else
    std::remove(path.c_str());
  double worst = 0;
  auto a = expected.as<float>(), b = after.as<float>();
  for (size_t i = 0; i < a.size(); ++i) {
    double d = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    if (!(d <= worst))
      worst = d;
  }
  return worst;
}

struct KerasMnistTest {
  nn::Logs logs;           // evaluate() on the test set
  double roundTripMaxDiff; // saveLoadMaxDiff of the test predictions
};

/// Evaluates and predicts the test set on every rank (they hold the same weights). The chief
/// prints the evaluation, saves at --save and checks the round trip; the other ranks leave the
/// distributed run and get nullopt.
inline std::optional<KerasMnistTest> testKerasMnist(nn::Model &model, const Cli &cli,
                                                    const KerasMnistData &d) {
  nn::Logs logs = model.evaluate(d.xTest, d.yTest, {.batchSize = kKerasPredictBatch});
  HostTensor before = model.predict(d.xTest, kKerasPredictBatch);
  if (!d.chief) {
    distributed::finalize();
    return std::nullopt;
  }
  std::printf("evaluate: loss %.4f accuracy %.4f\n", logs.at("loss"), logs.at("accuracy"));
  return KerasMnistTest{
      logs, saveLoadMaxDiff(model, cli.str("--save"), d.xTest, before, kKerasPredictBatch)};
}

} // namespace sinter::models

#endif

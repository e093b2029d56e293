// The data of the chapter-10 CIFAR-10 programs: CIFAR-10 from its binary files when a
// directory is given, otherwise a stand-in that exists on every machine here — Fashion-MNIST
// padded to 32x32 with its gray channel repeated into R, G and B.
#ifndef SINTER_MODELS_COMMON_CIFAR_H
#define SINTER_MODELS_COMMON_CIFAR_H

#include "sinter/nn/Model.h"
#include "sinter/sinter.h"

#include "Cli.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

namespace sinter::models {

constexpr int64_t kCifarSide = 32;

/// 28x28 gray images as 32x32x3: 2 zero pixels around, gray into R, G and B.
inline data::ImageDataset asColor32(const data::ImageDataset &gray) {
  data::ImageDataset out;
  out.n = gray.n;
  out.rows = out.cols = kCifarSide;
  out.channels = 3;
  out.labels = gray.labels;
  out.images.assign(static_cast<size_t>(out.n * out.imageSize()), 0.0f);
  for (int64_t i = 0; i < gray.n; ++i)
    for (int64_t r = 0; r < gray.rows; ++r)
      for (int64_t c = 0; c < gray.cols; ++c) {
        float v = gray.images[static_cast<size_t>((i * gray.rows + r) * gray.cols + c)];
        size_t at = static_cast<size_t>(((i * kCifarSide + r + 2) * kCifarSide + c + 2) * 3);
        out.images[at] = out.images[at + 1] = out.images[at + 2] = v;
      }
  return out;
}

/// The first `trainSize` / `testSize` images of CIFAR-10 in `dir` ("-": the stand-in), and the
/// data set's name for the output.
inline std::pair<data::TrainTest, std::string>
loadCifarOrStandIn(const std::string &dir, int64_t trainSize, int64_t testSize) {
  data::TrainTest data;
  std::string name;
  if (dir != "-") {
    data = data::loadCifar10(dir);
    name = "cifar10";
  } else {
    data::TrainTest fashion = data::loadFashionMnist();
    data.train = asColor32(data::subset(fashion.train, 0, trainSize));
    data.test = asColor32(data::subset(fashion.test, 0, testSize));
    name = "fashion_mnist_32x32x3_stand_in";
  }
  data.train = data::subset(data.train, 0, trainSize);
  data.test = data::subset(data.test, 0, testSize);
  return {std::move(data), name};
}

/// Images as [n, 32, 32, 3] and integer labels [n].
inline std::pair<HostTensor, HostTensor> cifarTensors(const data::ImageDataset &set) {
  HostTensor x(DType::F32, {set.n, kCifarSide, kCifarSide, 3}), y(DType::I32, {set.n});
  std::copy(set.images.begin(), set.images.end(), x.as<float>().begin());
  std::copy(set.labels.begin(), set.labels.end(), y.as<int32_t>().begin());
  return {x, y};
}

/// The command line and data of a chapter-10 CIFAR-10 program.
struct CifarRun {
  long epochs, batch;
  double learningRate;
  std::string dataset;
  data::TrainTest data;
  HostTensor xTrain, yTrain, xTest, yTest;
};

inline const char *kCifarUsage = "[--data-dir CIFAR10_BIN_DIR] [--epochs N] [--batch N] "
                                 "[--train-size N] [--test-size N] [--lr RATE] [--quick]";

/// Parses the flags (--quick: 1 epoch on 256 / 128 images) and loads the data.
inline CifarRun cifarRun(int argc, char **argv) {
  Cli cli(argc, argv,
          {{"--epochs", "1"},
           {"--quick", ""},
           {"--data-dir", "-"},
           {"--batch", "32"},
           {"--train-size", "5000"},
           {"--test-size", "1000"},
           {"--lr", "0.0001"}},
          kCifarUsage);
  CifarRun run;
  run.epochs = cli.integer("--epochs");
  run.batch = cli.integer("--batch");
  long trainSize = cli.integer("--train-size"), testSize = cli.integer("--test-size");
  if (run.epochs < 1 || run.batch < 1 || trainSize < 1 || testSize < 1)
    throw Error("--epochs, --batch, --train-size and --test-size must be positive");
  if (cli.on("--quick")) {
    run.epochs = 1;
    trainSize = 256;
    testSize = 128;
  }
  run.learningRate = cli.real("--lr");
  std::tie(run.data, run.dataset) = loadCifarOrStandIn(cli.str("--data-dir"), trainSize, testSize);
  std::tie(run.xTrain, run.yTrain) = cifarTensors(run.data.train);
  std::tie(run.xTest, run.yTest) = cifarTensors(run.data.test);
  return run;
}

/// The programs' common end: prints the summary, trains `model` with Adam(--lr) on sparse
/// categorical cross-entropy from logits, evaluates it, and prints the last line:
/// "dataset=… epochs=… train_size=… <details> compile_seconds=… train_loss=… …".
inline void trainAndReport(nn::Model &model, const CifarRun &run, const std::string &details) {
  model.summary();
  model.compile(optim::Adam(run.learningRate),
                losses::sparseCategoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
  nn::History h = model.fit(
      run.xTrain, run.yTrain,
      {.batchSize = run.batch, .epochs = static_cast<int>(run.epochs), .verbose = 2, .seed = 7});
  nn::Logs test = model.evaluate(run.xTest, run.yTest, {.batchSize = 100});
  std::printf("dataset=%s epochs=%ld train_size=%lld %s compile_seconds=%.1f train_loss=%.4f "
              "train_accuracy=%.4f test_loss=%.4f test_accuracy=%.4f\n",
              run.dataset.c_str(), run.epochs, static_cast<long long>(run.data.train.n),
              details.c_str(), model.program().compileSeconds(), h["loss"].back(),
              h["accuracy"].back(), test.at("loss"), test.at("accuracy"));
}

} // namespace sinter::models

#endif

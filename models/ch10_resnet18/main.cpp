// Book chapter 10.14: the book's ResNet-18 (models/common/ResNet.h: BasicBlock as a custom
// layer, the network as a subclassed model; about 11.2 M parameters) on CIFAR-10 when its
// binary files are given (--data-dir with data_batch_1.bin ... test_batch.bin), otherwise on a
// stand-in that exists here: Fashion-MNIST padded to 32x32 with its gray channel repeated into
// three (named in the output). Adam(1e-4) on batches of --batch (32), softmax cross-entropy;
// the book trains 50 epochs on CIFAR-10 on a GPU, which a 2-core machine cannot: --epochs and
// --train-size choose the run. Last line: dataset=... params=... train/test loss and accuracy.
#include "../common/Cifar.h"
#include "../common/Cli.h"
#include "../common/ResNet.h"

#include <cstdio>

using namespace sinter;

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  {{"--epochs", "1"},
                   {"--quick", ""},
                   {"--data-dir", "-"},
                   {"--batch", "32"},
                   {"--train-size", "5000"},
                   {"--test-size", "1000"},
                   {"--lr", "0.0001"}},
                  "[--data-dir CIFAR10_BIN_DIR] [--epochs N] [--batch N] [--train-size N] "
                  "[--test-size N] [--lr RATE] [--quick]");
  try {
    long epochs = cli.integer("--epochs"), batch = cli.integer("--batch");
    long trainSize = cli.integer("--train-size"), testSize = cli.integer("--test-size");
    if (epochs < 1 || batch < 1 || trainSize < 1 || testSize < 1)
      throw Error("--epochs, --batch, --train-size and --test-size must be positive");
    if (cli.on("--quick")) {
      epochs = 1;
      trainSize = 256;
      testSize = 128;
    }
    auto [data, dataset] = models::loadCifarOrStandIn(cli.str("--data-dir"), trainSize, testSize);
    auto [xTrain, yTrain] = models::cifarTensors(data.train);
    auto [xTest, yTest] = models::cifarTensors(data.test);

    models::ResNet model;
    model.build({-1, models::kCifarSide, models::kCifarSide, 3});
    model.summary(std::cout);
    model.compile(optim::Adam(std::stod(cli.str("--lr"))),
                  losses::sparseCategoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    nn::History h = model.fit(
        xTrain, yTrain,
        {.batchSize = batch, .epochs = static_cast<int>(epochs), .verbose = 2, .seed = 7});
    nn::Logs test = model.evaluate(xTest, yTest, {.batchSize = 100});
    std::printf("dataset=%s epochs=%ld train_size=%lld params=%lld compile_seconds=%.1f "
                "train_loss=%.4f train_accuracy=%.4f test_loss=%.4f test_accuracy=%.4f\n",
                dataset.c_str(), epochs, static_cast<long long>(data.train.n),
                static_cast<long long>(model.countParams()), model.program().compileSeconds(),
                h["loss"].back(), h["accuracy"].back(), test.at("loss"), test.at("accuracy"));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

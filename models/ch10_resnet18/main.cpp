// Book chapter 10.14: the book's ResNet-18 (models/common/ResNet.h: BasicBlock as a custom
// layer, the network as a subclassed model; about 11.2 M parameters) on CIFAR-10 when its
// binary files are given (--data-dir with data_batch_1.bin ... test_batch.bin), otherwise on a
// stand-in that exists here: Fashion-MNIST padded to 32x32 with its gray channel repeated into
// three (named in the output). Adam(1e-4) on batches of --batch (32), softmax cross-entropy;
// the book trains 50 epochs on CIFAR-10 on a GPU, which a 2-core machine cannot: --epochs and
// --train-size choose the run. Last line: dataset=... params=... train/test loss and accuracy.
#include "../common/Cli.h"
#include "../common/ResNet.h"

#include <cstdio>
#include <filesystem>

using namespace sinter;

namespace {

constexpr int64_t kSide = 32, kClasses = 10;

/// Fashion-MNIST as 32x32x3 images: 2 zero pixels around, gray into R, G and B.
data::ImageDataset asColor32(const data::ImageDataset &gray) {
  data::ImageDataset out;
  out.n = gray.n;
  out.rows = out.cols = kSide;
  out.channels = 3;
  out.labels = gray.labels;
  out.images.assign(static_cast<size_t>(out.n * out.imageSize()), 0.0f);
  for (int64_t i = 0; i < gray.n; ++i)
    for (int64_t r = 0; r < gray.rows; ++r)
      for (int64_t c = 0; c < gray.cols; ++c) {
        float v = gray.images[static_cast<size_t>((i * gray.rows + r) * gray.cols + c)];
        float *px = &out.images[static_cast<size_t>(((i * kSide + r + 2) * kSide + c + 2) * 3)];
        px[0] = px[1] = px[2] = v;
      }
  return out;
}

std::pair<HostTensor, HostTensor> tensors(const data::ImageDataset &set) {
  HostTensor x(DType::F32, {set.n, kSide, kSide, 3}), y(DType::I32, {set.n});
  std::copy(set.images.begin(), set.images.end(), x.as<float>().begin());
  std::copy(set.labels.begin(), set.labels.end(), y.as<int32_t>().begin());
  return {x, y};
}

} // namespace

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
    std::string dir = cli.str("--data-dir"), dataset;
    data::TrainTest data;
    if (dir != "-") {
      data = data::loadCifar10(dir);
      dataset = "cifar10";
    } else {
      data::TrainTest fashion = data::loadFashionMnist();
      data.train = asColor32(data::subset(fashion.train, 0, trainSize));
      data.test = asColor32(data::subset(fashion.test, 0, testSize));
      dataset = "fashion_mnist_32x32x3_stand_in";
    }
    data.train = data::subset(data.train, 0, trainSize);
    data.test = data::subset(data.test, 0, testSize);
    auto [xTrain, yTrain] = tensors(data.train);
    auto [xTest, yTest] = tensors(data.test);

    models::ResNet model;
    model.build({-1, kSide, kSide, 3});
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

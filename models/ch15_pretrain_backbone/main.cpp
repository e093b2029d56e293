// Book chapter 15.4 needs a DenseNet121 pretrained on ImageNet; no weights can be downloaded
// here, so this program makes its own: it trains DenseNet121 (no top, global max pooling) with a
// Dense(classes) classifier on a larger data set that exists on every machine here —
// Fashion-MNIST, its grey images as side x side RGB, normalised like the image-folder pipeline —
// or on a class-per-folder image set given with --data DIR, and saves the backbone's weights
// (Model::saveWeights of the nested model) for ch15_pokemon_transfer --weights FILE.
#include "../common/Transfer.h"

using namespace sinter;

int main(int argc, char **argv) {
  try {
    models::Cli cli(argc, argv,
                    {{"--out", "-"},
                     {"--data", "-"},
                     {"--csv", "-"},
                     {"--size", "64"},
                     {"--train-size", "12000"},
                     {"--test-size", "2000"},
                     {"--epochs", "2"},
                     {"--batch", "32"},
                     {"--lr", "0.001"},
                     {"--quick", ""}},
                    "--out WEIGHTS_FILE [--data DIR [--csv INDEX.csv]] [--size N] [--train-size N] "
                    "[--test-size N] [--epochs N] [--batch N] [--lr RATE] [--quick]");
    std::string out = cli.optional("--out");
    if (out.empty())
      throw Error("--out WEIGHTS_FILE is required (where the backbone's weights go)");
    int64_t side = cli.integer("--size"), trainSize = cli.integer("--train-size");
    int64_t testSize = cli.integer("--test-size"), batch = cli.integer("--batch");
    long epochs = cli.integer("--epochs");
    if (cli.on("--quick"))
      trainSize = 256, testSize = 128, epochs = 1;
    if (side < 32 || trainSize < 1 || testSize < 1 || batch < 1 || epochs < 1)
      throw Error("--size must be at least 32; the sizes, --batch and --epochs positive");

    std::string dataset;
    int64_t classes = 0;
    data::Dataset train, test;
    if (cli.optional("--data").empty()) {
      data::TrainTest fashion = data::loadFashionMnist();
      auto [xTrain, yTrain] = models::fashionAsRgb(fashion.train, 0, trainSize, side);
      auto [xTest, yTest] = models::fashionAsRgb(fashion.test, 0, testSize, side);
      trainSize = xTrain.shape()[0], testSize = xTest.shape()[0];
      train = data::Dataset::fromTensors({xTrain, yTrain}).shuffle(trainSize, 1).batch(batch);
      test = data::Dataset::fromTensors({xTest, yTest}).batch(batch);
      dataset = "fashion_mnist_" + std::to_string(side) + "x" + std::to_string(side) + "x3";
      classes = 10;
    } else {
      std::string root = cli.optional("--data");
      std::string csv =
          cli.optional("--csv").empty() ? root + "/images.csv" : cli.optional("--csv");
      io::ImageFolderIndex index = io::indexImageFolder(root, csv);
      io::ImageFolderSplit parts = io::splitImageFolder(index.entries);
      parts.train.resize(std::min<size_t>(parts.train.size(), static_cast<size_t>(trainSize)));
      parts.test.resize(std::min<size_t>(parts.test.size(), static_cast<size_t>(testSize)));
      trainSize = static_cast<int64_t>(parts.train.size());
      testSize = static_cast<int64_t>(parts.test.size());
      io::ImageFolderOptions options{
          .height = side, .width = side, .shuffleBuffer = 1000, .seed = 1};
      train = io::imageFolderDataset(parts.train, options)
                  .map(data::image::randomFlipLeftRight(2))
                  .batch(batch)
                  .prefetch(2);
      test = io::imageFolderDataset(parts.test, {.height = side, .width = side}).batch(batch);
      dataset = "folder:" + root;
      classes = static_cast<int64_t>(index.classNames.size());
    }

    std::shared_ptr<nn::Model> backbone = models::denseNetBackbone(side);
    nn::Sequential model({backbone, nn::Dense(classes)}, "pretraining");
    model.compile(optim::Adam(cli.real("--lr")),
                  losses::sparseCategoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    nn::History h = model.fit(train, {.epochs = static_cast<int>(epochs), .verbose = 2});
    nn::Logs result = model.evaluate(test);
    backbone->saveWeights(out);
    std::printf("dataset=%s classes=%lld size=%lld train_size=%lld test_size=%lld epochs=%ld "
                "backbone_params=%lld compile_seconds=%.1f train_accuracy=%.4f "
                "test_accuracy=%.4f weights=%s\n",
                dataset.c_str(), static_cast<long long>(classes), static_cast<long long>(side),
                static_cast<long long>(trainSize), static_cast<long long>(testSize), epochs,
                static_cast<long long>(backbone->countParams()), model.program().compileSeconds(),
                h["accuracy"].back(), result.at("accuracy"), out.c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

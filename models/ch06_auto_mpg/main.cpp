// Book section 6.8: Auto MPG fuel-efficiency regression. The 392 complete rows of UCI Auto MPG
// (Debian python3-vega-datasets' cars.json), Origin one-hot (USA/Europe/Japan) → 9 features,
// an 80/20 split (314/78) normalised with the TRAINING statistics, the book's subclassed
// Network Dense(64, relu) → Dense(64, relu) → Dense(1), RMSprop(0.001), MSE loss with an MAE
// metric, shuffle(100).batch(32), up to 200 epochs, the test set as validation data (the
// book's Fig. 6.17 compares train and test MAE per epoch).
//
// The labels are [b, 1], the shape of the network's output. The book feeds [b] labels, and its
// losses.MSE(y, out) silently broadcasts [b] against [b, 1] into a [b, b] matrix; Sinter's
// losses reject that: --book-labels feeds [b] labels on purpose and exits 1 with the loss's
// error, which names both shapes.
#include "sinter/data/Preprocessing.h"
#include "sinter/data/Tabular.h"
#include "sinter/io/Plot.h"
#include "sinter/nn/Model.h"

#include "../common/Cli.h"

#include <algorithm>
#include <cstdio>

using namespace sinter;

namespace {

/// The book's `class Network(keras.Model)`: three Dense layers tracked as members.
class Network : public nn::Model {
public:
  Network() : Model("network") {
    track(fc1);
    track(fc2);
    track(fc3);
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    return fc3(fc2(fc1(x, training), training), training);
  }

private:
  nn::Dense fc1{64, "relu"}, fc2{64, "relu"}, fc3{1};
};

/// [n] → [n, 1] (a copy).
HostTensor column(const HostTensor &y) {
  HostTensor out(y.dtype(), {y.shape()[0], 1});
  auto src = y.as<float>();
  std::copy(src.begin(), src.end(), out.as<float>().begin());
  return out;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  {{"--epochs", "200"},
                   {"--quick", ""},
                   {"--data", data::kCarsJsonPath},
                   {"--plot", "-"},
                   {"--seed", "0"},
                   {"--book-labels", ""}},
                  "[--epochs N] [--quick] [--data cars.json] [--plot CURVES.png] [--seed N] "
                  "[--book-labels]");
  try {
    long epochs = cli.integer("--epochs");
    if (cli.on("--quick"))
      epochs = 30;
    if (epochs < 1)
      throw Error("--epochs must be at least 1");
    auto seed = static_cast<uint64_t>(cli.integer("--seed"));

    data::AutoMpg cars = data::loadAutoMpg(cli.str("--data"));
    // [b, 1] labels, matching the [b, 1] output; --book-labels keeps the book's [b].
    HostTensor labels = cli.on("--book-labels") ? cars.mpg : column(cars.mpg);
    data::TrainTestSplit split = data::trainTestSplit(cars.features, labels, 0.8, seed);
    data::Normalizer norm = data::Normalizer::fit(split.xTrain); // training statistics only
    HostTensor xTrain = norm.apply(split.xTrain), xTest = norm.apply(split.xTest);
    std::printf("rows=%lld features=%lld train=%s/%s test=%s/%s\n",
                static_cast<long long>(cars.features.shape()[0]),
                static_cast<long long>(cars.features.shape()[1]),
                xTrain.spec().shapeString().c_str(), split.yTrain.spec().shapeString().c_str(),
                xTest.spec().shapeString().c_str(), split.yTest.spec().shapeString().c_str());

    Network model;
    model.build({4, 9});
    model.summary();
    model.compile(optim::RMSprop(0.001), losses::meanSquaredError(), {"mae"});

    auto train = data::Dataset::fromTensors({xTrain, split.yTrain}).shuffle(100, seed).batch(32);
    auto test = data::Dataset::fromTensors({xTest, split.yTest}).batch(32);
    auto every = std::make_shared<nn::LambdaCallback>();
    every->epochEnd = [&](int epoch, const nn::Logs &logs) {
      if ((epoch + 1) % 10 == 0 || epoch == 0)
        std::printf("epoch %d: loss %.4f mae %.4f val_loss %.4f val_mae %.4f\n", epoch + 1,
                    logs.at("loss"), logs.at("mae"), logs.at("val_loss"), logs.at("val_mae"));
    };
    nn::History h = model.fit(train, {.epochs = static_cast<int>(epochs),
                                      .verbose = 0,
                                      .callbacks = {every},
                                      .validationDataset = test});

    nn::Logs result = model.evaluate(xTest, split.yTest, {.batchSize = 78});
    if (cli.str("--plot") != "-") {
      io::PlotOptions options;
      options.yLabel = "MSE / MAE (log)";
      options.logY = true;
      io::plotCurves(cli.str("--plot"), "Auto MPG (book 6.8): train and test MSE / MAE",
                     {{"train MSE", h["loss"]},
                      {"test MSE", h["val_loss"]},
                      {"train MAE", h["mae"]},
                      {"test MAE", h["val_mae"]}},
                     options);
      std::printf("wrote %s\n", cli.str("--plot").c_str());
    }
    std::printf("epochs=%ld train_mae=%.4f train_mse=%.4f test_mae=%.4f test_mse=%.4f\n", epochs,
                h["mae"].back(), h["loss"].back(), result.at("mae"), result.at("loss"));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Book chapter 9 (sections 9.4-9.6 and the 9.8 project): overfitting on two moons. make_moons
// (1000 points, noise 0.25), split 750 / 250 (sklearn's default test_size of 25 %), binary
// cross-entropy, Adam (Keras defaults), batch 32 (Keras' default; each epoch ends with a
// batch of 14 through the same training entry), 500 epochs
// per model (--quick: 40). Three sweeps:
//   (a) capacity: Dense(8, relu) + n x Dense(32, relu) + Dense(1, sigmoid), n = 0..4
//       (figures 9.12-9.15: 2 layers already generalise; deeper nets hug the training points);
//   (b) dropout: Dense(8, relu) + 5 x Dense(64, relu) + Dense(1, sigmoid), with Dropout(0.5)
//       after each of the first n Dense(64) layers (the book's code; its companion code puts
//       them after all five instead), n = 0..4 (figures 9.25-9.28);
//   (c) L2: Dense(8, relu) + 3 x Dense(256, relu, kernel_regularizer = l2(lambda)) +
//       Dense(1, sigmoid), lambda in {1e-5, 1e-3, 1e-1, 0.12, 0.13}; the range of the kernel of
//       layer index 2 (the [256, 256] one) shrinks as lambda grows (table 9.1). Here all five
//       start from the same initial weights, so lambda is the only difference between them
//       (the book's runs each draw their own, and its 0.13 range comes out wider than 0.1's).
// Each model's decision boundary over the training points is written as a PNG to --out-dir.
// The book reports no accuracies for these runs (only pictures and table 9.1).
#include "sinter/data/Preprocessing.h"
#include "sinter/data/Synthetic.h"
#include "sinter/io/Plot.h"
#include "sinter/nn/Model.h"

#include "../common/Cli.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace sinter;
using namespace sinter::nn;

namespace {

constexpr int64_t kBatch = 32;         // Keras' default batch size (the book passes none)
constexpr int64_t kPredictBatch = 250; // predicts in batches of 250
constexpr int kGrid = 150;             // 22,500 grid points: 90 batches of kPredictBatch

struct Data {
  HostTensor xTrain, yTrain, xTest, yTest; // y as float32 [n, 1] for binary cross-entropy
  std::vector<io::Point2> trainPoints;
  std::vector<int> trainLabels;
  double xMin, xMax, yMin, yMax; // the plotted area
};

HostTensor labelsAsColumn(const HostTensor &y) {
  int64_t n = y.shape()[0];
  HostTensor out(DType::F32, {n, 1});
  for (int64_t i = 0; i < n; ++i)
    out.as<float>()[i] = static_cast<float>(y.as<int32_t>()[i]);
  return out;
}

Data loadMoons() {
  data::Moons moons = data::makeMoons(1000, 0.25, 100);
  data::TrainTestSplit split = data::trainTestSplit(moons.x, moons.y, 0.75, 42);
  Data d{split.xTrain, labelsAsColumn(split.yTrain),
         split.xTest,  labelsAsColumn(split.yTest),
         {},           {},
         1e9,          -1e9,
         1e9,          -1e9};
  auto x = moons.x.as<float>();
  for (int64_t i = 0; i < moons.x.shape()[0]; ++i) {
    d.xMin = std::min(d.xMin, double(x[2 * i])), d.xMax = std::max(d.xMax, double(x[2 * i]));
    d.yMin = std::min(d.yMin, double(x[2 * i + 1])),
    d.yMax = std::max(d.yMax, double(x[2 * i + 1]));
  }
  d.xMin -= 0.3, d.xMax += 0.3, d.yMin -= 0.3, d.yMax += 0.3;
  auto xt = split.xTrain.as<float>();
  for (int64_t i = 0; i < split.xTrain.shape()[0]; ++i) {
    d.trainPoints.push_back({xt[2 * i], xt[2 * i + 1]});
    d.trainLabels.push_back(split.yTrain.as<int32_t>()[i]);
  }
  return d;
}

double accuracy(Sequential &model, const HostTensor &x, const HostTensor &y) {
  HostTensor p = model.predict(x, kPredictBatch);
  int64_t n = x.shape()[0], correct = 0;
  for (int64_t i = 0; i < n; ++i)
    correct += (p.as<float>()[i] > 0.5f) == (y.as<float>()[i] > 0.5f);
  return static_cast<double>(correct) / static_cast<double>(n);
}

io::DecisionGrid decisionGrid(Sequential &model, const Data &d) {
  io::DecisionGrid grid{d.xMin, d.xMax, d.yMin, d.yMax, kGrid, kGrid, {}};
  HostTensor xy(DType::F32, {int64_t(kGrid) * kGrid, 2});
  for (int j = 0; j < kGrid; ++j)
    for (int i = 0; i < kGrid; ++i) {
      xy.as<float>()[2 * (j * kGrid + i)] = float(d.xMin + i * (d.xMax - d.xMin) / (kGrid - 1));
      xy.as<float>()[2 * (j * kGrid + i) + 1] = float(d.yMin + j * (d.yMax - d.yMin) / (kGrid - 1));
    }
  HostTensor p = model.predict(xy, kPredictBatch);
  for (int64_t k = 0; k < int64_t(kGrid) * kGrid; ++k)
    grid.classes.push_back(p.as<float>()[k] > 0.5f ? 1 : 0);
  return grid;
}

struct Result {
  std::string name;
  double trainAcc = 0, testAcc = 0, loss = 0, seconds = 0;
};

/// Compiles (binary cross-entropy, Adam, accuracy), trains, measures and draws `model`.
Result run(Sequential &model, const std::string &name, const std::string &title, const Data &d,
           int epochs, const std::filesystem::path &outDir) {
  auto start = std::chrono::steady_clock::now();
  model.compile(optim::Adam(0.001), losses::binaryCrossentropy(), {"accuracy"});
  // predict first (one small forward entry), then fit adds the training step (any batch size:
  // 23 batches of 32 and a last one of 14) and recompiles once.
  model.predict(d.xTest, kPredictBatch);
  History h = model.fit(d.xTrain, d.yTrain,
                        {.batchSize = kBatch, .epochs = epochs, .verbose = 0, .seed = 1});
  Result r{name, accuracy(model, d.xTrain, d.yTrain), accuracy(model, d.xTest, d.yTest),
           h["loss"].back(), 0};
  io::ScatterOptions options;
  options.title = title + " (" + std::to_string(epochs) + " epochs)";
  io::scatter2d((outDir / (name + ".png")).string(), d.trainPoints, d.trainLabels,
                decisionGrid(model, d), options);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %-14s train_acc %.4f  test_acc %.4f  loss %.4f  (%.1f s)\n", name.c_str(),
              r.trainAcc, r.testAcc, r.loss, r.seconds);
  std::fflush(stdout);
  return r;
}

std::string joined(const std::vector<Result> &rs, double Result::*field) {
  std::string s;
  char buf[32];
  for (const Result &r : rs) {
    std::snprintf(buf, sizeof buf, "%s%.4f", s.empty() ? "" : ",", r.*field);
    s += buf;
  }
  return s;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(
      argc, argv,
      {{"--epochs", "500"}, {"--quick", ""}, {"--out-dir", "build/ch09"}, {"--sweep", "all"}},
      "[--epochs N] [--quick] [--out-dir DIR] [--sweep all|capacity|dropout|l2]");
  try {
    int epochs = static_cast<int>(cli.on("--quick") ? 40 : cli.integer("--epochs"));
    if (epochs < 1) {
      std::fprintf(stderr, "error: --epochs must be at least 1\n");
      return 2;
    }
    std::string sweep = cli.str("--sweep");
    if (sweep != "all" && sweep != "capacity" && sweep != "dropout" && sweep != "l2") {
      std::fprintf(stderr, "error: --sweep takes all, capacity, dropout or l2, not '%s'\n",
                   sweep.c_str());
      return 2;
    }
    auto want = [&](const char *name) { return sweep == "all" || sweep == name; };
    std::filesystem::path outDir = cli.str("--out-dir");
    std::filesystem::create_directories(outDir);
    Data d = loadMoons();
    std::printf("make_moons: 1000 points, noise 0.25; %lld train / %lld test; %d epochs per "
                "model; pictures in %s\n",
                static_cast<long long>(d.xTrain.shape()[0]),
                static_cast<long long>(d.xTest.shape()[0]), epochs, outDir.string().c_str());

    // (a) capacity: n hidden Dense(32) layers between Dense(8) and the output (n + 2 layers).
    std::vector<Result> capacity;
    if (want("capacity"))
      std::printf("(a) capacity: Dense(8) + n x Dense(32) + Dense(1)\n");
    for (int n = 0; n <= 4 && want("capacity"); ++n) {
      Sequential model;
      model.add(Dense(8, "relu"));
      for (int i = 0; i < n; ++i)
        model.add(Dense(32, "relu"));
      model.add(Dense(1, "sigmoid"));
      capacity.push_back(run(model, "capacity_" + std::to_string(n + 2) + "_layers",
                             "Depth " + std::to_string(n + 2) + " layers", d, epochs, outDir));
    }

    // (b) dropout: 7 layers, Dropout(0.5) after each of the first n Dense(64) layers.
    std::vector<Result> dropout;
    if (want("dropout"))
      std::printf("(b) dropout: Dense(8) + 5 x Dense(64) + Dense(1), n x Dropout(0.5)\n");
    for (int n = 0; n <= 4 && want("dropout"); ++n) {
      Sequential model;
      model.add(Dense(8, "relu"));
      for (int i = 0; i < 5; ++i) {
        model.add(Dense(64, "relu"));
        if (i < n)
          model.add(Dropout(0.5));
      }
      model.add(Dense(1, "sigmoid"));
      dropout.push_back(run(model, "dropout_" + std::to_string(n),
                            "Dropout layers: " + std::to_string(n), d, epochs, outDir));
    }

    // (c) L2: the three Dense(256) kernels regularised with l2(lambda); the kernel of layer
    // index 2 (the book's layer_index = 2, a [256, 256] matrix) is inspected.
    if (want("l2"))
      std::printf("(c) L2: Dense(8) + 3 x Dense(256, l2(lambda)) + Dense(1)\n");
    const std::vector<std::pair<double, std::string>> lambdas = {
        {1e-5, "0.00001"}, {1e-3, "0.001"}, {1e-1, "0.1"}, {0.12, "0.12"}, {0.13, "0.13"}};
    std::vector<Result> l2;
    struct Range {
      double min, max, mean;
    };
    std::vector<Range> ranges;
    std::vector<HostTensor> initial;
    for (const auto &[lambda, text] : want("l2") ? lambdas : decltype(lambdas){}) {
      Sequential model;
      model.add(Dense(8, "relu"));
      for (int i = 0; i < 3; ++i)
        model.add(Dense(256, "relu", true, initializers::glorotUniform(), initializers::zeros(),
                        regularizers::l2(lambda)));
      model.add(Dense(1, "sigmoid"));
      // Every lambda starts from the same weights (the first model's initial ones), so that
      // lambda is the only difference between the runs.
      model.build(Shape{-1, 2});
      if (initial.empty()) {
        for (Layer *layer : model.layers())
          for (const char *w : {"/kernel", "/bias"})
            initial.push_back(model.getWeights().at(layer->name() + w));
      } else {
        std::map<std::string, HostTensor> weights;
        size_t k = 0;
        for (Layer *layer : model.layers())
          for (const char *w : {"/kernel", "/bias"})
            weights[layer->name() + w] = initial[k++];
        model.setWeights(weights);
      }
      l2.push_back(run(model, "l2_" + text, "L2 " + text, d, epochs, outDir));
      HostTensor w = model.getWeights().at(model.layers()[2]->name() + "/kernel");
      auto v = w.as<float>();
      Range r{1e30, -1e30, 0};
      for (float x : v) {
        r.min = std::min(r.min, double(x));
        r.max = std::max(r.max, double(x));
        r.mean += x;
      }
      r.mean /= static_cast<double>(v.size());
      ranges.push_back(r);
    }

    // The tables, the accuracy curves and the last line.
    std::string last = "epochs=" + std::to_string(epochs);
    auto curve = [](const std::vector<Result> &rs, double Result::*f, int x0, const char *name) {
      io::Series s{name, {}, {}};
      for (size_t i = 0; i < rs.size(); ++i) {
        s.values.push_back(rs[i].*f);
        s.x.push_back(double(x0 + int(i)));
      }
      return s;
    };
    if (want("capacity")) {
      std::printf("\n%-16s %-10s %-10s %-10s\n", "capacity", "train_acc", "test_acc", "gap");
      for (const Result &r : capacity)
        std::printf("%-16s %-10.4f %-10.4f %+.4f\n", r.name.c_str(), r.trainAcc, r.testAcc,
                    r.trainAcc - r.testAcc);
      io::plotCurves((outDir / "capacity_accuracy.png").string(), "Accuracy vs network depth",
                     {curve(capacity, &Result::trainAcc, 2, "train accuracy"),
                      curve(capacity, &Result::testAcc, 2, "test accuracy")},
                     io::PlotOptions{.xLabel = "layers", .yLabel = "accuracy"});
      last += " capacity_train_acc=" + joined(capacity, &Result::trainAcc) +
              " capacity_test_acc=" + joined(capacity, &Result::testAcc);
    }
    if (want("dropout")) {
      std::printf("\n%-16s %-10s %-10s %-10s\n", "dropout", "train_acc", "test_acc", "gap");
      for (const Result &r : dropout)
        std::printf("%-16s %-10.4f %-10.4f %+.4f\n", r.name.c_str(), r.trainAcc, r.testAcc,
                    r.trainAcc - r.testAcc);
      io::plotCurves((outDir / "dropout_accuracy.png").string(), "Accuracy vs dropout layers",
                     {curve(dropout, &Result::trainAcc, 0, "train accuracy"),
                      curve(dropout, &Result::testAcc, 0, "test accuracy")},
                     io::PlotOptions{.xLabel = "dropout layers", .yLabel = "accuracy"});
      last += " dropout_train_acc=" + joined(dropout, &Result::trainAcc) +
              " dropout_test_acc=" + joined(dropout, &Result::testAcc);
    }
    if (want("l2")) {
      std::printf("\nTable 9.1 (kernel of layer index 2, [256, 256]):\n");
      std::printf("%-10s %-10s %-10s %-10s %-10s %-10s %-10s\n", "lambda", "W_min", "W_max",
                  "W_mean", "range", "train_acc", "test_acc");
      bool monotonic = true;
      std::string rangeText;
      for (size_t i = 0; i < lambdas.size(); ++i) {
        const Range &r = ranges[i];
        std::printf("%-10s %-10.4f %-10.4f %-10.4f %-10.4f %-10.4f %-10.4f\n",
                    lambdas[i].second.c_str(), r.min, r.max, r.mean, r.max - r.min, l2[i].trainAcc,
                    l2[i].testAcc);
        if (i > 0 && !(r.max - r.min < ranges[i - 1].max - ranges[i - 1].min))
          monotonic = false;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s[%.4f,%.4f]", i ? "," : "", r.min, r.max);
        rangeText += buf;
      }
      std::printf("the weight range %s as lambda grows\n",
                  monotonic ? "shrinks strictly" : "does NOT shrink strictly");
      last += " l2_test_acc=" + joined(l2, &Result::testAcc) + " l2_weight_range=" + rangeText +
              " monotonic=" + (monotonic ? "1" : "0");
    }
    std::printf("%s\n", last.c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

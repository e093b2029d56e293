// Training logs: the TensorBoard callback's event file read back (scalars per epoch for every
// logs key, histograms of every weight at the histogram frequency, the curves image), and
// CurvesPlot's PNG (decodes, right size, rewritten per epoch and at the end).
#include "sinter/nn/TrainingLogs.h"

#include "NnTestUtil.h"

#include "../../common/TempFiles.h"

#include "sinter/io/Events.h"
#include "sinter/io/Image.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <unistd.h>

using namespace sinter;
using namespace sinter::nn;
using sinter::testing::TempDir;

namespace {

/// A fresh directory under /tmp, removed at the end of the scope.
/// Counts pixels that are not white in columns [x0, x1).
int inkIn(const io::Image &img, int x0, int x1) {
  int n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = x0; x < x1; ++x)
      n += !(img.at(x, y) == io::Rgb{255, 255, 255});
  return n;
}

} // namespace

TEST_CASE("TensorBoard: scalars per epoch, weight histograms, curves image", "[logs]") {
  TempDir dir;
  auto [x, y] = nntest::separable(128, 1);
  auto model = nntest::binaryModel();
  auto tb =
      std::make_shared<TensorBoard>(dir.path.string(), /*histogramFreq=*/2, /*writeImages=*/true);
  CHECK(tb->eventFile().empty());
  History h = model->fit(
      x, y,
      {.batchSize = 32, .epochs = 3, .verbose = 0, .callbacks = {tb}, .validationSplit = 0.25});
  REQUIRE_FALSE(tb->eventFile().empty());
  CHECK(std::filesystem::path(tb->eventFile()).parent_path() == dir.path);
  CHECK_THAT(tb->eventFile(), Catch::Contains("events.out.tfevents."));

  std::vector<io::Event> events = io::readEvents(tb->eventFile());
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].fileVersion == "brain.Event:2");

  // Scalars: every key of the epoch logs, one value per epoch at step = epoch.
  std::map<std::string, std::map<int64_t, float>> scalars;
  std::map<std::string, std::vector<int64_t>> histSteps;
  std::map<std::string, io::Histogram> lastHist;
  std::vector<std::pair<int64_t, io::SummaryValue>> images;
  for (const io::Event &e : events)
    for (const io::SummaryValue &v : e.values) {
      switch (v.kind) {
      case io::SummaryValue::Kind::Scalar:
        CHECK(scalars[v.tag].count(e.step) == 0);
        scalars[v.tag][e.step] = v.scalar;
        break;
      case io::SummaryValue::Kind::Histogram:
        histSteps[v.tag].push_back(e.step);
        lastHist[v.tag] = v.histogram;
        break;
      case io::SummaryValue::Kind::Image:
        images.emplace_back(e.step, v);
        break;
      }
    }
  std::vector<std::string> keys;
  for (const auto &[k, _] : scalars)
    keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"accuracy", "loss", "val_accuracy", "val_loss"});
  for (const std::string &k : keys) {
    INFO(k);
    REQUIRE(scalars[k].size() == 3);
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      REQUIRE(scalars[k].count(epoch) == 1);
      CHECK(scalars[k][epoch] == static_cast<float>(h[k][static_cast<size_t>(epoch)]));
    }
  }

  // Histograms: every weight, at epochs 0 and 2 (histogramFreq 2); the last one is of the final
  // weights.
  auto weights = model->getWeights();
  REQUIRE(weights.size() == 4);
  CHECK(histSteps.size() == weights.size());
  for (const auto &[name, value] : weights) {
    INFO(name);
    REQUIRE(histSteps.count(name) == 1);
    CHECK(histSteps[name] == std::vector<int64_t>{0, 2});
    const io::Histogram &hist = lastHist[name];
    auto v = value.as<float>();
    CHECK(hist.num == static_cast<double>(v.size()));
    CHECK(hist.min == Approx(*std::min_element(v.begin(), v.end())));
    CHECK(hist.max == Approx(*std::max_element(v.begin(), v.end())));
    double sum = 0;
    for (float f : v)
      sum += f;
    CHECK(hist.sum == Approx(sum).margin(1e-6));
    double counted = 0;
    for (double c : hist.bucket)
      counted += c;
    CHECK(counted == static_cast<double>(v.size()));
  }

  // Images: the curves, one per epoch; two panels (loss, accuracy) of the default 640x400.
  REQUIRE(images.size() == 3);
  for (size_t i = 0; i < images.size(); ++i) {
    const auto &[step, v] = images[i];
    CHECK(step == static_cast<int64_t>(i));
    CHECK(v.tag == "curves");
    CHECK(v.width == 1280);
    CHECK(v.height == 400);
    CHECK(v.colorspace == 3);
    io::Image img = io::decodePng(v.png);
    CHECK(img.width == 1280);
    CHECK(img.height == 400);
  }
  io::Image last = io::decodePng(images.back().second.png);
  CHECK(inkIn(last, 0, 640) > 2000);
  CHECK(inkIn(last, 640, 1280) > 2000);

  // A second fit on the same callback appends to the same file.
  std::string file = tb->eventFile();
  size_t before = events.size();
  model->fit(x, y,
             {.batchSize = 32, .epochs = 4, .verbose = 0, .callbacks = {tb}, .initialEpoch = 3});
  CHECK(tb->eventFile() == file);
  std::vector<io::Event> more = io::readEvents(file);
  CHECK(more.size() > before);
  CHECK(more.back().step == 3);
}

TEST_CASE("TensorBoard: histogramFreq 0 writes no histograms, no images by default", "[logs]") {
  TempDir dir;
  auto [x, y] = nntest::separable(64, 2);
  auto model = nntest::binaryModel();
  auto tb = std::make_shared<TensorBoard>(dir.path.string(), /*histogramFreq=*/0);
  model->fit(x, y, {.batchSize = 32, .epochs = 2, .verbose = 0, .callbacks = {tb}});
  int scalars = 0;
  for (const io::Event &e : io::readEvents(tb->eventFile()))
    for (const io::SummaryValue &v : e.values) {
      CHECK(v.kind == io::SummaryValue::Kind::Scalar);
      ++scalars;
    }
  CHECK(scalars == 4); // loss and accuracy, 2 epochs
  CHECK_THROWS_WITH(TensorBoard(dir.path.string(), -1), Catch::Contains("histogramFreq"));
}

TEST_CASE("CurvesPlot: a PNG of loss and accuracy per epoch", "[logs]") {
  TempDir dir;
  std::string path = dir.file("curves.png");
  auto [x, y] = nntest::separable(128, 3);
  auto model = nntest::binaryModel();
  auto plot = std::make_shared<CurvesPlot>(path);
  int seenDuringFit = 0;
  auto watch = std::make_shared<LambdaCallback>();
  watch->epochEnd = [&](int, const Logs &) { seenDuringFit += std::filesystem::exists(path); };
  model->fit(x, y,
             {.batchSize = 32,
              .epochs = 4,
              .verbose = 0,
              .callbacks = {plot, watch},
              .validationSplit = 0.25,
              .validationFreq = 2});
  CHECK(seenDuringFit == 4);  // written at each epoch end (before later callbacks)
  CHECK(plot->writes() == 5); // 4 epochs + train end
  io::Image img = io::readPng(path);
  CHECK(img.width == 1280);
  CHECK(img.height == 400);
  CHECK(inkIn(img, 0, 640) > 2000);
  CHECK(inkIn(img, 640, 1280) > 2000);
  // val_* only on epochs 2 and 4.
  const auto &vals = plot->curves().values.at("val_loss");
  REQUIRE(vals.size() == 2);
  CHECK(vals[0].epoch == 2);
  CHECK(vals[1].epoch == 4);
  CHECK(plot->curves().values.at("loss").size() == 4);

  // Only at train end; a custom panel size; a third panel for a third metric.
  std::string endOnly = dir.file("end.png");
  Sequential reg({Dense(4, "relu"), Dense(1)});
  reg.compile(optim::Adam(0.01), losses::meanSquaredError(), {"mae", "mse"});
  auto plot2 = std::make_shared<CurvesPlot>(endOnly, /*everyEpoch=*/false,
                                            CurvesOptions{.panelWidth = 300, .panelHeight = 200});
  reg.fit(x, y, {.batchSize = 32, .epochs = 2, .verbose = 0, .callbacks = {plot2}});
  CHECK(plot2->writes() == 1);
  CHECK(trainingCurvesPanels(plot2->curves()) == 3);
  io::Image img2 = io::readPng(endOnly);
  CHECK(img2.width == 900);
  CHECK(img2.height == 200);
}

TEST_CASE("renderTrainingCurves: panel order and replaced epochs", "[logs]") {
  EpochCurves c;
  CHECK_THROWS_WITH(renderTrainingCurves(c), Catch::Contains("no epoch"));
  c.add(0, {{"accuracy", 0.5}, {"loss", 1.0}, {"val_loss", 1.2}});
  c.add(1, {{"accuracy", 0.7}, {"loss", 0.8}});
  c.add(1, {{"accuracy", 0.75}, {"loss", 0.7}}); // the same epoch again: replaced
  REQUIRE(c.values.at("loss").size() == 2);
  CHECK(c.values.at("loss")[1].value == 0.7);
  CHECK(trainingCurvesPanels(c) == 2);
  io::Image img = renderTrainingCurves(c, {.panelWidth = 320, .panelHeight = 240});
  CHECK(img.width == 640);
  CHECK(img.height == 240);
  // The loss panel comes first: the accuracy-only panel has one series and no val_ legend,
  // so the two halves differ.
  CHECK(inkIn(img, 0, 320) != inkIn(img, 320, 640));
}

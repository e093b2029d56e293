// Training logs: the TensorBoard and CurvesPlot callbacks and the training-curves picture.
#include "sinter/nn/TrainingLogs.h"

#include "sinter/io/Plot.h"

#include <algorithm>
#include <cstring>

namespace sinter::nn {

// ---------------------------------------------------------------------------------------------
// EpochCurves and the picture

void EpochCurves::add(int epoch, const Logs &logs) {
  for (const auto &[key, value] : logs) {
    auto &points = values[key];
    auto it = std::find_if(points.begin(), points.end(),
                           [&](const Point &p) { return p.epoch >= epoch + 1; });
    if (it != points.end() && it->epoch == epoch + 1)
      it->value = value;
    else
      points.insert(it, Point{epoch + 1, value});
  }
}

namespace {

/// The panels: the metric names without "val_", "loss" first, then the others in key order.
std::vector<std::string> panelNames(const EpochCurves &curves) {
  std::vector<std::string> names;
  for (const auto &[key, points] : curves.values) {
    std::string base = key.rfind("val_", 0) == 0 ? key.substr(4) : key;
    if (std::find(names.begin(), names.end(), base) == names.end())
      names.push_back(base);
  }
  std::stable_partition(names.begin(), names.end(),
                        [](const std::string &n) { return n == "loss"; });
  return names;
}

io::Series seriesOf(const std::string &name, const std::vector<EpochCurves::Point> &points) {
  io::Series s;
  s.name = name;
  for (const auto &p : points) {
    s.x.push_back(p.epoch);
    s.values.push_back(p.value);
  }
  return s;
}

} // namespace

int trainingCurvesPanels(const EpochCurves &curves) {
  return static_cast<int>(panelNames(curves).size());
}

io::Image renderTrainingCurves(const EpochCurves &curves, const CurvesOptions &options) {
  std::vector<std::string> panels = panelNames(curves);
  if (panels.empty())
    throw Error("training curves: no epoch has been logged yet");
  io::Image out(options.panelWidth * static_cast<int>(panels.size()), options.panelHeight);
  for (size_t i = 0; i < panels.size(); ++i) {
    const std::string &base = panels[i];
    std::vector<io::Series> series;
    for (const std::string &key : {base, "val_" + base}) {
      auto it = curves.values.find(key);
      if (it != curves.values.end())
        series.push_back(seriesOf(key, it->second));
    }
    io::PlotOptions po;
    po.width = options.panelWidth;
    po.height = options.panelHeight;
    po.xLabel = "epoch";
    po.yLabel = base;
    io::Image panel = io::renderCurves(base, series, po);
    size_t rowBytes = static_cast<size_t>(panel.width) * 3;
    for (int y = 0; y < panel.height; ++y)
      std::memcpy(out.pixels.data() + (static_cast<size_t>(y) * static_cast<size_t>(out.width) +
                                       i * static_cast<size_t>(options.panelWidth)) *
                                          3,
                  panel.pixels.data() + static_cast<size_t>(y) * rowBytes, rowBytes);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TensorBoard

TensorBoard::TensorBoard(std::string logDir, int histogramFreq, bool writeImages,
                         CurvesOptions imageOptions)
    : logDir_(std::move(logDir)), histogramFreq_(histogramFreq), writeImages_(writeImages),
      imageOptions_(imageOptions) {
  if (histogramFreq_ < 0)
    throw Error("TensorBoard: histogramFreq must be >= 0, got " + std::to_string(histogramFreq_));
}

void TensorBoard::onTrainBegin(const Logs &) {
  if (!writer_)
    writer_ = std::make_unique<io::EventWriter>(logDir_);
}

void TensorBoard::onEpochEnd(int epoch, const Logs &logs) {
  if (!writer_)
    writer_ = std::make_unique<io::EventWriter>(logDir_);
  curves_.add(epoch, logs);
  for (const auto &[key, value] : logs)
    writer_->scalar(key, value, epoch);
  if (histogramFreq_ > 0 && epoch % histogramFreq_ == 0 && model_) {
    for (const auto &[name, value] : model_->getWeights())
      if (value.dtype() == DType::F32 || value.dtype() == DType::F64)
        writer_->histogram(name, value, epoch);
  }
  if (writeImages_ && !curves_.empty())
    writer_->image("curves", renderTrainingCurves(curves_, imageOptions_), epoch);
}

void TensorBoard::onTrainEnd(const Logs &) {
  if (writer_)
    writer_->flush();
}

// ---------------------------------------------------------------------------------------------
// CurvesPlot

CurvesPlot::CurvesPlot(std::string path, bool everyEpoch, CurvesOptions options)
    : path_(std::move(path)), everyEpoch_(everyEpoch), options_(options) {}

void CurvesPlot::write() {
  if (curves_.empty())
    return;
  io::writePng(path_, renderTrainingCurves(curves_, options_));
  ++writes_;
}

void CurvesPlot::onEpochEnd(int epoch, const Logs &logs) {
  curves_.add(epoch, logs);
  if (everyEpoch_)
    write();
}

void CurvesPlot::onTrainEnd(const Logs &) { write(); }

} // namespace sinter::nn

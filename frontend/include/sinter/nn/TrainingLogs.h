// Training logs for fit(): Keras' TensorBoard callback (event files with per-epoch scalars,
// histograms of the weights and, optionally, a picture of the training curves) and CurvesPlot
// (a PNG of loss / metrics per epoch that a person can open).
//
//   auto tb = std::make_shared<nn::TensorBoard>("logs/run1", /*histogramFreq=*/1,
//                                               /*writeImages=*/true);
//   auto plot = std::make_shared<nn::CurvesPlot>("curves.png");
//   model.fit(x, y, {.epochs = 10, .callbacks = {tb, plot}});
//   // tensorboard --logdir logs
//
// Both callbacks keep their own record of the epochs they saw (every key of the epoch logs),
// so the curves include the epochs of earlier fit() calls on the same callback object.
#ifndef SINTER_NN_TRAININGLOGS_H
#define SINTER_NN_TRAININGLOGS_H

#include "sinter/io/Events.h"
#include "sinter/io/Image.h"
#include "sinter/nn/Model.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sinter::nn {

/// The logged values of the epochs seen so far: per key ("loss", "accuracy", "val_loss", ...)
/// the (1-based epoch, value) pairs. Keys logged only on some epochs (validation with
/// validationFreq > 1) have fewer points.
struct EpochCurves {
  struct Point {
    int epoch = 0; ///< 1-based
    double value = 0;
  };
  std::map<std::string, std::vector<Point>> values;
  /// Records every key of `logs` for the 0-based `epoch` (replacing an earlier value of that
  /// epoch, e.g. when fit() is called again from epoch 0).
  void add(int epoch, const Logs &logs);
  bool empty() const { return values.empty(); }
};

struct CurvesOptions {
  /// Size of one panel; the picture is panels side by side: (panels · panelWidth) × panelHeight.
  int panelWidth = 640, panelHeight = 400;
};

/// The training curves as one picture: a panel for the loss ("loss" and "val_loss"), then one
/// per other metric (e.g. "accuracy" with "val_accuracy"), in key order, side by side. The
/// x axis is the epoch (1-based). Throws Error when there is nothing to draw.
io::Image renderTrainingCurves(const EpochCurves &curves, const CurvesOptions &options = {});
/// The number of panels renderTrainingCurves draws for these keys.
int trainingCurvesPanels(const EpochCurves &curves);

/// Keras' TensorBoard callback. Creates an event file in `logDir` (io::EventWriter) at the
/// first onTrainBegin and, at the end of every epoch (step = the 0-based epoch):
///  - a scalar per key of the epoch logs, tagged with the key ("loss", "accuracy",
///    "val_loss", "val_accuracy", ...);
///  - every `histogramFreq`-th epoch (epochs 0, f, 2f, ...; 0 = never), a histogram of each
///    weight of the model (Model::getWeights), tagged with the variable's name;
///  - with `writeImages`, the training curves so far (renderTrainingCurves), tagged "curves".
/// Writes are flushed at once, so TensorBoard (or io::readEvents) sees each epoch as it ends.
class TensorBoard : public Callback {
public:
  explicit TensorBoard(std::string logDir, int histogramFreq = 1, bool writeImages = false,
                       CurvesOptions imageOptions = {});
  void onTrainBegin(const Logs &logs) override;
  void onEpochEnd(int epoch, const Logs &logs) override;
  bool chiefOnly() const override { return true; }
  void onTrainEnd(const Logs &logs) override;

  /// The event file being written ("" before the first fit()).
  std::string eventFile() const { return writer_ ? writer_->path() : std::string(); }
  const std::string &logDir() const { return logDir_; }
  const EpochCurves &curves() const { return curves_; }

private:
  std::string logDir_;
  int histogramFreq_;
  bool writeImages_;
  CurvesOptions imageOptions_;
  std::unique_ptr<io::EventWriter> writer_;
  EpochCurves curves_;
};

/// Writes the training curves (renderTrainingCurves) as a PNG to `path` at the end of every
/// epoch (unless everyEpoch is false) and at the end of training; the file is replaced
/// atomically, so it can be watched while fit() runs.
class CurvesPlot : public Callback {
public:
  explicit CurvesPlot(std::string path, bool everyEpoch = true, CurvesOptions options = {});
  void onEpochEnd(int epoch, const Logs &logs) override;
  void onTrainEnd(const Logs &logs) override;
  bool chiefOnly() const override { return true; }

  const std::string &path() const { return path_; }
  const EpochCurves &curves() const { return curves_; }
  /// How many times the PNG has been written.
  int writes() const { return writes_; }

private:
  void write();
  std::string path_;
  bool everyEpoch_;
  CurvesOptions options_;
  EpochCurves curves_;
  int writes_ = 0;
};

} // namespace sinter::nn

#endif

// What fit/evaluate report to: the logs of an epoch or batch, History, Keras' callbacks
// (EarlyStopping, ModelCheckpoint, LambdaCallback) and the progress bar.
#ifndef SINTER_NN_CALLBACKS_H
#define SINTER_NN_CALLBACKS_H

#include "sinter/Graph.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sinter::nn {

class Model;

/// Values of one epoch or batch: "loss", "accuracy", "val_loss", ...
using Logs = std::map<std::string, double>;

/// What fit() returns: per epoch, each logged value.
struct History {
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;
  /// The values of `key`; throws Error naming the available keys when absent.
  const std::vector<double> &operator[](const std::string &key) const;
  bool contains(const std::string &key) const { return history.count(key) != 0; }
};

/// Hooks into fit/evaluate/predict (Keras' Callback). Epochs and batches count from 0.
class Callback {
public:
  virtual ~Callback() = default;
  virtual void setModel(Model &model) { model_ = &model; }
  virtual void onTrainBegin(const Logs &) {}
  virtual void onTrainEnd(const Logs &) {}
  virtual void onEpochBegin(int /*epoch*/, const Logs &) {}
  virtual void onEpochEnd(int /*epoch*/, const Logs &) {}
  virtual void onTrainBatchBegin(int /*batch*/, const Logs &) {}
  virtual void onTrainBatchEnd(int /*batch*/, const Logs &) {}
  virtual void onTestBegin(const Logs &) {}
  virtual void onTestEnd(const Logs &) {}
  virtual void onTestBatchEnd(int /*batch*/, const Logs &) {}
  virtual void onPredictBatchEnd(int /*batch*/, const Logs &) {}
  /// In data-parallel training (Model::distribute), whether only rank 0 runs this callback:
  /// true for those that write files (checkpoints, logs), which every rank would otherwise
  /// write at once.
  virtual bool chiefOnly() const { return false; }

protected:
  Model *model_ = nullptr;
};

/// Stops training when `monitor` stops improving by more than minDelta for `patience` epochs;
/// optionally restores the weights of the best epoch. mode: "min", "max" or "auto" (max for
/// names containing "acc", else min).
class EarlyStopping : public Callback {
public:
  explicit EarlyStopping(std::string monitor = "val_loss", double minDelta = 0, int patience = 0,
                         bool restoreBestWeights = false, std::string mode = "auto",
                         int verbose = 0);
  void onTrainBegin(const Logs &) override;
  void onEpochEnd(int epoch, const Logs &logs) override;
  void onTrainEnd(const Logs &) override;
  /// The epoch (0-based) at which training stopped; -1 if it did not.
  int stoppedEpoch() const { return stoppedEpoch_; }
  int bestEpoch() const { return bestEpoch_; }
  double best() const { return best_; }

private:
  bool improved(double current) const;
  std::string monitor_, mode_;
  double minDelta_;
  int patience_, verbose_;
  bool restore_, maximize_ = false;
  double best_ = 0;
  int wait_ = 0, stoppedEpoch_ = -1, bestEpoch_ = -1;
  std::map<std::string, HostTensor> bestWeights_;
};

/// Saves the model after each epoch (or only when `monitor` improved, with saveBestOnly) to
/// `path`; "{epoch}" / "{epoch:02d}" in the path become the 1-based epoch number. Saves the
/// whole model (.sinter, Model::save), or only the weights as a checkpoint with weightsOnly.
class ModelCheckpoint : public Callback {
public:
  explicit ModelCheckpoint(std::string path, std::string monitor = "val_loss",
                           bool saveBestOnly = false, std::string mode = "auto",
                           bool weightsOnly = false);
  void onEpochEnd(int epoch, const Logs &logs) override;
  bool chiefOnly() const override { return true; }
  /// The paths written so far.
  const std::vector<std::string> &saved() const { return saved_; }

private:
  std::string path_, monitor_;
  bool saveBestOnly_, maximize_, weightsOnly_;
  bool haveBest_ = false;
  double best_ = 0;
  std::vector<std::string> saved_;
};

/// Fault tolerance (Keras' BackupAndRestore): at the end of every epoch, a checkpoint of the
/// model (Model::saveWeights: weights, optimizer slots, counters) named for the epoch goes to
/// `dir` (older ones are removed); a fit that starts with one there — its previous run was
/// killed — loads the latest and continues with the next epoch. fit ending normally removes
/// them. In data-parallel training rank 0 writes and reads them and the weights it loads go to
/// every rank. Epochs resumed with shuffling on draw their orders from the seed afresh.
class BackupAndRestore : public Callback {
public:
  explicit BackupAndRestore(std::string dir);
  void onTrainBegin(const Logs &logs) override;
  void onEpochEnd(int epoch, const Logs &logs) override;
  void onTrainEnd(const Logs &logs) override;
  /// The epoch (0-based) the latest backup in `dir` ends, or −1 when there is none.
  int latestEpoch() const;

private:
  std::string path(int epoch) const;
  std::string dir_;
};

/// A callback from functions (Keras' LambdaCallback); unset ones do nothing.
class LambdaCallback : public Callback {
public:
  std::function<void(int, const Logs &)> epochBegin, epochEnd, batchBegin, batchEnd;
  std::function<void(const Logs &)> trainBegin, trainEnd;
  void onTrainBegin(const Logs &l) override {
    if (trainBegin)
      trainBegin(l);
  }
  void onTrainEnd(const Logs &l) override {
    if (trainEnd)
      trainEnd(l);
  }
  void onEpochBegin(int e, const Logs &l) override {
    if (epochBegin)
      epochBegin(e, l);
  }
  void onEpochEnd(int e, const Logs &l) override {
    if (epochEnd)
      epochEnd(e, l);
  }
  void onTrainBatchBegin(int b, const Logs &l) override {
    if (batchBegin)
      batchBegin(b, l);
  }
  void onTrainBatchEnd(int b, const Logs &l) override {
    if (batchEnd)
      batchEnd(b, l);
  }
};

/// Keras' progress bar: "12/469 [=>.............................] - ETA: 3s - loss: 0.4100",
/// redrawn with '\r' on a terminal; otherwise only the finished line of each epoch is written.
class ProgressBar {
public:
  /// tty < 0: isatty(stdout) when `out` is std::cout, else false.
  ProgressBar(int64_t target, int verbose = 1, std::ostream *out = nullptr, int tty = -1);
  /// Shows step `current` (1-based) with `values` (in order); `finalize` ends the line.
  void update(int64_t current, const std::vector<std::pair<std::string, double>> &values,
              bool finalize = false);

private:
  int64_t target_;
  int verbose_;
  std::ostream *out_;
  bool tty_;
  double start_, lastDraw_ = -1;
  size_t lastWidth_ = 0;
};

} // namespace sinter::nn

#endif

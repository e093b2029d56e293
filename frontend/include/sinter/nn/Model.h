// Keras-style models: Sequential, subclassed models (override call()), compile / fit /
// evaluate / predict, History, callbacks and the progress bar.
//
// compile() really compiles: the model's graph gets entry points
//   train_step  inputs x [None, ...], y [None, ...]; outputs loss (incl. regularisation),
//               predictions; updates: the optimizer's (weights, slots, step), rng_step
//   test_step   same, training = false, no updates
//   predict     input x; output predictions
// each with a dynamic batch dimension (any batch size, the last partial batch included), all
// in one Program whose entries share the variables. The Program is compiled on the first
// fit/evaluate/predict (the input's feature shape is known only then) and recompiled —
// carrying every variable value over — when a later call needs an entry it lacks.
#ifndef SINTER_NN_MODEL_H
#define SINTER_NN_MODEL_H

#include "sinter/Optim.h"
#include "sinter/Program.h"
#include "sinter/data/Dataset.h"
#include "sinter/nn/ConvLayers.h"
#include "sinter/nn/Layers.h"
#include "sinter/nn/Losses.h"
#include "sinter/nn/MergeLayers.h"
#include "sinter/nn/Metrics.h"
#include "sinter/nn/RecurrentLayers.h"

#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>

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
  /// The paths written so far.
  const std::vector<std::string> &saved() const { return saved_; }

private:
  std::string path_, monitor_;
  bool saveBestOnly_, maximize_, weightsOnly_;
  bool haveBest_ = false;
  double best_ = 0;
  std::vector<std::string> saved_;
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

/// A metric for compile(): a name ("accuracy"/"acc" — binary, categorical or sparse chosen
/// from the loss and shapes — "binary_accuracy", "categorical_accuracy",
/// "sparse_categorical_accuracy", "mse", "mae") or a metric object.
struct MetricSpec {
  MetricSpec(const char *name) : name(name) {}
  MetricSpec(std::string name) : name(std::move(name)) {}
  MetricSpec(std::shared_ptr<metrics::Metric> metric)
      : name(metric->name()), metric(std::move(metric)) {}
  std::string name;
  std::shared_ptr<metrics::Metric> metric;
};

struct FitOptions {
  int64_t batchSize = 32;
  int epochs = 1;
  /// 0 silent, 1 progress bar, 2 one line per epoch.
  int verbose = 1;
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  /// The last fraction of x/y (before shuffling) becomes the validation set, as in Keras.
  double validationSplit = 0;
  /// Validation inputs and labels (takes precedence over validationSplit).
  std::optional<std::pair<HostTensor, HostTensor>> validationData = std::nullopt;
  /// A validation dataset of (x, y) batches (for fit on a Dataset; takes precedence).
  std::optional<data::Dataset> validationDataset = std::nullopt;
  /// Validate after every validationFreq-th epoch.
  int validationFreq = 1;
  bool shuffle = true;
  /// The shuffling seed (the order of each epoch is drawn from one std::mt19937_64).
  uint64_t seed = 0;
  /// Skip the last, partial batch instead of compiling an entry for its size.
  bool dropRemainder = false;
  int initialEpoch = 0;
  /// Where the progress goes (default std::cout) and whether it is a terminal (−1: isatty).
  std::ostream *out = nullptr;
  int tty = -1;
};

struct EvaluateOptions {
  int64_t batchSize = 32;
  int verbose = 0;
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  std::ostream *out = nullptr;
  int tty = -1;
};

/// A layer container that can be compiled and trained: a functional model (Model(inputs,
/// outputs)), a subclass overriding call() (with sub-layers registered by track()), or a
/// Sequential. Models are not copyable: share them with std::shared_ptr (a model used as a
/// layer of another model must be held in one).
class Model : public Layer {
public:
  explicit Model(std::string name = "", std::string typeName = "Model");
  /// The functional API: the layers called from `inputs` (an nn::Input) to `outputs`, replayed
  /// by every call of the model with that call's `training` flag.
  Model(const SymbolicTensor &inputs, const SymbolicTensor &outputs, std::string name = "");
  ~Model() override;
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  /// The layers summary() lists (tracked sub-layers; Sequential: its layers; functional: its
  /// InputLayer, then each layer once, in call order).
  std::vector<Layer *> layers() const { return sublayers(); }
  std::vector<Layer *> sublayers() const override;
  /// Builds the model for inputs of `inputShape` (batch dimension first; −1 or 0 = None) and
  /// `dtype` (int32 for token ids into an Embedding).
  void build(const Shape &inputShape, DType dtype = DType::F32);
  /// Keras' summary table; throws Error if the model is not built.
  std::string summary() const;
  void summary(std::ostream &os) const { os << summary(); }

  /// Errors the loss finds later (a label shape that doesn't match the model's output) name
  /// `loc`, the compile() call.
  void compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
               std::vector<MetricSpec> metrics = {}, Loc loc = Loc::current());
  /// Optimizer and loss by Keras name ("adam", "sgd", "rmsprop"; "mse", "mae",
  /// "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy").
  void compile(const std::string &optimizer, const std::string &loss,
               std::vector<MetricSpec> metrics = {}, Loc loc = Loc::current());
  template <class O, class = std::enable_if_t<std::is_base_of_v<optim::Optimizer, O>>>
  void compile(O optimizer, losses::Loss loss, std::vector<MetricSpec> metrics = {},
               Loc loc = Loc::current()) {
    compile(std::make_shared<O>(std::move(optimizer)), std::move(loss), std::move(metrics), loc);
  }

  /// Trains on x [n, ...] and labels y [n, ...] (host tensors).
  History fit(const HostTensor &x, const HostTensor &y, const FitOptions &options = {});
  /// Trains on a dataset of (x, y) batches (data::Dataset ... .batch(n)); an entry point is
  /// compiled for every batch size that occurs (the program is recompiled, keeping the
  /// variables, the first time a new size shows up). batchSize, validationSplit, shuffle and
  /// dropRemainder of `options` do not apply (the pipeline does that).
  History fit(const data::Dataset &dataset, const FitOptions &options = {});
  /// Loss and metrics over a dataset of (x, y) batches.
  Logs evaluate(const data::Dataset &dataset, const EvaluateOptions &options = {});
  /// Loss and metrics over x/y (the loss includes regularisation, as in Keras).
  Logs evaluate(const HostTensor &x, const HostTensor &y, const EvaluateOptions &options = {});
  /// The model's outputs for x [n, ...] (training = false).
  HostTensor predict(const HostTensor &x, int64_t batchSize = 32);

  /// The current values of the layers' weights, by variable name (copies).
  std::map<std::string, HostTensor> getWeights();
  /// Sets weights by name (each must be a weight of the model with the same shape and dtype).
  void setWeights(const std::map<std::string, HostTensor> &weights);
  /// The compiled program (compiling the entries traced so far if needed); Error before any.
  Program &program();
  bool compiled() const;
  /// Saves the model as a .sinter file (graph, entry points, variable values); a program without
  /// a predict entry (any batch size) is first compiled again with one, so that the file can be
  /// deployed (sinter-compile --entry predict).
  void save(const std::string &path);
  /// A checkpoint file (sinter/io/Checkpoint.h): of a compiled model, every program variable
  /// (weights, optimizer slots, counters) and the training step, to resume training; of a model
  /// used as a layer of a compiled one (a backbone), or of an uncompiled model, its weights.
  void saveWeights(const std::string &path);
  /// Loads a file of saveWeights, compiled or not (then the weights apply when it compiles).
  /// Every weight of the model must be in the file with its shape and dtype, and the file may
  /// hold nothing else but variables of the compiled program (slots, counters); otherwise an
  /// Error lists the mismatches and nothing is loaded.
  void loadWeights(const std::string &path);

  /// The graph the model is built in (created on demand).
  Graph &graph();
  /// Set by a callback to end fit() after the current epoch.
  bool stopTraining = false;
  /// The entry point names of the current program (for tests and tools).
  std::vector<std::string> entryNames() const;
  /// How many times the model's program has been compiled (once per new kind of entry:
  /// train_step, test_step, predict; batch sizes never recompile).
  int compilations() const;
  const std::string &lossName() const;

protected:
  using Layer::build;
  /// Functional models replay their layer calls; otherwise an Error asking to override call()
  /// (subclassed models) — Sequential overrides.
  Tensor call(const Tensor &x, bool training) override;

private:
  struct Impl;
  enum class Kind { Train, Test, Predict };
  void requireCompiled(const char *what) const;
  /// The current weights of the parts that are models (a trained model reused as a layer): a
  /// new program of this model starts from them.
  std::map<std::string, HostTensor> partWeights();
  /// Tells this model's parts that are models (recursively) that their weights live in
  /// `program` now.
  void hostParts(const Program &program);
  /// The callbacks of a fit/evaluate call, each told which model it serves.
  std::vector<Callback *> attach(const std::vector<std::shared_ptr<Callback>> &callbacks);
  /// Makes sure the program has the entries of these kinds.
  /// Throws Error when the model starts with an Embedding and `x` holds an id outside it.
  void checkEmbeddingIds(const HostTensor &x) const;
  void ensureEntries(const std::vector<Kind> &needed, const HostTensor &x, const HostTensor *y);
  Logs runTest(const HostTensor &x, const HostTensor &y, int64_t batchSize,
               const std::vector<Callback *> &callbacks, ProgressBar *bar);
  Logs runTestDataset(const data::Dataset &dataset, const std::vector<Callback *> &callbacks,
                      ProgressBar *bar);
  /// One compiled step on a batch; updates the running loss and metrics into `logs`.
  void runStep(Kind kind, const HostTensor &x, const HostTensor &y, double &lossSum, int64_t &count,
               Logs &logs);
  std::unique_ptr<Impl> impl_;
};

/// A linear stack of layers. Layers are copied in by value or shared:
///   Sequential model({Dense(256, "relu"), Dropout(0.5), Dense(10)});
///   model.add(Dense(64, "relu"));
class Sequential : public Model {
public:
  /// A layer by value (copied into shared storage) or by shared pointer.
  struct LayerRef {
    template <class L, class = std::enable_if_t<std::is_base_of_v<Layer, std::decay_t<L>>>>
    LayerRef(L &&layer) : layer(std::make_shared<std::decay_t<L>>(std::forward<L>(layer))) {}
    template <class L> LayerRef(std::shared_ptr<L> layer) : layer(std::move(layer)) {}
    std::shared_ptr<Layer> layer;
  };

  explicit Sequential(std::string name = "");
  Sequential(std::initializer_list<LayerRef> layers, std::string name = "");
  Sequential(const std::vector<LayerRef> &layers, std::string name = "");

  /// Appends a layer; returns the stored layer.
  template <class L, class = std::enable_if_t<std::is_base_of_v<Layer, std::decay_t<L>>>>
  std::decay_t<L> &add(L &&layer) {
    auto p = std::make_shared<std::decay_t<L>>(std::forward<L>(layer));
    addShared(p);
    return *p;
  }
  template <class L> L &add(std::shared_ptr<L> layer) {
    addShared(layer);
    return *layer;
  }
  std::vector<Layer *> sublayers() const override;

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  void addShared(std::shared_ptr<Layer> layer);
  std::vector<std::shared_ptr<Layer>> stack_;
};

/// Keras' losses by name ("mse", "mean_squared_error", "mae", "huber", "binary_crossentropy",
/// "categorical_crossentropy", "sparse_categorical_crossentropy"); Error otherwise.
losses::Loss lossByName(const std::string &name);
/// "adam", "sgd", "rmsprop" with Keras' defaults.
std::shared_ptr<optim::Optimizer> optimizerByName(const std::string &name);

} // namespace sinter::nn

#endif

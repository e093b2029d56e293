// Keras-style models: Sequential, subclassed models (override call()), compile / fit /
// evaluate / predict (History, callbacks and the progress bar: Callbacks.h).
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

#include "sinter/Distributed.h"
#include "sinter/Program.h"
#include "sinter/data/Dataset.h"
#include "sinter/nn/Callbacks.h"
#include "sinter/nn/ConvLayers.h"
#include "sinter/nn/Layers.h"
#include "sinter/nn/Losses.h"
#include "sinter/nn/MergeLayers.h"
#include "sinter/nn/Metrics.h"
#include "sinter/nn/RecurrentLayers.h"
#include "sinter/optim/Optimizers.h"

#include <functional>
#include <initializer_list>
#include <iostream>
#include <optional>

namespace sinter::nn {

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

/// Data-parallel training over the ranks of an `mpirun` job (tf.distribute's
/// MultiWorkerMirroredStrategy, PyTorch's DistributedDataParallel): Model::distribute.
struct DataParallel {
  /// The most gradient bytes one all_reduce carries (distributed::allReduceGradients).
  size_t bucketBytes = distributed::kBucketBytes;
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
  /// Prints Keras' summary table (to std::cout, as Keras); throws Error if the model is not
  /// built.
  void summary(std::ostream &os = std::cout) const { os << summaryString(); }
  /// The summary table as a string.
  std::string summaryString() const;

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
  /// Trains data-parallel from now on, over the ranks of the job this process was started in
  /// by mpirun (distributed::initialize(); an Error outside one). Every rank runs the same
  /// program on the same data: fit and evaluate split each global batch of batchSize rows
  /// between the ranks (distributed::shard), the train step reduces the gradients across
  /// ranks (each rank's loss weighted by its share of the rows, so the update is that of the
  /// whole global batch), the reported loss is the global batch's, and each pass's metrics
  /// are averaged across ranks for the progress bar and History. Rank 0's variables go to
  /// every rank whenever the program is compiled (after a check that all ranks compiled the
  /// same one); only rank 0 prints progress and runs the callbacks that write files
  /// (Callback::chiefOnly). Call before the first fit.
  void distribute(DataParallel strategy = {});
  /// Whether distribute() was called.
  bool distributed() const;
  /// Saves the model as a .sinter file: the graph, the entry points, every variable value
  /// (weights, optimizer slots, counters) and what load() needs (loss, metric names, summary).
  /// A program without a predict entry (any batch size) is first compiled again with one, so
  /// that the file can be deployed (sinter-compile --entry predict).
  void save(const std::string &path);
  /// Keras' load_model: a model written by save() comes back ready to predict, evaluate and —
  /// when it was saved after fit — continue training where it stopped: its compiled entries
  /// (train_step, test_step, predict), every variable (the optimizer's slots and step counter
  /// included), its loss, metrics and summary. Metrics that were objects of the user's own
  /// classes are passed again in `customMetrics`, matched by name (Keras' custom_objects). The
  /// model runs the saved graph and has no layer objects: it cannot be compiled again,
  /// distributed or called on tensors (for that, build the model in code and loadWeights a
  /// checkpoint). Throws Error naming the file when it is missing, corrupt or not a Model's.
  static std::shared_ptr<Model>
  load(const std::string &path, std::vector<std::shared_ptr<metrics::Metric>> customMetrics = {});
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
  /// Set by a callback in onTrainBegin to start fit() at this (0-based) epoch instead of
  /// FitOptions::initialEpoch (BackupAndRestore); fit resets it.
  int resumeEpoch = -1;
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
  /// The strings save() keeps beside the graph for load().
  std::map<std::string, std::string> fileMetadata() const;
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
  /// Called once per (x, y) batch of a pass.
  using BatchStep = std::function<void(const HostTensor &x, const HostTensor &y)>;
  /// A pass over (x, y) batches: calls its argument once per batch, in order.
  using Batches = std::function<void(const BatchStep &)>;
  struct Pass {
    Logs logs;
    int64_t steps = 0;
  };
  /// The batches of rows [0, rows) of x and y (in `order` when given), `batchSize` rows each,
  /// gathered into the buffers of `kind`'s entry; the last partial one unless dropRemainder.
  Batches tensorBatches(Kind kind, const HostTensor &x, const HostTensor &y, int64_t rows,
                        int64_t batchSize, bool dropRemainder, const std::vector<int64_t> *order);
  /// The (x, y) elements of a dataset of batches, each checked against (and, for a first
  /// training batch, compiling) the entries of `kind`.
  Batches datasetBatches(const data::Dataset &dataset, Kind kind);
  /// One compiled step on a batch whose entry exists; updates the running loss and metrics into
  /// `logs`.
  void runStep(Kind kind, const HostTensor &x, const HostTensor &y, double &lossSum, int64_t &count,
               Logs &logs);
  /// One pass of train or test steps with fresh metrics, the batch callbacks and `bar`.
  Pass runPass(Kind kind, const Batches &batches, const std::vector<Callback *> &callbacks,
               ProgressBar *bar);
  /// The epochs of fit (both overloads): training passes, validation, callbacks, History.
  History fitEpochs(const FitOptions &options, int64_t stepsPerEpoch, const Batches &train,
                    const Batches *validation);
  /// evaluate (both overloads): one test pass with its callbacks and progress bar.
  Logs evaluateBatches(const Batches &batches, int64_t steps, const EvaluateOptions &options);
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

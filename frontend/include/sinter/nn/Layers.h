// Keras-style layers over the graph API. A layer is built on its first call, from the shape of
// its input (the leading dimension is the batch); its weights are graph variables named
// "<layer>/<weight>" (e.g. "dense_1/kernel"), created once and shared by every later call —
// so a model traced for two batch sizes (a train step and the last, partial batch) has one set
// of weights. `call(x, training)` is the forward pass; Dropout and similar layers behave
// differently when `training` is true.
#ifndef SINTER_NN_LAYERS_H
#define SINTER_NN_LAYERS_H

#include "sinter/Ops.h"
#include "sinter/nn/Initializers.h"
#include "sinter/nn/SymbolicTensor.h"

#include <memory>
#include <string>
#include <vector>

namespace sinter::nn {

/// Keras' automatic layer names: "dense", "dense_1", "dense_2", ... (one counter per base name
/// in the process).
std::string uniqueLayerName(const std::string &base);
/// "LeakyReLU" -> "leaky_re_lu" (Keras' to_snake_case).
std::string toSnakeCase(const std::string &typeName);

/// The seed a name stands for (FNV-1a): initializers and dropout masks are seeded by the
/// weight's or layer's name, so a model gets the same numbers on every run.
int64_t nameSeed(const std::string &name);

/// x [..., n] · kernel [n, m] → [..., m] for any rank, a dynamic batch included (Dense on
/// sequences, the input projection of recurrent layers): one matrix product over every row.
Tensor matmulLastAxis(const Tensor &x, const Tensor &kernel);

/// The int64 scalar step counter that layers drawing fresh randomness per training step
/// (Dropout) use as their RNG counter offset: the non-trainable variable "rng_step" of `g`,
/// created on first use. Model's train steps increment it; a hand-written train step that uses
/// Dropout must add `rngStepUpdate(g)` to its updates.
Variable rngStep(Graph &g);
/// {rngStep(g), rngStep(g) + 1}.
Update rngStepUpdate(Graph &g);
/// Appends rngStepUpdate(g) to a step's updates if the graph draws per-step randomness (has
/// "rng_step"); a step without it leaves the counter alone.
void addRngStepUpdate(Graph &g, std::vector<Update> &updates);

/// Layers are shared with std::shared_ptr (std::make_shared<Conv2D>(...)) where several
/// models or calls use the same one; a layer passed by value is copied (see clone()).
class Layer : public std::enable_shared_from_this<Layer> {
public:
  /// `typeName` is the class name shown by summary() ("Dense"); the default name is the unique
  /// snake-case form of it ("dense_3").
  explicit Layer(std::string typeName, std::string name = "");
  virtual ~Layer();
  /// Copies share the weights. A layer that tracks sub-layers (its members) cannot be copied
  /// or moved — the copy's pointers would still lead to the original's members — and throws
  /// Error saying to hold it in a std::shared_ptr instead.
  Layer(const Layer &other);
  Layer &operator=(const Layer &other);
  Layer(Layer &&other) : Layer(static_cast<const Layer &>(other)) {}
  Layer &operator=(Layer &&other) { return *this = static_cast<const Layer &>(other); }

  /// Builds the layer on the first call (from x's graph and shape), then runs call().
  Tensor operator()(const Tensor &x, bool training = false);
  /// A layer of several inputs (Add, Concatenate, ...): built from the first input's shape.
  Tensor operator()(const std::vector<Tensor> &inputs, bool training = false);
  /// The functional API: builds the layer (inference mode) and records the call. The record
  /// holds this layer if it is owned by a std::shared_ptr, else a clone() of it (which shares
  /// the weights just created).
  SymbolicTensor operator()(const SymbolicTensor &x);
  SymbolicTensor operator()(const std::vector<SymbolicTensor> &inputs);
  /// A copy in shared storage (same weights once built). Library layers implement it; a
  /// custom layer either does (return std::make_shared<MyLayer>(*this)) or is created with
  /// std::make_shared; the default throws Error saying so.
  virtual std::shared_ptr<Layer> clone() const;

  const std::string &name() const { return name_; }
  const std::string &typeName() const { return typeName_; }
  bool built() const { return built_; }
  /// The graph the layer was built in (nullptr before).
  Graph *graph() const { return graph_; }
  /// The input shape of the first call (batch dimension first).
  const Shape &inputShape() const { return inputShape_; }
  /// The output shape of the latest call.
  const Shape &outputShape() const { return outputShape_; }

  /// A frozen layer's weights (and its sub-layers') are non-trainable (Keras' layer.trainable);
  /// a frozen BatchNormalization runs in inference mode. Setting it sets every sub-layer's
  /// too, as Keras does, so a frozen model used as a layer stays frozen inside.
  bool trainable() const { return trainable_; }
  void setTrainable(bool trainable);

  /// Weights of this layer and of its tracked sub-layers, in creation order.
  std::vector<Variable> variables() const;
  std::vector<Variable> trainableVariables() const;
  std::vector<Variable> nonTrainableVariables() const;
  /// The regularisation penalties of the weights (graph tensors, built on each call).
  std::vector<Tensor> regularizationLosses() const;
  /// Number of weight elements (all variables).
  int64_t countParams() const;
  int64_t countTrainableParams() const;
  /// Sub-layers tracked with track() (containers: their layers).
  virtual std::vector<Layer *> sublayers() const;
  /// The state updates of the latest call of this layer and its sub-layers (Keras'
  /// layer.updates): BatchNormalization's moving statistics, in a training call. A train step
  /// applies them with the optimizer's updates (Model does; a hand-written step adds them).
  std::vector<Update> updates() const;

protected:
  /// Creates the weights; `inputShape` includes the batch dimension.
  virtual void build(Graph &g, const Shape &inputShape);
  /// The forward pass.
  virtual Tensor call(const Tensor &x, bool training) = 0;
  /// The forward pass of a call with a list of inputs; the default takes exactly one and
  /// runs call().
  virtual Tensor callInputs(const std::vector<Tensor> &inputs, bool training);

  /// Creates weight "<layer>/<name>" with an initial value from `init` (seeded by the name, so
  /// the same model gets the same weights on every run).
  Variable addWeight(Graph &g, const std::string &name, const Shape &shape,
                     const initializers::Initializer &init, bool trainable = true,
                     regularizers::Regularizer regularizer = nullptr, DType dtype = DType::F32);
  /// Builds the layer from `x` (its graph and shape) unless it is built; checks the graph.
  void ensureBuilt(const Tensor &x);
  /// Records a state update of this call (cleared when the next call starts).
  void addUpdate(const Variable &variable, const Tensor &value) {
    updates_.push_back({variable, value});
  }
  /// Registers a sub-layer (a member of a custom layer or subclassed model): its weights count
  /// as this layer's, and summary() lists it. Returns the argument.
  template <class L> L &track(L &layer) {
    tracked_.push_back(&layer);
    return layer;
  }
  template <class L> std::shared_ptr<L> track(std::shared_ptr<L> layer) {
    tracked_.push_back(layer.get());
    return layer;
  }

private:
  Tensor run(const std::vector<Tensor> &inputs, bool training);
  struct Weight {
    Variable variable;
    bool trainable;
    regularizers::Regularizer regularizer;
  };
  std::string typeName_, name_;
  bool built_ = false, trainable_ = true;
  Graph *graph_ = nullptr;
  Shape inputShape_, outputShape_;
  std::vector<Weight> weights_;
  std::vector<Layer *> tracked_;
  std::vector<Update> updates_;
};

/// An activation given by name ("relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu",
/// "linear"; "" = none) or as a function.
struct ActivationFn {
  ActivationFn() = default;
  ActivationFn(const char *name);
  ActivationFn(std::string name);
  ActivationFn(activations::Activation fn, std::string name = "custom");
  Tensor operator()(const Tensor &x) const { return fn ? fn(x) : x; }
  std::string name;
  activations::Activation fn;
};

/// y = activation(x @ kernel + bias); kernel [in, units], bias [units]. Inputs of rank > 2 are
/// multiplied on their last axis.
class Dense : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Dense>(*this); }
  explicit Dense(int64_t units, ActivationFn activation = {}, bool useBias = true,
                 initializers::Initializer kernelInitializer = initializers::glorotUniform(),
                 initializers::Initializer biasInitializer = initializers::zeros(),
                 regularizers::Regularizer kernelRegularizer = nullptr,
                 regularizers::Regularizer biasRegularizer = nullptr, std::string name = "");
  int64_t units() const { return units_; }
  const Variable &kernel() const { return kernel_; }
  const Variable &bias() const { return bias_; }

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;

private:
  int64_t units_;
  ActivationFn activation_;
  bool useBias_;
  initializers::Initializer kernelInit_, biasInit_;
  regularizers::Regularizer kernelReg_, biasReg_;
  Variable kernel_, bias_;
};

/// [b, d1, d2, ...] -> [b, d1·d2·...].
class Flatten : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Flatten>(*this); }
  explicit Flatten(std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;
};

/// [b, ...] -> [b, targetShape...] (targetShape without the batch; one −1 allowed).
class Reshape : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Reshape>(*this); }
  explicit Reshape(Shape targetShape, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  Shape target_;
};

/// Inverted dropout: in training, each element is zeroed with probability `rate` and the rest
/// are scaled by 1/(1−rate), with a fresh mask on every step (counter-based RNG offset by
/// rngStep()); at inference, the identity. seed < 0 picks a seed from the layer's name.
class Dropout : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Dropout>(*this); }
  explicit Dropout(double rate, int64_t seed = -1, std::string name = "");
  double rate() const { return rate_; }

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  double rate_;
  int64_t seed_;
};

/// Adds zero-mean Gaussian noise of `stddev` in training (a fresh draw each step, like Dropout);
/// the identity at inference. The denoising autoencoder's corruption (12.3).
class GaussianNoise : public Layer {
public:
  explicit GaussianNoise(double stddev, int64_t seed = -1, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GaussianNoise>(*this); }

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  double stddev_;
  int64_t seed_;
};

/// Keras' Embedding: integer ids [batch, ...] → rows of the weight "embeddings" [inputDim,
/// outputDim], i.e. [batch, ..., outputDim] (a gather; its gradient adds into the used rows).
/// Ids must be int32 or int64 in [0, inputDim).
class Embedding : public Layer {
public:
  Embedding(int64_t inputDim, int64_t outputDim,
            initializers::Initializer initializer = initializers::randomUniform(),
            std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Embedding>(*this); }
  int64_t inputDim() const { return inputDim_; }
  int64_t outputDim() const { return outputDim_; }
  const Variable &embeddings() const { return embeddings_; }

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;

private:
  int64_t inputDim_, outputDim_;
  initializers::Initializer initializer_;
  Variable embeddings_;
};

/// Batch normalisation over the last axis (the channels; Keras' axis=-1). In training (and
/// while trainable: a frozen layer uses its moving statistics, as in Keras):
/// (x − μ_B) / √(σ²_B + ε) · γ + β with the batch's mean and (population) variance over every
/// other axis, and the moving statistics updated as μ ← momentum·μ + (1 − momentum)·μ_B (the
/// same for σ²; see Layer::updates()). At inference: the moving statistics. Weights gamma
/// (ones) and beta (zeros) are trainable; moving_mean (zeros) and moving_variance (ones) not.
class BatchNormalization : public Layer {
public:
  std::shared_ptr<Layer> clone() const override {
    return std::make_shared<BatchNormalization>(*this);
  }
  explicit BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true,
                              bool scale = true, std::string name = "");

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;

private:
  double momentum_, epsilon_;
  bool center_, scale_;
  Variable gamma_, beta_, movingMean_, movingVariance_;
};

/// An activation as a layer (0 parameters).
class Activation : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Activation>(*this); }
  explicit Activation(ActivationFn activation, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  ActivationFn activation_;
};

class ReLU : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ReLU>(*this); }
  explicit ReLU(std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;
};

/// max(x, alpha·x); Keras' default alpha is 0.3.
class LeakyReLU : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<LeakyReLU>(*this); }
  explicit LeakyReLU(double alpha = 0.3, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  double alpha_;
};

class Softmax : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Softmax>(*this); }
  explicit Softmax(int64_t axis = -1, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  int64_t axis_;
};

class ELU : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ELU>(*this); }
  explicit ELU(double alpha = 1.0, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  double alpha_;
};

/// The input of a functional model (the first row of its summary): the identity.
class InputLayer : public Layer {
public:
  explicit InputLayer(std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<InputLayer>(*this); }

protected:
  Tensor call(const Tensor &x, bool training) override;
};

} // namespace sinter::nn

#endif

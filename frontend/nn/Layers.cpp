// Layer base class and the core layers (Dense, Flatten, Reshape, Dropout, activations).
#include "sinter/nn/Layers.h"

#include "sinter/TensorLanguage.h"

#include <cctype>
#include <map>
#include <mutex>

namespace sinter::nn {

int64_t nameSeed(const std::string &name) {
  uint64_t h = 1469598103934665603ull; // FNV-1a: stable across runs and platforms
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h & 0x7fffffff);
}

std::string toSnakeCase(const std::string &typeName) {
  // Keras: re.sub('(.)([A-Z][a-z0-9]+)', r'\1_\2'), then re.sub('([a-z])([A-Z])', r'\1_\2').
  auto lowerOrDigit = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  std::string a;
  for (size_t i = 0; i < typeName.size(); ++i) {
    char c = typeName[i];
    if (i > 0 && upper(c) && i + 1 < typeName.size() && lowerOrDigit(typeName[i + 1]))
      a += '_';
    a += c;
  }
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (i > 0 && upper(c) && std::islower(static_cast<unsigned char>(a[i - 1])))
      b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return b;
}

std::string uniqueLayerName(const std::string &base) {
  static std::mutex mutex;
  static std::map<std::string, int> counters;
  std::lock_guard<std::mutex> lock(mutex);
  int n = counters[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

Tensor matmulLastAxis(const Tensor &x, const Tensor &kernel) {
  Shape s = x.shape();
  if (s.size() <= 2)
    return matmul(x, kernel);
  int64_t rows = 1, n = s.back(), m = kernel.shape()[1];
  for (size_t i = 1; i + 1 < s.size(); ++i)
    rows *= s[i];
  Shape out(s.begin(), s.end() - 1);
  out.push_back(m);
  if (s[0] >= 0)
    return reshape(matmul(reshape(x, {s[0] * rows, n}), kernel), out);
  // A dynamic batch stays one dimension: the rows become a 1×1 convolution's pixels.
  Tensor y = conv2d(reshape(x, {-1, rows, 1, n}), reshape(kernel, {1, 1, n, m}));
  return reshape(y, out);
}

Variable rngStep(Graph &g) {
  for (const Variable &v : g.variables())
    if (v.name() == "rng_step")
      return v;
  Variable step;
  g.outsideScans([&] { step = g.variable("rng_step", scalar(g, 0, DType::I64), false); });
  return step;
}

Update rngStepUpdate(Graph &g) {
  Variable step = rngStep(g);
  return {step, add(step, scalar(g, 1, DType::I64))};
}

void addRngStepUpdate(Graph &g, std::vector<Update> &updates) {
  for (const Variable &v : g.variables())
    if (v.name() == "rng_step") {
      updates.push_back(rngStepUpdate(g));
      return;
    }
}

// ---------------------------------------------------------------------------------------------
// Layer

Layer::Layer(std::string typeName, std::string name)
    : typeName_(std::move(typeName)),
      name_(name.empty() ? uniqueLayerName(toSnakeCase(typeName_)) : std::move(name)) {}

Layer::~Layer() = default;

Layer::Layer(const Layer &other) { *this = other; }

Layer &Layer::operator=(const Layer &other) {
  if (this == &other)
    return *this;
  if (!other.tracked_.empty())
    throw Error("layer '" + other.name_ + "' (" + other.typeName_ +
                ") has sub-layers, which a "
                "copy would not own: create it with std::make_shared and pass the pointer (e.g. "
                "Sequential({std::make_shared<" +
                other.typeName_ + ">(...)}))");
  typeName_ = other.typeName_;
  name_ = other.name_;
  built_ = other.built_;
  trainable_ = other.trainable_;
  graph_ = other.graph_;
  inputShape_ = other.inputShape_;
  outputShape_ = other.outputShape_;
  weights_ = other.weights_;
  tracked_.clear();
  updates_ = other.updates_;
  return *this;
}

void Layer::build(Graph &, const Shape &) {}

void Layer::setTrainable(bool trainable) {
  trainable_ = trainable;
  for (Layer *l : sublayers())
    l->setTrainable(trainable);
}

Tensor Layer::operator()(const Tensor &x, bool training) { return run({x}, training); }

Tensor Layer::operator()(const std::vector<Tensor> &inputs, bool training) {
  return run(inputs, training);
}

Tensor Layer::run(const std::vector<Tensor> &inputs, bool training) {
  if (inputs.empty())
    throw Error("layer '" + name_ + "': called on an empty list of inputs");
  for (const Tensor &x : inputs) {
    if (!x.valid())
      throw Error("layer '" + name_ + "': called on an empty tensor");
    if (&x.graph() != &inputs.front().graph())
      throw Error("layer '" + name_ + "': its inputs belong to different graphs");
  }
  ensureBuilt(inputs.front());
  updates_.clear();
  Tensor y = callInputs(inputs, training);
  outputShape_ = y.shape();
  return y;
}

void Layer::ensureBuilt(const Tensor &x) {
  if (!built_) {
    graph_ = &x.graph();
    inputShape_ = x.shape();
    graph_->outsideScans([&] { build(*graph_, inputShape_); }); // weights outside loop bodies
    built_ = true;
  } else if (&x.graph() != graph_) {
    throw Error("layer '" + name_ +
                "': called in another graph than the one it was built in (a built model is "
                "reused by calling it on an nn::Input directly, or in a Sequential)");
  }
}

Tensor Layer::callInputs(const std::vector<Tensor> &inputs, bool training) {
  if (inputs.size() != 1)
    throw Error("layer '" + name_ + "' (" + typeName_ + ") takes one input, got " +
                std::to_string(inputs.size()));
  return call(inputs.front(), training);
}

std::shared_ptr<Layer> Layer::clone() const {
  throw Error("layer '" + name_ + "' (" + typeName_ +
              ") cannot be copied into a model: create it with std::make_shared<" + typeName_ +
              ">(...) (or give the class a clone())");
}

std::vector<Update> Layer::updates() const {
  std::vector<Update> out = updates_;
  for (Layer *l : sublayers())
    for (const Update &u : l->updates())
      out.push_back(u);
  return out;
}

Variable Layer::addWeight(Graph &g, const std::string &name, const Shape &shape,
                          const initializers::Initializer &init, bool trainable,
                          regularizers::Regularizer regularizer, DType dtype) {
  std::string full = name_ + "/" + name;
  Tensor initial = init ? init(g, shape, nameSeed(full), dtype) : zeros(g, shape, dtype);
  if (initial.shape() != shape)
    throw Error("layer '" + name_ + "': initializer of '" + name + "' gave shape " +
                shapeString(initial.shape()) + ", expected " + shapeString(shape));
  Variable v = g.variable(full, initial, trainable);
  weights_.push_back({v, trainable, std::move(regularizer)});
  return v;
}

std::vector<Layer *> Layer::sublayers() const { return tracked_; }

std::vector<Variable> Layer::variables() const {
  std::vector<Variable> out;
  for (const Weight &w : weights_)
    out.push_back(w.variable);
  for (Layer *l : sublayers())
    for (const Variable &v : l->variables())
      out.push_back(v);
  return out;
}

std::vector<Variable> Layer::trainableVariables() const {
  std::vector<Variable> out;
  if (!trainable_)
    return out;
  for (const Weight &w : weights_)
    if (w.trainable)
      out.push_back(w.variable);
  for (Layer *l : sublayers())
    for (const Variable &v : l->trainableVariables())
      out.push_back(v);
  return out;
}

std::vector<Variable> Layer::nonTrainableVariables() const {
  std::vector<Variable> out;
  for (const Weight &w : weights_)
    if (!w.trainable || !trainable_)
      out.push_back(w.variable);
  for (Layer *l : sublayers())
    for (const Variable &v : trainable_ ? l->nonTrainableVariables() : l->variables())
      out.push_back(v);
  return out;
}

std::vector<Tensor> Layer::regularizationLosses() const {
  std::vector<Tensor> out;
  for (const Weight &w : weights_)
    if (w.regularizer)
      out.push_back(w.regularizer(w.variable));
  for (Layer *l : sublayers())
    for (const Tensor &t : l->regularizationLosses())
      out.push_back(t);
  return out;
}

int64_t Layer::countParams() const {
  int64_t n = 0;
  for (const Variable &v : variables())
    n += v.numElements();
  return n;
}

int64_t Layer::countTrainableParams() const {
  int64_t n = 0;
  for (const Variable &v : trainableVariables())
    n += v.numElements();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Activations

ActivationFn::ActivationFn(const char *name) : ActivationFn(std::string(name)) {}
ActivationFn::ActivationFn(std::string n) : name(std::move(n)) {
  if (!name.empty() && name != "linear")
    fn = activations::byName(name);
}
ActivationFn::ActivationFn(activations::Activation f, std::string n)
    : name(std::move(n)), fn(std::move(f)) {}

// ---------------------------------------------------------------------------------------------
// Dense

Dense::Dense(int64_t units, ActivationFn activation, bool useBias,
             initializers::Initializer kernelInitializer, initializers::Initializer biasInitializer,
             regularizers::Regularizer kernelRegularizer, regularizers::Regularizer biasRegularizer,
             std::string name)
    : Layer("Dense", std::move(name)), units_(units), activation_(std::move(activation)),
      useBias_(useBias), kernelInit_(std::move(kernelInitializer)),
      biasInit_(std::move(biasInitializer)), kernelReg_(std::move(kernelRegularizer)),
      biasReg_(std::move(biasRegularizer)) {
  if (units <= 0)
    throw Error("Dense: units must be positive, got " + std::to_string(units));
}

void Dense::build(Graph &g, const Shape &inputShape) {
  if (inputShape.size() < 2)
    throw Error("layer '" + name() + "' (Dense): input of shape " + shapeString(inputShape) +
                " needs a batch dimension and at least one feature dimension");
  int64_t in = inputShape.back();
  kernel_ = addWeight(g, "kernel", {in, units_}, kernelInit_, true, kernelReg_);
  if (useBias_)
    bias_ = addWeight(g, "bias", {units_}, biasInit_, true, biasReg_);
}

Tensor Dense::call(const Tensor &x, bool) {
  Shape s = x.shape();
  if (s.back() != kernel_.shape()[0])
    throw Error("layer '" + name() + "' (Dense): built for " + std::to_string(kernel_.shape()[0]) +
                " input features, called on shape " + shapeString(s));
  Tensor y = matmulLastAxis(x, kernel_);
  if (useBias_)
    y = y + bias_;
  return activation_(y);
}

// ---------------------------------------------------------------------------------------------
// Shape layers

Flatten::Flatten(std::string name) : Layer("Flatten", std::move(name)) {}
Tensor Flatten::call(const Tensor &x, bool) {
  Shape s = x.shape();
  if (s.empty())
    throw Error("layer '" + name() + "' (Flatten): needs a batch dimension");
  int64_t n = 1;
  for (size_t i = 1; i < s.size(); ++i)
    n *= s[i];
  return reshape(x, {s[0], n});
}

Reshape::Reshape(Shape targetShape, std::string name)
    : Layer("Reshape", std::move(name)), target_(std::move(targetShape)) {}
Tensor Reshape::call(const Tensor &x, bool) {
  Shape s{x.shape().at(0)};
  s.insert(s.end(), target_.begin(), target_.end());
  return reshape(x, s);
}

// ---------------------------------------------------------------------------------------------
// Dropout

Dropout::Dropout(double rate, int64_t seed, std::string name)
    : Layer("Dropout", std::move(name)), rate_(rate), seed_(seed) {
  if (rate < 0 || rate >= 1)
    throw Error("Dropout: rate must be in [0, 1), got " + std::to_string(rate));
}

Tensor Dropout::call(const Tensor &x, bool training) {
  if (!training || rate_ == 0)
    return x;
  Graph &g = x.graph();
  int64_t seed = seed_ >= 0 ? seed_ : nameSeed(name());
  Tensor u = random::uniform(rngStep(g), x.shape(), 0.0, 1.0, seed, x.dtype());
  Tensor keep = cast(u >= rate_, x.dtype());
  return x * keep * (1.0 / (1.0 - rate_));
}

GaussianNoise::GaussianNoise(double stddev, int64_t seed, std::string name)
    : Layer("GaussianNoise", std::move(name)), stddev_(stddev), seed_(seed) {
  if (!(stddev >= 0))
    throw Error("GaussianNoise: stddev must be non-negative, got " + std::to_string(stddev));
}

Tensor GaussianNoise::call(const Tensor &x, bool training) {
  if (!training || stddev_ == 0)
    return x;
  int64_t seed = seed_ >= 0 ? seed_ : nameSeed(name());
  return x + random::normal(rngStep(x.graph()), x.shape(), 0.0, stddev_, seed, x.dtype());
}

// ---------------------------------------------------------------------------------------------
// Embedding

Embedding::Embedding(int64_t inputDim, int64_t outputDim, initializers::Initializer initializer,
                     std::string name)
    : Layer("Embedding", std::move(name)), inputDim_(inputDim), outputDim_(outputDim),
      initializer_(std::move(initializer)) {
  if (inputDim <= 0 || outputDim <= 0)
    throw Error("Embedding: inputDim and outputDim must be positive, got " +
                std::to_string(inputDim) + " and " + std::to_string(outputDim));
}

void Embedding::build(Graph &g, const Shape &) {
  embeddings_ = addWeight(g, "embeddings", {inputDim_, outputDim_}, initializer_);
}

Tensor Embedding::call(const Tensor &x, bool) {
  if (x.dtype() != DType::I32 && x.dtype() != DType::I64)
    throw Error("layer '" + name() + "' (Embedding) takes int32 or int64 ids, got " +
                runtime::dtypeName(x.dtype()));
  return gather(embeddings_, x, 0);
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation

BatchNormalization::BatchNormalization(double momentum, double epsilon, bool center, bool scale,
                                       std::string name)
    : Layer("BatchNormalization", std::move(name)), momentum_(momentum), epsilon_(epsilon),
      center_(center), scale_(scale) {
  if (momentum < 0 || momentum > 1 || epsilon <= 0)
    throw Error("BatchNormalization: momentum must be in [0, 1] and epsilon positive");
}

void BatchNormalization::build(Graph &g, const Shape &inputShape) {
  if (inputShape.size() < 2)
    throw Error("layer '" + name() + "' (BatchNormalization): input of shape " +
                shapeString(inputShape) + " needs a batch dimension and a feature axis");
  Shape c{inputShape.back()};
  if (scale_)
    gamma_ = addWeight(g, "gamma", c, initializers::ones());
  if (center_)
    beta_ = addWeight(g, "beta", c, initializers::zeros());
  movingMean_ = addWeight(g, "moving_mean", c, initializers::zeros(), /*trainable=*/false);
  movingVariance_ = addWeight(g, "moving_variance", c, initializers::ones(), /*trainable=*/false);
}

Tensor BatchNormalization::call(const Tensor &x, bool training) {
  if (x.shape().back() != movingMean_.shape()[0])
    throw Error("layer '" + name() + "' (BatchNormalization): built for " +
                std::to_string(movingMean_.shape()[0]) + " channels, called on shape " +
                shapeString(x.shape()));
  if (training && trainable()) {
    // One op (oneDNN's kernels for float32) over the batch's statistics; absent gamma/beta
    // are the constants 1 and 0.
    Tensor gamma = scale_ ? gamma_ : onesLike(movingMean_);
    Tensor beta = center_ ? beta_ : zerosLike(movingMean_);
    FusedBatchNorm bn = fusedBatchNorm(x, gamma, beta, epsilon_);
    addUpdate(movingMean_, movingMean_ * momentum_ + bn.mean * (1 - momentum_));
    addUpdate(movingVariance_, movingVariance_ * momentum_ + bn.variance * (1 - momentum_));
    return bn.y;
  }
  Tensor y = (x - movingMean_) / sqrt(movingVariance_ + epsilon_);
  if (scale_)
    y = y * gamma_;
  if (center_)
    y = y + beta_;
  return y;
}

// ---------------------------------------------------------------------------------------------
// Activation layers

Activation::Activation(ActivationFn activation, std::string name)
    : Layer("Activation", std::move(name)), activation_(std::move(activation)) {}
Tensor Activation::call(const Tensor &x, bool) { return activation_(x); }

ReLU::ReLU(std::string name) : Layer("ReLU", std::move(name)) {}
Tensor ReLU::call(const Tensor &x, bool) { return relu(x); }

LeakyReLU::LeakyReLU(double alpha, std::string name)
    : Layer("LeakyReLU", std::move(name)), alpha_(alpha) {}
Tensor LeakyReLU::call(const Tensor &x, bool) { return activations::leakyRelu(x, alpha_); }

Softmax::Softmax(int64_t axis, std::string name) : Layer("Softmax", std::move(name)), axis_(axis) {}
Tensor Softmax::call(const Tensor &x, bool) { return activations::softmax(x, axis_); }

ELU::ELU(double alpha, std::string name) : Layer("ELU", std::move(name)), alpha_(alpha) {}
Tensor ELU::call(const Tensor &x, bool) { return activations::elu(x, alpha_); }

InputLayer::InputLayer(std::string name)
    : Layer("InputLayer", name.empty() ? uniqueLayerName("input") : std::move(name)) {}
Tensor InputLayer::call(const Tensor &x, bool) { return x; }

} // namespace sinter::nn

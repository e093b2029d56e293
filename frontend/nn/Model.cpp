// Model / Sequential: construction, the functional API's replay, summary, weights and files
// (compiling the entries: ModelEntries.cpp; training and inference loops: ModelFit.cpp).
#include "ModelImpl.h"

#include "sinter/io/Checkpoint.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace sinter::nn {

// ---------------------------------------------------------------------------------------------
// names

losses::Loss lossByName(const std::string &name) {
  if (name == "mse" || name == "mean_squared_error")
    return losses::meanSquaredError();
  if (name == "mae" || name == "mean_absolute_error")
    return losses::meanAbsoluteError();
  if (name == "huber" || name == "huber_loss")
    return losses::huber();
  if (name == "binary_crossentropy")
    return losses::binaryCrossentropy();
  if (name == "categorical_crossentropy")
    return losses::categoricalCrossentropy();
  if (name == "sparse_categorical_crossentropy")
    return losses::sparseCategoricalCrossentropy();
  throw Error("unknown loss '" + name +
              "' (mse, mae, huber, binary_crossentropy, categorical_crossentropy, "
              "sparse_categorical_crossentropy)");
}

std::shared_ptr<optim::Optimizer> optimizerByName(const std::string &name) {
  if (name == "adam")
    return std::make_shared<optim::Adam>();
  if (name == "sgd")
    return std::make_shared<optim::SGD>();
  if (name == "rmsprop")
    return std::make_shared<optim::RMSprop>();
  throw Error("unknown optimizer '" + name + "' (adam, sgd, rmsprop)");
}

Model::Model(std::string name, std::string typeName)
    : Layer(std::move(typeName), std::move(name)), impl_(std::make_unique<Impl>()) {}
Model::~Model() = default;

Model::Model(const SymbolicTensor &inputs, const SymbolicTensor &outputs, std::string name)
    : Model(std::move(name)) {
  if (!inputs.trace_ || !outputs.trace_)
    throw Error("model '" + this->name() + "': inputs and outputs must be symbolic tensors");
  if (inputs.node_ != 0)
    throw Error("model '" + this->name() +
                "': its inputs must be an nn::Input, got the output of '" + inputs.name() + "'");
  if (outputs.trace_ != inputs.trace_)
    throw Error("model '" + this->name() + "': its outputs '" + outputs.name() +
                "' are not computed from its inputs '" + inputs.name() + "'");
  Impl &m = *impl_;
  m.trace = inputs.trace_;
  m.trace->bind(*m.trace->nodes.front().layer);
  m.nodes = m.trace->ancestors(outputs.node_);
  m.output = outputs.node_;
  const Shape &in = m.trace->inputShape;
  m.xFeat = Shape(in.begin() + 1, in.end());
  m.xType = m.trace->inputType;
  m.haveX = true;
  (*this)(m.trace->nodes.front().value, false); // builds: the model's graph is the trace's
}

Tensor Model::call(const Tensor &x, bool training) {
  Impl &m = *impl_;
  if (m.loaded())
    throw m.loadedCannot(name(), "be called on tensors or used as a layer");
  if (!m.trace)
    throw Error("model '" + name() +
                "': a subclassed Model must override call(x, training) (or use Sequential)");
  const Shape &in = m.trace->inputShape;
  if (x.rank() != static_cast<int64_t>(in.size()) ||
      !std::equal(in.begin() + 1, in.end(), x.shape().begin() + 1))
    throw Error("model '" + name() + "': takes inputs of shape " + shapeTuple(in) + ", called on " +
                shapeString(x.shape()));
  std::map<int, Tensor> values{{0, x}};
  for (int n : m.nodes) {
    if (n == 0)
      continue;
    const detail::FunctionalTrace::Node &node = m.trace->nodes[n];
    std::vector<Tensor> inputs;
    for (int i : node.inputs)
      inputs.push_back(values.at(i));
    values[n] = (*node.layer)(inputs, training);
  }
  return values.at(m.output);
}

std::vector<Layer *> Model::sublayers() const {
  if (!impl_->trace)
    return Layer::sublayers();
  std::vector<Layer *> out;
  std::set<std::string> seen; // a layer called twice (or its clones) is listed once
  for (int n : impl_->nodes) {
    Layer *l = impl_->trace->nodes[n].layer.get();
    if (seen.insert(l->name()).second)
      out.push_back(l);
  }
  return out;
}

Graph &Model::graph() {
  if (Layer::graph())
    return *Layer::graph();
  // A part that is already built (a trained model reused as a layer) decides the graph.
  for (Layer *l : sublayers())
    if (l->graph())
      return *l->graph();
  if (!impl_->ownedGraph)
    impl_->ownedGraph = std::make_unique<Graph>();
  return *impl_->ownedGraph;
}

void Model::build(const Shape &inputShape, DType dtype) {
  if (inputShape.empty())
    throw Error("model '" + name() + "': build needs an input shape with a batch dimension");
  Shape s = inputShape;
  if (s[0] <= 0)
    s[0] = 1;
  Tensor x = graph().input("x", s, dtype);
  (*this)(x, false);
  if (!impl_->haveX) {
    impl_->xFeat = Shape(s.begin() + 1, s.end());
    impl_->xType = dtype;
    impl_->haveX = true;
  }
}

std::string Model::summaryString() const {
  if (impl_->loaded())
    return impl_->loadedSummary;
  if (!built())
    throw Error("model '" + name() +
                "' has not been built yet: call build(inputShape), fit() or the model on a "
                "tensor first");
  // A functional model that is not a chain gets Keras' "Connected to" column: for each layer,
  // the layers its calls read ("conv2d[0][0]"), one per line.
  std::map<std::string, std::vector<std::string>> inbound;
  bool chain = true;
  if (impl_->trace) {
    const auto &nodes = impl_->trace->nodes;
    for (size_t k = 0; k < impl_->nodes.size(); ++k) {
      const auto &node = nodes[impl_->nodes[k]];
      auto &from = inbound[node.layer->name()];
      chain = chain && from.empty() &&
              (k == 0 || (node.inputs.size() == 1 && node.inputs[0] == impl_->nodes[k - 1]));
      for (int i : node.inputs)
        from.push_back(nodes[i].layer->name() + "[0][0]");
    }
  }
  bool connections = impl_->trace && !chain;
  const std::vector<size_t> positions =
      connections ? std::vector<size_t>{32, 53, 65, 98} : std::vector<size_t>{29, 55, 65};
  const size_t width = positions.back();
  auto row = [&](const std::vector<std::string> &fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0)
        line.back() = ' '; // Keras: line[:-1] + ' '
      line += fields[i];
      if (line.size() > positions[i])
        line.resize(positions[i]);
      line.resize(positions[i], ' ');
    }
    return line + "\n";
  };
  std::ostringstream os;
  os << "Model: \"" << name() << "\"\n";
  os << std::string(width, '_') << "\n";
  std::vector<std::string> header{"Layer (type)", "Output Shape", "Param #"};
  if (connections)
    header.push_back("Connected to");
  os << row(header);
  os << std::string(width, '=') << "\n";
  std::vector<Layer *> ls = layers();
  for (size_t i = 0; i < ls.size(); ++i) {
    Layer *l = ls[i];
    std::string shape = l->built() ? shapeTuple(l->outputShape()) : "multiple";
    std::vector<std::string> fields{l->name() + " (" + l->typeName() + ")", shape,
                                    std::to_string(l->countParams())};
    const std::vector<std::string> &from = inbound[l->name()];
    if (connections)
      fields.push_back(from.empty() ? "" : from.front());
    os << row(fields);
    for (size_t k = 1; connections && k < from.size(); ++k)
      os << row({"", "", "", from[k]});
    os << std::string(width, i + 1 == ls.size() ? '=' : '_') << "\n";
  }
  if (ls.empty())
    os << std::string(width, '=') << "\n";
  int64_t total = countParams(), trainable = countTrainableParams();
  os << "Total params: " << withCommas(total) << "\n";
  os << "Trainable params: " << withCommas(trainable) << "\n";
  os << "Non-trainable params: " << withCommas(total - trainable) << "\n";
  os << std::string(width, '_') << "\n";
  return os.str();
}

// ---------------------------------------------------------------------------------------------
// Weights and files

std::map<std::string, HostTensor> Model::getWeights() {
  std::map<std::string, HostTensor> out, parts;
  Program *live = impl_->liveProgram();
  std::set<std::string> liveNames = variableNames(live);
  for (const std::string &n : impl_->loadedWeights)
    out[n] = live->variable(n).clone();
  if (!live)
    parts = partWeights();
  std::vector<Tensor> initial; // evaluated together: one compile for all of them
  std::vector<std::string> initialNames;
  for (const Variable &v : variables()) {
    if (liveNames.count(v.name()))
      out[v.name()] = live->variable(v.name()).clone();
    else if (impl_->pending.count(v.name()))
      out[v.name()] = impl_->pending[v.name()].clone();
    else if (parts.count(v.name()))
      out[v.name()] = parts[v.name()];
    else
      initial.push_back(v), initialNames.push_back(v.name());
  }
  if (!initial.empty()) {
    std::vector<HostTensor> values = initial.front().graph().values(initial);
    for (size_t i = 0; i < initial.size(); ++i)
      out[initialNames[i]] = std::move(values[i]);
  }
  return out;
}

std::map<std::string, HostTensor> Model::partWeights() {
  std::map<std::string, HostTensor> out;
  for (Layer *l : sublayers())
    if (auto *part = dynamic_cast<Model *>(l))
      out.merge(part->getWeights());
  return out;
}

void Model::hostParts(const Program &program) {
  for (Layer *l : sublayers())
    if (auto *part = dynamic_cast<Model *>(l)) {
      part->impl_->hostProgram = program;
      part->hostParts(program);
    }
}

void Model::setWeights(const std::map<std::string, HostTensor> &weights) {
  std::map<std::string, Variable> vars;
  for (const Variable &v : variables())
    vars[v.name()] = v;
  Program *live = impl_->liveProgram();
  std::set<std::string> liveNames = variableNames(live);
  for (const auto &[n, value] : weights) {
    auto it = vars.find(n);
    bool loadedWeight = std::count(impl_->loadedWeights.begin(), impl_->loadedWeights.end(), n);
    if (it == vars.end() && !loadedWeight)
      throw Error("model '" + name() + "': setWeights: '" + n + "' is not a weight of the model");
    if (liveNames.count(n)) {
      copyInto(live->variable(n), value, n);
    } else {
      if (value.shape() != it->second.shape() || value.dtype() != it->second.dtype())
        throw Error("model '" + name() + "': setWeights: '" + n + "' has shape " +
                    shapeString(it->second.shape()) + ", got " + shapeString(value.shape()));
      impl_->pending[n] = value.clone();
    }
  }
}

void Model::save(const std::string &path) {
  // The saved program always has `predict` (what sinter-compile deploys), even after only fit
  // and evaluate.
  if (!impl_->programEntries.count(Impl::entryName(Kind::Predict))) {
    if (!impl_->haveX) {
      if (!built())
        throw Error("model '" + name() + "': save needs a built model");
      impl_->xFeat = Shape(inputShape().begin() + 1, inputShape().end());
      impl_->haveX = true;
    }
    Shape xs{1};
    xs.insert(xs.end(), impl_->xFeat.begin(), impl_->xFeat.end());
    HostTensor x(impl_->xType, xs);
    ensureEntries({Kind::Predict}, x, nullptr);
  }
  impl_->program->save(path, fileMetadata());
}

// The keys of a model's strings in its .sinter file; lists are one name per line.
namespace {
constexpr const char *kTypeKey = "nn.type", *kNameKey = "nn.name", *kLossKey = "nn.loss",
                     *kMetricsKey = "nn.metrics", *kSummaryKey = "nn.summary",
                     *kWeightsKey = "nn.weights", *kTrainStepsKey = "nn.train_steps";

std::string joinLines(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : "\n") + item;
  return out;
}

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}
} // namespace

std::map<std::string, std::string> Model::fileMetadata() const {
  const Impl &m = *impl_;
  std::vector<std::string> metrics, weights = m.loadedWeights;
  for (const MetricSpec &spec : m.metricSpecs)
    metrics.push_back(spec.name);
  for (const Variable &v : variables())
    weights.push_back(v.name());
  return {{kTypeKey, typeName()},
          {kNameKey, name()},
          {kLossKey, m.loss ? m.loss->name : ""},
          {kMetricsKey, joinLines(metrics)},
          {kSummaryKey, summaryString()},
          {kWeightsKey, joinLines(weights)},
          {kTrainStepsKey, std::to_string(m.trainSteps)}};
}

std::shared_ptr<Model> Model::load(const std::string &path,
                                   std::vector<std::shared_ptr<metrics::Metric>> customMetrics) {
  SavedModel saved = loadModel(path);
  auto fail = [&](const std::string &what) { return Error("model file '" + path + "': " + what); };
  auto field = [&](const char *key) {
    auto it = saved.metadata.find(key);
    return it == saved.metadata.end() ? std::string() : it->second;
  };
  if (!saved.metadata.count(kTypeKey))
    throw fail("not saved by nn::Model::save (sinter::loadModel gives its graph and entries)");
  auto model = std::make_shared<Model>(field(kNameKey), field(kTypeKey));
  Impl &m = *model->impl_;
  m.loadedFrom = path;
  m.loadedSummary = field(kSummaryKey);
  m.loadedWeights = splitLines(field(kWeightsKey));
  m.trainSteps = std::atoll(field(kTrainStepsKey).c_str());
  for (const Entry &e : saved.entries) {
    bool predict = e.name == Impl::entryName(Kind::Predict);
    if (!predict && e.name != Impl::entryName(Kind::Train) && e.name != Impl::entryName(Kind::Test))
      throw fail("entry '" + e.name + "' is not one of a Model's (train_step, test_step, predict)");
    size_t arity = predict ? 1 : 2;
    if (e.inputs.size() != arity || e.outputs.size() != arity || e.inputs[0].shape().empty())
      throw fail("entry '" + e.name + "' does not have the inputs and outputs of a Model's");
    Impl::Traced t;
    t.entry = e;
    t.predShape = e.outputs.back().shape();
    t.predType = e.outputs.back().dtype();
    t.lossShape = e.outputs.front().shape();
    t.lossType = e.outputs.front().dtype();
    const Shape &xs = e.inputs[0].shape();
    m.xFeat = Shape(xs.begin() + 1, xs.end());
    m.xType = e.inputs[0].dtype();
    m.haveX = true;
    if (!predict) {
      const Shape &ys = e.inputs[1].shape();
      m.yFeat = Shape(ys.begin() + (ys.empty() ? 0 : 1), ys.end());
      m.yType = e.inputs[1].dtype();
      m.haveY = true;
    }
    m.traced[e.name] = std::move(t);
    m.tracedOrder.push_back(e.name);
  }
  if (!m.traced.count(Impl::entryName(Kind::Predict)))
    throw fail("has no predict entry");
  if (std::string loss = field(kLossKey); !loss.empty())
    m.loss = losses::Loss{loss, nullptr}; // its graph is in the saved entries
  for (const std::string &n : splitLines(field(kMetricsKey))) {
    auto custom = std::find_if(customMetrics.begin(), customMetrics.end(),
                               [&](const auto &metric) { return metric && metric->name() == n; });
    if (custom != customMetrics.end())
      m.metricSpecs.emplace_back(*custom);
    else if (metricByName(n, false, false))
      m.metricSpecs.emplace_back(n);
    else
      throw fail("metric '" + n + "' is not one of Sinter's: pass an object of its class in " +
                 "Model::load's customMetrics");
  }
  m.program = saved.compile();
  m.ownedGraph = std::move(saved.graph); // the program's graph: save() writes it again
  m.programEntries = std::set<std::string>(m.tracedOrder.begin(), m.tracedOrder.end());
  m.compilations = 1;
  std::set<std::string> variables = variableNames(&*m.program);
  for (const std::string &n : m.loadedWeights)
    if (!variables.count(n))
      throw fail("weight '" + n + "' is not a variable of the saved program");
  return model;
}

void Model::saveWeights(const std::string &path) {
  if (impl_->program)
    io::saveCheckpoint(*impl_->program, path, impl_->trainSteps);
  else
    io::writeCheckpoint(path, getWeights(), 0);
}

void Model::loadWeights(const std::string &path) {
  io::CheckpointContents saved = io::readCheckpoint(path);
  Program *program = impl_->program ? &*impl_->program : nullptr;
  std::set<std::string> programNames = variableNames(program);
  std::vector<std::string> problems;
  auto describe = [](DType dtype, const Shape &shape) {
    return std::string(runtime::dtypeName(dtype)) + " " + runtime::shapeString(shape);
  };
  struct Weight {
    std::string name;
    DType dtype;
    Shape shape;
  };
  std::vector<Weight> current;
  for (const Variable &v : variables())
    current.push_back({v.name(), v.dtype(), v.shape()});
  for (const std::string &n : impl_->loadedWeights)
    current.push_back({n, program->variable(n).dtype(), program->variable(n).shape()});
  std::set<std::string> weights;
  for (const Weight &w : current) {
    weights.insert(w.name);
    auto it = saved.variables.find(w.name);
    if (it == saved.variables.end())
      problems.push_back("missing from the file: '" + w.name + "' " + describe(w.dtype, w.shape));
    else if (it->second.shape() != w.shape || it->second.dtype() != w.dtype)
      problems.push_back("'" + w.name + "' is " + describe(it->second.dtype(), it->second.shape()) +
                         " in the file, " + describe(w.dtype, w.shape) + " in the model");
  }
  for (const auto &[n, value] : saved.variables)
    if (!weights.count(n) && !programNames.count(n))
      problems.push_back("not in the model: '" + n + "' " + describe(value.dtype(), value.shape()));
  if (!problems.empty()) {
    constexpr size_t kShown = 20;
    std::string list;
    for (size_t i = 0; i < problems.size() && i < kShown; ++i)
      list += "\n  " + problems[i];
    if (problems.size() > kShown)
      list += "\n  ... and " + std::to_string(problems.size() - kShown) + " more";
    throw Error("model '" + name() + "': weights file '" + path + "' does not match the model (" +
                std::to_string(problems.size()) + " mismatch" + (problems.size() == 1 ? "" : "es") +
                "):" + list);
  }
  if (program) {
    for (const auto &[n, value] : saved.variables)
      copyInto(program->variable(n), value, n);
    if (saved.variables.size() == programNames.size())
      impl_->trainSteps = saved.step; // a whole program's checkpoint: training resumes
  } else {
    setWeights(saved.variables);
  }
}

// ---------------------------------------------------------------------------------------------
// Sequential

Sequential::Sequential(std::string name) : Model(std::move(name), "Sequential") {}

Sequential::Sequential(std::initializer_list<LayerRef> layers, std::string name)
    : Sequential(std::vector<LayerRef>(layers), std::move(name)) {}

Sequential::Sequential(const std::vector<LayerRef> &layers, std::string name)
    : Model(std::move(name), "Sequential") {
  for (const LayerRef &l : layers)
    addShared(l.layer);
}

void Sequential::addShared(std::shared_ptr<Layer> layer) {
  if (!layer)
    throw Error("Sequential '" + name() + "': add(nullptr)");
  if (built())
    throw Error("Sequential '" + name() + "': add after the model was built");
  stack_.push_back(std::move(layer));
}

std::vector<Layer *> Sequential::sublayers() const {
  std::vector<Layer *> out;
  for (const auto &l : stack_)
    out.push_back(l.get());
  return out;
}

Tensor Sequential::call(const Tensor &x, bool training) {
  if (stack_.empty())
    throw Error("Sequential '" + name() + "' has no layers");
  Tensor h = x;
  for (const auto &l : stack_)
    h = (*l)(h, training);
  return h;
}

} // namespace sinter::nn

// Model / Sequential: summary, compile (entry points traced into the model's graph and
// compiled into one Program), fit / evaluate / predict, weights.
#include "sinter/nn/Model.h"

#include "FunctionalTrace.h"

#include "sinter/io/Checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

namespace sinter::nn {

namespace {

/// Keras' "(None, 28, 28, 1)": the batch dimension, whatever it is, as None.
std::string shapeTuple(Shape s) {
  if (!s.empty())
    s[0] = -1;
  return runtime::shapeString(s);
}

std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n), out;
  int count = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    out.insert(out.begin(), digits[i]);
    if (++count % 3 == 0 && i > 0 && digits[i - 1] != '-')
      out.insert(out.begin(), ',');
  }
  return out;
}

double scalarValue(const HostTensor &t) {
  switch (t.dtype()) {
  case DType::F32:
    return t.as<float>()[0];
  case DType::F64:
    return t.as<double>()[0];
  default:
    throw Error("nn: expected a float loss, got " + std::string(runtime::dtypeName(t.dtype())));
  }
}

/// Rows [start, start + count) of `src` in the order of `index` (nullptr: in order) into `dst`.
void gatherRows(const HostTensor &src, const std::vector<int64_t> *index, int64_t start,
                int64_t count, HostTensor &dst) {
  size_t rowBytes = src.byteSize() / static_cast<size_t>(src.shape()[0]);
  auto *from = static_cast<const std::byte *>(src.data());
  auto *to = static_cast<std::byte *>(dst.data());
  for (int64_t i = 0; i < count; ++i) {
    int64_t row = index ? (*index)[static_cast<size_t>(start + i)] : start + i;
    std::memcpy(to + static_cast<size_t>(i) * rowBytes, from + static_cast<size_t>(row) * rowBytes,
                rowBytes);
  }
}

HostTensor sliceRows(const HostTensor &src, int64_t start, int64_t count) {
  Shape s = src.shape();
  s[0] = count;
  HostTensor out(src.dtype(), s);
  gatherRows(src, nullptr, start, count, out);
  return out;
}

Shape features(const HostTensor &t) { return Shape(t.shape().begin() + 1, t.shape().end()); }

void copyInto(HostTensor &dst, const HostTensor &src, const std::string &name) {
  if (dst.dtype() != src.dtype() || dst.shape() != src.shape())
    throw Error("nn: weight '" + name + "' is " + runtime::dtypeName(dst.dtype()) + " " +
                shapeString(dst.shape()) + ", got " + runtime::dtypeName(src.dtype()) + " " +
                shapeString(src.shape()));
  std::memcpy(dst.data(), src.data(), src.byteSize());
}

} // namespace

// ---------------------------------------------------------------------------------------------
// History, names

const std::vector<double> &History::operator[](const std::string &key) const {
  auto it = history.find(key);
  if (it == history.end()) {
    std::string keys;
    for (const auto &[k, v] : history)
      keys += (keys.empty() ? "" : ", ") + k;
    throw Error("History: no '" + key + "' (has: " + keys + ")");
  }
  return it->second;
}

losses::Loss lossByName(const std::string &name) {
  if (name == "mse" || name == "mean_squared_error")
    return losses::meanSquaredError();
  if (name == "mae" || name == "mean_absolute_error")
    return losses::meanAbsoluteError();
  if (name == "binary_crossentropy")
    return losses::binaryCrossentropy();
  if (name == "categorical_crossentropy")
    return losses::categoricalCrossentropy();
  if (name == "sparse_categorical_crossentropy")
    return losses::sparseCategoricalCrossentropy();
  throw Error("unknown loss '" + name +
              "' (mse, mae, binary_crossentropy, categorical_crossentropy, "
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

// ---------------------------------------------------------------------------------------------
// Model state

struct Model::Impl {
  std::unique_ptr<Graph> ownedGraph;
  /// Functional models: the trace and the nodes from its input to `output`, in order.
  std::shared_ptr<detail::FunctionalTrace> trace;
  std::vector<int> nodes;
  int output = -1;
  std::shared_ptr<optim::Optimizer> optimizer;
  std::optional<losses::Loss> loss;
  Loc compileLoc = Loc::current(); // where compile() was called: loss errors point there
  std::vector<MetricSpec> metricSpecs;
  /// Resolved metrics (display name, object); resolved on the first fit/evaluate.
  std::vector<std::pair<std::string, std::shared_ptr<metrics::Metric>>> metrics;
  bool metricsResolved = false;

  struct Traced {
    Entry entry;
    Shape predShape, lossShape;
    DType predType = DType::F32, lossType = DType::F32;
  };
  std::map<std::string, Traced> traced;
  std::vector<std::string> tracedOrder;
  std::optional<Program> program;
  std::set<std::string> programEntries;
  std::map<std::string, HostTensor> pending;
  bool haveX = false, haveY = false;
  Shape xFeat, yFeat;
  DType xType = DType::F32, yType = DType::F32;
  int64_t trainSteps = 0;
  int compilations = 0;

  /// Host buffers of one entry for one batch size.
  struct Buffers {
    int index = -1;
    HostTensor x, y, loss, pred;
  };
  std::map<std::pair<std::string, int64_t>, Buffers> buffers;
  Buffers &buffersFor(const std::string &entry, int64_t batch);
  static std::string entryName(Kind kind);
};

std::string Model::Impl::entryName(Kind kind) {
  static const char *names[] = {"train_step", "test_step", "predict"};
  return names[static_cast<int>(kind)];
}

Model::Impl::Buffers &Model::Impl::buffersFor(const std::string &entry, int64_t batch) {
  auto [it, inserted] = buffers.try_emplace({entry, batch});
  Buffers &b = it->second;
  if (!inserted)
    return b;
  const Traced &t = traced.at(entry);
  auto rows = [&](Shape shape) {
    shape[0] = batch;
    return shape;
  };
  b.index = program->entryIndex(entry);
  b.x = HostTensor(xType, rows(t.entry.inputs[0].shape()));
  b.pred = HostTensor(t.predType, rows(t.predShape));
  if (t.entry.inputs.size() > 1) {
    b.y = HostTensor(yType, rows(t.entry.inputs[1].shape()));
    b.loss = HostTensor(t.lossType, t.lossShape);
  }
  return b;
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

void Model::build(const Shape &inputShape) {
  if (inputShape.empty())
    throw Error("model '" + name() + "': build needs an input shape with a batch dimension");
  Shape s = inputShape;
  if (s[0] <= 0)
    s[0] = 1;
  Tensor x = graph().input("x", s);
  (*this)(x, false);
  if (!impl_->haveX) {
    impl_->xFeat = Shape(s.begin() + 1, s.end());
    impl_->haveX = true;
  }
}

std::string Model::summary() const {
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
// compile and entries

void Model::compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
                    std::vector<MetricSpec> metrics, Loc loc) {
  if (!optimizer)
    throw Error("model '" + name() + "': compile needs an optimizer");
  if (!loss.fn)
    throw Error("model '" + name() + "': compile needs a loss");
  impl_->optimizer = std::move(optimizer);
  impl_->loss = std::move(loss);
  impl_->compileLoc = loc;
  impl_->metricSpecs = std::move(metrics);
  impl_->metrics.clear();
  impl_->metricsResolved = false;
  // Entries traced with a previous optimizer or loss are stale.
  for (auto it = impl_->traced.begin(); it != impl_->traced.end();) {
    if (it->first.rfind("predict", 0) != 0) {
      impl_->tracedOrder.erase(
          std::find(impl_->tracedOrder.begin(), impl_->tracedOrder.end(), it->first));
      impl_->programEntries.erase(it->first);
      it = impl_->traced.erase(it);
    } else {
      ++it;
    }
  }
}

void Model::compile(const std::string &optimizer, const std::string &loss,
                    std::vector<MetricSpec> metrics, Loc loc) {
  compile(optimizerByName(optimizer), lossByName(loss), std::move(metrics), loc);
}

bool Model::compiled() const { return impl_->optimizer && impl_->loss; }

const std::string &Model::lossName() const {
  requireCompiled("lossName");
  return impl_->loss->name;
}

std::vector<Callback *> Model::attach(const std::vector<std::shared_ptr<Callback>> &callbacks) {
  std::vector<Callback *> out;
  for (const auto &c : callbacks) {
    c->setModel(*this);
    out.push_back(c.get());
  }
  return out;
}

void Model::requireCompiled(const char *what) const {
  if (!compiled())
    throw Error("model '" + name() + "': call compile(optimizer, loss, metrics) before " + what);
}

void Model::ensureEntries(const std::vector<Kind> &needed, const HostTensor &x,
                          const HostTensor *y) {
  Impl &m = *impl_;
  if (x.shape().empty())
    throw Error("model '" + name() + "': inputs need a batch dimension");
  if (!m.haveX) {
    m.xFeat = features(x);
    m.xType = x.dtype();
    m.haveX = true;
  } else if (features(x) != m.xFeat || x.dtype() != m.xType) {
    Shape expected{-1};
    expected.insert(expected.end(), m.xFeat.begin(), m.xFeat.end());
    throw Error("model '" + name() + "': inputs of shape " + shapeString(x.shape()) + " (" +
                runtime::dtypeName(x.dtype()) + "), but the model takes " + shapeTuple(expected) +
                " (" + runtime::dtypeName(m.xType) + ")");
  }
  if (y) {
    if (y->shape().empty())
      throw Error("model '" + name() + "': labels need a batch dimension");
    if (!m.haveY) {
      m.yFeat = features(*y);
      m.yType = y->dtype();
      m.haveY = true;
    } else if (features(*y) != m.yFeat || y->dtype() != m.yType) {
      throw Error("model '" + name() + "': labels of shape " + shapeString(y->shape()) +
                  " differ from those the model was trained with");
    }
  }
  Graph &g = graph();
  bool missing = !m.program;
  for (Kind kind : needed) {
    std::string en = Impl::entryName(kind);
    if (!m.programEntries.count(en))
      missing = true;
    if (m.traced.count(en))
      continue;
    Shape xs{-1}; // any batch size
    xs.insert(xs.end(), m.xFeat.begin(), m.xFeat.end());
    Tensor xin = g.input("x", xs, m.xType);
    Tensor pred = (*this)(xin, kind == Kind::Train);
    Impl::Traced t;
    t.entry.name = en;
    t.predShape = pred.shape();
    t.predType = pred.dtype();
    if (kind == Kind::Predict) {
      t.entry.inputs = {xin};
      t.entry.outputs = {pred};
      t.entry.outputNames = {"predictions"};
    } else {
      requireCompiled(kind == Kind::Train ? "fit" : "evaluate");
      Shape ys{-1};
      ys.insert(ys.end(), m.yFeat.begin(), m.yFeat.end());
      Tensor yin = g.input("y", ys, m.yType);
      Tensor loss = (*m.loss)(yin, pred, m.compileLoc);
      for (const Tensor &r : regularizationLosses())
        loss = loss + r;
      t.lossShape = loss.shape();
      t.lossType = loss.dtype();
      t.entry.inputs = {xin, yin};
      t.entry.outputs = {loss, pred};
      t.entry.outputNames = {"loss", "predictions"};
      if (kind == Kind::Train) {
        std::vector<Variable> vars = trainableVariables();
        if (vars.empty())
          throw Error("model '" + name() + "': nothing to train (no trainable weights)");
        t.entry.updates = m.optimizer->minimize(loss, vars);
        for (const Update &u : updates()) // layer state: moving statistics
          t.entry.updates.push_back(u);
        for (const Variable &v : g.variables())
          if (v.name() == "rng_step")
            t.entry.updates.push_back(rngStepUpdate(g));
      }
    }
    m.traced[en] = std::move(t);
    m.tracedOrder.push_back(en);
  }
  // Resolve "accuracy" now that the prediction shape is known.
  if (!m.metricsResolved && compiled() && m.haveY && !m.tracedOrder.empty()) {
    const Shape &pred = m.traced[m.tracedOrder.front()].predShape;
    for (const MetricSpec &spec : m.metricSpecs) {
      std::shared_ptr<metrics::Metric> metric = spec.metric;
      std::string n = spec.name;
      if (!metric) {
        bool sparse =
            m.yFeat.size() + 1 < pred.size() || (m.loss->name.find("sparse") != std::string::npos);
        bool binary =
            !sparse && (pred.back() == 1 || m.loss->name.find("binary") != std::string::npos);
        if (n == "accuracy" || n == "acc") {
          if (sparse)
            metric = std::make_shared<metrics::SparseCategoricalAccuracy>();
          else if (binary)
            metric = std::make_shared<metrics::BinaryAccuracy>();
          else
            metric = std::make_shared<metrics::CategoricalAccuracy>();
        } else if (n == "binary_accuracy") {
          metric = std::make_shared<metrics::BinaryAccuracy>();
        } else if (n == "categorical_accuracy") {
          metric = std::make_shared<metrics::CategoricalAccuracy>();
        } else if (n == "sparse_categorical_accuracy") {
          metric = std::make_shared<metrics::SparseCategoricalAccuracy>();
        } else if (n == "mse" || n == "mean_squared_error") {
          metric = std::make_shared<metrics::MeanSquaredError>();
        } else if (n == "mae" || n == "mean_absolute_error") {
          metric = std::make_shared<metrics::MeanAbsoluteError>();
        } else {
          throw Error("unknown metric '" + n +
                      "' (accuracy, binary_accuracy, categorical_accuracy, "
                      "sparse_categorical_accuracy, mse, mae, or a metrics::Metric)");
        }
      }
      m.metrics.emplace_back(n, metric);
    }
    m.metricsResolved = true;
  }
  if (!missing)
    return;
  std::vector<Entry> entries;
  for (const std::string &en : m.tracedOrder)
    entries.push_back(m.traced[en].entry);
  Program program = g.compile(entries);
  ++m.compilations;
  // Carry the variable values (weights, slots, counters) over from the previous program; the
  // first program starts the weights of parts that are models from their current values.
  std::vector<std::string> names = program.session().variableNames();
  std::set<std::string> have(names.begin(), names.end());
  if (!m.program)
    for (const auto &[n, value] : partWeights())
      if (have.count(n))
        copyInto(program.variable(n), value, n);
  if (m.program)
    for (const std::string &n : m.program->session().variableNames())
      if (have.count(n))
        copyInto(program.variable(n), m.program->variable(n), n);
  for (const auto &[n, value] : m.pending)
    if (have.count(n))
      copyInto(program.variable(n), value, n);
  m.pending.clear();
  m.program = program;
  m.programEntries = std::set<std::string>(m.tracedOrder.begin(), m.tracedOrder.end());
  m.buffers.clear();
}

Program &Model::program() {
  if (!impl_->program)
    throw Error("model '" + name() +
                "' has no compiled program yet (call fit, evaluate or predict)");
  return *impl_->program;
}

int Model::compilations() const { return impl_->compilations; }

std::vector<std::string> Model::entryNames() const {
  return std::vector<std::string>(impl_->programEntries.begin(), impl_->programEntries.end());
}

// ---------------------------------------------------------------------------------------------
// fit / evaluate / predict

Logs Model::runTest(const HostTensor &x, const HostTensor &y, int64_t batchSize,
                    const std::vector<Callback *> &callbacks, ProgressBar *bar) {
  Impl &m = *impl_;
  int64_t n = x.shape()[0];
  int64_t b = std::min(batchSize, n);
  int64_t steps = n / b, rem = n % b;
  for (auto &[name, metric] : m.metrics)
    metric->reset();
  double lossSum = 0;
  int64_t count = 0;
  Logs logs;
  int64_t total = steps + (rem ? 1 : 0);
  for (int64_t s = 0; s < total; ++s) {
    int64_t size = s < steps ? b : rem;
    Impl::Buffers &buf = m.buffersFor(Impl::entryName(Kind::Test), size);
    gatherRows(x, nullptr, s * b, size, buf.x);
    gatherRows(y, nullptr, s * b, size, buf.y);
    m.program->call(buf.index, {buf.x.data(), buf.y.data()}, {buf.loss.data(), buf.pred.data()},
                    size);
    lossSum += scalarValue(buf.loss) * static_cast<double>(size);
    count += size;
    for (auto &[name, metric] : m.metrics)
      metric->update(buf.y, buf.pred);
    logs["loss"] = lossSum / static_cast<double>(count);
    for (auto &[name, metric] : m.metrics)
      logs[name] = metric->result();
    for (Callback *c : callbacks)
      c->onTestBatchEnd(static_cast<int>(s), logs);
    if (bar) {
      std::vector<std::pair<std::string, double>> values{{"loss", logs["loss"]}};
      for (auto &[name, metric] : m.metrics)
        values.emplace_back(name, logs[name]);
      bar->update(s + 1, values, s + 1 == total);
    }
  }
  return logs;
}

History Model::fit(const HostTensor &x, const HostTensor &y, const FitOptions &o) {
  requireCompiled("fit");
  Impl &m = *impl_;
  if (x.shape().empty() || y.shape().empty() || x.shape()[0] != y.shape()[0])
    throw Error("model '" + name() + "': fit needs x and y with the same number of rows, got " +
                shapeString(x.shape()) + " and " + shapeString(y.shape()));
  if (o.batchSize <= 0 || o.epochs < 0 || o.validationFreq <= 0)
    throw Error("model '" + name() + "': fit needs batchSize > 0, epochs >= 0, validationFreq > 0");
  int64_t n = x.shape()[0];
  HostTensor vx, vy;
  bool validate = false;
  int64_t nTrain = n;
  if (o.validationData) {
    vx = o.validationData->first;
    vy = o.validationData->second;
    if (vx.shape().empty() || vy.shape().empty() || vx.shape()[0] != vy.shape()[0] ||
        vx.shape()[0] == 0)
      throw Error("model '" + name() + "': validationData needs x and y with the same rows");
    validate = true;
  } else if (o.validationSplit > 0) {
    if (o.validationSplit >= 1)
      throw Error("model '" + name() + "': validationSplit must be in [0, 1)");
    nTrain = static_cast<int64_t>(static_cast<double>(n) * (1.0 - o.validationSplit));
    if (nTrain <= 0 || nTrain >= n)
      throw Error("model '" + name() + "': validationSplit " + std::to_string(o.validationSplit) +
                  " of " + std::to_string(n) + " samples leaves an empty part");
    vx = sliceRows(x, nTrain, n - nTrain);
    vy = sliceRows(y, nTrain, n - nTrain);
    validate = true;
  }
  if (nTrain == 0)
    throw Error("model '" + name() + "': fit on zero samples");
  int64_t b = std::min(o.batchSize, nTrain);
  int64_t steps = nTrain / b, rem = o.dropRemainder ? 0 : nTrain % b;
  if (steps == 0)
    throw Error("model '" + name() + "': no full batch of " + std::to_string(o.batchSize) + " in " +
                std::to_string(nTrain) + " samples with dropRemainder");
  std::vector<Kind> needed{Kind::Train};
  int64_t vb = 0;
  if (validate) {
    vb = std::min(o.batchSize, vx.shape()[0]);
    needed.push_back(Kind::Test);
  }
  ensureEntries(needed, x, &y);
  if (validate)
    ensureEntries({}, vx, &vy);

  std::vector<Callback *> callbacks = attach(o.callbacks);
  History history;
  stopTraining = false;
  std::vector<int64_t> order(static_cast<size_t>(nTrain));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  for (Callback *c : callbacks)
    c->onTrainBegin({});
  Logs epochLogs;
  int64_t total = steps + (rem ? 1 : 0);
  for (int epoch = o.initialEpoch; epoch < o.epochs; ++epoch) {
    for (Callback *c : callbacks)
      c->onEpochBegin(epoch, {});
    std::ostream &out = o.out ? *o.out : std::cout;
    if (o.verbose)
      out << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(total, o.verbose, &out, o.tty);
    if (o.shuffle)
      std::shuffle(order.begin(), order.end(), rng);
    for (auto &[mn, metric] : m.metrics)
      metric->reset();
    double lossSum = 0;
    int64_t count = 0;
    Logs logs;
    std::vector<std::pair<std::string, double>> values;
    for (int64_t s = 0; s < total; ++s) {
      for (Callback *c : callbacks)
        c->onTrainBatchBegin(static_cast<int>(s), {});
      int64_t size = s < steps ? b : rem;
      Impl::Buffers &buf = m.buffersFor(Impl::entryName(Kind::Train), size);
      gatherRows(x, &order, s * b, size, buf.x);
      gatherRows(y, &order, s * b, size, buf.y);
      m.program->call(buf.index, {buf.x.data(), buf.y.data()}, {buf.loss.data(), buf.pred.data()},
                      size);
      ++m.trainSteps;
      lossSum += scalarValue(buf.loss) * static_cast<double>(size);
      count += size;
      for (auto &[mn, metric] : m.metrics)
        metric->update(buf.y, buf.pred);
      logs["loss"] = lossSum / static_cast<double>(count);
      values = {{"loss", logs["loss"]}};
      for (auto &[mn, metric] : m.metrics) {
        logs[mn] = metric->result();
        values.emplace_back(mn, logs[mn]);
      }
      for (Callback *c : callbacks)
        c->onTrainBatchEnd(static_cast<int>(s), logs);
      if (s + 1 < total)
        bar.update(s + 1, values);
    }
    if (validate && (epoch + 1 - o.initialEpoch) % o.validationFreq == 0) {
      for (Callback *c : callbacks)
        c->onTestBegin({});
      Logs val = runTest(vx, vy, vb, callbacks, nullptr);
      for (Callback *c : callbacks)
        c->onTestEnd(val);
      // val_loss, then the metrics in compile() order (as Keras shows them).
      std::vector<std::string> keys{"loss"};
      for (auto &[mn, metric] : m.metrics)
        keys.push_back(mn);
      for (const std::string &k : keys) {
        logs["val_" + k] = val.at(k);
        values.emplace_back("val_" + k, val.at(k));
      }
    }
    bar.update(total, values, true);
    history.epoch.push_back(epoch);
    for (const auto &[k, v] : logs)
      history.history[k].push_back(v);
    epochLogs = logs;
    for (Callback *c : callbacks)
      c->onEpochEnd(epoch, logs);
    if (stopTraining)
      break;
  }
  for (Callback *c : callbacks)
    c->onTrainEnd(epochLogs);
  return history;
}

Logs Model::evaluate(const HostTensor &x, const HostTensor &y, const EvaluateOptions &o) {
  requireCompiled("evaluate");
  if (x.shape().empty() || y.shape().empty() || x.shape()[0] != y.shape()[0] || x.shape()[0] == 0)
    throw Error("model '" + name() + "': evaluate needs x and y with the same, nonzero rows");
  if (o.batchSize <= 0)
    throw Error("model '" + name() + "': evaluate needs batchSize > 0");
  int64_t n = x.shape()[0], b = std::min(o.batchSize, n);
  ensureEntries({Kind::Test}, x, &y);
  std::vector<Callback *> callbacks = attach(o.callbacks);
  for (Callback *c : callbacks)
    c->onTestBegin({});
  std::ostream &out = o.out ? *o.out : std::cout;
  ProgressBar bar(n / b + (n % b ? 1 : 0), o.verbose, &out, o.tty);
  Logs logs = runTest(x, y, b, callbacks, &bar);
  for (Callback *c : callbacks)
    c->onTestEnd(logs);
  return logs;
}

HostTensor Model::predict(const HostTensor &x, int64_t batchSize) {
  if (x.shape().empty() || x.shape()[0] == 0)
    throw Error("model '" + name() + "': predict needs inputs with a nonzero batch dimension");
  if (batchSize <= 0)
    throw Error("model '" + name() + "': predict needs batchSize > 0");
  Impl &m = *impl_;
  int64_t n = x.shape()[0], b = std::min(batchSize, n), steps = n / b, rem = n % b;
  ensureEntries({Kind::Predict}, x, nullptr);
  const Impl::Traced &traced = m.traced.at(Impl::entryName(Kind::Predict));
  Shape outShape = traced.predShape;
  outShape[0] = n;
  HostTensor out(traced.predType, outShape);
  size_t rowBytes = out.byteSize() / static_cast<size_t>(n);
  auto *dst = static_cast<std::byte *>(out.data());
  for (int64_t s = 0; s < steps + (rem ? 1 : 0); ++s) {
    int64_t size = s < steps ? b : rem;
    Impl::Buffers &buf = m.buffersFor(Impl::entryName(Kind::Predict), size);
    gatherRows(x, nullptr, s * b, size, buf.x);
    m.program->call(buf.index, {buf.x.data()}, {buf.pred.data()}, size);
    std::memcpy(dst + static_cast<size_t>(s * b) * rowBytes, buf.pred.data(),
                static_cast<size_t>(size) * rowBytes);
  }
  return out;
}

void Model::runStep(Kind kind, const HostTensor &x, const HostTensor &y, double &lossSum,
                    int64_t &count, Logs &logs) {
  Impl &m = *impl_;
  if (x.shape().empty() || y.shape().empty() || x.shape()[0] != y.shape()[0])
    throw Error("model '" + name() + "': a batch needs x and y with the same rows, got " +
                shapeString(x.shape()) + " and " + shapeString(y.shape()));
  int64_t size = x.shape()[0];
  ensureEntries({kind}, x, &y);
  Impl::Buffers &buf = m.buffersFor(Impl::entryName(kind), size);
  m.program->call(buf.index, {x.data(), y.data()}, {buf.loss.data(), buf.pred.data()}, size);
  if (kind == Kind::Train)
    ++m.trainSteps;
  lossSum += scalarValue(buf.loss) * static_cast<double>(size);
  count += size;
  for (auto &[mn, metric] : m.metrics)
    metric->update(y, buf.pred);
  logs["loss"] = lossSum / static_cast<double>(count);
  for (auto &[mn, metric] : m.metrics)
    logs[mn] = metric->result();
}

static std::vector<std::pair<std::string, double>>
displayValues(const Logs &logs,
              const std::vector<std::pair<std::string, std::shared_ptr<metrics::Metric>>> &ms,
              const std::string &prefix = "") {
  std::vector<std::pair<std::string, double>> out{{prefix + "loss", logs.at(prefix + "loss")}};
  for (const auto &[mn, metric] : ms)
    out.emplace_back(prefix + mn, logs.at(prefix + mn));
  return out;
}

Logs Model::runTestDataset(const data::Dataset &dataset, const std::vector<Callback *> &callbacks,
                           ProgressBar *bar) {
  for (auto &[mn, metric] : impl_->metrics)
    metric->reset();
  double lossSum = 0;
  int64_t count = 0, step = 0;
  Logs logs;
  for (data::Element &e : dataset) {
    if (e.size() < 2)
      throw Error("model '" + name() + "': dataset elements must be (x, y)");
    runStep(Kind::Test, e[0], e[1], lossSum, count, logs);
    for (Callback *c : callbacks)
      c->onTestBatchEnd(static_cast<int>(step), logs);
    ++step;
    if (bar)
      bar->update(step, displayValues(logs, impl_->metrics));
  }
  if (count == 0)
    throw Error("model '" + name() + "': empty dataset");
  if (bar)
    bar->update(step, displayValues(logs, impl_->metrics), true);
  return logs;
}

History Model::fit(const data::Dataset &dataset, const FitOptions &o) {
  requireCompiled("fit");
  std::vector<Callback *> callbacks = attach(o.callbacks);
  History history;
  stopTraining = false;
  int64_t card = dataset.cardinality();
  for (Callback *c : callbacks)
    c->onTrainBegin({});
  Logs logs;
  std::ostream &out = o.out ? *o.out : std::cout;
  for (int epoch = o.initialEpoch; epoch < o.epochs; ++epoch) {
    for (Callback *c : callbacks)
      c->onEpochBegin(epoch, {});
    if (o.verbose)
      out << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(card > 0 ? card : 0, o.verbose, &out, o.tty);
    for (auto &[mn, metric] : impl_->metrics)
      metric->reset();
    double lossSum = 0;
    int64_t count = 0, step = 0;
    logs.clear();
    for (data::Element &e : dataset) {
      if (e.size() < 2)
        throw Error("model '" + name() + "': dataset elements must be (x, y)");
      for (Callback *c : callbacks)
        c->onTrainBatchBegin(static_cast<int>(step), {});
      if (o.validationDataset && step == 0 && epoch == o.initialEpoch)
        ensureEntries({Kind::Train, Kind::Test}, e[0], &e[1]); // both entries, one compile
      runStep(Kind::Train, e[0], e[1], lossSum, count, logs);
      for (Callback *c : callbacks)
        c->onTrainBatchEnd(static_cast<int>(step), logs);
      ++step;
      bar.update(step, displayValues(logs, impl_->metrics));
    }
    if (count == 0)
      throw Error("model '" + name() + "': fit on an empty dataset");
    std::vector<std::pair<std::string, double>> values = displayValues(logs, impl_->metrics);
    if (o.validationDataset && (epoch + 1 - o.initialEpoch) % o.validationFreq == 0) {
      for (Callback *c : callbacks)
        c->onTestBegin({});
      Logs val = runTestDataset(*o.validationDataset, callbacks, nullptr);
      for (Callback *c : callbacks)
        c->onTestEnd(val);
      for (const auto &[k, v] : val)
        logs["val_" + k] = v;
      for (const auto &kv : displayValues(logs, impl_->metrics, "val_"))
        values.push_back(kv);
    }
    bar.update(step, values, true);
    history.epoch.push_back(epoch);
    for (const auto &[k, v] : logs)
      history.history[k].push_back(v);
    for (Callback *c : callbacks)
      c->onEpochEnd(epoch, logs);
    if (stopTraining)
      break;
  }
  for (Callback *c : callbacks)
    c->onTrainEnd(logs);
  return history;
}

Logs Model::evaluate(const data::Dataset &dataset, const EvaluateOptions &o) {
  requireCompiled("evaluate");
  std::vector<Callback *> callbacks = attach(o.callbacks);
  for (Callback *c : callbacks)
    c->onTestBegin({});
  std::ostream &out = o.out ? *o.out : std::cout;
  int64_t card = dataset.cardinality();
  ProgressBar bar(card > 0 ? card : 0, o.verbose, &out, o.tty);
  Logs logs = runTestDataset(dataset, callbacks, &bar);
  for (Callback *c : callbacks)
    c->onTestEnd(logs);
  return logs;
}

// ---------------------------------------------------------------------------------------------
// Weights and files

std::map<std::string, HostTensor> Model::getWeights() {
  std::map<std::string, HostTensor> out, parts;
  if (!impl_->program)
    parts = partWeights();
  for (const Variable &v : variables()) {
    if (impl_->program)
      out[v.name()] = impl_->program->variable(v.name()).clone();
    else if (impl_->pending.count(v.name()))
      out[v.name()] = impl_->pending[v.name()].clone();
    else if (parts.count(v.name()))
      out[v.name()] = parts[v.name()];
    else
      out[v.name()] = v.value();
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

void Model::setWeights(const std::map<std::string, HostTensor> &weights) {
  std::map<std::string, Variable> vars;
  for (const Variable &v : variables())
    vars[v.name()] = v;
  for (const auto &[n, value] : weights) {
    auto it = vars.find(n);
    if (it == vars.end())
      throw Error("model '" + name() + "': setWeights: '" + n + "' is not a weight of the model");
    if (impl_->program) {
      copyInto(impl_->program->variable(n), value, n);
    } else {
      if (value.shape() != it->second.shape() || value.dtype() != it->second.dtype())
        throw Error("model '" + name() + "': setWeights: '" + n + "' has shape " +
                    shapeString(it->second.shape()) + ", got " + shapeString(value.shape()));
      impl_->pending[n] = value.clone();
    }
  }
}

void Model::save(const std::string &path) {
  if (!impl_->program) {
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
  impl_->program->save(path);
}

void Model::saveWeights(const std::string &path) {
  io::saveCheckpoint(program(), path, impl_->trainSteps);
}

void Model::loadWeights(const std::string &path) {
  impl_->trainSteps = io::loadCheckpoint(program(), path);
}

// ---------------------------------------------------------------------------------------------
// Sequential

Sequential::Sequential(std::string name) : Model(std::move(name), "Sequential") {}

Sequential::Sequential(std::initializer_list<LayerRef> layers, std::string name)
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

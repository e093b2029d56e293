// nn::Model's entry points: compile() records the optimizer, loss and metrics; ensureEntries
// traces train_step / test_step / predict (dynamic batch) into the model's graph and compiles
// them into one Program, carrying the variable values over.
#include "ModelImpl.h"

#include <algorithm>

namespace sinter::nn {

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

std::shared_ptr<metrics::Metric> metricByName(const std::string &name, bool sparse, bool binary) {
  if (name == "accuracy" || name == "acc") {
    if (sparse)
      return std::make_shared<metrics::SparseCategoricalAccuracy>();
    if (binary)
      return std::make_shared<metrics::BinaryAccuracy>();
    return std::make_shared<metrics::CategoricalAccuracy>();
  }
  if (name == "binary_accuracy")
    return std::make_shared<metrics::BinaryAccuracy>();
  if (name == "categorical_accuracy")
    return std::make_shared<metrics::CategoricalAccuracy>();
  if (name == "sparse_categorical_accuracy")
    return std::make_shared<metrics::SparseCategoricalAccuracy>();
  if (name == "mse" || name == "mean_squared_error")
    return std::make_shared<metrics::MeanSquaredError>();
  if (name == "mae" || name == "mean_absolute_error")
    return std::make_shared<metrics::MeanAbsoluteError>();
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// compile and entries

void Model::compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
                    std::vector<MetricSpec> metrics, Loc loc) {
  if (impl_->loaded())
    throw impl_->loadedCannot(name(), "be compiled again");
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

bool Model::compiled() const { return (impl_->optimizer || impl_->loaded()) && impl_->loss; }

const std::string &Model::lossName() const {
  requireCompiled("lossName");
  return impl_->loss->name;
}

void Model::distribute(DataParallel strategy) {
  if (impl_->loaded())
    throw impl_->loadedCannot(name(), "be distributed (its train step has no all-reduce)");
  distributed::initialize();
  if (impl_->program)
    throw Error("model '" + name() +
                "': distribute() must come before the first fit, evaluate or predict");
  impl_->dataParallel = strategy;
}

bool Model::distributed() const { return impl_->dataParallel.has_value(); }

std::vector<Callback *> Model::attach(const std::vector<std::shared_ptr<Callback>> &callbacks) {
  std::vector<Callback *> out;
  for (const auto &c : callbacks) {
    if (c->chiefOnly() && !impl_->chief())
      continue;
    c->setModel(*this);
    out.push_back(c.get());
  }
  return out;
}

void Model::requireCompiled(const char *what) const {
  if (!compiled() && impl_->loaded())
    throw Error("model '" + name() + "' loaded from '" + impl_->loadedFrom +
                "' was saved before compile(): it only predicts");
  if (!compiled())
    throw Error("model '" + name() + "': call compile(optimizer, loss, metrics) before " + what);
}

void Model::checkEmbeddingIds(const HostTensor &x) const {
  // The compiled gather clamps an id out of range; the model's first layer rejects it here.
  const Embedding *embedding = nullptr;
  for (Layer *l : layers()) {
    if (l->typeName() == "InputLayer")
      continue;
    embedding = dynamic_cast<const Embedding *>(l);
    break;
  }
  if (!embedding || (x.dtype() != DType::I32 && x.dtype() != DType::I64))
    return;
  auto check = [&](auto ids) {
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] < 0 || ids[i] >= embedding->inputDim())
        throw Error("model '" + name() + "': input id " + std::to_string(ids[i]) + " (element " +
                    std::to_string(i) + " of the batch, row " +
                    std::to_string(i / std::max<size_t>(1, ids.size() / x.shape()[0])) +
                    ") is outside [0, " + std::to_string(embedding->inputDim()) + ") of layer '" +
                    embedding->name() + "' (Embedding input_dim)");
  };
  if (x.dtype() == DType::I32)
    check(x.as<int32_t>());
  else
    check(x.as<int64_t>());
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
  checkEmbeddingIds(x);
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
    if (m.loaded())
      throw Error("model '" + name() + "' loaded from '" + m.loadedFrom + "' has no '" + en +
                  "' entry: it was saved before it was " +
                  (kind == Kind::Predict ? "built" : "trained") + " (save after fit to " +
                  (kind == Kind::Train ? "continue training" : "evaluate") + ")");
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
      // Data-parallel: each rank's loss weighted by its share of the global batch, so the
      // sums across ranks of it and of its gradients are the global batch's.
      Tensor weighted = m.dataParallel ? loss * distributed::batchShare(xin) : loss;
      Tensor reported =
          m.dataParallel ? distributed::allReduce(weighted, distributed::Reduction::Sum) : loss;
      t.lossShape = reported.shape();
      t.lossType = reported.dtype();
      t.entry.inputs = {xin, yin};
      t.entry.outputs = {reported, pred};
      t.entry.outputNames = {"loss", "predictions"};
      if (kind == Kind::Train) {
        std::vector<Variable> vars = trainableVariables();
        if (vars.empty())
          throw Error("model '" + name() + "': nothing to train (no trainable weights)");
        if (m.dataParallel)
          t.entry.updates = m.optimizer->applyGradients(
              distributed::allReduceGradients(gradients(weighted, vars),
                                              distributed::Reduction::Sum,
                                              m.dataParallel->bucketBytes),
              vars);
        else
          t.entry.updates = m.optimizer->minimize(loss, vars);
        for (const Update &u : updates()) // layer state: moving statistics
          t.entry.updates.push_back(u);
        addRngStepUpdate(g, t.entry.updates);
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
      if (!metric) {
        bool sparse =
            m.yFeat.size() + 1 < pred.size() || (m.loss->name.find("sparse") != std::string::npos);
        bool binary =
            !sparse && (pred.back() == 1 || m.loss->name.find("binary") != std::string::npos);
        metric = metricByName(spec.name, sparse, binary);
      }
      if (!metric)
        throw Error("unknown metric '" + spec.name +
                    "' (accuracy, binary_accuracy, categorical_accuracy, "
                    "sparse_categorical_accuracy, mse, mae, or a metrics::Metric)");
      m.metrics.emplace_back(spec.name, metric);
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
  if (m.dataParallel)
    distributed::broadcastVariables(program.session());
  m.program = program;
  hostParts(program);
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

} // namespace sinter::nn

// nn::Model's loops: fit (over tensors and over a Dataset), evaluate, predict — each a host
// loop over batches calling the compiled entries, with metrics, callbacks and the progress bar.
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace sinter::nn {

// ---------------------------------------------------------------------------------------------
// One body for every loop: a pass over (x, y) batches (from tensors or a Dataset) runs the
// compiled step on each; fitEpochs repeats training passes with validation, callbacks and the
// progress bar. Batches cut from tensors are gathered into the entry's reusable buffers, so the
// tensor path copies each row once, as it did before the loops were one.

static std::vector<std::pair<std::string, double>>
displayValues(const Logs &logs,
              const std::vector<std::pair<std::string, std::shared_ptr<metrics::Metric>>> &ms,
              const std::string &prefix = "") {
  std::vector<std::pair<std::string, double>> out{{prefix + "loss", logs.at(prefix + "loss")}};
  for (const auto &[mn, metric] : ms)
    out.emplace_back(prefix + mn, logs.at(prefix + mn));
  return out;
}

void Model::runStep(Kind kind, const HostTensor &x, const HostTensor &y, double &lossSum,
                    int64_t &count, Logs &logs) {
  Impl &m = *impl_;
  if (x.shape().empty() || y.shape().empty() || x.shape()[0] != y.shape()[0])
    throw Error("model '" + name() + "': a batch needs x and y with the same rows, got " +
                shapeString(x.shape()) + " and " + shapeString(y.shape()));
  int64_t size = x.shape()[0];
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

Model::Pass Model::runPass(Kind kind, const Batches &batches,
                           const std::vector<Callback *> &callbacks, ProgressBar *bar) {
  for (auto &[mn, metric] : impl_->metrics)
    metric->reset();
  double lossSum = 0;
  Pass pass;
  int64_t count = 0;
  batches([&](const HostTensor &x, const HostTensor &y) {
    int batch = static_cast<int>(pass.steps);
    if (kind == Kind::Train)
      for (Callback *c : callbacks)
        c->onTrainBatchBegin(batch, {});
    runStep(kind, x, y, lossSum, count, pass.logs);
    for (Callback *c : callbacks)
      kind == Kind::Train ? c->onTrainBatchEnd(batch, pass.logs)
                          : c->onTestBatchEnd(batch, pass.logs);
    ++pass.steps;
    if (bar)
      bar->update(pass.steps, displayValues(pass.logs, impl_->metrics));
  });
  if (count == 0)
    throw Error("model '" + name() + "': " + (kind == Kind::Train ? "fit" : "evaluate") +
                " on an empty dataset");
  if (impl_->dataParallel) {
    // The pass's figures over every rank's rows. Each step's loss is already the global
    // batch's; the metrics are means over rows, so weighting each rank's by its rows is exact.
    std::vector<double> sums{lossSum, static_cast<double>(count)};
    for (auto &[mn, metric] : impl_->metrics)
      sums.push_back(metric->result() * static_cast<double>(count));
    distributed::allReduceSum(sums.data(), sums.size());
    pass.logs["loss"] = sums[0] / sums[1];
    for (size_t i = 0; i < impl_->metrics.size(); ++i)
      pass.logs[impl_->metrics[i].first] = sums[i + 2] / sums[1];
  }
  return pass;
}

Model::Batches Model::tensorBatches(Kind kind, const HostTensor &x, const HostTensor &y,
                                    int64_t rows, int64_t batchSize, bool dropRemainder,
                                    const std::vector<int64_t> *order) {
  int64_t b = std::min(batchSize, rows);
  int64_t steps = rows / b, rem = dropRemainder ? 0 : rows % b;
  if (impl_->dataParallel && (b < distributed::size() || (rem && rem < distributed::size())))
    throw Error("model '" + name() + "': a batch of " + std::to_string(rem ? rem : b) +
                " rows cannot be split between " + std::to_string(distributed::size()) +
                " ranks (use a batch size, and a last batch, of at least one row per rank, or "
                "dropRemainder)");
  return [this, kind, &x, &y, b, steps, rem, order](const BatchStep &step) {
    for (int64_t s = 0; s < steps + (rem ? 1 : 0); ++s) {
      // Data-parallel: this rank's rows of the global batch.
      auto [begin, end] = impl_->dataParallel ? distributed::shard(s < steps ? b : rem)
                                              : std::pair<int64_t, int64_t>(0, s < steps ? b : rem);
      Impl::Buffers &buf = impl_->buffersFor(Impl::entryName(kind), end - begin);
      gatherRows(x, order, s * b + begin, end - begin, buf.x);
      gatherRows(y, order, s * b + begin, end - begin, buf.y);
      step(buf.x, buf.y);
    }
  };
}

History Model::fitEpochs(const FitOptions &o, int64_t stepsPerEpoch, const Batches &train,
                         const Batches *validation) {
  std::vector<Callback *> callbacks = attach(o.callbacks);
  History history;
  stopTraining = false;
  resumeEpoch = -1;
  for (Callback *c : callbacks)
    c->onTrainBegin({});
  int first = resumeEpoch >= 0 ? resumeEpoch : o.initialEpoch;
  resumeEpoch = -1;
  Logs logs;
  std::ostream &out = o.out ? *o.out : std::cout;
  int verbose = impl_->chief() ? o.verbose : 0;
  for (int epoch = first; epoch < o.epochs; ++epoch) {
    for (Callback *c : callbacks)
      c->onEpochBegin(epoch, {});
    if (verbose)
      out << "Epoch " << epoch + 1 << "/" << o.epochs << "\n" << std::flush;
    ProgressBar bar(stepsPerEpoch, verbose, &out, o.tty);
    Pass pass = runPass(Kind::Train, train, callbacks, &bar);
    logs = pass.logs;
    std::vector<std::pair<std::string, double>> values = displayValues(logs, impl_->metrics);
    if (validation && (epoch + 1 - o.initialEpoch) % o.validationFreq == 0) {
      for (Callback *c : callbacks)
        c->onTestBegin({});
      Logs val = runPass(Kind::Test, *validation, callbacks, nullptr).logs;
      for (Callback *c : callbacks)
        c->onTestEnd(val);
      for (const auto &[k, v] : val)
        logs["val_" + k] = v;
      // val_loss, then the metrics in compile() order (as Keras shows them).
      for (const auto &kv : displayValues(logs, impl_->metrics, "val_"))
        values.push_back(kv);
    }
    bar.update(pass.steps, values, true);
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

Logs Model::evaluateBatches(const Batches &batches, int64_t steps, const EvaluateOptions &o) {
  std::vector<Callback *> callbacks = attach(o.callbacks);
  for (Callback *c : callbacks)
    c->onTestBegin({});
  std::ostream &out = o.out ? *o.out : std::cout;
  ProgressBar bar(steps, impl_->chief() ? o.verbose : 0, &out, o.tty);
  Pass pass = runPass(Kind::Test, batches, callbacks, &bar);
  bar.update(pass.steps, displayValues(pass.logs, impl_->metrics), true);
  for (Callback *c : callbacks)
    c->onTestEnd(pass.logs);
  return pass.logs;
}

// ---------------------------------------------------------------------------------------------
// fit / evaluate / predict on tensors

History Model::fit(const HostTensor &x, const HostTensor &y, const FitOptions &o) {
  requireCompiled("fit");
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
  int64_t steps = nTrain / b + (!o.dropRemainder && nTrain % b ? 1 : 0);
  if (nTrain / b == 0)
    throw Error("model '" + name() + "': no full batch of " + std::to_string(o.batchSize) + " in " +
                std::to_string(nTrain) + " samples with dropRemainder");
  ensureEntries(Impl::fitEntries(), x, &y);
  if (validate)
    ensureEntries({}, vx, &vy);

  std::vector<int64_t> order(static_cast<size_t>(nTrain));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  Batches ordered = tensorBatches(Kind::Train, x, y, nTrain, b, o.dropRemainder, &order);
  Batches train = [&](const BatchStep &step) {
    if (o.shuffle)
      std::shuffle(order.begin(), order.end(), rng);
    ordered(step);
  };
  Batches validation;
  if (validate)
    validation = tensorBatches(Kind::Test, vx, vy, vx.shape()[0], o.batchSize, false, nullptr);
  return fitEpochs(o, steps, train, validate ? &validation : nullptr);
}

Logs Model::evaluate(const HostTensor &x, const HostTensor &y, const EvaluateOptions &o) {
  requireCompiled("evaluate");
  if (x.shape().empty() || y.shape().empty() || x.shape()[0] != y.shape()[0] || x.shape()[0] == 0)
    throw Error("model '" + name() + "': evaluate needs x and y with the same, nonzero rows");
  if (o.batchSize <= 0)
    throw Error("model '" + name() + "': evaluate needs batchSize > 0");
  int64_t n = x.shape()[0], b = std::min(o.batchSize, n);
  ensureEntries({Kind::Test}, x, &y);
  return evaluateBatches(tensorBatches(Kind::Test, x, y, n, b, false, nullptr),
                         n / b + (n % b ? 1 : 0), o);
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

// ---------------------------------------------------------------------------------------------
// fit / evaluate on a Dataset of (x, y) batches

Model::Batches Model::datasetBatches(const data::Dataset &dataset, Kind kind) {
  // Every element is checked against the model (its shapes, embedding ids): elements differ,
  // unlike the rows of one tensor. A training pass compiles every entry fit needs at its first
  // element (train, test and predict at once).
  return [this, &dataset, kind](const BatchStep &step) {
    bool first = true;
    for (data::Element &e : dataset) {
      if (e.size() < 2)
        throw Error("model '" + name() + "': dataset elements must be (x, y)");
      ensureEntries(first && kind == Kind::Train ? Impl::fitEntries() : std::vector<Kind>{kind},
                    e[0], &e[1]);
      first = false;
      if (!impl_->dataParallel) {
        step(e[0], e[1]);
        continue;
      }
      // Data-parallel: every rank reads the same global batches and keeps its rows.
      int64_t rows = e[0].shape()[0];
      if (rows < distributed::size() || e[1].shape().empty() || e[1].shape()[0] != rows)
        throw Error("model '" + name() + "': a dataset batch of " + std::to_string(rows) +
                    " rows cannot be split between " + std::to_string(distributed::size()) +
                    " ranks (at least one row per rank, with as many labels)");
      auto [begin, end] = distributed::shard(rows);
      step(sliceRows(e[0], begin, end - begin), sliceRows(e[1], begin, end - begin));
    }
  };
}

History Model::fit(const data::Dataset &dataset, const FitOptions &o) {
  requireCompiled("fit");
  Batches train = datasetBatches(dataset, Kind::Train);
  Batches validation =
      o.validationDataset ? datasetBatches(*o.validationDataset, Kind::Test) : Batches();
  int64_t card = dataset.cardinality();
  return fitEpochs(o, card > 0 ? card : 0, train, o.validationDataset ? &validation : nullptr);
}

Logs Model::evaluate(const data::Dataset &dataset, const EvaluateOptions &o) {
  requireCompiled("evaluate");
  int64_t card = dataset.cardinality();
  return evaluateBatches(datasetBatches(dataset, Kind::Test), card > 0 ? card : 0, o);
}

} // namespace sinter::nn

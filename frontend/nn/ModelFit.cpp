// nn::Model's loops: fit (over tensors and over a Dataset), evaluate, predict — each a host
// loop over batches calling the compiled entries, with metrics, callbacks and the progress bar.
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace sinter::nn {

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
  int64_t vb = validate ? std::min(o.batchSize, vx.shape()[0]) : 0;
  ensureEntries(Impl::fitEntries(), x, &y);
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
      if (step == 0 && epoch == o.initialEpoch)
        ensureEntries(Impl::fitEntries(), e[0], &e[1]);
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

} // namespace sinter::nn

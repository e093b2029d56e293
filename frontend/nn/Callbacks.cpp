// History, callbacks (EarlyStopping, ModelCheckpoint) and Keras' progress bar.
#include "sinter/nn/Model.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <unistd.h>

namespace sinter::nn {

namespace {

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool maximizeFor(const std::string &monitor, const std::string &mode) {
  if (mode == "min")
    return false;
  if (mode == "max")
    return true;
  if (mode != "auto")
    throw Error("callback mode must be \"min\", \"max\" or \"auto\", got \"" + mode + "\"");
  return monitor.find("acc") != std::string::npos || monitor.find("auc") != std::string::npos;
}

std::string formatValue(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  return buf;
}

} // namespace

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

// ---------------------------------------------------------------------------------------------
// EarlyStopping

EarlyStopping::EarlyStopping(std::string monitor, double minDelta, int patience,
                             bool restoreBestWeights, std::string mode, int verbose)
    : monitor_(std::move(monitor)), mode_(std::move(mode)), minDelta_(std::fabs(minDelta)),
      patience_(patience), verbose_(verbose), restore_(restoreBestWeights) {
  maximize_ = maximizeFor(monitor_, mode_);
}

void EarlyStopping::onTrainBegin(const Logs &) {
  wait_ = 0;
  stoppedEpoch_ = -1;
  bestEpoch_ = -1;
  best_ = maximize_ ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  bestWeights_.clear();
}

bool EarlyStopping::improved(double current) const {
  return maximize_ ? current - minDelta_ > best_ : current + minDelta_ < best_;
}

void EarlyStopping::onEpochEnd(int epoch, const Logs &logs) {
  auto it = logs.find(monitor_);
  if (it == logs.end())
    return; // e.g. val_loss on an epoch without validation
  double current = it->second;
  ++wait_;
  if (improved(current)) {
    best_ = current;
    bestEpoch_ = epoch;
    wait_ = 0;
    if (restore_ && model_)
      bestWeights_ = model_->getWeights();
  }
  if (wait_ >= patience_ && epoch > 0 && model_) {
    stoppedEpoch_ = epoch;
    model_->stopTraining = true;
    if (restore_ && !bestWeights_.empty())
      model_->setWeights(bestWeights_);
  }
}

void EarlyStopping::onTrainEnd(const Logs &) {
  if (stoppedEpoch_ >= 0 && verbose_ > 0)
    std::printf("Epoch %05d: early stopping\n", stoppedEpoch_ + 1);
}

// ---------------------------------------------------------------------------------------------
// ModelCheckpoint

ModelCheckpoint::ModelCheckpoint(std::string path, std::string monitor, bool saveBestOnly,
                                 std::string mode, bool weightsOnly)
    : path_(std::move(path)), monitor_(std::move(monitor)), saveBestOnly_(saveBestOnly),
      maximize_(maximizeFor(monitor_, mode)), weightsOnly_(weightsOnly) {}

void ModelCheckpoint::onEpochEnd(int epoch, const Logs &logs) {
  if (!model_)
    return;
  if (saveBestOnly_) {
    auto it = logs.find(monitor_);
    if (it == logs.end())
      return;
    double v = it->second;
    if (haveBest_ && !(maximize_ ? v > best_ : v < best_))
      return;
    haveBest_ = true;
    best_ = v;
  }
  std::string path = path_;
  for (const char *key : {"{epoch:02d}", "{epoch}"}) {
    size_t pos = path.find(key);
    if (pos == std::string::npos)
      continue;
    char buf[32];
    std::snprintf(buf, sizeof buf, std::string(key) == "{epoch}" ? "%d" : "%02d", epoch + 1);
    path.replace(pos, std::string(key).size(), buf);
  }
  if (weightsOnly_)
    model_->saveWeights(path);
  else
    model_->save(path);
  saved_.push_back(path);
}

// ---------------------------------------------------------------------------------------------
// ProgressBar

ProgressBar::ProgressBar(int64_t target, int verbose, std::ostream *out, int tty)
    : target_(target), verbose_(verbose), out_(out ? out : &std::cout) {
  tty_ = tty >= 0 ? tty != 0 : (out_ == &std::cout && ::isatty(STDOUT_FILENO));
  start_ = nowSeconds();
}

void ProgressBar::update(int64_t current, const std::vector<std::pair<std::string, double>> &values,
                         bool finalize) {
  if (verbose_ <= 0)
    return;
  double now = nowSeconds();
  if (!finalize && (!tty_ || verbose_ != 1))
    return;
  if (!finalize && lastDraw_ >= 0 && now - lastDraw_ < 0.05)
    return;
  lastDraw_ = now;
  double elapsed = now - start_;
  std::string line;
  char buf[128];
  int digits = static_cast<int>(std::to_string(target_).size());
  if (target_ <= 0) {
    // Unknown number of steps (a dataset of unknown cardinality): no bar, as Keras.
    std::snprintf(buf, sizeof buf, "%lld/Unknown", static_cast<long long>(current));
    line = buf;
  } else if (verbose_ == 1) {
    std::snprintf(buf, sizeof buf, "%*lld/%lld [", digits, static_cast<long long>(current),
                  static_cast<long long>(target_));
    line = buf;
    int width =
        target_ > 0
            ? static_cast<int>(30.0 * static_cast<double>(current) / static_cast<double>(target_))
            : 30;
    width = std::min(width, 30);
    if (width > 0) {
      line += std::string(static_cast<size_t>(width - 1), '=');
      line += current < target_ ? '>' : '=';
    }
    line += std::string(static_cast<size_t>(30 - width), '.');
    line += ']';
  } else {
    std::snprintf(buf, sizeof buf, "%lld/%lld", static_cast<long long>(current),
                  static_cast<long long>(target_));
    line = buf;
  }
  double perStep = current > 0 ? elapsed / static_cast<double>(current) : 0;
  if (!finalize && target_ > 0) {
    double eta = perStep * static_cast<double>(target_ - current);
    long e = std::lround(eta);
    if (e >= 3600)
      std::snprintf(buf, sizeof buf, " - ETA: %ld:%02ld:%02ld", e / 3600, (e % 3600) / 60, e % 60);
    else if (e >= 60)
      std::snprintf(buf, sizeof buf, " - ETA: %ld:%02ld", e / 60, e % 60);
    else
      std::snprintf(buf, sizeof buf, " - ETA: %lds", e);
    line += buf;
  } else if (finalize) {
    std::snprintf(buf, sizeof buf, " - %.0fs", elapsed);
    line += buf;
    if (verbose_ == 1) {
      if (perStep >= 1)
        std::snprintf(buf, sizeof buf, " %.0fs/step", perStep);
      else if (perStep >= 1e-3)
        std::snprintf(buf, sizeof buf, " %.0fms/step", perStep * 1e3);
      else
        std::snprintf(buf, sizeof buf, " %.0fus/step", perStep * 1e6);
      line += buf;
    }
  }
  for (const auto &[name, value] : values)
    line += " - " + name + ": " + formatValue(value);
  if (tty_ && verbose_ == 1) {
    size_t width = line.size();
    if (width < lastWidth_)
      line += std::string(lastWidth_ - width, ' ');
    lastWidth_ = width;
    *out_ << '\r' << line;
    if (finalize)
      *out_ << '\n';
  } else {
    *out_ << line << '\n';
  }
  out_->flush();
}

} // namespace sinter::nn

// ---------------------------------------------------------------------------------------------
// BackupAndRestore

namespace sinter::nn {

BackupAndRestore::BackupAndRestore(std::string dir) : dir_(std::move(dir)) {}

std::string BackupAndRestore::path(int epoch) const {
  char name[48];
  std::snprintf(name, sizeof name, "/backup-epoch-%06d.ckpt", epoch + 1);
  return dir_ + name;
}

int BackupAndRestore::latestEpoch() const {
  int latest = -1;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir_, ec)) {
    int done = 0;
    std::string name = entry.path().filename().string();
    if (std::sscanf(name.c_str(), "backup-epoch-%d.ckpt", &done) == 1 &&
        name == path(done - 1).substr(dir_.size() + 1))
      latest = std::max(latest, done - 1);
  }
  return latest;
}

void BackupAndRestore::onTrainBegin(const Logs &) {
  if (!model_)
    return;
  bool chief = !model_->distributed() || distributed::rank() == 0;
  int64_t epoch = chief ? latestEpoch() : -1;
  if (model_->distributed())
    distributed::broadcast(&epoch, sizeof epoch);
  if (epoch < 0)
    return;
  if (chief)
    model_->loadWeights(path(static_cast<int>(epoch)));
  // A compiled model's program holds the weights now: give every rank rank 0's. (Before the
  // first compile they wait in the model, and the compile broadcasts them.)
  if (model_->distributed() && !model_->entryNames().empty())
    distributed::broadcastVariables(model_->program().session());
  model_->resumeEpoch = static_cast<int>(epoch) + 1;
}

void BackupAndRestore::onEpochEnd(int epoch, const Logs &) {
  if (!model_ || (model_->distributed() && distributed::rank() != 0))
    return;
  std::filesystem::create_directories(dir_);
  model_->saveWeights(path(epoch)); // atomic: a kill leaves the previous backup whole
  for (int e = epoch - 1; e >= 0; --e)
    std::filesystem::remove(path(e));
}

void BackupAndRestore::onTrainEnd(const Logs &) {
  if (!model_ || (model_->distributed() && distributed::rank() != 0))
    return;
  for (int e = latestEpoch(); e >= 0; --e)
    std::filesystem::remove(path(e));
}

} // namespace sinter::nn

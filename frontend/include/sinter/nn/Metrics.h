// Keras-style metrics, accumulated on the host from each batch's labels and predictions
// (fit/evaluate fetch the predictions anyway): update / result / reset.
#ifndef SINTER_NN_METRICS_H
#define SINTER_NN_METRICS_H

#include "sinter/Graph.h"

#include <memory>

namespace sinter::metrics {

class Metric {
public:
  virtual ~Metric() = default;
  const std::string &name() const { return name_; }
  /// Adds one batch: yTrue and yPred as the model's label and output tensors.
  virtual void update(const HostTensor &yTrue, const HostTensor &yPred) = 0;
  double result() const { return count_ > 0 ? total_ / count_ : 0.0; }
  void reset() { total_ = count_ = 0; }

protected:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  std::string name_;
  double total_ = 0, count_ = 0;
};

/// The running mean of values given to updateValue (e.g. the loss of each batch, weighted).
class Mean : public Metric {
public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  void updateValue(double value, double weight = 1) {
    total_ += value * weight;
    count_ += weight;
  }
  void update(const HostTensor &, const HostTensor &yPred) override; // mean of yPred's elements
};

/// Exact equality of labels and predictions.
class Accuracy : public Metric {
public:
  Accuracy() : Metric("accuracy") {}
  void update(const HostTensor &, const HostTensor &) override;
};
/// argmax(yTrue) == argmax(yPred) (one-hot labels).
class CategoricalAccuracy : public Metric {
public:
  CategoricalAccuracy() : Metric("categorical_accuracy") {}
  void update(const HostTensor &, const HostTensor &) override;
};
/// yTrue (class ids) == argmax(yPred).
class SparseCategoricalAccuracy : public Metric {
public:
  SparseCategoricalAccuracy() : Metric("sparse_categorical_accuracy") {}
  void update(const HostTensor &, const HostTensor &) override;
};
/// yTrue == (yPred > threshold).
class BinaryAccuracy : public Metric {
public:
  explicit BinaryAccuracy(double threshold = 0.5)
      : Metric("binary_accuracy"), threshold_(threshold) {}
  void update(const HostTensor &, const HostTensor &) override;

private:
  double threshold_;
};
class MeanSquaredError : public Metric {
public:
  MeanSquaredError() : Metric("mse") {}
  void update(const HostTensor &, const HostTensor &) override;
};
class MeanAbsoluteError : public Metric {
public:
  MeanAbsoluteError() : Metric("mae") {}
  void update(const HostTensor &, const HostTensor &) override;
};

} // namespace sinter::metrics

#endif

// Keras-style metrics accumulated on the host (see sinter/nn/Metrics.h). Labels and predictions
// may be float32/float64 or integer/bool tensors; every element is read as a double.
#include "sinter/nn/Metrics.h"

#include <cmath>
#include <sstream>

namespace sinter::metrics {

namespace {

double element(const HostTensor &t, int64_t i, const std::string &metric) {
  switch (t.dtype()) {
  case DType::F32:
    return t.as<float>()[static_cast<size_t>(i)];
  case DType::F64:
    return t.as<double>()[static_cast<size_t>(i)];
  case DType::I32:
    return t.as<int32_t>()[static_cast<size_t>(i)];
  case DType::I64:
    return static_cast<double>(t.as<int64_t>()[static_cast<size_t>(i)]);
  case DType::I16:
    return t.as<int16_t>()[static_cast<size_t>(i)];
  case DType::I8:
    return t.as<int8_t>()[static_cast<size_t>(i)];
  case DType::U8:
  case DType::Bool:
    return t.as<uint8_t>()[static_cast<size_t>(i)];
  default:
    throw Error(metric + ": unsupported element type " + runtime::dtypeName(t.dtype()));
  }
}

using runtime::shapeString;

Shape withoutTrailingOne(Shape s) {
  if (!s.empty() && s.back() == 1)
    s.pop_back();
  return s;
}

void requireNonEmpty(const HostTensor &t, const std::string &metric, const char *what) {
  if (t.empty() && t.numElements() != 0)
    throw Error(metric + ": " + what + " has no storage");
}

/// Same shape, or the same up to a trailing axis of size 1 ([b] vs [b, 1], compared element by
/// element: no broadcast happens on the host).
void requireSameElements(const HostTensor &yTrue, const HostTensor &yPred,
                         const std::string &metric) {
  requireNonEmpty(yTrue, metric, "yTrue");
  requireNonEmpty(yPred, metric, "yPred");
  if (yTrue.shape() == yPred.shape() ||
      withoutTrailingOne(yTrue.shape()) == withoutTrailingOne(yPred.shape()))
    return;
  throw Error(metric + ": yTrue has shape " + shapeString(yTrue.shape()) + " but yPred has shape " +
              shapeString(yPred.shape()));
}

/// The index of the largest of `n` elements starting at `offset` (the first on ties).
int64_t argmaxRow(const HostTensor &t, int64_t offset, int64_t n, const std::string &metric) {
  int64_t best = 0;
  double bestValue = element(t, offset, metric);
  for (int64_t j = 1; j < n; ++j) {
    double v = element(t, offset + j, metric);
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/// The class count and the row count of [..., C] predictions.
std::pair<int64_t, int64_t> rows(const HostTensor &t, const std::string &metric) {
  if (t.shape().empty())
    throw Error(metric + ": predictions need a class axis, but got a scalar");
  int64_t classes = t.shape().back();
  if (classes <= 0)
    return {0, 0};
  return {classes, t.numElements() / classes};
}

} // namespace

void Mean::update(const HostTensor &, const HostTensor &yPred) {
  requireNonEmpty(yPred, name_, "yPred");
  for (int64_t i = 0; i < yPred.numElements(); ++i)
    total_ += element(yPred, i, name_);
  count_ += static_cast<double>(yPred.numElements());
}

void Accuracy::update(const HostTensor &yTrue, const HostTensor &yPred) {
  requireSameElements(yTrue, yPred, name_);
  for (int64_t i = 0; i < yTrue.numElements(); ++i)
    total_ += element(yTrue, i, name_) == element(yPred, i, name_) ? 1 : 0;
  count_ += static_cast<double>(yTrue.numElements());
}

void CategoricalAccuracy::update(const HostTensor &yTrue, const HostTensor &yPred) {
  if (yTrue.shape() != yPred.shape())
    throw Error(name_ + ": yTrue has shape " + shapeString(yTrue.shape()) +
                " but yPred has shape " + shapeString(yPred.shape()) +
                " (one-hot labels must have the predictions' shape)");
  auto [classes, n] = rows(yPred, name_);
  for (int64_t r = 0; r < n; ++r)
    total_ += argmaxRow(yTrue, r * classes, classes, name_) ==
                      argmaxRow(yPred, r * classes, classes, name_)
                  ? 1
                  : 0;
  count_ += static_cast<double>(n);
}

void SparseCategoricalAccuracy::update(const HostTensor &yTrue, const HostTensor &yPred) {
  auto [classes, n] = rows(yPred, name_);
  Shape expected(yPred.shape().begin(), yPred.shape().end() - 1);
  Shape withOne = expected;
  withOne.push_back(1);
  if (yTrue.shape() != expected && yTrue.shape() != withOne)
    throw Error(name_ + ": yTrue has shape " + shapeString(yTrue.shape()) +
                " but yPred has shape " + shapeString(yPred.shape()) +
                "; class ids must have the shape " + shapeString(expected));
  for (int64_t r = 0; r < n; ++r)
    total_ += element(yTrue, r, name_) ==
                      static_cast<double>(argmaxRow(yPred, r * classes, classes, name_))
                  ? 1
                  : 0;
  count_ += static_cast<double>(n);
}

void BinaryAccuracy::update(const HostTensor &yTrue, const HostTensor &yPred) {
  requireSameElements(yTrue, yPred, name_);
  for (int64_t i = 0; i < yTrue.numElements(); ++i) {
    double predicted = element(yPred, i, name_) > threshold_ ? 1 : 0;
    total_ += element(yTrue, i, name_) == predicted ? 1 : 0;
  }
  count_ += static_cast<double>(yTrue.numElements());
}

namespace {
/// Keras' MeanMetricWrapper of a per-sample loss: the per-sample mean over the last axis,
/// averaged over all samples seen.
template <class F>
void perSampleMean(const HostTensor &yTrue, const HostTensor &yPred, const std::string &metric,
                   double &total, double &count, F f) {
  requireSameElements(yTrue, yPred, metric);
  Shape shape = withoutTrailingOne(yPred.shape());
  int64_t width = shape.size() >= 2 ? shape.back() : 1;
  int64_t n = width > 0 ? yPred.numElements() / width : 0;
  for (int64_t r = 0; r < n; ++r) {
    double sum = 0;
    for (int64_t j = 0; j < width; ++j)
      sum += f(element(yPred, r * width + j, metric) - element(yTrue, r * width + j, metric));
    total += sum / static_cast<double>(width);
  }
  count += static_cast<double>(n);
}
} // namespace

void MeanSquaredError::update(const HostTensor &yTrue, const HostTensor &yPred) {
  perSampleMean(yTrue, yPred, name_, total_, count_, [](double d) { return d * d; });
}

void MeanAbsoluteError::update(const HostTensor &yTrue, const HostTensor &yPred) {
  perSampleMean(yTrue, yPred, name_, total_, count_, [](double d) { return std::abs(d); });
}

} // namespace sinter::metrics

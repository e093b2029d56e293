// Train/test split and z-score normalisation.
#include "sinter/data/Preprocessing.h"

#include <cmath>
#include <string>

namespace sinter::data {

TrainTestSplit trainTestSplit(const HostTensor &x, const HostTensor &y, double trainFraction,
                              uint64_t seed) {
  if (!(trainFraction > 0 && trainFraction < 1))
    throw DataError("trainTestSplit: the train fraction must be in (0, 1)");
  auto parts = split({x, y}, {trainFraction, 1.0 - trainFraction}, seed);
  return {parts[0][0], parts[0][1], parts[1][0], parts[1][1]};
}

namespace {
double at(const HostTensor &x, size_t i) {
  return x.dtype() == DType::F32 ? static_cast<double>(x.as<float>()[i]) : x.as<double>()[i];
}
void checkMatrix(const HostTensor &x, const char *what) {
  if (x.dtype() != DType::F32 && x.dtype() != DType::F64)
    throw DataError(std::string(what) + ": needs a float32 or float64 tensor");
  if (x.shape().size() != 2)
    throw DataError(std::string(what) + ": needs a [n, d] tensor, got " + x.spec().shapeString());
}
} // namespace

Normalizer Normalizer::fit(const HostTensor &x, int ddof) {
  checkMatrix(x, "Normalizer::fit");
  int64_t n = x.shape()[0], d = x.shape()[1];
  if (n - ddof <= 0)
    throw DataError("Normalizer::fit: too few rows");
  Normalizer s;
  s.mean.assign(static_cast<size_t>(d), 0.0);
  s.std.assign(static_cast<size_t>(d), 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < d; ++j)
      s.mean[static_cast<size_t>(j)] += at(x, static_cast<size_t>(r * d + j));
  for (double &m : s.mean)
    m /= static_cast<double>(n);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < d; ++j) {
      double diff = at(x, static_cast<size_t>(r * d + j)) - s.mean[static_cast<size_t>(j)];
      s.std[static_cast<size_t>(j)] += diff * diff;
    }
  for (double &v : s.std) {
    v = std::sqrt(v / static_cast<double>(n - ddof));
    if (!(v > 0))
      v = 1.0;
  }
  return s;
}

HostTensor Normalizer::apply(const HostTensor &x) const {
  checkMatrix(x, "Normalizer::apply");
  int64_t n = x.shape()[0], d = x.shape()[1];
  if (static_cast<size_t>(d) != mean.size())
    throw DataError("Normalizer::apply: tensor has " + std::to_string(d) +
                    " columns, the statistics " + std::to_string(mean.size()));
  HostTensor out(x.dtype(), x.shape(), x.spec().name);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < d; ++j) {
      size_t i = static_cast<size_t>(r * d + j);
      double v = (at(x, i) - mean[static_cast<size_t>(j)]) / std[static_cast<size_t>(j)];
      if (x.dtype() == DType::F32)
        out.as<float>()[i] = static_cast<float>(v);
      else
        out.as<double>()[i] = v;
    }
  return out;
}

HostTensor Normalizer::inverse(const HostTensor &x) const {
  checkMatrix(x, "Normalizer::inverse");
  int64_t n = x.shape()[0], d = x.shape()[1];
  if (static_cast<size_t>(d) != mean.size())
    throw DataError("Normalizer::inverse: column count differs from the statistics");
  HostTensor out(x.dtype(), x.shape(), x.spec().name);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < d; ++j) {
      size_t i = static_cast<size_t>(r * d + j);
      double v = at(x, i) * std[static_cast<size_t>(j)] + mean[static_cast<size_t>(j)];
      if (x.dtype() == DType::F32)
        out.as<float>()[i] = static_cast<float>(v);
      else
        out.as<double>()[i] = v;
    }
  return out;
}

} // namespace sinter::data

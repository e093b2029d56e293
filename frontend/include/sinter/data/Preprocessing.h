// Preparing host tensors for training: a random train/test split and z-score normalisation
// with training statistics (the book's sections 6.8 and 9).
#pragma once

#include "sinter/data/Dataset.h"

#include <cstdint>
#include <vector>

namespace sinter::data {

struct TrainTestSplit {
  HostTensor xTrain, yTrain, xTest, yTest;
};

/// Random split of the rows of x and y (same first dimension): round(trainFraction * n) rows
/// to train, the rest to test, through data::split (portable permutation of std::mt19937_64).
/// Auto MPG with 0.8 gives 314 / 78; make_moons 2000 with 0.7 gives 1400 / 600.
TrainTestSplit trainTestSplit(const HostTensor &x, const HostTensor &y, double trainFraction = 0.8,
                              uint64_t seed = 0);

/// Per-column statistics of a [n, d] tensor (F32 or F64): (x - mean) / std.
struct Normalizer {
  std::vector<double> mean, std;

  /// `ddof` 1 is the sample standard deviation (pandas describe(), which the book uses);
  /// 0 the population one (NumPy's default). A column with zero spread gets std 1.
  static Normalizer fit(const HostTensor &x, int ddof = 1);
  /// A new tensor of the same dtype and shape; DataError when the column count differs.
  HostTensor apply(const HostTensor &x) const;
  HostTensor inverse(const HostTensor &x) const;
};

} // namespace sinter::data

// Keras-style losses: graph functions of (yTrue, yPred) giving the batch mean (Keras'
// SUM_OVER_BATCH_SIZE). Shapes must match exactly except where stated — no silent [b] vs [b,1]
// broadcast (the book's chapter-6 slip): a mismatch is an Error naming both shapes.
#ifndef SINTER_NN_LOSSES_H
#define SINTER_NN_LOSSES_H

#include "sinter/Ops.h"

#include <functional>

namespace sinter::losses {

struct Loss {
  std::string name;
  std::function<Tensor(const Tensor &yTrue, const Tensor &yPred, Loc loc)> fn;
  Tensor operator()(const Tensor &yTrue, const Tensor &yPred, Loc loc = Loc::current()) const {
    return fn(yTrue, yPred, loc);
  }
};

Loss meanSquaredError();
Loss meanAbsoluteError();
/// Keras' Huber (TensorFlow's smooth L1 at delta 1): 0.5·e² where |e| ≤ delta, else
/// delta·(|e| − 0.5·delta), for e = yPred − yTrue.
Loss huber(double delta = 1.0);
/// yPred are probabilities, or logits when `fromLogits`.
Loss binaryCrossentropy(bool fromLogits = false);
/// yTrue one-hot [b, C]; yPred probabilities or logits [b, C].
Loss categoricalCrossentropy(bool fromLogits = false);
/// yTrue integer class ids [b] (int32/int64); yPred [b, C].
Loss sparseCategoricalCrossentropy(bool fromLogits = false);

} // namespace sinter::losses

#endif

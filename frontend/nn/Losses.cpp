// Keras-style losses as graph functions (see sinter/nn/Losses.h). Each returns the mean over
// every element of the per-sample losses (Keras' SUM_OVER_BATCH_SIZE reduction); the shapes of
// yTrue and yPred must agree exactly, so the book's chapter-6 [b] vs [b, 1] broadcast (which
// silently turns a regression loss into a mean over a [b, b] matrix) is an Error here.
#include "sinter/nn/Losses.h"

#include "sinter/TensorLanguage.h"

#include <sstream>

namespace sinter::losses {

namespace {

/// Keras' backend.epsilon().
constexpr double kEpsilon = 1e-7;

using runtime::shapeString;

std::string at(const Loc &loc) {
  return std::string(loc.file_name()) + ":" + std::to_string(loc.line());
}

bool sameShape(const Shape &a, const Shape &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && a[i] != -1 && b[i] != -1) // -1: the dynamic batch dimension
      return false;
  return true;
}

void requireSameShape(const std::string &loss, const Tensor &yTrue, const Tensor &yPred,
                      const Loc &loc) {
  if (!yTrue.valid() || !yPred.valid())
    throw Error(at(loc) + ": " + loss + ": yTrue or yPred is an empty Tensor handle");
  if (sameShape(yTrue.shape(), yPred.shape()))
    return;
  throw Error(at(loc) + ": " + loss + ": yTrue has shape " + shapeString(yTrue.shape()) +
              " but yPred has shape " + shapeString(yPred.shape()) +
              "; the shapes must match exactly (no implicit broadcast: reshape the labels, "
              "e.g. [b] to [b, 1], so that each prediction is compared with its own label)");
}

void requireFloatPred(const std::string &loss, const Tensor &yPred, const Loc &loc) {
  if (!isFloat(yPred.dtype()))
    throw Error(at(loc) + ": " + loss + ": yPred must be a floating-point tensor, not " +
                runtime::dtypeName(yPred.dtype()));
}

/// yTrue in yPred's element type (labels often come as integers or another float type).
Tensor asPredType(const Tensor &yTrue, const Tensor &yPred, const Loc &loc) {
  return yTrue.dtype() == yPred.dtype() ? yTrue : cast(yTrue, yPred.dtype(), loc);
}

/// The mean of all elements (= the mean over the last axis, then over the batch).
Tensor meanAll(const Tensor &x, const Loc &loc) { return reduceMean(x, {}, false, loc); }

/// The per-sample losses' mean over the batch, for per-sample values of a rank ≥ 1 tensor.
Tensor batchMean(const Tensor &perSample, const Loc &loc) {
  return reduceMean(perSample, {}, false, loc);
}

Tensor clip(const Tensor &p, double lo, double hi, const Loc &loc) {
  Graph &g = p.graph();
  return minimum(maximum(p, scalar(g, lo, p.dtype(), loc), loc), scalar(g, hi, p.dtype(), loc),
                 loc);
}

} // namespace

Loss meanSquaredError() {
  return {"mean_squared_error", [](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            requireSameShape("meanSquaredError", yTrue, yPred, loc);
            requireFloatPred("meanSquaredError", yPred, loc);
            return meanAll(square(sub(yPred, asPredType(yTrue, yPred, loc), loc), loc), loc);
          }};
}

Loss meanAbsoluteError() {
  return {"mean_absolute_error", [](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            requireSameShape("meanAbsoluteError", yTrue, yPred, loc);
            requireFloatPred("meanAbsoluteError", yPred, loc);
            return meanAll(abs(sub(yPred, asPredType(yTrue, yPred, loc), loc), loc), loc);
          }};
}

Loss huber(double delta) {
  if (!(delta > 0))
    throw Error("losses::huber: delta must be positive, got " + std::to_string(delta));
  return {"huber_loss", [delta](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            requireSameShape("huber", yTrue, yPred, loc);
            requireFloatPred("huber", yPred, loc);
            Graph &g = yPred.graph();
            Tensor error = abs(sub(yPred, asPredType(yTrue, yPred, loc), loc), loc);
            // q = min(|e|, delta): 0.5·q² + delta·(|e| − q) is both branches in one formula.
            Tensor q = minimum(error, scalar(g, delta, yPred.dtype(), loc), loc);
            Tensor l = add(mul(scalar(g, 0.5, yPred.dtype(), loc), square(q, loc), loc),
                           mul(scalar(g, delta, yPred.dtype(), loc), sub(error, q, loc), loc), loc);
            return meanAll(l, loc);
          }};
}

Loss binaryCrossentropy(bool fromLogits) {
  return {"binary_crossentropy", [fromLogits](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            requireSameShape("binaryCrossentropy", yTrue, yPred, loc);
            requireFloatPred("binaryCrossentropy", yPred, loc);
            Graph &g = yPred.graph();
            DType dt = yPred.dtype();
            Tensor z = asPredType(yTrue, yPred, loc);
            if (fromLogits)
              return meanAll(sigmoidCrossEntropyWithLogits(z, yPred, loc), loc);
            // Keras' backend.binary_crossentropy: p clipped to [ε, 1 − ε], then
            // −(z·log(p + ε) + (1 − z)·log(1 − p + ε)).
            Tensor p = clip(yPred, kEpsilon, 1.0 - kEpsilon, loc);
            Tensor eps = scalar(g, kEpsilon, dt, loc), one = scalar(g, 1.0, dt, loc);
            Tensor pos = mul(z, log(add(p, eps, loc), loc), loc);
            Tensor negTerm = mul(sub(one, z, loc), log(add(sub(one, p, loc), eps, loc), loc), loc);
            return meanAll(neg(add(pos, negTerm, loc), loc), loc);
          }};
}

namespace {
/// −Σ y·log p over the last axis, then the batch mean; p probabilities (renormalised and
/// clipped as Keras does) or logits.
Tensor categorical(const Tensor &y, const Tensor &yPred, bool fromLogits, const Loc &loc) {
  if (yPred.rank() < 1)
    throw Error(at(loc) +
                ": categoricalCrossentropy: yPred must have a class axis, but is a scalar");
  if (fromLogits)
    return batchMean(softmaxCrossEntropyWithLogits(y, yPred, loc), loc);
  Tensor p = div(yPred, reduceSum(yPred, {-1}, true, loc), loc);
  p = clip(p, kEpsilon, 1.0 - kEpsilon, loc);
  return batchMean(neg(reduceSum(mul(y, log(p, loc), loc), {-1}, false, loc), loc), loc);
}
} // namespace

Loss categoricalCrossentropy(bool fromLogits) {
  return {"categorical_crossentropy",
          [fromLogits](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            requireSameShape("categoricalCrossentropy", yTrue, yPred, loc);
            requireFloatPred("categoricalCrossentropy", yPred, loc);
            return categorical(asPredType(yTrue, yPred, loc), yPred, fromLogits, loc);
          }};
}

Loss sparseCategoricalCrossentropy(bool fromLogits) {
  return {"sparse_categorical_crossentropy",
          [fromLogits](const Tensor &yTrue, const Tensor &yPred, Loc loc) {
            const std::string name = "sparseCategoricalCrossentropy";
            if (!yTrue.valid() || !yPred.valid())
              throw Error(at(loc) + ": " + name + ": yTrue or yPred is an empty Tensor handle");
            requireFloatPred(name, yPred, loc);
            Shape pred = yPred.shape(), labels = yTrue.shape();
            if (pred.empty())
              throw Error(at(loc) + ": " + name +
                          ": yPred must have a class axis, but is a scalar");
            Shape expected(pred.begin(), pred.end() - 1);
            Tensor ids = yTrue;
            // Keras also takes labels [b, 1] for predictions [b, C].
            Shape withOne = expected;
            withOne.push_back(1);
            if (!sameShape(labels, expected)) {
              if (!sameShape(labels, withOne))
                throw Error(at(loc) + ": " + name + ": yTrue has shape " + shapeString(labels) +
                            " but yPred has shape " + shapeString(pred) +
                            "; class ids must have yPred's shape without its last axis, " +
                            shapeString(expected) + " (or " + shapeString(withOne) + ")");
              ids = reshape(ids, expected, loc);
            }
            if (isFloat(ids.dtype())) // Keras casts float class ids to integers
              ids = cast(ids, DType::I32, loc);
            Tensor y = oneHot(ids, pred.back(), yPred.dtype(), loc);
            return categorical(y, yPred, fromLogits, loc);
          }};
}

} // namespace sinter::losses

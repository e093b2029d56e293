// Loops in the graph: scan(), as tf.scan / jax.lax.scan. The body is traced once into a
// `sinter.scan` op, so the compiled program and its gradient do not grow with the sequence
// length (docs/architecture.md, "Loops: sinter.scan").
#ifndef SINTER_SCAN_H
#define SINTER_SCAN_H

#include "sinter/Graph.h"

#include <functional>
#include <vector>

namespace sinter {

/// What one step returns: the new carries (same shapes and dtypes as the initial ones) and
/// this step's slice of each stacked output.
struct ScanStep {
  std::vector<Tensor> carries;
  std::vector<Tensor> outputs = {};
};

/// The final carries and the stacked outputs (slice t at index t along the scan axis).
struct ScanResult {
  std::vector<Tensor> carries;
  std::vector<Tensor> outputs;
};

/// One step: the current carries and slice t of each sequence (the scan axis removed).
using ScanBody =
    std::function<ScanStep(const std::vector<Tensor> &carries, const std::vector<Tensor> &slices)>;

/// Runs `body` for t = 0 … T−1 (T−1 … 0 when `reverse`) over slices along `axis` of
/// `sequences` (at least one; all of static length T along `axis`), threading the carries.
/// The body may read any tensor built outside it (weights, masks); tensors it builds stay
/// inside (only the results leave). Differentiable with respect to the initial carries, the
/// sequences and everything the body reads, to any order. Weights a layer creates on its first
/// call inside the body are created outside (Graph::outsideScans). Random ops inside the body
/// draw the same numbers at every step (draw masks outside, as Keras' recurrent dropout does).
ScanResult scan(const ScanBody &body, const std::vector<Tensor> &init,
                const std::vector<Tensor> &sequences, int64_t axis = 0, bool reverse = false,
                Loc loc = Loc::current());

} // namespace sinter

#endif

// The passes on the sinter dialect and linalg on tensors (the lowering and outlining passes:
// Conversion/Passes.h). Each is also registered for `sinter-opt` (registerSinterPasses).
#ifndef SINTER_COMPILER_TRANSFORMS_PASSES_H
#define SINTER_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::sinter {

/// Expands every `sinter.grad` into the reverse-mode VJP chain (sinter-autodiff).
std::unique_ptr<Pass> createAutodiffPass();
/// Rewrites composites (softmax, softmax_cross_entropy) into primitives (sinter-decompose).
std::unique_ptr<Pass> createDecomposePass();
/// Marks the linalg.generic of a matrix product or convolution generated without the kernel
/// library: fusion leaves it whole, so that sinter-tile-contractions finds it.
constexpr const char *kGeneratedProductAttr = "sinter.generated_product";
/// Fuses elementwise linalg ops and propagates reshapes, keeping matrix products named for
/// the kernel library, and generated ones whole (sinter-fuse-elementwise).
std::unique_ptr<Pass> createFuseElementwisePass();
/// Runs softmaxes and chains of row reductions and elementwise ops over cache-sized blocks of
/// rows, in an scf.forall (sinter-block-rows).
std::unique_ptr<Pass> createBlockRowsPass();
/// Computes entry results directly in their result buffers when nothing else uses them
/// (sinter-results-in-place).
std::unique_ptr<Pass> createResultsInPlacePass();
/// Gives every use of a tensor.empty its own one, undoing CSE before bufferization
/// (sinter-split-empty-tensors).
std::unique_ptr<Pass> createSplitEmptyTensorsPass();
/// Moves each all_reduce up to where its operand is computed, so its communication overlaps
/// the rest of the step (sinter-schedule-collectives).
std::unique_ptr<Pass> createScheduleCollectivesPass();
/// Replaces math functions by vectorizable polynomial approximations
/// (sinter-approximate-math).
std::unique_ptr<Pass> createApproximateMathPass();

} // namespace mlir::sinter

#endif

// The passes of the sinter compiler. Each is also registered for `sinter-opt`.
#ifndef SINTER_COMPILER_TRANSFORMS_PASSES_H
#define SINTER_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::sinter {

/// Expands every `sinter.grad` into the reverse-mode VJP chain (sinter-autodiff).
std::unique_ptr<Pass> createAutodiffPass();
/// Rewrites composites (softmax, softmax_cross_entropy) into primitives (sinter-decompose).
std::unique_ptr<Pass> createDecomposePass();
/// Lowers sinter ops to linalg/tensor/arith/math and entry functions to the buffer ABI
/// (sinter-to-linalg).
std::unique_ptr<Pass> createSinterToLinalgPass();
/// Fuses elementwise linalg ops and propagates reshapes, keeping matrix products named for
/// the kernel library (sinter-fuse-elementwise).
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
/// Replaces bufferized matmuls by calls into the runtime's kernel library
/// (sinter-outline-kernels).
std::unique_ptr<Pass> createOutlineKernelsPass();
/// Outlines large scf.parallel loops into range functions (sinter-outline-parallel-loops)...
std::unique_ptr<Pass> createOutlineParallelLoopsPass();
/// ...whose calls become sinter_parallel_for calls after the LLVM lowering
/// (sinter-parallel-calls): generated loops run on the runtime's thread pool.
std::unique_ptr<Pass> createParallelCallsPass();
/// Replaces math functions by vectorizable polynomial approximations
/// (sinter-approximate-math).
std::unique_ptr<Pass> createApproximateMathPass();

/// Registers the passes above with the global registry (for sinter-opt and pipelines).
void registerSinterPasses();

} // namespace mlir::sinter

#endif

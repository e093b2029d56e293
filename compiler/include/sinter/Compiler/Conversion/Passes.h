// The lowering and outlining passes (compiler/lib/Conversion/). Each is also registered for
// `sinter-opt` (registerSinterPasses).
#ifndef SINTER_COMPILER_CONVERSION_PASSES_H
#define SINTER_COMPILER_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::sinter {

/// Lowers sinter ops to linalg/tensor/arith/math and entry functions to the buffer ABI
/// (sinter-to-linalg).
std::unique_ptr<Pass> createSinterToLinalgPass();
/// Replaces bufferized matmuls by calls into the runtime's kernel library
/// (sinter-outline-kernels).
std::unique_ptr<Pass> createOutlineKernelsPass();
/// Rewrites generated matrix products and convolutions (no kernel library) as loop nests tiled
/// for vector registers (sinter-tile-contractions).
std::unique_ptr<Pass> createTileContractionsPass();
/// Blocks transposes that move the innermost dimension for the caches (sinter-tile-transposes).
std::unique_ptr<Pass> createTileTransposesPass();
/// Outlines large scf.parallel loops into range functions (sinter-outline-parallel-loops)...
std::unique_ptr<Pass> createOutlineParallelLoopsPass();
/// ...whose calls become sinter_parallel_for calls after the LLVM lowering
/// (sinter-parallel-calls): generated loops run on the runtime's thread pool.
std::unique_ptr<Pass> createParallelCallsPass();

} // namespace mlir::sinter

#endif

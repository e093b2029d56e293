// The phase list of the compiler: the one place that says what runs in which order. Used by
// sinter-compile, sinter-opt and the frontend; the artifact writers are in Target/.
#ifndef SINTER_COMPILER_PIPELINE_PIPELINE_H
#define SINTER_COMPILER_PIPELINE_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "sinter/manifest.pb.h"
#include "sinter/runtime/Runtime.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::sinter {

/// Each phase is dumpable (`sinter-compile --emit=<name>`); they run in this order.
enum class Phase {
  Mlir,   // the entry points in the sinter dialect, verified and shape-inferred
  Grad,   // sinter.grad expanded (autodiff), canonicalized, CSE'd
  Fused,  // composites decomposed, lowered to linalg on tensors, elementwise chains fused
  Linalg, // bufferized linalg on memrefs, matmuls outlined to kernel calls
  Llvm,   // the LLVM dialect, ready for translation to LLVM IR
};
std::optional<Phase> parsePhase(llvm::StringRef name);

/// Registers every dialect and translation the pipeline uses.
void registerCompilerDialects(DialectRegistry &registry);

/// Runs the phases after `from` up to and including `to` on `module`, in place. The manifest
/// (entry signatures, variables) is taken on the way, after Grad, when `manifest` is given.
LogicalResult runPhases(ModuleOp module, Phase from, Phase to,
                        ::sinter::proto::Manifest *manifest = nullptr);

/// Builds the manifest of a module in the sinter dialect (after Grad).
::sinter::proto::Manifest buildManifest(ModuleOp module);

/// The runtime dtype of a tensor element type (ui8 is U8, i1 Bool); nullopt for a type no
/// Sinter tensor holds.
std::optional<::sinter::runtime::DType> dtypeOf(Type elementType);

/// Numerics checking for the programs lowered from now on: every float op's result is checked
/// for NaN and ±inf in the compiled code (SINTER_CHECK_NUMERICS=1 sets it when this is never
/// called).
void setCheckNumerics(bool on);

/// Registers the passes of Transforms/Passes.h and Conversion/Passes.h with the global
/// registry (for sinter-opt and pipelines).
void registerSinterPasses();

} // namespace mlir::sinter

#endif

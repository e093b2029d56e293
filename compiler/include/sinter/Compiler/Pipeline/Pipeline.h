// The phase list of the compiler and the artifact writers: the one place that says what runs
// in which order. Used by sinter-compile, sinter-opt and the frontend.
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

struct ArtifactOptions {
  std::string prefix = "sinter_model"; // symbol prefix (Abi.h)
  std::string cpu;                     // target CPU; empty = the host's
};

/// Compiles a module in the LLVM dialect (Phase::Llvm) to a native relocatable object in
/// memory: its entry points under the ABI names, the manifest, and the initial variable data
/// `variableBlob` (offsets in `manifest`). `llvmIr` receives the optimized LLVM IR.
LogicalResult emitObject(ModuleOp module, const ::sinter::proto::Manifest &manifest,
                         llvm::StringRef variableBlob, const ArtifactOptions &options,
                         llvm::SmallVectorImpl<char> &object, std::string *llvmIr = nullptr);

/// The same split into several objects, optimized and generated on `threads` threads (for the
/// JIT, which links them together); the parts reference each other's symbols.
LogicalResult emitObjects(ModuleOp module, const ::sinter::proto::Manifest &manifest,
                          llvm::StringRef variableBlob, const ArtifactOptions &options,
                          unsigned threads, std::vector<llvm::SmallVector<char, 0>> &objects);

/// Writes a native object from a module in the LLVM dialect (Phase::Llvm): its entry points
/// under the ABI names, the manifest, and the initial variable data `variableBlob` (offsets
/// in `manifest`).
LogicalResult writeObject(ModuleOp module, const ::sinter::proto::Manifest &manifest,
                          llvm::StringRef variableBlob, const ArtifactOptions &options,
                          llvm::StringRef path, std::string *llvmIr = nullptr);

/// Links an object into a shared library with the system linker driver (cc).
LogicalResult linkSharedObject(llvm::StringRef objectPath, llvm::StringRef soPath,
                               std::string &error);

/// Native code loaded into this process by LLVM's ORC JIT: compiling in process needs no
/// linker and no C compiler on the machine. Symbols the object does not define (the runtime's
/// kernels, libc) resolve against the process.
class JitCode {
public:
  /// Links relocatable objects (from emitObject/emitObjects) into the process; nullptr and
  /// `error` set on failure.
  static std::shared_ptr<JitCode> load(llvm::ArrayRef<llvm::StringRef> objects, std::string &error);
  ~JitCode();
  /// The address of a symbol the object defines, or nullptr.
  void *lookup(llvm::StringRef symbol) const;

private:
  struct Impl;
  explicit JitCode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A C++ header with a typed class per entry point (in the spirit of tfcompile).
std::string emitHeader(const ::sinter::proto::Manifest &manifest, const ArtifactOptions &options,
                       llvm::StringRef className);

} // namespace mlir::sinter

#endif

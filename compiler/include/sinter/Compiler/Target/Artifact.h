// Native code from a module in the LLVM dialect (Phase::Llvm): relocatable objects in memory or
// on disk, with the manifest and the initial variable data, and a shared object linked from one.
#ifndef SINTER_COMPILER_TARGET_ARTIFACT_H
#define SINTER_COMPILER_TARGET_ARTIFACT_H

#include "mlir/IR/BuiltinOps.h"
#include "sinter/manifest.pb.h"

#include <string>
#include <vector>

namespace mlir::sinter {

struct ArtifactOptions {
  std::string prefix = "sinter_model"; // symbol prefix (Abi.h)
  std::string cpu;                     // target CPU; empty = the host's
};

/// Compiles a module in the LLVM dialect (Phase::Llvm) to native relocatable objects in
/// memory: its entry points under the ABI names, the manifest, and the initial variable data
/// `variableBlob` (offsets in `manifest`). With `threads` > 1 the module is split into several
/// objects, optimized and generated on that many threads (for the JIT, which links them
/// together; the parts reference each other's symbols); with 1, one object, and `llvmIr`
/// receives its optimized LLVM IR.
LogicalResult emitObjects(ModuleOp module, const ::sinter::proto::Manifest &manifest,
                          llvm::StringRef variableBlob, const ArtifactOptions &options,
                          unsigned threads, std::vector<llvm::SmallVector<char, 0>> &objects,
                          std::string *llvmIr = nullptr);

/// Writes a native object from a module in the LLVM dialect (Phase::Llvm): its entry points
/// under the ABI names, the manifest, and the initial variable data `variableBlob` (offsets
/// in `manifest`).
LogicalResult writeObject(ModuleOp module, const ::sinter::proto::Manifest &manifest,
                          llvm::StringRef variableBlob, const ArtifactOptions &options,
                          llvm::StringRef path, std::string *llvmIr = nullptr);

/// Links an object into a shared library with the system linker driver (cc).
LogicalResult linkSharedObject(llvm::StringRef objectPath, llvm::StringRef soPath,
                               std::string &error);

} // namespace mlir::sinter

#endif

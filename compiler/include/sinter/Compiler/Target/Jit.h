// Compiling in process: objects from Target/Artifact.h linked into this process by ORC.
#ifndef SINTER_COMPILER_TARGET_JIT_H
#define SINTER_COMPILER_TARGET_JIT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace mlir::sinter {

/// Native code loaded into this process by LLVM's ORC JIT: compiling in process needs no
/// linker and no C compiler on the machine. Symbols the object does not define (the runtime's
/// kernels, libc) resolve against the process.
class JitCode {
public:
  /// Links relocatable objects (from emitObjects) into the process; nullptr and
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

} // namespace mlir::sinter

#endif

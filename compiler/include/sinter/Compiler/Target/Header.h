// The C++ header of an ahead-of-time artifact (sinter-compile --emit=header).
#ifndef SINTER_COMPILER_TARGET_HEADER_H
#define SINTER_COMPILER_TARGET_HEADER_H

#include "sinter/Compiler/Target/Artifact.h"

#include <string>

namespace mlir::sinter {

/// A C++ header with a typed class per entry point (in the spirit of tfcompile).
std::string emitHeader(const ::sinter::proto::Manifest &manifest, const ArtifactOptions &options,
                       llvm::StringRef className);

/// The header of a standalone artifact (sinter-compile --standalone): the same class, with the
/// signatures and the variable layout written out, so it needs no runtime library: only
/// libsinter_standalone (and its sinter/runtime/CallErrors.h).
std::string emitStandaloneHeader(const ::sinter::proto::Manifest &manifest,
                                 const ArtifactOptions &options, llvm::StringRef className);

} // namespace mlir::sinter

#endif

// The C++ header of an ahead-of-time artifact (sinter-compile --emit=header).
#ifndef SINTER_COMPILER_TARGET_HEADER_H
#define SINTER_COMPILER_TARGET_HEADER_H

#include "sinter/Compiler/Target/Artifact.h"

#include <string>

namespace mlir::sinter {

/// A C++ header with a typed class per entry point (in the spirit of tfcompile).
std::string emitHeader(const ::sinter::proto::Manifest &manifest, const ArtifactOptions &options,
                       llvm::StringRef className);

} // namespace mlir::sinter

#endif

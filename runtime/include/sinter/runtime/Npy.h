//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads format versions 1.0 and 2.0, writes 1.0 (2.0 when the header needs it); little-endian,
// C order only. Supported dtypes: float32/64, int8/16/32/64, uint8, bool, float16.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_NPY_H
#define SINTER_RUNTIME_NPY_H

#include "sinter/runtime/Runtime.h"

#include <string>

namespace sinter::runtime {

/// Throws Error naming `path` on a missing file, bad magic, Fortran order, an unsupported
/// dtype or truncated data. The tensor's name is the file's stem.
HostTensor readNpy(const std::string &path);

/// Writes atomically (temporary file in the same directory, then rename).
void writeNpy(const std::string &path, const HostTensor &tensor);

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_NPY_H

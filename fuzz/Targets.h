// The fuzz targets by name (fuzz/Targets.cpp): each feeds one input to one loader and returns
// normally when the loader accepted it or failed with a clear Error; anything else (a crash,
// another exception, a sanitizer report) is a finding.
#ifndef SINTER_FUZZ_TARGETS_H
#define SINTER_FUZZ_TARGETS_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace sinter::fuzz {

using Target = int (*)(const uint8_t *data, size_t size);
/// npy, idx, csv, json, manifest, checkpoint, events, image, model, onnx.
const std::map<std::string, Target> &targets();

} // namespace sinter::fuzz

#endif

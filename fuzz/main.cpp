// The libFuzzer entry of one target, chosen at build time (SINTER_FUZZ_TARGET,
// fuzz/CMakeLists.txt).
#include "Targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const sinter::fuzz::Target target = sinter::fuzz::targets().at(SINTER_FUZZ_TARGET);
  return target(data, size);
}

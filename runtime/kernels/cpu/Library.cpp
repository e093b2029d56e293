// Process-wide facts about the library (oneDNN) kernels: whether programs may use them, and
// how many of their calls fell back to reference loops (Runtime.h).
#include "sinter/runtime/Runtime.h"

#include "Dnnl.h"

#include <cstdlib>

bool sinter::runtime::libraryKernelsEnabled() {
  const char *env = std::getenv("SINTER_GENERATED_ONLY");
  return !(env && *env && *env != '0');
}

uint64_t sinter::runtime::libraryKernelFallbacks() {
  return sinter::runtime::kernels::libraryFallbackCount().load();
}

//===- ParallelFor.cpp - sinter_parallel_for of a standalone model --------===//
//
// A model compiled with `sinter-compile --standalone` links libsinter_standalone instead of
// libsinter_runtime: no OpenMP runtime, so every parallel loop runs its whole range on the
// calling thread (docs/deployment.md, "A self-contained binary").
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

extern "C" void sinter_parallel_for(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                                    int64_t /*grain*/) {
  if (end > begin)
    task(context, begin, end);
}

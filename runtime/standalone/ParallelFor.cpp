//===- ParallelFor.cpp - sinter_parallel_for of a standalone model --------===//
//
// A model compiled with `sinter-compile --standalone` links libsinter_standalone instead of
// libsinter_runtime: no OpenMP runtime, so the parallel loops run on a SleepingPool of standard
// threads (its idle threads sleep rather than spin, so a busy machine loses nothing to them).
// The pool starts at the first loop worth splitting, with OMP_NUM_THREADS threads (the knob of
// the runtime-linked build) or else one per hardware thread. One loop runs on the pool at a
// time: a loop that finds it taken (another thread's call, or a loop inside a chunk) runs on
// its caller alone (docs/deployment.md).
//
//===----------------------------------------------------------------------===//
#include "../lib/SleepingPool.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace {

int configuredThreads() {
  if (const char *env = std::getenv("OMP_NUM_THREADS"); env && *env) {
    int n = std::atoi(env); // "4" or the first level of "4,2"
    if (n > 0)
      return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

} // namespace

extern "C" void sinter_parallel_for(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                                    int64_t grain) {
  // Loops too small to pay for waking a thread never start the pool.
  if ((end - begin) / std::max<int64_t>(grain, 1) >= 2) {
    static auto *pool = new sinter::runtime::SleepingPool(configuredThreads());
    if (pool->threads() > 1 && pool->tryRun(task, context, begin, end, grain))
      return;
  }
  if (begin < end)
    task(context, begin, end);
}

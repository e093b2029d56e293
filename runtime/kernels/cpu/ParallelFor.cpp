//===- ParallelFor.cpp - sinter_parallel_for on the OpenMP pool -----------===//
//
// Generated loops call this with the range of their outlined dimension and the fewest
// iterations worth a thread (Abi.h). It uses the calling thread's OpenMP thread count, which
// the entry call's CallThreads scope set (Threads.h), so generated loops and oneDNN share one
// pool and one budget. Where other processes' load cut that count, the loop runs on the
// sleeping pool instead (Threads.h, SleepingPool.h).
//
//===----------------------------------------------------------------------===//
#include "../../lib/SleepingPool.h"
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/CallErrors.h"

#include <omp.h>

#include <algorithm>

namespace {

/// The fewest grains for which a loop goes to the sleeping pool. A worker the scheduler parks
/// while it runs a chunk makes the caller wait for it, possibly a scheduler slice: the MLP
/// training step's loops of 2-15 grains, each such a risk, ran at 0.5-1.4 times one thread's
/// busy throughput, varying from run to run; larger loops gain 1.2-1.4 times.
constexpr int64_t kMinGrainsUnderLoad = 16;

} // namespace

extern "C" void sinter_parallel_for(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                                    int64_t grain) {
  int64_t n = end - begin;
  if (n <= 0)
    return;
  grain = std::max<int64_t>(grain, 1);
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  int64_t chunks = std::min<int64_t>(threads, n / grain);
  if (chunks <= 1) {
    if (n / grain >= kMinGrainsUnderLoad)
      if (auto *pool = sinter::runtime::callSleepingPool();
          pool && pool->tryRun(task, context, begin, end, grain))
        return;
    task(context, begin, end);
    return;
  }
  // Errors the chunks report belong to the caller's entry call.
  sinter::runtime::CallErrors *errors = sinter::runtime::currentCallErrors();
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    sinter::runtime::CallErrorsScope scope(errors);
    int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t lo = begin + n * t / nt, hi = begin + n * (t + 1) / nt;
    if (lo < hi)
      task(context, lo, hi);
  }
}

//===- SleepingPool.h - Split loops on threads that sleep while idle -------===//
//
// The pool behind sinter_parallel_for where OpenMP's would lose: a standalone model's (which
// has no OpenMP runtime) and the runtime's own on a busy machine (Threads.h). Its workers sleep
// on a futex (std::atomic::wait) between loops instead of spinning, and a loop is cut into more
// chunks than threads that the caller and the workers claim one at a time: a worker that the
// scheduler wakes late finds the chunks taken and goes back to sleep, so the caller never waits
// for work nobody started, only for the chunks a worker is running. Each thread first claims
// the chunks of its own share of the loop, front to back, then takes what is left of the others'
// from their backs: a thread reads the same rows call after call, which stay in its core's
// caches. Workers ask the kernel for short scheduler slices (SchedulerSlice.h).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_SLEEPINGPOOL_H
#define SINTER_RUNTIME_SLEEPINGPOOL_H

#include "sinter/runtime/Abi.h"
#include "sinter/runtime/CallErrors.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace sinter::runtime {

class SleepingPool {
public:
  /// Starts `threads - 1` detached workers, each running `onWorkerStart` first (when given).
  /// The pool is never destroyed: callers keep it in a leaked static, so neither exit nor a
  /// forked child (where the workers do not exist and the caller runs every chunk) joins them.
  explicit SleepingPool(int threads, void (*onWorkerStart)() = nullptr);
  SleepingPool(const SleepingPool &) = delete;
  SleepingPool &operator=(const SleepingPool &) = delete;

  int threads() const { return threads_; }

  /// Runs `task` over [begin, end) in near-equal chunks of at least `grain` iterations (up to
  /// kChunksPerThread per thread), on the caller and whichever workers wake before the chunks
  /// run out; errors the chunks report go to the caller's entry call. False (nothing run) for a
  /// loop under one grain or when another loop holds the pool (a second caller thread, or a
  /// loop inside one of its chunks).
  bool tryRun(SinterTaskFn task, void *context, int64_t begin, int64_t end, int64_t grain);

  /// Enough chunks that a thread the scheduler parks mid-loop leaves little for the others to
  /// wait on, few enough that claiming them costs nothing measurable.
  static constexpr int64_t kChunksPerThread = 8;

private:
  /// The unclaimed chunks of one thread's share: (generation << 32) | (front << 16) | back. A
  /// claim names its loop, so a worker that read a finished loop's fields can never claim a
  /// chunk of the next one. On its own cache line: its owner claims from it at every chunk.
  struct alignas(64) Share {
    std::atomic<uint64_t> chunks{0};
  };

  void work(int self);
  /// Claims and runs chunks of loop `generation` as thread `self` (the caller is 0) until none
  /// is left; the number it ran.
  int64_t runChunks(uint32_t generation, int self);

  const int threads_;
  void (*onWorkerStart_)();
  std::atomic<bool> inUse_{false};
  /// Bumped for each loop; workers sleep on it.
  std::atomic<uint32_t> generation_{0};
  /// Thread t's share of the current loop: chunks [chunks * t / threads, chunks * (t+1) / threads).
  const std::unique_ptr<Share[]> shares_;
  /// Chunks of the current loop finished; the caller sleeps on it.
  std::atomic<uint32_t> done_{0};
  // The current loop. Atomics because a late worker may read them while the caller writes the
  // next loop's; it then fails to claim (shares_) and never uses what it read.
  std::atomic<SinterTaskFn> task_{nullptr};
  std::atomic<void *> context_{nullptr};
  std::atomic<int64_t> begin_{0}, n_{0}, chunks_{0};
  std::atomic<CallErrors *> errors_{nullptr};
};

/// libsinter_runtime's pool (Threads.cpp), for the entry call running on this thread: non-null
/// only where other processes' load cut the call's OpenMP threads (sleepingPoolThreads() > 1).
/// Its workers run with one OpenMP thread, so oneDNN inside a chunk stays on that worker.
SleepingPool *callSleepingPool();

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_SLEEPINGPOOL_H

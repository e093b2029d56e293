//===- Threads.h - How many threads a compiled call uses ------------------===//
//
// Compiled code has one thread pool: the OpenMP threads that oneDNN uses too (never a second
// pool). Each entry call (Session::call) runs under a CallThreads scope that sets the calling
// thread's OpenMP thread count for the call:
//   - at most the configured count (OMP_NUM_THREADS or omp_set_num_threads, as for oneDNN);
//   - fewer when other processes keep cores busy: every few hundred milliseconds the runtime
//     compares the machine's busy CPU time (/proc/stat) with its own and leaves the cores that
//     others use to them, because a fork-join region whose threads share cores with other work
//     waits for whichever thread the scheduler parked (and its barriers spin meanwhile);
//   - split between calls that run at the same time on several of the caller's threads.
// Both generated parallel loops (sinter_parallel_for) and oneDNN primitives read that count.
// Where the load alone cut a call's count, its generated loops and large matrix products do not
// give up the other cores: they run on a pool whose threads sleep instead of spinning and take
// chunks as the scheduler lets them run (SleepingPool.h), and whose threads (the caller's too,
// while the load lasts) ask the kernel for short scheduler slices (SchedulerSlice.h), so the
// call gets the share of the machine its threads are due without waiting at a barrier for a
// parked one.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_THREADS_H
#define SINTER_RUNTIME_THREADS_H

namespace sinter::runtime {

/// Scope of one entry call: sets the calling thread's OpenMP thread count to threadsForCall()
/// and restores the previous setting on exit.
class CallThreads {
public:
  CallThreads();
  ~CallThreads();
  CallThreads(const CallThreads &) = delete;
  CallThreads &operator=(const CallThreads &) = delete;

private:
  int saved_;
  int threads_;
  int savedSleeping_;
};

/// Threads the generated loops of the current entry call may use on the sleeping pool: the
/// configured count where other processes' load cut the call's OpenMP threads, else 0.
int sleepingPoolThreads();

/// Adapting to other processes is on unless SINTER_ADAPTIVE_THREADS=0 is set in the
/// environment; this switches it at run time (tests, benchmarks of the fixed behaviour).
void setAdaptiveThreads(bool on);

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_THREADS_H

//===- SchedulerSlice.h - Short scheduler turns for threads that wait on each other ===//
//
// On a busy machine the threads of one parallel loop share their cores with other processes,
// and each waits for the others at the end of the loop. Linux's scheduler (EEVDF) lets a
// thread ask for a shorter slice than its default of a few milliseconds (sched_setattr's
// sched_runtime for SCHED_OTHER, kernel 6.12 or later, no privileges): the thread keeps the
// same share of the CPU, in shorter turns, and when it wakes it preempts the running task at
// once instead of at the next scheduler tick (4 ms at HZ=250) — so a sleeping pool's worker
// joins a loop in microseconds. Older kernels ignore the request.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_SCHEDULERSLICE_H
#define SINTER_RUNTIME_SCHEDULERSLICE_H

namespace sinter::runtime {

/// Asks for short slices (`on`) or the kernel's default for the calling thread, keeping its
/// nice value. A thread under another policy than SCHED_OTHER (real-time, batch, idle) is left
/// alone. False where the thread was left alone or the kernel refused.
bool setShortSchedulerSlice(bool on);

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_SCHEDULERSLICE_H

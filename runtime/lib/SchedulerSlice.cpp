//===- SchedulerSlice.cpp - Short scheduler turns for threads that wait on each other ===//
#include "SchedulerSlice.h"

#include <cstdint>

#if defined(__linux__)
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace sinter::runtime {

namespace {

/// The kernel's struct sched_attr (linux/sched/types.h), which glibc does not declare.
struct SchedAttr {
  uint32_t size;
  uint32_t policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime; // for SCHED_OTHER: the requested slice in ns (0: the default)
  uint64_t deadline;
  uint64_t period;
  uint32_t utilMin;
  uint32_t utilMax;
};

/// The shortest slice the kernel accepts.
constexpr uint64_t kShortSliceNs = 100'000;
/// SCHED_FLAG_RESET_ON_FORK, the one flag that belongs to the thread and must be kept.
constexpr uint64_t kResetOnFork = 0x01;

} // namespace

bool setShortSchedulerSlice(bool on) {
#if defined(__linux__) && defined(SYS_sched_getattr) && defined(SYS_sched_setattr)
  SchedAttr attr{};
  if (syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0 || attr.policy != SCHED_OTHER)
    return false;
  attr.size = sizeof attr;
  attr.flags &= kResetOnFork;
  attr.runtime = on ? kShortSliceNs : 0;
  return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
#else
  (void)on;
  return false;
#endif
}

} // namespace sinter::runtime

//===- Threads.cpp - Thread counts for compiled calls ---------------------===//
#include "sinter/runtime/Threads.h"

#include "SchedulerSlice.h"
#include "SleepingPool.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <unistd.h>

namespace sinter::runtime {

namespace {

/// How often the machine's load is sampled: /proc/stat counts in 10 ms ticks, so a shorter
/// window would mostly measure rounding.
constexpr int64_t kSampleIntervalNs = 250'000'000;

int64_t nowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// Busy CPU time of the whole machine in ticks (the first line of /proc/stat), or -1.
int64_t machineBusyTicks() {
  std::FILE *f = std::fopen("/proc/stat", "r");
  if (!f)
    return -1;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system,
                      &idle, &iowait, &irq, &softirq, &steal);
  std::fclose(f);
  if (n < 4)
    return -1;
  return static_cast<int64_t>(user + nice + system + irq + softirq + steal);
}

/// Samples the cores used by other processes: (machine busy time − this process's CPU time) /
/// wall time over the last interval. One caller at a time samples; the others read the result.
class LoadMonitor {
public:
  LoadMonitor() {
    const char *env = std::getenv("SINTER_ADAPTIVE_THREADS");
    adaptive_ = !(env && std::strcmp(env, "0") == 0);
    tickNs_ = 1'000'000'000 / std::max<long>(1, sysconf(_SC_CLK_TCK));
    cpus_ = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
  }

  /// The threads the machine leaves this process, given what it would like.
  int allowed(int wanted) {
    if (!adaptive_.load(std::memory_order_relaxed) || wanted <= 1)
      return wanted;
    int64_t now = nowNs(CLOCK_MONOTONIC);
    if (now >= nextSample_.load(std::memory_order_relaxed))
      sample(now);
    double free = static_cast<double>(cpus_) - others_.load(std::memory_order_relaxed);
    int threads = static_cast<int>(std::floor(free + 0.5));
    return std::clamp(threads, 1, wanted);
  }

  void setAdaptive(bool on) { adaptive_ = on; }

private:
  void sample(int64_t now) {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock())
      return;
    nextSample_.store(now + kSampleIntervalNs, std::memory_order_relaxed);
    int64_t busy = machineBusyTicks(), self = nowNs(CLOCK_PROCESS_CPUTIME_ID);
    if (busy < 0)
      return;
    if (lastWall_ > 0 && now > lastWall_) {
      double others = (static_cast<double>(busy - lastBusy_) * tickNs_ -
                       static_cast<double>(self - lastSelf_)) /
                      static_cast<double>(now - lastWall_);
      others_.store(std::clamp(others, 0.0, static_cast<double>(cpus_)), std::memory_order_relaxed);
    }
    lastBusy_ = busy;
    lastSelf_ = self;
    lastWall_ = now;
  }

  std::atomic<bool> adaptive_{true};
  int64_t tickNs_ = 10'000'000;
  long cpus_ = 1;
  std::atomic<int64_t> nextSample_{0};
  std::atomic<double> others_{0.0};
  std::mutex mutex_;
  int64_t lastBusy_ = 0, lastSelf_ = 0, lastWall_ = 0;
};

LoadMonitor &monitor() {
  static LoadMonitor m;
  return m;
}

/// Entry calls running now in this process (each on its own caller thread).
std::atomic<int> activeCalls{0};

/// sleepingPoolThreads() of the entry call running on this thread.
thread_local int callSleepingThreads = 0;

/// Whether this caller thread runs with short scheduler slices: from the first call that the
/// load cut until the next call it did not. It shares loops with the sleeping pool's workers
/// and waits for them, so it wants their quick turns; set on changes only (a system call).
thread_local bool callerShortSlice = false;

} // namespace

CallThreads::CallThreads() : saved_(omp_get_max_threads()), savedSleeping_(callSleepingThreads) {
  int active = activeCalls.fetch_add(1, std::memory_order_relaxed) + 1;
  int wanted = omp_in_parallel() ? 1 : saved_;
  int allowed = monitor().allowed(wanted);
  threads_ = std::max(1, allowed / active);
  // Only the load: cores this process's other calls hold are not the scheduler's to give.
  callSleepingThreads = allowed < wanted && active == 1 ? wanted : 0;
  if (bool loaded = callSleepingThreads > 0; loaded != callerShortSlice) {
    setShortSchedulerSlice(loaded);
    callerShortSlice = loaded;
  }
  if (threads_ != saved_)
    omp_set_num_threads(threads_);
}

CallThreads::~CallThreads() {
  if (threads_ != saved_)
    omp_set_num_threads(saved_);
  callSleepingThreads = savedSleeping_;
  activeCalls.fetch_sub(1, std::memory_order_relaxed);
}

int sleepingPoolThreads() { return callSleepingThreads; }

SleepingPool *callSleepingPool() {
  if (callSleepingThreads <= 1)
    return nullptr;
  static auto *pool = new SleepingPool(callSleepingThreads, [] { omp_set_num_threads(1); });
  return pool;
}

void setAdaptiveThreads(bool on) { monitor().setAdaptive(on); }

} // namespace sinter::runtime

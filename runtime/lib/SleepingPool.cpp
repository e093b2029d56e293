//===- SleepingPool.cpp - Split loops on threads that sleep while idle -----===//
#include "SleepingPool.h"

#include "SchedulerSlice.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace sinter::runtime {

namespace {

using Clock = std::chrono::steady_clock;

void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Spins until `ready()` or for `limit`, before a thread sleeps: a sleeping thread gives its
/// core to whatever else is runnable and, on a busy machine, waits a scheduler slice (ms) to
/// get one back, not worth it for an event a chunk's time away.
template <typename Ready> void spinFor(Clock::duration limit, Ready ready) {
  Clock::time_point until = Clock::now() + limit;
  do {
    for (int i = 0; i < 64; ++i) {
      if (ready())
        return;
      cpuRelax();
    }
  } while (Clock::now() < until);
}

/// How long a worker looks for the next loop before sleeping: the gap between the loops of
/// one call, or between back-to-back calls.
constexpr Clock::duration kWorkerLinger = std::chrono::microseconds(50);
/// The caller's wait for the workers' last chunks spins at least this long, and at most
/// kMaxCallerSpin, otherwise twice its own mean chunk time.
constexpr Clock::duration kMinCallerSpin = std::chrono::microseconds(20);
constexpr Clock::duration kMaxCallerSpin = std::chrono::microseconds(500);

/// A share's word (SleepingPool::Share) holds chunk numbers in 16 bits.
constexpr int64_t kMaxChunks = 0xffff;

uint64_t shareWord(uint32_t generation, int64_t front, int64_t back) {
  return (static_cast<uint64_t>(generation) << 32) | (static_cast<uint64_t>(front) << 16) |
         static_cast<uint64_t>(back);
}

} // namespace

SleepingPool::SleepingPool(int threads, void (*onWorkerStart)())
    : threads_(std::clamp<int>(threads, 1, kMaxChunks / kChunksPerThread)),
      onWorkerStart_(onWorkerStart), shares_(new Share[threads_]) {
  for (int t = 1; t < threads_; ++t)
    std::thread([this, t] { work(t); }).detach();
}

bool SleepingPool::tryRun(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                          int64_t grain) {
  int64_t chunks =
      std::min((end - begin) / std::max<int64_t>(grain, 1), kChunksPerThread * threads_);
  if (chunks < 1 || inUse_.exchange(true, std::memory_order_acquire))
    return false;
  uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  task_.store(task, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  begin_.store(begin, std::memory_order_relaxed);
  n_.store(end - begin, std::memory_order_relaxed);
  chunks_.store(chunks, std::memory_order_relaxed);
  errors_.store(currentCallErrors(), std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  for (int t = 0; t < threads_; ++t)
    shares_[t].chunks.store(
        shareWord(generation, chunks * t / threads_, chunks * (t + 1) / threads_),
        std::memory_order_release);
  generation_.store(generation, std::memory_order_release);
  generation_.notify_all();
  Clock::time_point start = Clock::now();
  int64_t ran = runChunks(generation, 0);
  Clock::duration chunkTime = ran > 0 ? (Clock::now() - start) / ran : Clock::duration{};
  const uint32_t all = static_cast<uint32_t>(chunks);
  spinFor(std::clamp<Clock::duration>(2 * chunkTime, kMinCallerSpin, kMaxCallerSpin),
          [&] { return done_.load(std::memory_order_relaxed) == all; });
  for (uint32_t done; (done = done_.load(std::memory_order_acquire)) != all;)
    done_.wait(done, std::memory_order_acquire);
  inUse_.store(false, std::memory_order_release);
  return true;
}

int64_t SleepingPool::runChunks(uint32_t generation, int self) {
  int64_t ran = 0;
  // Its own share from the front, then the others' from the back.
  for (int k = 0; k < threads_; ++k) {
    Share &share = shares_[(self + k) % threads_];
    const bool own = k == 0;
    for (;;) {
      uint64_t word = share.chunks.load(std::memory_order_acquire);
      // Read before claiming: a successful claim proves the loop was still running, so these
      // are its fields and not the next loop's.
      SinterTaskFn task = task_.load(std::memory_order_relaxed);
      void *context = context_.load(std::memory_order_relaxed);
      int64_t begin = begin_.load(std::memory_order_relaxed),
              n = n_.load(std::memory_order_relaxed),
              chunks = chunks_.load(std::memory_order_relaxed);
      CallErrors *errors = errors_.load(std::memory_order_relaxed);
      if ((word >> 32) != generation)
        return ran;
      int64_t front = static_cast<int64_t>((word >> 16) & 0xffff),
              back = static_cast<int64_t>(word & 0xffff);
      if (front >= back)
        break;
      int64_t chunk = own ? front : back - 1;
      if (!share.chunks.compare_exchange_weak(word,
                                              own ? shareWord(generation, front + 1, back)
                                                  : shareWord(generation, front, chunk),
                                              std::memory_order_acq_rel, std::memory_order_relaxed))
        continue;
      {
        CallErrorsScope scope(errors);
        task(context, begin + n * chunk / chunks, begin + n * (chunk + 1) / chunks);
      }
      ++ran;
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == static_cast<uint32_t>(chunks))
        done_.notify_one();
    }
  }
  return ran;
}

void SleepingPool::work(int self) {
  // A worker joins loops the caller has started: on a busy machine it must get a core at once.
  setShortSchedulerSlice(true);
  if (onWorkerStart_)
    onWorkerStart_();
  uint32_t seen = 0;
  for (;;) {
    spinFor(kWorkerLinger, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
    uint32_t generation;
    while ((generation = generation_.load(std::memory_order_acquire)) == seen)
      generation_.wait(seen, std::memory_order_acquire);
    seen = generation;
    runChunks(generation, self);
  }
}

} // namespace sinter::runtime

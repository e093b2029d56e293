// A loop body for sinter_parallel_for tests: counts how often each index ran, how many ranges
// it was called with and on which threads, and which thread ran each index. Header-only, standard
// library only.
#ifndef SINTER_TESTS_COMMON_RANGECOUNTS_H
#define SINTER_TESTS_COMMON_RANGECOUNTS_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace sinter::testing {

struct RangeCounts {
  std::vector<std::atomic<int>> hits;
  std::atomic<int> ranges{0};
  std::mutex lock;
  std::set<std::thread::id> threads;
  std::vector<std::thread::id> ranOn;
  explicit RangeCounts(size_t n) : hits(n), ranOn(n) {}

  /// Whether every index in [begin, end) ran once and no other index ran.
  bool eachOnce(int64_t begin, int64_t end) const {
    for (int64_t i = 0; i < static_cast<int64_t>(hits.size()); ++i)
      if (hits[static_cast<size_t>(i)].load() != (i >= begin && i < end ? 1 : 0))
        return false;
    return true;
  }
};

/// A SinterTaskFn over a RangeCounts.
inline void countRange(void *context, int64_t begin, int64_t end) {
  auto *c = static_cast<RangeCounts *>(context);
  for (int64_t i = begin; i < end; ++i) {
    c->hits[static_cast<size_t>(i)]++;
    c->ranOn[static_cast<size_t>(i)] = std::this_thread::get_id();
  }
  c->ranges++;
  std::lock_guard<std::mutex> guard(c->lock);
  c->threads.insert(std::this_thread::get_id());
}

/// countRange after 5 ms: slow enough that a pool's worker wakes before the caller has claimed
/// every chunk.
inline void sleepyCountRange(void *context, int64_t begin, int64_t end) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  countRange(context, begin, end);
}

} // namespace sinter::testing

#endif

// sinter_parallel_for of libsinter_standalone (runtime/standalone/ParallelFor.cpp, on a
// SleepingPool): every index of the range runs exactly once, whether the loop is split over the
// pool, too small to split, nested inside a chunk, or started from several threads at once.
#include "sinter/runtime/Abi.h"

#include "../../common/RangeCounts.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using sinter::testing::countRange;
using sinter::testing::RangeCounts;
using sinter::testing::sleepyCountRange;

TEST_CASE("a split loop covers its range once, on the caller and a worker", "[standalone]") {
  RangeCounts c(1000);
  sinter_parallel_for(countRange, &c, 3, 997, /*grain=*/10);
  CHECK(c.eachOnce(3, 997));
  CHECK(c.ranges.load() == 16); // 8 chunks per thread, OMP_NUM_THREADS=2 (CMakeLists.txt)
  // Chunks slow enough that the worker wakes before the caller has claimed them all.
  RangeCounts slow(1000);
  sinter_parallel_for(sleepyCountRange, &slow, 0, 1000, /*grain=*/10);
  CHECK(slow.eachOnce(0, 1000));
  REQUIRE(slow.threads.size() == 2);
  // Each thread starts at the front of its own half and takes what is left of the other's from
  // its back, so the worker ran one run of indices from the middle (chunk 8 starts at 500).
  std::vector<int64_t> onWorker;
  for (int64_t i = 0; i < 1000; ++i)
    if (slow.ranOn[static_cast<size_t>(i)] != std::this_thread::get_id())
      onWorker.push_back(i);
  REQUIRE(!onWorker.empty());
  CHECK(onWorker.back() - onWorker.front() + 1 == static_cast<int64_t>(onWorker.size()));
  CHECK(onWorker.front() <= 500);
  CHECK(onWorker.back() >= 500);
}

TEST_CASE("a loop smaller than two grains stays on the caller", "[standalone]") {
  RangeCounts c(100);
  sinter_parallel_for(countRange, &c, 0, 100, /*grain=*/64);
  CHECK(c.eachOnce(0, 100));
  CHECK(c.ranges.load() == 1);
  CHECK(*c.threads.begin() == std::this_thread::get_id());
  RangeCounts empty(4);
  sinter_parallel_for(countRange, &empty, 2, 2, 1);
  CHECK(empty.ranges.load() == 0);
}

namespace {

struct Nested {
  RangeCounts inner{64 * 64};
};

void nestedRow(void *context, int64_t begin, int64_t end) {
  auto *n = static_cast<Nested *>(context);
  for (int64_t row = begin; row < end; ++row) {
    struct Row {
      Nested *n;
      int64_t row;
    } r{n, row};
    sinter_parallel_for(
        [](void *ctx, int64_t lo, int64_t hi) {
          auto *r = static_cast<Row *>(ctx);
          for (int64_t i = lo; i < hi; ++i)
            r->n->inner.hits[static_cast<size_t>(r->row * 64 + i)]++;
        },
        &r, 0, 64, 1);
  }
}

} // namespace

TEST_CASE("a loop inside a chunk and loops from several threads run once each", "[standalone]") {
  Nested nested;
  sinter_parallel_for(nestedRow, &nested, 0, 64, 1);
  CHECK(nested.inner.eachOnce(0, 64 * 64));

  std::vector<std::unique_ptr<RangeCounts>> counts;
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    counts.push_back(std::make_unique<RangeCounts>(5000));
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int repeat = 0; repeat < 50; ++repeat) {
        for (auto &h : counts[t]->hits)
          h = 0;
        sinter_parallel_for(countRange, counts[t].get(), 0, 5000, 100);
        if (!counts[t]->eachOnce(0, 5000))
          return;
      }
    });
  for (std::thread &c : callers)
    c.join();
  for (auto &c : counts)
    CHECK(c->eachOnce(0, 5000));
}

// Timing helpers shared by the Sinter side of the benchmarks.
#ifndef SINTER_BENCH_TIMING_H
#define SINTER_BENCH_TIMING_H

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace sinter::bench {

/// Per-call seconds of `fn` over about `seconds` (at least `minReps` calls) after `warmup` calls.
inline std::vector<double> measure(const std::function<void()> &fn, double seconds, int warmup = 20,
                                   int minReps = 20) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i)
    fn();
  std::vector<double> times;
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (static_cast<int>(times.size()) < minReps || Clock::now() < deadline) {
    auto t0 = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return times;
}

/// The measuring time of a benchmark that takes only `--seconds S` (default 2.5); any other
/// argument prints the usage and exits with status 2.
inline double secondsFlag(int argc, char **argv) {
  double seconds = 2.5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]   (measuring time per workload, default 2.5)\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return seconds;
}

inline double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

/// The seconds per call a result line reports: the median, or with BENCH_STAT=mean the mean
/// (the measuring time over the calls: 1 / throughput). bench/run.sh sets it for its busy-machine
/// runs, where per-call times fall into two groups (the moments the scheduler gave a team all
/// its cores, and the calls that waited a time slice for a parked thread) and the median
/// reports whichever group holds half the calls.
inline double perCall(const std::vector<double> &v) {
  const char *stat = std::getenv("BENCH_STAT");
  if (!stat || std::strcmp(stat, "mean") != 0)
    return median(v);
  double sum = 0;
  for (double t : v)
    sum += t;
  return sum / static_cast<double>(v.size());
}

} // namespace sinter::bench

#endif

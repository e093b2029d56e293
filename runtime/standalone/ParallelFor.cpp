//===- ParallelFor.cpp - sinter_parallel_for of a standalone model --------===//
//
// A model compiled with `sinter-compile --standalone` links libsinter_standalone instead of
// libsinter_runtime: no OpenMP runtime, so the parallel loops run on a small pool of standard
// threads of its own. The pool starts at the first loop worth splitting, with OMP_NUM_THREADS
// threads (the knob of the runtime-linked build) or else one per hardware thread; its idle
// threads sleep on a condition variable rather than spin, so a busy machine loses nothing to
// them. One loop runs on the pool at a time: a loop that finds it taken (another thread's call,
// or a loop inside a chunk) runs on its caller alone (docs/deployment.md).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/CallErrors.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using sinter::runtime::CallErrors;
using sinter::runtime::CallErrorsScope;

/// One split loop: chunk t of `chunks` covers [begin + n*t/chunks, begin + n*(t+1)/chunks).
struct Loop {
  SinterTaskFn task = nullptr;
  void *context = nullptr;
  int64_t begin = 0, n = 0;
  int chunks = 0;
  CallErrors *errors = nullptr; // the caller's entry call: its chunks report there

  void runChunk(int t) const {
    CallErrorsScope scope(errors);
    int64_t lo = begin + n * t / chunks, hi = begin + n * (t + 1) / chunks;
    if (lo < hi)
      task(context, lo, hi);
  }
};

int configuredThreads() {
  if (const char *env = std::getenv("OMP_NUM_THREADS"); env && *env) {
    int n = std::atoi(env); // "4" or the first level of "4,2"
    if (n > 0)
      return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

class Pool {
public:
  Pool() : size_(configuredThreads()) {
    for (int t = 1; t < size_; ++t)
      workers_.emplace_back([this, t] { work(t); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread &w : workers_)
      w.join();
  }

  int size() const { return size_; }

  /// Runs `loop` with the caller as chunk 0; false (nothing run) when the pool is taken.
  bool tryRun(const Loop &loop) {
    std::unique_lock<std::mutex> taken(inUse_, std::try_to_lock);
    if (!taken.owns_lock())
      return false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      loop_ = loop;
      pending_ = loop.chunks - 1;
      ++generation_;
    }
    wake_.notify_all();
    loop.runChunk(0);
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [this] { return pending_ == 0; });
    return true;
  }

private:
  void work(int t) {
    uint64_t seen = 0;
    for (;;) {
      Loop loop;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_)
          return;
        seen = generation_;
        loop = loop_;
      }
      if (t >= loop.chunks)
        continue;
      loop.runChunk(t);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0)
        finished_.notify_one();
    }
  }

  const int size_;
  std::vector<std::thread> workers_;
  std::mutex inUse_; ///< held by the caller whose loop the pool runs
  std::mutex mutex_; ///< guards the fields below
  std::condition_variable wake_, finished_;
  Loop loop_;
  int pending_ = 0; ///< chunks of loop_ the workers have not finished
  uint64_t generation_ = 0;
  bool stop_ = false;
};

} // namespace

extern "C" void sinter_parallel_for(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                                    int64_t grain) {
  int64_t n = end - begin;
  if (n <= 0)
    return;
  // Loops too small to pay for waking a thread never start the pool.
  if (n / std::max<int64_t>(grain, 1) >= 2) {
    static Pool pool;
    int64_t chunks = std::min<int64_t>(pool.size(), n / std::max<int64_t>(grain, 1));
    Loop loop{
        task, context, begin, n, static_cast<int>(chunks), sinter::runtime::currentCallErrors()};
    if (chunks > 1 && pool.tryRun(loop))
      return;
  }
  task(context, begin, end);
}

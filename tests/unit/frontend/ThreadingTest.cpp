// The threading contract (docs/architecture.md, "Threads"): generated loops split over the
// OpenMP pool, or over the sleeping pool while other processes load the machine, give the same
// numbers as one thread, and several sessions of one compiled program run at once on several
// caller threads, each giving what it gives alone.
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/Threads.h"
#include "sinter/sinter.h"

#include "../../common/RangeCounts.h"
#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <omp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

using namespace sinter;
using sinter::testing::randomTensor;
using sinter::testing::values;

namespace {

/// An elementwise chain (fused), a row reduction and a transpose, each a parallel loop nest
/// large enough to be outlined (and for the sleeping pool: 16 grains or more), and a dense
/// layer large enough for the sleeping pool's row blocks, checked against a scalar reference.
void checkSplitLoops() {
  Graph g;
  const int64_t rows = 4096, cols = 512, units = 16;
  Tensor x = g.input("x", {rows, cols});
  Tensor w = g.input("w", {cols, units});
  Tensor b = g.input("b", {units});
  Tensor y = exp(x * scalar(g, 0.5)) + x;
  Tensor rowSums = reduceSum(y, {1});
  Tensor yt = transpose(y, {1, 0});
  Tensor dense = relu(matmul(x, w) + b);
  Program p = g.compile({{"f", {x, w, b}, {rowSums, yt, dense}}});
  HostTensor xs = randomTensor({rows, cols}, 7), ws = randomTensor({cols, units}, 8),
             bs = randomTensor({units}, 9);
  auto xv = xs.as<float>(), wv = ws.as<float>(), bv = bs.as<float>();
  for (int repeat = 0; repeat < 3; ++repeat) {
    auto out = p.run("f", {xs, ws, bs});
    auto sums = out[0].as<float>();
    auto ytv = out[1].as<float>();
    auto densev = out[2].as<float>();
    for (int64_t r = 0; r < rows; ++r) {
      double want = 0;
      for (int64_t c = 0; c < cols; ++c) {
        double v = std::exp(0.5 * xv[r * cols + c]) + xv[r * cols + c];
        want += v;
        REQUIRE(ytv[c * rows + r] == Approx(v).epsilon(1e-5).margin(1e-5));
      }
      REQUIRE(sums[r] == Approx(want).epsilon(1e-4));
      for (int64_t u = 0; u < units; ++u) {
        double z = bv[u];
        for (int64_t c = 0; c < cols; ++c)
          z += double(xv[r * cols + c]) * wv[c * units + u];
        REQUIRE(densev[r * units + u] == Approx(std::max(z, 0.0)).epsilon(1e-4).margin(1e-4));
      }
    }
  }
}

/// One spinning child process per hardware thread while in scope: another program's load.
class Spinners {
public:
  Spinners() {
    for (unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i) {
      pid_t pid = fork();
      if (pid == 0)
        for (;;)
          asm volatile("" ::: "memory");
      REQUIRE(pid > 0);
      pids_.push_back(pid);
    }
  }
  ~Spinners() {
    for (pid_t pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }

private:
  std::vector<pid_t> pids_;
};

} // namespace

// Tests run with OMP_NUM_THREADS=2 (tests/unit/frontend/CMakeLists.txt); adaptation to other
// processes is switched off so that the loops really split even on a busy test machine.
TEST_CASE("generated loops split over threads compute what one thread computes", "[threads]") {
  runtime::setAdaptiveThreads(false);
  checkSplitLoops();
  runtime::setAdaptiveThreads(true);
}

TEST_CASE("under load, generated loops run on the sleeping pool and compute the same",
          "[threads]") {
  runtime::setAdaptiveThreads(true);
  Spinners spinners;
  // The runtime samples the machine's load every 250 ms: wait until a call sees the spinners.
  int sleeping = 0, openmp = 0;
  for (int tries = 0; tries < 100 && sleeping == 0; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    runtime::CallThreads call;
    sleeping = runtime::sleepingPoolThreads();
    openmp = omp_get_max_threads();
  }
  REQUIRE(sleeping == 2); // the configured count, for the sleeping pool
  REQUIRE(openmp == 1);   // what the load leaves OpenMP (and oneDNN)
  {
    // Chunks slow enough that the pool's worker wakes before the caller has claimed them all.
    runtime::CallThreads call;
    testing::RangeCounts counts(1000);
    sinter_parallel_for(testing::sleepyCountRange, &counts, 0, 1000, /*grain=*/10);
    CHECK(counts.eachOnce(0, 1000));
    CHECK(counts.threads.size() == 2);
  }
  checkSplitLoops();
}

TEST_CASE("sessions of one program train on several threads at once", "[threads]") {
  runtime::setAdaptiveThreads(false);
  Graph g;
  const int64_t batch = 64;
  Tensor x = g.input("x", {batch, 32});
  Tensor y = g.input("y", {batch, 4});
  Variable w1 = g.variable("w1", random::normal(g, {32, 256}, 0.0, 0.1, 1));
  Variable b1 = g.variable("b1", zeros(g, {256}));
  Variable w2 = g.variable("w2", random::normal(g, {256, 4}, 0.0, 0.1, 2));
  Tensor h = relu(matmul(x, w1) + b1);
  // A wide elementwise tail so that each step also runs outlined parallel loops.
  Tensor wide = reduceMean(square(tanh(matmul(x, w1)) - scalar(g, 0.25)));
  Tensor loss = reduceMean(square(matmul(h, w2) - y)) + wide * scalar(g, 1e-3);
  Program p =
      g.compile({{"train_step", {x, y}, {loss}, optim::SGD(0.05).minimize(loss, {w1, b1, w2})}});

  const std::vector<double> initialW2 = values(p.variable("w2"));
  const int workers = 4, steps = 20;
  std::vector<HostTensor> xs, ys;
  for (int w = 0; w < workers; ++w) {
    xs.push_back(randomTensor({batch, 32}, 100 + w));
    ys.push_back(randomTensor({batch, 4}, 200 + w));
  }
  auto train = [&](runtime::Session &s, int w) {
    std::vector<double> losses;
    for (int i = 0; i < steps; ++i)
      losses.push_back(values(s.run("train_step", {xs[w], ys[w]})[0])[0]);
    return losses;
  };

  // Alone, one after another.
  std::vector<std::vector<double>> alone, together(workers);
  std::vector<std::vector<double>> aloneW2, togetherW2(workers);
  for (int w = 0; w < workers; ++w) {
    runtime::Session s = p.newSession();
    alone.push_back(train(s, w));
    aloneW2.push_back(values(s.variable("w2")));
  }
  // All at once, one session per thread.
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      runtime::Session s = p.newSession();
      together[w] = train(s, w);
      togetherW2[w] = values(s.variable("w2"));
    });
  for (std::thread &t : threads)
    t.join();

  for (int w = 0; w < workers; ++w) {
    REQUIRE(alone[w].back() < alone[w].front()); // each worker learns
    for (int i = 0; i < steps; ++i)
      REQUIRE(together[w][i] == Approx(alone[w][i]).epsilon(1e-5));
    for (size_t i = 0; i < aloneW2[w].size(); ++i)
      REQUIRE(togetherW2[w][i] == Approx(aloneW2[w][i]).epsilon(1e-4).margin(1e-6));
  }
  // The program's own variables are untouched by its sessions.
  REQUIRE(values(p.variable("w2")) == initialW2);
  runtime::setAdaptiveThreads(true);
}

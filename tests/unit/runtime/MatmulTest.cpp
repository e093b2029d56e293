// sinter_kernel_matmul_f32 against the matmul by definition.
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/Runtime.h"

#include <catch2/catch.hpp>

#include "../../common/ReferenceMatmul.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

namespace {

void check(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  std::mt19937 rng(static_cast<unsigned>(batch * 1000 + m * 100 + n * 10 + k + ta * 7 + tb * 13));
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(batch * m * k), b(batch * k * n), c(batch * m * n, -42.f);
  for (float &v : a)
    v = dist(rng);
  for (float &v : b)
    v = dist(rng);
  std::vector<double> want = sinter::testing::referenceMatmul(a, b, batch, m, k, n, ta, tb);
  sinter_kernel_matmul_f32(a.data(), b.data(), c.data(), batch, m, n, k, ta, tb);
  for (size_t i = 0; i < c.size(); ++i)
    REQUIRE(c[i] == Approx(want[i]).margin(1e-4));
}

} // namespace

TEST_CASE("matmul matches its definition for every transpose and batch", "[kernels]") {
  for (int64_t batch : {1, 3})
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        INFO("batch=" << batch << " trans_a=" << ta << " trans_b=" << tb);
        check(batch, 5, 7, 3, ta, tb);
        check(batch, 1, 1, 1, ta, tb);
        check(batch, 17, 9, 33, ta, tb);
      }
  // Large enough for both threads of the pool (OMP_NUM_THREADS=2 in CTest): 8.4 M multiply-adds,
  // and a batch-1 layer (one row, 200 K multiply-adds) that oneDNN splits by columns.
  check(1, 256, 256, 128, false, false);
  check(2, 128, 256, 128, true, true);
  check(1, 1, 256, 784, false, false);
  check(1, 1, 256, 784, false, true);
  CHECK(sinter::runtime::libraryKernelFallbacks() == 0);
}

TEST_CASE("matmul reuses cached primitives and handles empty sizes", "[kernels]") {
  for (int i = 0; i < 100; ++i)
    check(1, 4, 4, 4, false, true);
  std::vector<float> c(6, 3.f);
  sinter_kernel_matmul_f32(nullptr, nullptr, c.data(), 1, 2, 3, 0, 0, 0);
  for (float v : c)
    REQUIRE(v == 0.f);
  sinter_kernel_matmul_f32(nullptr, nullptr, nullptr, 0, 2, 3, 4, 0, 0); // no-op
}

// Threads running one cached primitive at once (sessions on several threads): each gets its
// own product. With oneDNN's library-managed scratchpad they overwrote each other's partial
// results; every thread now brings its own (kernels/cpu/Dnnl.h).
TEST_CASE("matmul called from several threads at once", "[kernels][threads]") {
  const int workers = 4;
  for (auto [m, n, k, ta, tb] : {std::tuple{64, 256, 32, 0, 0}, std::tuple{32, 256, 64, 1, 0},
                                 std::tuple{64, 32, 256, 0, 1}, std::tuple{64, 4, 256, 0, 0}}) {
    std::mt19937 rng(m + n + k);
    std::uniform_real_distribution<float> dist(-1, 1);
    std::vector<std::vector<float>> a(workers), b(workers), want(workers), got(workers);
    for (int w = 0; w < workers; ++w) {
      a[w].resize(m * k);
      b[w].resize(k * n);
      for (float &v : a[w])
        v = dist(rng);
      for (float &v : b[w])
        v = dist(rng);
      want[w].resize(m * n);
      got[w].resize(m * n);
      sinter_kernel_matmul_f32(a[w].data(), b[w].data(), want[w].data(), 1, m, n, k, ta, tb);
    }
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
      threads.emplace_back([&, w, m = m, n = n, k = k, ta = ta, tb = tb] {
        for (int rep = 0; rep < 100; ++rep)
          sinter_kernel_matmul_f32(a[w].data(), b[w].data(), got[w].data(), 1, m, n, k, ta, tb);
      });
    for (std::thread &t : threads)
      t.join();
    for (int w = 0; w < workers; ++w)
      REQUIRE(got[w] == want[w]);
  }
  // Every product above went through oneDNN: no call fell back to the reference loop.
  CHECK(sinter::runtime::libraryKernelFallbacks() == 0);
}

// The bias and ReLU epilogues (oneDNN bias and post-op) against the definition + epilogue.
TEST_CASE("matmul with a bias and a ReLU epilogue", "[kernels]") {
  for (int64_t batch : {1, 2})
    for (int32_t activation : {SINTER_ACTIVATION_NONE, SINTER_ACTIVATION_RELU})
      for (int64_t k : {0, 3, 40}) {
        INFO("batch=" << batch << " activation=" << activation << " k=" << k);
        const int64_t m = 5, n = 7;
        std::mt19937 rng(static_cast<unsigned>(k + activation));
        std::uniform_real_distribution<float> dist(-1, 1);
        std::vector<float> a(batch * m * k), b(batch * k * n), bias(n), c(batch * m * n, -42.f);
        for (auto *v : {&a, &b, &bias})
          for (float &x : *v)
            x = dist(rng);
        std::vector<double> want =
            sinter::testing::referenceMatmul(a, b, batch, m, k, n, false, true);
        for (size_t i = 0; i < want.size(); ++i) {
          want[i] += bias[i % n];
          if (activation == SINTER_ACTIVATION_RELU)
            want[i] = std::max(want[i], 0.0);
        }
        sinter_kernel_matmul_bias_f32(a.data(), b.data(), bias.data(), c.data(), batch, m, n, k, 0,
                                      1, activation);
        for (size_t i = 0; i < c.size(); ++i)
          REQUIRE(c[i] == Approx(want[i]).margin(1e-4));
      }
}

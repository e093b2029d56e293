//===- Matmul.cpp - sinter_kernel_matmul_f32 over oneDNN ------------------===//
//
// Compiled code calls this thousands of times per second with a handful of distinct shapes, so
// primitives are created once per (batch, m, n, k, transA, transB, threads) and cached. Transposes are
// expressed as memory-descriptor strides; the caller's buffers are wrapped, never copied.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace {

using sinter::runtime::kernels::cpuEngine;
using sinter::runtime::kernels::cpuStream;
using sinter::runtime::kernels::KernelThreads;
using sinter::runtime::kernels::threadScratchpad;
using sinter::runtime::kernels::userScratchpad;
// The thread count is part of the key: oneDNN fixes a primitive's threads when it is created,
// and a call's thread count changes with the machine's load (Threads.h).
/// Multiply-adds below which a second thread costs more than it saves.
constexpr int64_t kMinMultiplyAddsPerThread = 1 << 19;

using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, bool, bool, int>;

struct CachedMatmul {
  dnnl::memory::desc a, b, c, scratchpad;
  dnnl::matmul primitive;
};

dnnl::memory::desc matrixDesc(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  using dt = dnnl::memory::data_type;
  // Logical [rows, cols]; a transposed operand is stored as [cols, rows].
  dnnl::memory::dims strides2 = transposed ? dnnl::memory::dims{1, rows}
                                           : dnnl::memory::dims{cols, 1};
  if (batch == 1)
    return dnnl::memory::desc({rows, cols}, dt::f32, strides2);
  return dnnl::memory::desc({batch, rows, cols}, dt::f32,
                            {rows * cols, strides2[0], strides2[1]});
}

const CachedMatmul &getMatmul(const Key &key) {
  static std::mutex mutex;
  // std::map: references stay valid while other shapes are inserted.
  static std::map<Key, std::unique_ptr<CachedMatmul>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto [batch, m, n, k, transA, transB, threads] = key;
  auto entry = std::make_unique<CachedMatmul>();
  entry->a = matrixDesc(batch, m, k, transA);
  entry->b = matrixDesc(batch, k, n, transB);
  entry->c = matrixDesc(batch, m, n, false);
  dnnl::matmul::desc desc(entry->a, entry->b, entry->c);
  dnnl::matmul::primitive_desc pd(desc, userScratchpad(), cpuEngine());
  entry->scratchpad = pd.scratchpad_desc();
  entry->primitive = dnnl::matmul(pd);
  return *cache.emplace(key, std::move(entry)).first->second;
}

void naiveMatmul(const float *a, const float *b, float *c, int64_t batch, int64_t m, int64_t n,
                 int64_t k, bool transA, bool transB) {
  for (int64_t p = 0; p < batch; ++p) {
    const float *ap = a + p * m * k, *bp = b + p * k * n;
    float *cp = c + p * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float sum = 0;
        for (int64_t q = 0; q < k; ++q)
          sum += (transA ? ap[q * m + i] : ap[i * k + q]) * (transB ? bp[j * k + q] : bp[q * n + j]);
        cp[i * n + j] = sum;
      }
  }
}

} // namespace

extern "C" void sinter_kernel_matmul_f32(const float *a, const float *b, float *c, int64_t batch,
                                         int64_t m, int64_t n, int64_t k, int32_t trans_a,
                                         int32_t trans_b) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k <= 0) { // oneDNN rejects empty reductions; the product is all zeros.
    std::memset(c, 0, sizeof(float) * batch * m * n);
    return;
  }
  bool transA = trans_a != 0, transB = trans_b != 0;
  try {
    KernelThreads threads(batch * m * n * k, kMinMultiplyAddsPerThread);
    const CachedMatmul &mm = getMatmul(Key{batch, m, n, k, transA, transB, threads.threads()});
    dnnl::engine &engine = cpuEngine();
    dnnl::memory am(mm.a, engine, const_cast<float *>(a));
    dnnl::memory bm(mm.b, engine, const_cast<float *>(b));
    dnnl::memory cm(mm.c, engine, c);
    dnnl::stream &stream = cpuStream();
    mm.primitive.execute(stream, {{DNNL_ARG_SRC, am},
                                  {DNNL_ARG_WEIGHTS, bm},
                                  {DNNL_ARG_DST, cm},
                                  {DNNL_ARG_SCRATCHPAD, threadScratchpad(mm.scratchpad)}});
    stream.wait();
  } catch (const dnnl::error &e) {
    // This is called from compiled C code: exceptions must not cross it. Stay correct instead.
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr, "sinter: oneDNN matmul failed (%s); using the reference loop\n",
                   e.what());
    });
    naiveMatmul(a, b, c, batch, m, n, k, transA, transB);
  }
}

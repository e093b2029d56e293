//===- Matmul.cpp - the matmul kernels over oneDNN ------------------------===//
//
// Compiled code calls these thousands of times per second with a handful of distinct shapes, so
// primitives are created once per (batch, m, n, k, transA, transB, bias, activation, threads)
// and cached. Transposes are expressed as memory-descriptor strides; the caller's buffers are
// wrapped, never copied. A bias and a ReLU run inside the primitive (oneDNN's bias argument and
// eltwise post-op), in the same pass over C. Where other processes' load left the call one
// OpenMP thread (Threads.h), a large product runs as blocks of rows on the sleeping pool
// instead, each block a one-thread primitive, so it gets the second core's share without
// oneDNN's threads waiting at a barrier for one the scheduler parked.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/Runtime.h"

#include "../../lib/SleepingPool.h"
#include "Dnnl.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

namespace {

using namespace sinter::runtime::kernels;
/// Multiply-adds below which a second thread costs more than it saves. Measured on the AMD EPYC
/// of docs/benchmarks.md (2 threads): at 2^16 the batch-1 MLP's 1x784x256 layer splits and its
/// inference takes 11 µs against 15 µs on one thread, and ch14_dqn's [32, 256] x [256, 256]
/// products split and its 360 episodes take 4.5 s against 5.2 s (at 2^21, where neither split).
constexpr int64_t kMinMultiplyAddsPerThread = 1 << 16;
/// Under load: the rows of C in one chunk of the sleeping pool, and the smallest product split
/// into such chunks. Measured on the MLP benchmark beside one spinning process per core: the
/// 128x784x256 layer in four chunks of 32 rows made batch-128 inference 1.2 times faster than
/// on the caller alone (medians of 16 rounds); 8- and 16-row chunks were no faster.
constexpr int64_t kRowsPerPoolChunk = 32;
constexpr int64_t kMinMultiplyAddsOnPool = 1 << 23;

// The thread count is part of the key: oneDNN fixes a primitive's threads when it is created,
// and a call's thread count changes with the machine's load (Threads.h).
using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, bool, bool, bool, int32_t, int>;

struct CachedMatmul {
  dnnl::memory::desc a, b, bias, c, scratchpad;
  dnnl::matmul primitive;
};

dnnl::memory::desc matrixDesc(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  // Logical [rows, cols]; a transposed operand is stored as [cols, rows].
  dnnl::memory::dims strides2 =
      transposed ? dnnl::memory::dims{1, rows} : dnnl::memory::dims{cols, 1};
  if (batch == 1)
    return dnnl::memory::desc({rows, cols}, dt::f32, strides2);
  return dnnl::memory::desc({batch, rows, cols}, dt::f32, {rows * cols, strides2[0], strides2[1]});
}

const CachedMatmul &getMatmul(const Key &key) {
  static std::mutex mutex;
  // std::map: references stay valid while other shapes are inserted.
  static std::map<Key, std::unique_ptr<CachedMatmul>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto [batch, m, n, k, transA, transB, hasBias, activation, threads] = key;
  auto entry = std::make_unique<CachedMatmul>();
  entry->a = matrixDesc(batch, m, k, transA);
  entry->b = matrixDesc(batch, k, n, transB);
  entry->c = matrixDesc(batch, m, n, false);
  dnnl::primitive_attr attr = userScratchpad();
  if (activation == SINTER_ACTIVATION_RELU) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  std::optional<dnnl::matmul::desc> desc;
  if (hasBias) {
    // One row of n, broadcast over the rows (and batches) of C.
    entry->bias =
        batch == 1 ? matrixDesc(1, 1, n, false) : dnnl::memory::desc({1, 1, n}, dt::f32, {n, n, 1});
    desc.emplace(entry->a, entry->b, entry->bias, entry->c);
  } else {
    desc.emplace(entry->a, entry->b, entry->c);
  }
  dnnl::matmul::primitive_desc pd(*desc, attr, cpuEngine());
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
          sum +=
              (transA ? ap[q * m + i] : ap[i * k + q]) * (transB ? bp[j * k + q] : bp[q * n + j]);
        cp[i * n + j] = sum;
      }
  }
}

/// One oneDNN primitive over the whole product, on the call's OpenMP threads.
void matmulPrimitive(const float *a, const float *b, const float *bias, float *c, int64_t batch,
                     int64_t m, int64_t n, int64_t k, bool transA, bool transB,
                     int32_t activation) {
  try {
    KernelThreads threads(batch * m * n * k, kMinMultiplyAddsPerThread);
    const CachedMatmul &mm = getMatmul(
        Key{batch, m, n, k, transA, transB, bias != nullptr, activation, threads.threads()});
    dnnl::engine &engine = cpuEngine();
    dnnl::memory am(mm.a, engine, const_cast<float *>(a));
    dnnl::memory bm(mm.b, engine, const_cast<float *>(b));
    dnnl::memory cm(mm.c, engine, c);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, am},
        {DNNL_ARG_WEIGHTS, bm},
        {DNNL_ARG_DST, cm},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(mm.scratchpad)}};
    if (bias)
      args.emplace(DNNL_ARG_BIAS, dnnl::memory(mm.bias, engine, const_cast<float *>(bias)));
    dnnl::stream &stream = cpuStream();
    mm.primitive.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error &e) {
    noteFallback("matmul", e.what());
    naiveMatmul(a, b, c, batch, m, n, k, transA, transB);
    epilogueByHand(c, bias, batch * m, n, activation);
  }
}

/// Runs the product as blocks of rows on the sleeping pool, or returns false (nothing run)
/// where the call may not use the pool or the product is too small or not split by rows
/// (batched, or A transposed: its rows are not contiguous).
bool matmulOnSleepingPool(const float *a, const float *b, const float *bias, float *c,
                          int64_t batch, int64_t m, int64_t n, int64_t k, bool transA, bool transB,
                          int32_t activation) {
  if (batch != 1 || transA || m < 2 * kRowsPerPoolChunk || m * n * k < kMinMultiplyAddsOnPool)
    return false;
  sinter::runtime::SleepingPool *pool = sinter::runtime::callSleepingPool();
  if (!pool)
    return false;
  struct Product {
    const float *a, *b, *bias;
    float *c;
    int64_t n, k;
    bool transB;
    int32_t activation;
  } product{a, b, bias, c, n, k, transB, activation};
  SinterTaskFn rows = [](void *context, int64_t begin, int64_t end) {
    const Product &p = *static_cast<const Product *>(context);
    matmulPrimitive(p.a + begin * p.k, p.b, p.bias, p.c + begin * p.n, 1, end - begin, p.n, p.k,
                    false, p.transB, p.activation);
  };
  return pool->tryRun(rows, &product, 0, m, kRowsPerPoolChunk);
}

void matmul(const float *a, const float *b, const float *bias, float *c, int64_t batch, int64_t m,
            int64_t n, int64_t k, int32_t trans_a, int32_t trans_b, int32_t activation) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k <= 0) { // oneDNN rejects empty reductions; the product is all zeros.
    std::memset(c, 0, sizeof(float) * batch * m * n);
    epilogueByHand(c, bias, batch * m, n, activation);
    return;
  }
  bool transA = trans_a != 0, transB = trans_b != 0;
  if (!matmulOnSleepingPool(a, b, bias, c, batch, m, n, k, transA, transB, activation))
    matmulPrimitive(a, b, bias, c, batch, m, n, k, transA, transB, activation);
}

} // namespace

extern "C" void sinter_kernel_matmul_f32(const float *a, const float *b, float *c, int64_t batch,
                                         int64_t m, int64_t n, int64_t k, int32_t trans_a,
                                         int32_t trans_b) {
  matmul(a, b, nullptr, c, batch, m, n, k, trans_a, trans_b, SINTER_ACTIVATION_NONE);
}

extern "C" void sinter_kernel_matmul_bias_f32(const float *a, const float *b, const float *bias,
                                              float *c, int64_t batch, int64_t m, int64_t n,
                                              int64_t k, int32_t trans_a, int32_t trans_b,
                                              int32_t activation) {
  matmul(a, b, bias, c, batch, m, n, k, trans_a, trans_b, activation);
}

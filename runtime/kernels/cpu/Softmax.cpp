//===- Softmax.cpp - sinter_kernel_softmax_f32 over oneDNN -----------------===//
//
// The softmax composite maps to oneDNN's softmax primitive (threaded, vectorized) instead of
// the generated max / exp-sum / divide passes. Primitives are cached per (rows, cols, threads).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>
#include <memory>
#include <mutex>

namespace {

using sinter::runtime::kernels::cpuEngine;
using sinter::runtime::kernels::cpuStream;
using sinter::runtime::kernels::KernelThreads;
using sinter::runtime::kernels::threadScratchpad;
using sinter::runtime::kernels::userScratchpad;

struct CachedSoftmax {
  dnnl::memory::desc desc, scratchpad;
  dnnl::softmax_forward primitive;
};

const CachedSoftmax &getSoftmax(int64_t rows, int64_t cols, int threads) {
  static std::mutex mutex;
  static std::map<std::tuple<int64_t, int64_t, int>, std::unique_ptr<CachedSoftmax>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto key = std::make_tuple(rows, cols, threads);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedSoftmax>();
  entry->desc = dnnl::memory::desc({rows, cols}, dnnl::memory::data_type::f32,
                                   dnnl::memory::format_tag::ab);
  dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, entry->desc, 1);
  dnnl::softmax_forward::primitive_desc pd(desc, userScratchpad(), cpuEngine());
  entry->scratchpad = pd.scratchpad_desc();
  entry->primitive = dnnl::softmax_forward(pd);
  return *cache.emplace(key, std::move(entry)).first->second;
}

void referenceSoftmax(const float *x, float *y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float m = *std::max_element(xr, xr + cols);
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      sum += (yr[c] = std::exp(xr[c] - m));
    for (int64_t c = 0; c < cols; ++c)
      yr[c] = static_cast<float>(yr[c] / sum);
  }
}

} // namespace

extern "C" void sinter_kernel_softmax_f32(const float *x, float *y, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0)
    return;
  try {
    KernelThreads threads(rows * cols, 1 << 16);
    const CachedSoftmax &sm = getSoftmax(rows, cols, threads.threads());
    dnnl::engine &engine = cpuEngine();
    dnnl::memory src(sm.desc, engine, const_cast<float *>(x));
    dnnl::memory dst(sm.desc, engine, y);
    dnnl::stream &stream = cpuStream();
    sm.primitive.execute(stream, {{DNNL_ARG_SRC, src},
                                  {DNNL_ARG_DST, dst},
                                  {DNNL_ARG_SCRATCHPAD, threadScratchpad(sm.scratchpad)}});
    stream.wait();
  } catch (const dnnl::error &e) {
    // Called from compiled C code: exceptions must not cross it. Stay correct instead.
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr, "sinter: oneDNN softmax failed (%s); using the reference loop\n",
                   e.what());
    });
    referenceSoftmax(x, y, rows, cols);
  }
}

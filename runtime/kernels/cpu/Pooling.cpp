//===- Pooling.cpp - pooling and its gradients ----------------------------===//
//
// float32 pooling, forward and backward, runs on oneDNN's pooling primitives (cached per
// shape and thread count), NHWC images read in place. The max pooling gradient runs the
// forward pass again for oneDNN's record of each window's maximum (its workspace), which,
// like TensorFlow, takes the first maximum of a window.
//
// The reference loops (PoolingLoops.h) compute float64, max_pool2d_select (the max gradient's
// own gradient) and the fallback if oneDNN fails, split over the batch on the calling thread's
// OpenMP threads.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"
#include "PoolingLoops.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace {

using namespace sinter::runtime::kernels;
using namespace sinter::runtime::kernels::pooling;

/// The loops of PoolingLoops.h over the batch, on the calling thread's OpenMP threads.
template <class T>
void referencePool(int32_t kind, const T *x, const T *in, T *out, const Geometry &g) {
  clearOutput(kind, out, g);
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b)
    poolImage(kind, x, in, out, g, b);
}

// kind, the 14 sizes, the thread count.
using Key = std::array<int64_t, 16>;

struct CachedPool {
  dnnl::memory::desc image, pooled, workspace, forwardScratchpad, scratchpad;
  dnnl::primitive forward;                 // forward_training for the max gradient's workspace
  std::optional<dnnl::primitive> backward; // the gradient kinds
};

const CachedPool &getPool(int32_t kind, const Geometry &g, int threads) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<CachedPool>> cache;
  Key key{kind, g.n,  g.h,  g.w,  g.c,  g.oh, g.ow, g.kh,
          g.kw, g.sh, g.sw, g.pt, g.pb, g.pl, g.pr, threads};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedPool>();
  entry->image = dnnl::memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nhwc);
  entry->pooled = dnnl::memory::desc({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nhwc);
  bool max = kind == SINTER_POOL_MAX || kind == SINTER_POOL_MAX_GRAD;
  auto algorithm =
      max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::memory::dims strides{g.sh, g.sw}, window{g.kh, g.kw}, padL{g.pt, g.pl}, padR{g.pb, g.pr};
  bool gradient = kind == SINTER_POOL_MAX_GRAD || kind == SINTER_POOL_AVG_GRAD;
  dnnl::primitive_attr attr = userScratchpad();
  dnnl::pooling_forward::primitive_desc forward(
      dnnl::pooling_forward::desc(
          gradient ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
          algorithm, entry->image, entry->pooled, strides, window, padL, padR),
      attr, cpuEngine());
  entry->forward = dnnl::pooling_forward(forward);
  entry->forwardScratchpad = forward.scratchpad_desc();
  entry->workspace = forward.workspace_desc();
  if (gradient) {
    dnnl::pooling_backward::primitive_desc backward(
        dnnl::pooling_backward::desc(algorithm, entry->image, entry->pooled, strides, window, padL,
                                     padR),
        attr, cpuEngine(), forward);
    entry->backward = dnnl::pooling_backward(backward);
    entry->scratchpad = backward.scratchpad_desc();
  }
  return *cache.emplace(key, std::move(entry)).first->second;
}

/// A float32 pooling or pooling gradient on oneDNN (max_pool2d_select on the loops).
void poolF32(int32_t kind, const float *x, const float *in, float *out, const Geometry &g) {
  if (g.n <= 0)
    return;
  if (kind == SINTER_POOL_MAX_SELECT)
    return referencePool(kind, x, in, out, g);
  try {
    KernelThreads threads(g.n * g.h * g.w * g.c, 1 << 16);
    const CachedPool &pool = getPool(kind, g, threads.threads());
    dnnl::stream &stream = cpuStream();
    if (kind == SINTER_POOL_MAX || kind == SINTER_POOL_AVG) {
      pool.forward.execute(stream,
                           {{DNNL_ARG_SRC, wrap(pool.image, x)},
                            {DNNL_ARG_DST, wrap(pool.pooled, out)},
                            {DNNL_ARG_SCRATCHPAD, threadScratchpad(pool.forwardScratchpad)}});
    } else {
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, wrap(pool.pooled, in)},
                                                 {DNNL_ARG_DIFF_SRC, wrap(pool.image, out)}};
      if (kind == SINTER_POOL_MAX_GRAD) {
        // The forward pass again, for the workspace; its output goes to a scratch buffer.
        dnnl::memory workspace = wrap(pool.workspace, threadBuffer(0, pool.workspace.get_size()));
        pool.forward.execute(
            stream, {{DNNL_ARG_SRC, wrap(pool.image, x)},
                     {DNNL_ARG_DST, wrap(pool.pooled, threadBuffer(1, pool.pooled.get_size()))},
                     {DNNL_ARG_WORKSPACE, workspace},
                     {DNNL_ARG_SCRATCHPAD, threadScratchpad(pool.forwardScratchpad)}});
        args.insert({DNNL_ARG_WORKSPACE, workspace});
      }
      args.insert({DNNL_ARG_SCRATCHPAD, threadScratchpad(pool.scratchpad)});
      pool.backward->execute(stream, args);
    }
    stream.wait();
  } catch (const dnnl::error &e) {
    noteFallback("pooling", e.what());
    referencePool(kind, x, in, out, g);
  }
}

} // namespace

extern "C" void sinter_kernel_pool2d_f32(int32_t kind, const float *x, const float *in, float *out,
                                         int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh,
                                         int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                         int64_t pt, int64_t pb, int64_t pl, int64_t pr) {
  poolF32(kind, x, in, out, Geometry{n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr});
}

extern "C" void sinter_kernel_pool2d_f64(int32_t kind, const double *x, const double *in,
                                         double *out, int64_t n, int64_t h, int64_t w, int64_t c,
                                         int64_t oh, int64_t ow, int64_t kh, int64_t kw, int64_t sh,
                                         int64_t sw, int64_t pt, int64_t pb, int64_t pl,
                                         int64_t pr) {
  referencePool(kind, x, in, out, Geometry{n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr});
}

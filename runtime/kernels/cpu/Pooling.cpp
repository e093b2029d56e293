//===- Pooling.cpp - pooling and its gradients ----------------------------===//
//
// float32 pooling, forward and backward, runs on oneDNN's pooling primitives (cached per
// shape and thread count), NHWC images read in place. The max pooling gradient runs the
// forward pass again for oneDNN's record of each window's maximum (its workspace), which,
// like TensorFlow, takes the first maximum of a window.
//
// The reference loops below compute float64, max_pool2d_select (the max gradient's own
// gradient) and the fallback if oneDNN fails. The gradients scatter into the input (windows
// may overlap), which generated linalg loops cannot express. The innermost loop runs over
// contiguous channels (vectorized); work is split over the batch on the calling thread's
// OpenMP threads (one image is never shared by two threads).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"

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

struct Geometry {
  int64_t n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr;
  /// The rows (or columns) of window o inside the image: [first, last).
  void span(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t size, int64_t &first,
            int64_t &last) const {
    first = std::max<int64_t>(o * stride - pad, 0);
    last = std::min<int64_t>(o * stride - pad + k, size);
  }
};

/// For each window of the pooled image: visit(its offset in elements to the first channel, the
/// rows [r0, r1) and columns [c0, c1) of the image it covers).
template <class Visit> void forEachWindow(const Geometry &g, Visit visit) {
  for (int64_t i = 0; i < g.oh; ++i) {
    int64_t r0, r1;
    g.span(i, g.sh, g.pt, g.kh, g.h, r0, r1);
    for (int64_t j = 0; j < g.ow; ++j) {
      int64_t c0, c1;
      g.span(j, g.sw, g.pl, g.kw, g.w, c0, c1);
      visit((i * g.ow + j) * g.c, r0, r1, c0, c1);
    }
  }
}

/// For each window of image b: the offset (in elements, within the image) of the first
/// position holding the window's maximum, per channel; calls visit(window offset, channel,
/// argmax offset).
template <class T, class Visit>
void forEachArgmax(const T *x, const Geometry &g, int64_t b, std::vector<int64_t> &arg,
                   std::vector<T> &best, Visit visit) {
  const T *image = x + b * g.h * g.w * g.c;
  forEachWindow(g, [&](int64_t window, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    std::fill(best.begin(), best.end(), -std::numeric_limits<T>::infinity());
    std::fill(arg.begin(), arg.end(), -1);
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t col = c0; col < c1; ++col) {
        int64_t at = (r * g.w + col) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch)
          if (image[at + ch] > best[ch] || arg[ch] < 0) { // the first maximum wins ties
            best[ch] = image[at + ch];
            arg[ch] = at + ch;
          }
      }
    for (int64_t ch = 0; ch < g.c; ++ch)
      visit(window + ch, arg[ch]);
  });
}

/// For each window of one image and each image position inside it: visit(the window's
/// offset in the pooled image, the position's offset in the image, 1 / the positions inside
/// the window), offsets in elements to the first channel.
template <class T, class Visit> void forEachWindowPosition(const Geometry &g, Visit visit) {
  forEachWindow(g, [&](int64_t window, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    T scale = T(1) / static_cast<T>((r1 - r0) * (c1 - c0));
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t col = c0; col < c1; ++col)
        visit(window, (r * g.w + col) * g.c, scale);
  });
}

/// Whether `kind`'s result has the pooled shape (else the image's).
bool pooledResult(int32_t kind) {
  return kind == SINTER_POOL_MAX_SELECT || kind == SINTER_POOL_MAX || kind == SINTER_POOL_AVG;
}

template <class T>
void referencePool(int32_t kind, const T *x, const T *in, T *out, const Geometry &g) {
  int64_t imageSize = g.h * g.w * g.c, pooledSize = g.oh * g.ow * g.c;
  std::memset(out, 0, sizeof(T) * g.n * (pooledResult(kind) ? pooledSize : imageSize));
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    std::vector<int64_t> arg(g.c);
    std::vector<T> best(g.c);
    if (kind == SINTER_POOL_MAX) {
      const T *image = x + b * imageSize;
      T *y = out + b * pooledSize;
      forEachArgmax(x, g, b, arg, best, [&](int64_t window, int64_t at) { y[window] = image[at]; });
    } else if (kind == SINTER_POOL_AVG) {
      const T *image = x + b * imageSize;
      T *y = out + b * pooledSize;
      forEachWindowPosition<T>(g, [&](int64_t window, int64_t at, T scale) {
        for (int64_t ch = 0; ch < g.c; ++ch)
          y[window + ch] += image[at + ch] * scale;
      });
    } else if (kind == SINTER_POOL_MAX_GRAD) {
      const T *gb = in + b * pooledSize;
      T *dx = out + b * imageSize;
      forEachArgmax(x, g, b, arg, best, [&](int64_t window, int64_t at) { dx[at] += gb[window]; });
    } else if (kind == SINTER_POOL_MAX_SELECT) {
      const T *v = in + b * imageSize;
      T *y = out + b * pooledSize;
      forEachArgmax(x, g, b, arg, best, [&](int64_t window, int64_t at) { y[window] = v[at]; });
    } else { // SINTER_POOL_AVG_GRAD
      const T *gb = in + b * pooledSize;
      T *dx = out + b * imageSize;
      forEachWindowPosition<T>(g, [&](int64_t window, int64_t at, T scale) {
        for (int64_t ch = 0; ch < g.c; ++ch)
          dx[at + ch] += gb[window + ch] * scale;
      });
    }
  }
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

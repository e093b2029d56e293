//===- PoolingLoops.h - pooling and its gradients as plain loops ----------===//
//
// The reference loops of the pooling kernel (sinter_kernel_pool2d_*, Abi.h), standard C++
// only: the runtime runs float64, max_pool2d_select (the max gradient's own gradient) and the
// fallback if oneDNN fails on them (Pooling.cpp), and a model compiled --standalone runs every
// pooling kernel call on them (runtime/standalone/Pooling.cpp). The gradients scatter into the
// input (windows may overlap), which generated linalg loops cannot express. The innermost loop
// runs over contiguous channels (vectorized); callers split the work over the batch.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_KERNELS_CPU_POOLINGLOOPS_H
#define SINTER_RUNTIME_KERNELS_CPU_POOLINGLOOPS_H

#include "sinter/runtime/Abi.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace sinter::runtime::kernels::pooling {

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
inline bool pooledResult(int32_t kind) {
  return kind == SINTER_POOL_MAX_SELECT || kind == SINTER_POOL_MAX || kind == SINTER_POOL_AVG;
}

/// Zeroes `out` (every kind accumulates into it or writes part of it).
template <class T> void clearOutput(int32_t kind, T *out, const Geometry &g) {
  int64_t imageSize = g.h * g.w * g.c, pooledSize = g.oh * g.ow * g.c;
  std::memset(out, 0, sizeof(T) * g.n * (pooledResult(kind) ? pooledSize : imageSize));
}

/// Pooling `kind` of image b into the cleared `out`: images are independent (a thread per
/// image never shares its output).
template <class T>
void poolImage(int32_t kind, const T *x, const T *in, T *out, const Geometry &g, int64_t b) {
  int64_t imageSize = g.h * g.w * g.c, pooledSize = g.oh * g.ow * g.c;
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

} // namespace sinter::runtime::kernels::pooling

#endif // SINTER_RUNTIME_KERNELS_CPU_POOLINGLOOPS_H

//===- Pooling.cpp - the pooling-gradient kernels -------------------------===//
//
// The gradients of max and average pooling scatter into the input (windows may overlap),
// which generated linalg loops cannot express; these loops do it directly. Images are NHWC,
// so the innermost loop runs over contiguous channels (vectorized). Work is split over the
// batch on the calling thread's OpenMP threads (one image is never shared by two threads).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace {

struct Geometry {
  int64_t n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl;
  /// The rows (or columns) of window o inside the image: [first, last).
  void span(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t size, int64_t &first,
            int64_t &last) const {
    first = std::max<int64_t>(o * stride - pad, 0);
    last = std::min<int64_t>(o * stride - pad + k, size);
  }
};

/// For each window of image b: the offset (in elements, within the image) of the first
/// position holding the window's maximum, per channel; calls visit(window offset, channel,
/// argmax offset).
template <class T, class Visit>
void forEachArgmax(const T *x, const Geometry &g, int64_t b, std::vector<int64_t> &arg,
                   std::vector<T> &best, Visit visit) {
  const T *image = x + b * g.h * g.w * g.c;
  for (int64_t i = 0; i < g.oh; ++i) {
    int64_t r0, r1;
    g.span(i, g.sh, g.pt, g.kh, g.h, r0, r1);
    for (int64_t j = 0; j < g.ow; ++j) {
      int64_t c0, c1;
      g.span(j, g.sw, g.pl, g.kw, g.w, c0, c1);
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
      int64_t window = (i * g.ow + j) * g.c;
      for (int64_t ch = 0; ch < g.c; ++ch)
        visit(window + ch, arg[ch]);
    }
  }
}

template <class T> void poolGrad(int32_t kind, const T *x, const T *in, T *out, const Geometry &g) {
  int64_t imageSize = g.h * g.w * g.c, pooledSize = g.oh * g.ow * g.c;
  std::memset(out, 0, sizeof(T) * g.n * (kind == SINTER_POOL_MAX_SELECT ? pooledSize : imageSize));
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    std::vector<int64_t> arg(g.c);
    std::vector<T> best(g.c);
    if (kind == SINTER_POOL_MAX_GRAD) {
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
      for (int64_t i = 0; i < g.oh; ++i) {
        int64_t r0, r1;
        g.span(i, g.sh, g.pt, g.kh, g.h, r0, r1);
        for (int64_t j = 0; j < g.ow; ++j) {
          int64_t c0, c1;
          g.span(j, g.sw, g.pl, g.kw, g.w, c0, c1);
          T scale = T(1) / static_cast<T>((r1 - r0) * (c1 - c0));
          const T *gw = gb + (i * g.ow + j) * g.c;
          for (int64_t r = r0; r < r1; ++r)
            for (int64_t col = c0; col < c1; ++col) {
              T *d = dx + (r * g.w + col) * g.c;
              for (int64_t ch = 0; ch < g.c; ++ch)
                d[ch] += gw[ch] * scale;
            }
        }
      }
    }
  }
}

} // namespace

extern "C" void sinter_kernel_pool2d_grad_f32(int32_t kind, const float *x, const float *in,
                                              float *out, int64_t n, int64_t h, int64_t w,
                                              int64_t c, int64_t oh, int64_t ow, int64_t kh,
                                              int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                                              int64_t pl) {
  poolGrad(kind, x, in, out, Geometry{n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl});
}

extern "C" void sinter_kernel_pool2d_grad_f64(int32_t kind, const double *x, const double *in,
                                              double *out, int64_t n, int64_t h, int64_t w,
                                              int64_t c, int64_t oh, int64_t ow, int64_t kh,
                                              int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                                              int64_t pl) {
  poolGrad(kind, x, in, out, Geometry{n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl});
}

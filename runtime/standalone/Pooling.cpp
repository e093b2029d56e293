//===- Pooling.cpp - the pooling kernel of a standalone model -------------===//
//
// A model compiled with `sinter-compile --standalone` generates its forward poolings as loops,
// but the gradients (which scatter into the input) and max_pool2d_select are kernel calls
// (sinter_kernel_pool2d_*, Abi.h): here they run the runtime's reference loops
// (PoolingLoops.h) without oneDNN, one image per chunk of sinter_parallel_for.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "../kernels/cpu/PoolingLoops.h"

namespace {

using namespace sinter::runtime::kernels::pooling;

template <class T> struct PoolCall {
  int32_t kind;
  const T *x, *in;
  T *out;
  Geometry g;
};

template <class T> void poolImages(void *context, int64_t begin, int64_t end) {
  auto *call = static_cast<PoolCall<T> *>(context);
  for (int64_t b = begin; b < end; ++b)
    poolImage(call->kind, call->x, call->in, call->out, call->g, b);
}

template <class T> void pool(PoolCall<T> call) {
  clearOutput(call.kind, call.out, call.g);
  sinter_parallel_for(poolImages<T>, &call, 0, call.g.n, /*grain=*/1);
}

} // namespace

extern "C" void sinter_kernel_pool2d_f32(int32_t kind, const float *x, const float *in, float *out,
                                         int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh,
                                         int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                         int64_t pt, int64_t pb, int64_t pl, int64_t pr) {
  pool(PoolCall<float>{kind, x, in, out, {n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr}});
}

extern "C" void sinter_kernel_pool2d_f64(int32_t kind, const double *x, const double *in,
                                         double *out, int64_t n, int64_t h, int64_t w, int64_t c,
                                         int64_t oh, int64_t ow, int64_t kh, int64_t kw, int64_t sh,
                                         int64_t sw, int64_t pt, int64_t pb, int64_t pl,
                                         int64_t pr) {
  pool(PoolCall<double>{kind, x, in, out, {n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr}});
}

//===- Convolution.cpp - the 2-D convolution kernels over oneDNN ----------===//
//
// Forward, backward-data and backward-weights convolutions on NHWC images and [kh, kw, c/g, k]
// filters, the layouts of the sinter ops. Primitives are created once per shape (and thread
// count) and cached. Images stay in the caller's NHWC buffers (oneDNN's jit kernels read
// them directly); filters go through the layout the primitive prefers (blocked for the
// vector width), reordered on each call — a filter is small next to the images. A forward
// convolution can take a bias and a ReLU as oneDNN's bias argument and post-op (the compiler
// folds a conv2d's bias-add loop into the call).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace {

using namespace sinter::runtime::kernels;

constexpr int64_t kMinMultiplyAddsPerThread = 1 << 19;

struct Shape {
  int64_t n, h, w, c, oh, ow, k, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups;
  int64_t multiplyAdds() const { return n * oh * ow * k * kh * kw * (c / groups); }
};

// kind, the 18 sizes, bias (0/1), activation, the thread count.
using Key = std::array<int64_t, 22>;

struct CachedConv {
  dnnl::memory::desc src, dst, userWeights, weights, bias, scratchpad;
  dnnl::primitive primitive;
  std::optional<dnnl::reorder> toPrimitive, fromPrimitive; // weights layout changes
};

/// The caller's filter [kh, kw, c/g, k] as oneDNN's (g,) o, i, h, w dimensions, by strides.
dnnl::memory::desc userWeightsDesc(const Shape &s) {
  int64_t cg = s.c / s.groups, kg = s.k / s.groups;
  int64_t wStride = cg * s.k, hStride = s.kw * wStride;
  if (s.groups == 1)
    return dnnl::memory::desc({s.k, s.c, s.kh, s.kw}, dt::f32, {1, s.k, hStride, wStride});
  return dnnl::memory::desc({s.groups, kg, cg, s.kh, s.kw}, dt::f32,
                            {kg, 1, s.k, hStride, wStride});
}

dnnl::memory::dims weightDims(const Shape &s) {
  if (s.groups == 1)
    return {s.k, s.c, s.kh, s.kw};
  return {s.groups, s.k / s.groups, s.c / s.groups, s.kh, s.kw};
}

const CachedConv &getConv(int32_t kind, const Shape &s, bool bias, int32_t activation,
                          int threads) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<CachedConv>> cache;
  Key key{kind, s.n,  s.h,  s.w,  s.c,  s.oh, s.ow, s.k,      s.kh, s.kw,       s.sh,
          s.sw, s.dh, s.dw, s.pt, s.pb, s.pl, s.pr, s.groups, bias, activation, threads};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedConv>();
  entry->src = dnnl::memory::desc({s.n, s.c, s.h, s.w}, dt::f32, tag::nhwc);
  entry->dst = dnnl::memory::desc({s.n, s.k, s.oh, s.ow}, dt::f32, tag::nhwc);
  entry->userWeights = userWeightsDesc(s);
  dnnl::memory::desc anyWeights(weightDims(s), dt::f32, tag::any);
  // oneDNN counts dilation from 0 (no gap between taps).
  dnnl::memory::dims strides{s.sh, s.sw}, dilates{s.dh - 1, s.dw - 1}, padL{s.pt, s.pl},
      padR{s.pb, s.pr};
  dnnl::primitive_attr attr = userScratchpad();
  dnnl::engine &engine = cpuEngine();
  dnnl::convolution_forward::primitive_desc forward(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                      dnnl::algorithm::convolution_direct, entry->src, anyWeights,
                                      entry->dst, strides, dilates, padL, padR),
      attr, engine);
  if (kind == SINTER_CONV_FORWARD && (bias || activation != SINTER_ACTIVATION_NONE)) {
    dnnl::primitive_attr fused = userScratchpad();
    if (activation == SINTER_ACTIVATION_RELU) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      fused.set_post_ops(ops);
    }
    entry->bias = dnnl::memory::desc({s.k}, dt::f32, tag::a);
    auto desc = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                                       dnnl::algorithm::convolution_direct,
                                                       entry->src, anyWeights, entry->bias,
                                                       entry->dst, strides, dilates, padL, padR)
                     : dnnl::convolution_forward::desc(
                           dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                           entry->src, anyWeights, entry->dst, strides, dilates, padL, padR);
    dnnl::convolution_forward::primitive_desc pd(desc, fused, engine);
    entry->weights = pd.weights_desc();
    entry->scratchpad = pd.scratchpad_desc();
    entry->primitive = dnnl::convolution_forward(pd);
  } else if (kind == SINTER_CONV_FORWARD) {
    entry->weights = forward.weights_desc();
    entry->scratchpad = forward.scratchpad_desc();
    entry->primitive = dnnl::convolution_forward(forward);
  } else if (kind == SINTER_CONV_BACKWARD_DATA) {
    dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, entry->src,
                                              anyWeights, entry->dst, strides, dilates, padL, padR),
        attr, engine, forward);
    entry->weights = pd.weights_desc();
    entry->scratchpad = pd.scratchpad_desc();
    entry->primitive = dnnl::convolution_backward_data(pd);
  } else {
    dnnl::convolution_backward_weights::primitive_desc pd(
        dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, entry->src,
                                                 anyWeights, entry->dst, strides, dilates, padL,
                                                 padR),
        attr, engine, forward);
    entry->weights = pd.diff_weights_desc();
    entry->scratchpad = pd.scratchpad_desc();
    entry->primitive = dnnl::convolution_backward_weights(pd);
  }
  if (entry->weights != entry->userWeights) {
    if (kind == SINTER_CONV_BACKWARD_WEIGHTS)
      entry->fromPrimitive.emplace(
          dnnl::reorder::primitive_desc(engine, entry->weights, engine, entry->userWeights));
    else
      entry->toPrimitive.emplace(
          dnnl::reorder::primitive_desc(engine, entry->userWeights, engine, entry->weights));
  }
  return *cache.emplace(key, std::move(entry)).first->second;
}

/// The three convolutions by definition (the fallback if oneDNN fails).
void referenceConv(int32_t kind, float *src, float *weights, float *dst, const Shape &s) {
  int64_t cg = s.c / s.groups, kg = s.k / s.groups;
  if (kind == SINTER_CONV_FORWARD)
    std::memset(dst, 0, sizeof(float) * s.n * s.oh * s.ow * s.k);
  else if (kind == SINTER_CONV_BACKWARD_DATA)
    std::memset(src, 0, sizeof(float) * s.n * s.h * s.w * s.c);
  else
    std::memset(weights, 0, sizeof(float) * s.kh * s.kw * cg * s.k);
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t i = 0; i < s.oh; ++i)
      for (int64_t j = 0; j < s.ow; ++j)
        for (int64_t o = 0; o < s.k; ++o)
          for (int64_t a = 0; a < s.kh; ++a)
            for (int64_t q = 0; q < s.kw; ++q) {
              int64_t r = i * s.sh + a * s.dh - s.pt, col = j * s.sw + q * s.dw - s.pl;
              if (r < 0 || r >= s.h || col < 0 || col >= s.w)
                continue;
              for (int64_t ci = 0; ci < cg; ++ci) {
                float &x = src[((b * s.h + r) * s.w + col) * s.c + (o / kg) * cg + ci];
                float &f = weights[((a * s.kw + q) * cg + ci) * s.k + o];
                float &y = dst[((b * s.oh + i) * s.ow + j) * s.k + o];
                if (kind == SINTER_CONV_FORWARD)
                  y += x * f;
                else if (kind == SINTER_CONV_BACKWARD_DATA)
                  x += y * f;
                else
                  f += x * y;
              }
            }
}

/// One convolution through its cached primitive; a forward one with bias (may be null) and
/// activation in the same pass. Falls back to the reference loops if oneDNN fails.
void convolve(int32_t kind, float *src, float *weights, const float *bias, float *dst,
              const Shape &s, int32_t activation) {
  if (s.n <= 0)
    return;
  try {
    KernelThreads threads(s.multiplyAdds(), kMinMultiplyAddsPerThread);
    const CachedConv &conv = getConv(kind, s, bias != nullptr, activation, threads.threads());
    dnnl::engine &engine = cpuEngine();
    dnnl::stream &stream = cpuStream();
    dnnl::memory srcMem(conv.src, engine, src), dstMem(conv.dst, engine, dst);
    dnnl::memory userWeights(conv.userWeights, engine, weights);
    dnnl::memory primitiveWeights =
        conv.toPrimitive || conv.fromPrimitive
            ? dnnl::memory(conv.weights, engine, threadBuffer(0, conv.weights.get_size()))
            : userWeights;
    if (conv.toPrimitive)
      conv.toPrimitive->execute(stream, userWeights, primitiveWeights);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(conv.scratchpad)}};
    if (kind == SINTER_CONV_FORWARD)
      args.insert(
          {{DNNL_ARG_SRC, srcMem}, {DNNL_ARG_WEIGHTS, primitiveWeights}, {DNNL_ARG_DST, dstMem}});
    else if (kind == SINTER_CONV_BACKWARD_DATA)
      args.insert({{DNNL_ARG_DIFF_SRC, srcMem},
                   {DNNL_ARG_WEIGHTS, primitiveWeights},
                   {DNNL_ARG_DIFF_DST, dstMem}});
    else
      args.insert({{DNNL_ARG_SRC, srcMem},
                   {DNNL_ARG_DIFF_WEIGHTS, primitiveWeights},
                   {DNNL_ARG_DIFF_DST, dstMem}});
    if (bias)
      args.insert({DNNL_ARG_BIAS, dnnl::memory(conv.bias, engine, const_cast<float *>(bias))});
    conv.primitive.execute(stream, args);
    if (conv.fromPrimitive)
      conv.fromPrimitive->execute(stream, primitiveWeights, userWeights);
    stream.wait();
  } catch (const dnnl::error &e) {
    noteFallback("convolution", e.what());
    referenceConv(kind, src, weights, dst, s);
    if (kind == SINTER_CONV_FORWARD)
      epilogueByHand(dst, bias, s.n * s.oh * s.ow, s.k, activation);
  }
}

} // namespace

extern "C" void sinter_kernel_conv2d_f32(int32_t kind, float *src, float *weights, float *dst,
                                         int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh,
                                         int64_t ow, int64_t k, int64_t kh, int64_t kw, int64_t sh,
                                         int64_t sw, int64_t dh, int64_t dw, int64_t pt, int64_t pb,
                                         int64_t pl, int64_t pr, int64_t groups) {
  convolve(kind, src, weights, nullptr, dst,
           {n, h, w, c, oh, ow, k, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups},
           SINTER_ACTIVATION_NONE);
}

extern "C" void sinter_kernel_conv2d_bias_f32(float *src, float *weights, const float *bias,
                                              float *dst, int64_t n, int64_t h, int64_t w,
                                              int64_t c, int64_t oh, int64_t ow, int64_t k,
                                              int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                              int64_t dh, int64_t dw, int64_t pt, int64_t pb,
                                              int64_t pl, int64_t pr, int64_t groups,
                                              int32_t activation) {
  convolve(SINTER_CONV_FORWARD, src, weights, bias, dst,
           {n, h, w, c, oh, ow, k, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups}, activation);
}

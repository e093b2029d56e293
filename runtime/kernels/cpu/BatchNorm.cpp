//===- BatchNorm.cpp - batch normalisation (training mode) over oneDNN ----===//
//
// The forward pass computes the batch's mean and biased variance per channel and normalises;
// the backward pass gives dx, dgamma and dbeta. Data is channels-last ([n, ..., c]), seen by
// oneDNN as an NHWC image of n x inner x 1 positions, so it is read in place. Primitives are
// created once per shape (and thread count) and cached.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include "Dnnl.h"

#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

using namespace sinter::runtime::kernels;

// Normalisation reads and writes each element a few times: a thread pays from about this many.
constexpr int64_t kMinElementsPerThread = 1 << 16;

struct Shape {
  int64_t n, inner, c;
  int64_t positions() const { return n * inner; }
};

// backward (0/1), n, inner, c, epsilon's bits, the thread count.
using Key = std::array<int64_t, 6>;

struct CachedBatchNorm {
  dnnl::memory::desc data, channels, scratchpad;
  dnnl::primitive primitive;
};

const CachedBatchNorm &getBatchNorm(bool backward, const Shape &s, float epsilon, int threads) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<CachedBatchNorm>> cache;
  uint32_t epsilonBits;
  std::memcpy(&epsilonBits, &epsilon, sizeof epsilonBits);
  Key key{backward, s.n, s.inner, s.c, epsilonBits, threads};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedBatchNorm>();
  entry->data = dnnl::memory::desc({s.n, s.c, s.inner, 1}, dt::f32, dnnl::memory::format_tag::nhwc);
  entry->channels = dnnl::memory::desc({s.c}, dt::f32, tag::a);
  auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  dnnl::primitive_attr attr = userScratchpad();
  dnnl::batch_normalization_forward::primitive_desc forward(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, entry->data,
                                              epsilon, flags),
      attr, cpuEngine());
  if (backward) {
    dnnl::batch_normalization_backward::primitive_desc pd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, entry->data,
                                                 entry->data, epsilon, flags),
        attr, cpuEngine(), forward);
    entry->scratchpad = pd.scratchpad_desc();
    entry->primitive = dnnl::batch_normalization_backward(pd);
  } else {
    entry->scratchpad = forward.scratchpad_desc();
    entry->primitive = dnnl::batch_normalization_forward(forward);
  }
  return *cache.emplace(key, std::move(entry)).first->second;
}

/// The statistics by definition (the fallback if oneDNN fails), summed in double.
void referenceStatistics(const float *x, const Shape &s, float *mean, float *variance) {
  std::vector<double> sum(s.c, 0.0), squares(s.c, 0.0);
  for (int64_t p = 0; p < s.positions(); ++p)
    for (int64_t ch = 0; ch < s.c; ++ch)
      sum[ch] += x[p * s.c + ch];
  for (int64_t ch = 0; ch < s.c; ++ch)
    mean[ch] = static_cast<float>(sum[ch] / s.positions());
  for (int64_t p = 0; p < s.positions(); ++p)
    for (int64_t ch = 0; ch < s.c; ++ch) {
      double d = x[p * s.c + ch] - mean[ch];
      squares[ch] += d * d;
    }
  for (int64_t ch = 0; ch < s.c; ++ch)
    variance[ch] = static_cast<float>(squares[ch] / s.positions());
}

void referenceForward(const float *x, const float *gamma, const float *beta, float *y, float *mean,
                      float *variance, const Shape &s, float epsilon) {
  referenceStatistics(x, s, mean, variance);
  for (int64_t p = 0; p < s.positions(); ++p)
    for (int64_t ch = 0; ch < s.c; ++ch)
      y[p * s.c + ch] =
          (x[p * s.c + ch] - mean[ch]) / std::sqrt(variance[ch] + epsilon) * gamma[ch] + beta[ch];
}

void referenceBackward(const float *x, const float *gamma, const float *mean, const float *variance,
                       const float *dy, float *dx, float *dgamma, float *dbeta, const Shape &s,
                       float epsilon) {
  std::vector<double> sumG(s.c, 0.0), sumGX(s.c, 0.0), invStd(s.c);
  for (int64_t ch = 0; ch < s.c; ++ch)
    invStd[ch] = 1.0 / std::sqrt(static_cast<double>(variance[ch]) + epsilon);
  for (int64_t p = 0; p < s.positions(); ++p)
    for (int64_t ch = 0; ch < s.c; ++ch) {
      double g = dy[p * s.c + ch];
      sumG[ch] += g;
      sumGX[ch] += g * (x[p * s.c + ch] - mean[ch]) * invStd[ch];
    }
  double count = static_cast<double>(s.positions());
  for (int64_t p = 0; p < s.positions(); ++p)
    for (int64_t ch = 0; ch < s.c; ++ch) {
      double normalized = (x[p * s.c + ch] - mean[ch]) * invStd[ch];
      dx[p * s.c + ch] = static_cast<float>(
          gamma[ch] * invStd[ch] *
          (dy[p * s.c + ch] - sumG[ch] / count - normalized * sumGX[ch] / count));
    }
  for (int64_t ch = 0; ch < s.c; ++ch) {
    dgamma[ch] = static_cast<float>(sumGX[ch]);
    dbeta[ch] = static_cast<float>(sumG[ch]);
  }
}

} // namespace

extern "C" void sinter_kernel_batch_norm_f32(const float *x, const float *gamma, const float *beta,
                                             float *y, float *mean, float *variance, int64_t n,
                                             int64_t inner, int64_t c, float epsilon) {
  Shape s{n, inner, c};
  if (s.positions() <= 0)
    return;
  try {
    KernelThreads threads(s.positions() * c, kMinElementsPerThread);
    const CachedBatchNorm &bn = getBatchNorm(false, s, epsilon, threads.threads());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, wrap(bn.data, x)},
        {DNNL_ARG_DST, wrap(bn.data, y)},
        {DNNL_ARG_SCALE, wrap(bn.channels, gamma)},
        {DNNL_ARG_SHIFT, wrap(bn.channels, beta)},
        {DNNL_ARG_MEAN, wrap(bn.channels, mean)},
        {DNNL_ARG_VARIANCE, wrap(bn.channels, variance)},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(bn.scratchpad)}};
    bn.primitive.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error &e) {
    noteFallback("batch normalization", e.what());
    referenceForward(x, gamma, beta, y, mean, variance, s, epsilon);
  }
}

extern "C" void sinter_kernel_batch_norm_grad_f32(const float *x, const float *gamma,
                                                  const float *mean, const float *variance,
                                                  const float *dy, float *dx, float *dgamma,
                                                  float *dbeta, int64_t n, int64_t inner, int64_t c,
                                                  float epsilon) {
  Shape s{n, inner, c};
  if (s.positions() <= 0)
    return;
  try {
    KernelThreads threads(s.positions() * c, kMinElementsPerThread);
    const CachedBatchNorm &bn = getBatchNorm(true, s, epsilon, threads.threads());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, wrap(bn.data, x)},
        {DNNL_ARG_MEAN, wrap(bn.channels, mean)},
        {DNNL_ARG_VARIANCE, wrap(bn.channels, variance)},
        {DNNL_ARG_DIFF_DST, wrap(bn.data, dy)},
        {DNNL_ARG_SCALE, wrap(bn.channels, gamma)},
        // oneDNN 2.6 asks for the shift here though only a fused ReLU would read it.
        {DNNL_ARG_SHIFT, wrap(bn.channels, gamma)},
        {DNNL_ARG_DIFF_SRC, wrap(bn.data, dx)},
        {DNNL_ARG_DIFF_SCALE, wrap(bn.channels, dgamma)},
        {DNNL_ARG_DIFF_SHIFT, wrap(bn.channels, dbeta)},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(bn.scratchpad)}};
    bn.primitive.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error &e) {
    noteFallback("batch normalization", e.what());
    referenceBackward(x, gamma, mean, variance, dy, dx, dgamma, dbeta, s, epsilon);
  }
}

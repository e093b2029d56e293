//===- Recurrence.cpp - whole LSTM layers over oneDNN's RNN primitives ----===//
//
// The sinter.lstm op and its gradient, as Keras runs an LSTM layer on cuDNN. Sequences stay
// in the caller's [batch, time, features] buffers (oneDNN's ntc layout) and states in [batch,
// units] (ldnc with one layer and direction); Keras' kernels are oneDNN's ldigo layout (gates i,
// f, c, o in both) and go through the layout each primitive prefers. The backward pass runs the
// forward pass again in training mode for its workspace. Primitives are cached per shape and
// thread count. If oneDNN fails, the call reports an error (there is no second implementation
// here: the scan-based layers are the other path).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/CallErrors.h"

#include "Dnnl.h"

#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using sinter::runtime::kernels::cpuEngine;
using sinter::runtime::kernels::cpuStream;
using sinter::runtime::kernels::KernelThreads;
using sinter::runtime::kernels::threadScratchpad;
using sinter::runtime::kernels::userScratchpad;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

constexpr int64_t kMinMultiplyAddsPerThread = 1 << 21;

struct Shape {
  int64_t n, t, c, u;
  bool reverse;
  int64_t multiplyAdds() const { return n * t * (c + u) * 4 * u; }
};

// backward (0/1), n, t, c, u, reverse, the thread count.
using Key = std::array<int64_t, 7>;

/// The user's memory descriptors (the sinter ops' layouts).
struct UserDescs {
  dnnl::memory::desc sequenceIn, sequenceOut, state, kernel, recurrentKernel, bias;
  explicit UserDescs(const Shape &s)
      : sequenceIn({s.t, s.n, s.c}, dt::f32, tag::ntc),
        sequenceOut({s.t, s.n, s.u}, dt::f32, tag::ntc),
        state({1, 1, s.n, s.u}, dt::f32, tag::ldnc),
        kernel({1, 1, s.c, 4, s.u}, dt::f32, tag::ldigo),
        recurrentKernel({1, 1, s.u, 4, s.u}, dt::f32, tag::ldigo),
        bias({1, 1, 4, s.u}, dt::f32, tag::ldgo) {}
};

/// A weight in the layout a primitive wants, with the reorder into it (or out of it, for a
/// gradient) when that is not the user's.
struct Weight {
  dnnl::memory::desc desc;
  std::optional<dnnl::reorder> reorder;
  void set(const dnnl::memory::desc &primitive, const dnnl::memory::desc &user, bool out) {
    desc = primitive;
    if (primitive != user)
      reorder.emplace(
          out ? dnnl::reorder::primitive_desc(cpuEngine(), primitive, cpuEngine(), user)
              : dnnl::reorder::primitive_desc(cpuEngine(), user, cpuEngine(), primitive));
  }
};

struct CachedLstm {
  dnnl::primitive forward, backward;
  dnnl::memory::desc workspace, forwardScratchpad, backwardScratchpad;
  Weight kernel, recurrentKernel;         // for the forward primitive
  Weight backKernel, backRecurrentKernel; // for the backward primitive
  Weight diffKernel, diffRecurrentKernel; // its gradients, back to the user's layout
};

const CachedLstm &getLstm(bool backward, const Shape &s, int threads) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<CachedLstm>> cache;
  Key key{backward, s.n, s.t, s.c, s.u, s.reverse, threads};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedLstm>();
  UserDescs user(s);
  auto direction = s.reverse ? dnnl::rnn_direction::unidirectional_right2left
                             : dnnl::rnn_direction::unidirectional_left2right;
  dnnl::memory::desc anyKernel({1, 1, s.c, 4, s.u}, dt::f32, tag::any),
      anyRecurrent({1, 1, s.u, 4, s.u}, dt::f32, tag::any);
  dnnl::primitive_attr attr = userScratchpad();
  dnnl::lstm_forward::primitive_desc forward(
      dnnl::lstm_forward::desc(backward ? dnnl::prop_kind::forward_training
                                        : dnnl::prop_kind::forward_inference,
                               direction, user.sequenceIn, user.state, user.state, anyKernel,
                               anyRecurrent, user.bias, user.sequenceOut, user.state, user.state),
      attr, cpuEngine());
  entry->forward = dnnl::lstm_forward(forward);
  entry->forwardScratchpad = forward.scratchpad_desc();
  entry->kernel.set(forward.weights_layer_desc(), user.kernel, false);
  entry->recurrentKernel.set(forward.weights_iter_desc(), user.recurrentKernel, false);
  if (backward) {
    entry->workspace = forward.workspace_desc();
    dnnl::lstm_backward::primitive_desc pd(
        dnnl::lstm_backward::desc(dnnl::prop_kind::backward, direction, user.sequenceIn, user.state,
                                  user.state, anyKernel, anyRecurrent, user.bias, user.sequenceOut,
                                  user.state, user.state, user.sequenceIn, user.state, user.state,
                                  anyKernel, anyRecurrent, user.bias, user.sequenceOut, user.state,
                                  user.state),
        attr, cpuEngine(), forward);
    entry->backward = dnnl::lstm_backward(pd);
    entry->backwardScratchpad = pd.scratchpad_desc();
    entry->backKernel.set(pd.weights_layer_desc(), user.kernel, false);
    entry->backRecurrentKernel.set(pd.weights_iter_desc(), user.recurrentKernel, false);
    entry->diffKernel.set(pd.diff_weights_layer_desc(), user.kernel, true);
    entry->diffRecurrentKernel.set(pd.diff_weights_iter_desc(), user.recurrentKernel, true);
  }
  return *cache.emplace(key, std::move(entry)).first->second;
}

/// Per-thread scratch buffers, one per slot, grown as needed.
void *threadBuffer(int slot, size_t bytes) {
  thread_local std::array<std::vector<unsigned char>, 8> buffers;
  std::vector<unsigned char> &b = buffers[slot];
  if (b.size() < bytes)
    b.resize(bytes);
  return b.data();
}

dnnl::memory wrap(const dnnl::memory::desc &desc, const void *data) {
  return dnnl::memory(desc, cpuEngine(), const_cast<void *>(data));
}

/// The user's weight `data` in the primitive's layout (a thread buffer in `slot` when it
/// differs).
dnnl::memory weightIn(const Weight &w, const dnnl::memory::desc &user, const float *data,
                      int slot) {
  dnnl::memory userMemory = wrap(user, data);
  if (!w.reorder)
    return userMemory;
  dnnl::memory m = wrap(w.desc, threadBuffer(slot, w.desc.get_size()));
  w.reorder->execute(cpuStream(), userMemory, m);
  return m;
}

/// Where the primitive writes a weight's gradient (zeroed: oneDNN adds to it).
dnnl::memory gradientOut(const Weight &w, const dnnl::memory::desc &user, float *data, int slot) {
  dnnl::memory m =
      w.reorder ? wrap(w.desc, threadBuffer(slot, w.desc.get_size())) : wrap(user, data);
  std::memset(m.get_data_handle(), 0, m.get_desc().get_size());
  return m;
}

void failed(const char *what, const dnnl::error &e) {
  sinter::runtime::reportCallError(std::string("oneDNN ") + what + " failed: " + e.what());
}

} // namespace

extern "C" void sinter_kernel_lstm_forward_f32(const float *x, const float *h0, const float *c0,
                                               const float *kernel, const float *recurrentKernel,
                                               const float *bias, float *sequence, float *h,
                                               float *c, int64_t n, int64_t t, int64_t channels,
                                               int64_t units, int64_t reverse) {
  Shape s{n, t, channels, units, reverse != 0};
  if (n <= 0)
    return;
  try {
    KernelThreads threads(s.multiplyAdds(), kMinMultiplyAddsPerThread);
    const CachedLstm &lstm = getLstm(false, s, threads.threads());
    UserDescs user(s);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC_LAYER, wrap(user.sequenceIn, x)},
        {DNNL_ARG_SRC_ITER, wrap(user.state, h0)},
        {DNNL_ARG_SRC_ITER_C, wrap(user.state, c0)},
        {DNNL_ARG_WEIGHTS_LAYER, weightIn(lstm.kernel, user.kernel, kernel, 0)},
        {DNNL_ARG_WEIGHTS_ITER,
         weightIn(lstm.recurrentKernel, user.recurrentKernel, recurrentKernel, 1)},
        {DNNL_ARG_BIAS, wrap(user.bias, bias)},
        {DNNL_ARG_DST_LAYER, wrap(user.sequenceOut, sequence)},
        {DNNL_ARG_DST_ITER, wrap(user.state, h)},
        {DNNL_ARG_DST_ITER_C, wrap(user.state, c)},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(lstm.forwardScratchpad)}};
    lstm.forward.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error &e) {
    failed("LSTM", e);
  }
}

extern "C" void sinter_kernel_lstm_backward_f32(
    const float *x, const float *h0, const float *c0, const float *kernel,
    const float *recurrentKernel, const float *bias, const float *dSequence, const float *dh,
    const float *dc, float *dx, float *dh0, float *dc0, float *dKernel, float *dRecurrentKernel,
    float *dBias, int64_t n, int64_t t, int64_t channels, int64_t units, int64_t reverse) {
  Shape s{n, t, channels, units, reverse != 0};
  if (n <= 0)
    return;
  try {
    KernelThreads threads(s.multiplyAdds(), kMinMultiplyAddsPerThread);
    const CachedLstm &lstm = getLstm(true, s, threads.threads());
    UserDescs user(s);
    dnnl::stream &stream = cpuStream();
    // The forward pass in training mode, for the workspace and its outputs.
    dnnl::memory workspace = wrap(lstm.workspace, threadBuffer(2, lstm.workspace.get_size()));
    dnnl::memory sequence = wrap(user.sequenceOut, threadBuffer(3, user.sequenceOut.get_size()));
    dnnl::memory hT = wrap(user.state, threadBuffer(4, user.state.get_size()));
    dnnl::memory cT = wrap(user.state, threadBuffer(5, user.state.get_size()));
    dnnl::memory src = wrap(user.sequenceIn, x), srcH = wrap(user.state, h0),
                 srcC = wrap(user.state, c0), biasMemory = wrap(user.bias, bias);
    lstm.forward.execute(
        stream, {{DNNL_ARG_SRC_LAYER, src},
                 {DNNL_ARG_SRC_ITER, srcH},
                 {DNNL_ARG_SRC_ITER_C, srcC},
                 {DNNL_ARG_WEIGHTS_LAYER, weightIn(lstm.kernel, user.kernel, kernel, 0)},
                 {DNNL_ARG_WEIGHTS_ITER,
                  weightIn(lstm.recurrentKernel, user.recurrentKernel, recurrentKernel, 1)},
                 {DNNL_ARG_BIAS, biasMemory},
                 {DNNL_ARG_DST_LAYER, sequence},
                 {DNNL_ARG_DST_ITER, hT},
                 {DNNL_ARG_DST_ITER_C, cT},
                 {DNNL_ARG_WORKSPACE, workspace},
                 {DNNL_ARG_SCRATCHPAD, threadScratchpad(lstm.forwardScratchpad)}});
    dnnl::memory diffKernel = gradientOut(lstm.diffKernel, user.kernel, dKernel, 6);
    dnnl::memory diffRecurrent =
        gradientOut(lstm.diffRecurrentKernel, user.recurrentKernel, dRecurrentKernel, 7);
    dnnl::memory diffBias = wrap(user.bias, dBias);
    std::memset(dBias, 0, user.bias.get_size());
    // The backward primitive's weights may want other layouts than the forward's.
    dnnl::memory backKernel = weightIn(lstm.backKernel, user.kernel, kernel, 0);
    dnnl::memory backRecurrent =
        weightIn(lstm.backRecurrentKernel, user.recurrentKernel, recurrentKernel, 1);
    lstm.backward.execute(stream,
                          {{DNNL_ARG_SRC_LAYER, src},
                           {DNNL_ARG_SRC_ITER, srcH},
                           {DNNL_ARG_SRC_ITER_C, srcC},
                           {DNNL_ARG_WEIGHTS_LAYER, backKernel},
                           {DNNL_ARG_WEIGHTS_ITER, backRecurrent},
                           {DNNL_ARG_BIAS, biasMemory},
                           {DNNL_ARG_DST_LAYER, sequence},
                           {DNNL_ARG_DST_ITER, hT},
                           {DNNL_ARG_DST_ITER_C, cT},
                           {DNNL_ARG_DIFF_SRC_LAYER, wrap(user.sequenceIn, dx)},
                           {DNNL_ARG_DIFF_SRC_ITER, wrap(user.state, dh0)},
                           {DNNL_ARG_DIFF_SRC_ITER_C, wrap(user.state, dc0)},
                           {DNNL_ARG_DIFF_WEIGHTS_LAYER, diffKernel},
                           {DNNL_ARG_DIFF_WEIGHTS_ITER, diffRecurrent},
                           {DNNL_ARG_DIFF_BIAS, diffBias},
                           {DNNL_ARG_DIFF_DST_LAYER, wrap(user.sequenceOut, dSequence)},
                           {DNNL_ARG_DIFF_DST_ITER, wrap(user.state, dh)},
                           {DNNL_ARG_DIFF_DST_ITER_C, wrap(user.state, dc)},
                           {DNNL_ARG_WORKSPACE, workspace},
                           {DNNL_ARG_SCRATCHPAD, threadScratchpad(lstm.backwardScratchpad)}});
    if (lstm.diffKernel.reorder) {
      dnnl::memory userKernel = wrap(user.kernel, dKernel);
      lstm.diffKernel.reorder->execute(stream, diffKernel, userKernel);
    }
    if (lstm.diffRecurrentKernel.reorder) {
      dnnl::memory userRecurrent = wrap(user.recurrentKernel, dRecurrentKernel);
      lstm.diffRecurrentKernel.reorder->execute(stream, diffRecurrent, userRecurrent);
    }
    stream.wait();
  } catch (const dnnl::error &e) {
    failed("LSTM gradient", e);
  }
}

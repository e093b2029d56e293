//===- Recurrence.cpp - whole LSTM and GRU layers over oneDNN's RNN primitives -===//
//
// The sinter.lstm and sinter.gru ops and their gradients, as Keras runs these layers on cuDNN.
// Sequences stay in the caller's [batch, time, features] buffers (oneDNN's ntc layout) and
// states in [batch, units] (ldnc with one layer and direction); Keras' kernels are oneDNN's
// ldigo layout (gates i, f, c, o and z, r, h in both) and go through the layout each primitive
// prefers. Keras' GRU with reset_after is oneDNN's linear-before-reset GRU, the classic one its
// plain GRU. The backward pass runs the forward pass again in training mode for its workspace.
// Primitives are cached per shape and thread count. If oneDNN fails, the call reports an error
// (there is no second implementation here: the scan-based layers are the other path).
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

using namespace sinter::runtime::kernels;

constexpr int64_t kMinMultiplyAddsPerThread = 1 << 21;

enum class Cell : int64_t { Lstm, Gru, LbrGru };

struct Shape {
  Cell cell;
  int64_t n, t, c, u;
  bool reverse;
  int64_t gates() const { return cell == Cell::Lstm ? 4 : 3; }
  int64_t biasGates() const { return cell == Cell::Gru ? 3 : 4; }
  bool cellState() const { return cell == Cell::Lstm; }
  int64_t multiplyAdds() const { return n * t * (c + u) * gates() * u; }
};

// cell, backward (0/1), n, t, c, u, reverse, the thread count.
using Key = std::array<int64_t, 8>;

/// The user's memory descriptors (the sinter ops' layouts).
struct UserDescs {
  dnnl::memory::desc sequenceIn, sequenceOut, state, kernel, recurrentKernel, bias;
  explicit UserDescs(const Shape &s)
      : sequenceIn({s.t, s.n, s.c}, dt::f32, tag::ntc),
        sequenceOut({s.t, s.n, s.u}, dt::f32, tag::ntc),
        state({1, 1, s.n, s.u}, dt::f32, tag::ldnc),
        kernel({1, 1, s.c, s.gates(), s.u}, dt::f32, tag::ldigo),
        recurrentKernel({1, 1, s.u, s.gates(), s.u}, dt::f32, tag::ldigo),
        bias({1, 1, s.biasGates(), s.u}, dt::f32, tag::ldgo) {}
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

struct CachedRnn {
  dnnl::primitive forward, backward;
  dnnl::memory::desc workspace, forwardScratchpad, backwardScratchpad;
  Weight kernel, recurrentKernel;         // for the forward primitive
  Weight backKernel, backRecurrentKernel; // for the backward primitive
  Weight diffKernel, diffRecurrentKernel; // its gradients, back to the user's layout
};

/// Fills `entry` from the forward and (if `backward`) backward primitive descriptors of one
/// cell type (oneDNN has one pair of classes per cell).
template <class Forward, class Backward>
void fill(CachedRnn &entry, const UserDescs &user, const typename Forward::primitive_desc &forward,
          const typename Backward::primitive_desc *backward) {
  entry.forward = Forward(forward);
  entry.forwardScratchpad = forward.scratchpad_desc();
  entry.kernel.set(forward.weights_layer_desc(), user.kernel, false);
  entry.recurrentKernel.set(forward.weights_iter_desc(), user.recurrentKernel, false);
  if (!backward)
    return;
  entry.workspace = forward.workspace_desc();
  entry.backward = Backward(*backward);
  entry.backwardScratchpad = backward->scratchpad_desc();
  entry.backKernel.set(backward->weights_layer_desc(), user.kernel, false);
  entry.backRecurrentKernel.set(backward->weights_iter_desc(), user.recurrentKernel, false);
  entry.diffKernel.set(backward->diff_weights_layer_desc(), user.kernel, true);
  entry.diffRecurrentKernel.set(backward->diff_weights_iter_desc(), user.recurrentKernel, true);
}

/// One GRU flavour's primitives (gru_* or lbr_gru_*, which take the same arguments).
template <class Forward, class Backward>
void fillGru(CachedRnn &entry, const UserDescs &user, bool training, dnnl::rnn_direction direction,
             const dnnl::memory::desc &anyKernel, const dnnl::memory::desc &anyRecurrent) {
  dnnl::primitive_attr attr = userScratchpad();
  typename Forward::primitive_desc forward(
      typename Forward::desc(training ? dnnl::prop_kind::forward_training
                                      : dnnl::prop_kind::forward_inference,
                             direction, user.sequenceIn, user.state, anyKernel, anyRecurrent,
                             user.bias, user.sequenceOut, user.state),
      attr, cpuEngine());
  if (!training)
    return fill<Forward, Backward>(entry, user, forward, nullptr);
  typename Backward::primitive_desc backward(
      typename Backward::desc(dnnl::prop_kind::backward, direction, user.sequenceIn, user.state,
                              anyKernel, anyRecurrent, user.bias, user.sequenceOut, user.state,
                              user.sequenceIn, user.state, anyKernel, anyRecurrent, user.bias,
                              user.sequenceOut, user.state),
      attr, cpuEngine(), forward);
  fill<Forward, Backward>(entry, user, forward, &backward);
}

const CachedRnn &getRnn(bool backward, const Shape &s, int threads) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<CachedRnn>> cache;
  Key key{static_cast<int64_t>(s.cell), backward, s.n, s.t, s.c, s.u, s.reverse, threads};
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return *it->second;
  auto entry = std::make_unique<CachedRnn>();
  UserDescs user(s);
  auto direction = s.reverse ? dnnl::rnn_direction::unidirectional_right2left
                             : dnnl::rnn_direction::unidirectional_left2right;
  dnnl::memory::desc anyKernel({1, 1, s.c, s.gates(), s.u}, dt::f32, tag::any),
      anyRecurrent({1, 1, s.u, s.gates(), s.u}, dt::f32, tag::any);
  if (s.cell == Cell::Gru) {
    fillGru<dnnl::gru_forward, dnnl::gru_backward>(*entry, user, backward, direction, anyKernel,
                                                   anyRecurrent);
  } else if (s.cell == Cell::LbrGru) {
    fillGru<dnnl::lbr_gru_forward, dnnl::lbr_gru_backward>(*entry, user, backward, direction,
                                                           anyKernel, anyRecurrent);
  } else {
    dnnl::primitive_attr attr = userScratchpad();
    dnnl::lstm_forward::primitive_desc forward(
        dnnl::lstm_forward::desc(backward ? dnnl::prop_kind::forward_training
                                          : dnnl::prop_kind::forward_inference,
                                 direction, user.sequenceIn, user.state, user.state, anyKernel,
                                 anyRecurrent, user.bias, user.sequenceOut, user.state, user.state),
        attr, cpuEngine());
    if (backward) {
      dnnl::lstm_backward::primitive_desc pd(
          dnnl::lstm_backward::desc(dnnl::prop_kind::backward, direction, user.sequenceIn,
                                    user.state, user.state, anyKernel, anyRecurrent, user.bias,
                                    user.sequenceOut, user.state, user.state, user.sequenceIn,
                                    user.state, user.state, anyKernel, anyRecurrent, user.bias,
                                    user.sequenceOut, user.state, user.state),
          attr, cpuEngine(), forward);
      fill<dnnl::lstm_forward, dnnl::lstm_backward>(*entry, user, forward, &pd);
    } else {
      fill<dnnl::lstm_forward, dnnl::lstm_backward>(*entry, user, forward, nullptr);
    }
  }
  return *cache.emplace(key, std::move(entry)).first->second;
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

/// A gradient computed in the primitive's layout, into the user's buffer.
void gradientBack(const Weight &w, dnnl::memory &computed, const dnnl::memory::desc &user,
                  float *data) {
  if (!w.reorder)
    return;
  dnnl::memory userMemory = wrap(user, data);
  w.reorder->execute(cpuStream(), computed, userMemory);
}

/// The buffers of one layer call; the cell-state ones are null for the GRUs.
struct Buffers {
  const float *x, *h0, *c0, *kernel, *recurrentKernel, *bias;
  float *sequence, *h, *c; // forward results
  const float *dSequence, *dh, *dc;
  float *dx, *dh0, *dc0, *dKernel, *dRecurrentKernel, *dBias; // backward results
};

void forward(const Shape &s, const Buffers &io) {
  if (s.n <= 0)
    return;
  try {
    KernelThreads threads(s.multiplyAdds(), kMinMultiplyAddsPerThread);
    const CachedRnn &rnn = getRnn(false, s, threads.threads());
    UserDescs user(s);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC_LAYER, wrap(user.sequenceIn, io.x)},
        {DNNL_ARG_SRC_ITER, wrap(user.state, io.h0)},
        {DNNL_ARG_WEIGHTS_LAYER, weightIn(rnn.kernel, user.kernel, io.kernel, 0)},
        {DNNL_ARG_WEIGHTS_ITER,
         weightIn(rnn.recurrentKernel, user.recurrentKernel, io.recurrentKernel, 1)},
        {DNNL_ARG_BIAS, wrap(user.bias, io.bias)},
        {DNNL_ARG_DST_LAYER, wrap(user.sequenceOut, io.sequence)},
        {DNNL_ARG_DST_ITER, wrap(user.state, io.h)},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(rnn.forwardScratchpad)}};
    if (s.cellState())
      args.insert({{DNNL_ARG_SRC_ITER_C, wrap(user.state, io.c0)},
                   {DNNL_ARG_DST_ITER_C, wrap(user.state, io.c)}});
    rnn.forward.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error &e) {
    sinter::runtime::reportCallError(std::string("oneDNN recurrent layer failed: ") + e.what());
  }
}

void backward(const Shape &s, const Buffers &io) {
  if (s.n <= 0)
    return;
  try {
    KernelThreads threads(s.multiplyAdds(), kMinMultiplyAddsPerThread);
    const CachedRnn &rnn = getRnn(true, s, threads.threads());
    UserDescs user(s);
    dnnl::stream &stream = cpuStream();
    // The forward pass in training mode, for the workspace and its outputs.
    dnnl::memory workspace = wrap(rnn.workspace, threadBuffer(2, rnn.workspace.get_size()));
    dnnl::memory sequence = wrap(user.sequenceOut, threadBuffer(3, user.sequenceOut.get_size()));
    dnnl::memory hT = wrap(user.state, threadBuffer(4, user.state.get_size()));
    dnnl::memory cT = wrap(user.state, threadBuffer(5, user.state.get_size()));
    dnnl::memory src = wrap(user.sequenceIn, io.x), srcH = wrap(user.state, io.h0),
                 bias = wrap(user.bias, io.bias);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC_LAYER, src},
        {DNNL_ARG_SRC_ITER, srcH},
        {DNNL_ARG_WEIGHTS_LAYER, weightIn(rnn.kernel, user.kernel, io.kernel, 0)},
        {DNNL_ARG_WEIGHTS_ITER,
         weightIn(rnn.recurrentKernel, user.recurrentKernel, io.recurrentKernel, 1)},
        {DNNL_ARG_BIAS, bias},
        {DNNL_ARG_DST_LAYER, sequence},
        {DNNL_ARG_DST_ITER, hT},
        {DNNL_ARG_WORKSPACE, workspace},
        {DNNL_ARG_SCRATCHPAD, threadScratchpad(rnn.forwardScratchpad)}};
    if (s.cellState())
      args.insert({{DNNL_ARG_SRC_ITER_C, wrap(user.state, io.c0)}, {DNNL_ARG_DST_ITER_C, cT}});
    rnn.forward.execute(stream, args);
    // The backward primitive's weights may want other layouts than the forward's.
    dnnl::memory diffKernel = gradientOut(rnn.diffKernel, user.kernel, io.dKernel, 6);
    dnnl::memory diffRecurrent =
        gradientOut(rnn.diffRecurrentKernel, user.recurrentKernel, io.dRecurrentKernel, 7);
    std::memset(io.dBias, 0, user.bias.get_size());
    args[DNNL_ARG_WEIGHTS_LAYER] = weightIn(rnn.backKernel, user.kernel, io.kernel, 0);
    args[DNNL_ARG_WEIGHTS_ITER] =
        weightIn(rnn.backRecurrentKernel, user.recurrentKernel, io.recurrentKernel, 1);
    args[DNNL_ARG_SCRATCHPAD] = threadScratchpad(rnn.backwardScratchpad);
    args.insert({{DNNL_ARG_DIFF_SRC_LAYER, wrap(user.sequenceIn, io.dx)},
                 {DNNL_ARG_DIFF_SRC_ITER, wrap(user.state, io.dh0)},
                 {DNNL_ARG_DIFF_WEIGHTS_LAYER, diffKernel},
                 {DNNL_ARG_DIFF_WEIGHTS_ITER, diffRecurrent},
                 {DNNL_ARG_DIFF_BIAS, wrap(user.bias, io.dBias)},
                 {DNNL_ARG_DIFF_DST_LAYER, wrap(user.sequenceOut, io.dSequence)},
                 {DNNL_ARG_DIFF_DST_ITER, wrap(user.state, io.dh)}});
    if (s.cellState())
      args.insert({{DNNL_ARG_DIFF_SRC_ITER_C, wrap(user.state, io.dc0)},
                   {DNNL_ARG_DIFF_DST_ITER_C, wrap(user.state, io.dc)}});
    rnn.backward.execute(stream, args);
    gradientBack(rnn.diffKernel, diffKernel, user.kernel, io.dKernel);
    gradientBack(rnn.diffRecurrentKernel, diffRecurrent, user.recurrentKernel, io.dRecurrentKernel);
    stream.wait();
  } catch (const dnnl::error &e) {
    sinter::runtime::reportCallError(std::string("oneDNN recurrent layer gradient failed: ") +
                                     e.what());
  }
}

Cell gruCell(int64_t linearBeforeReset) { return linearBeforeReset ? Cell::LbrGru : Cell::Gru; }

} // namespace

extern "C" void sinter_kernel_lstm_forward_f32(const float *x, const float *h0, const float *c0,
                                               const float *kernel, const float *recurrentKernel,
                                               const float *bias, float *sequence, float *h,
                                               float *c, int64_t n, int64_t t, int64_t channels,
                                               int64_t units, int64_t reverse) {
  Buffers io{};
  io.x = x, io.h0 = h0, io.c0 = c0, io.kernel = kernel, io.recurrentKernel = recurrentKernel;
  io.bias = bias, io.sequence = sequence, io.h = h, io.c = c;
  forward({Cell::Lstm, n, t, channels, units, reverse != 0}, io);
}

extern "C" void sinter_kernel_lstm_backward_f32(
    const float *x, const float *h0, const float *c0, const float *kernel,
    const float *recurrentKernel, const float *bias, const float *dSequence, const float *dh,
    const float *dc, float *dx, float *dh0, float *dc0, float *dKernel, float *dRecurrentKernel,
    float *dBias, int64_t n, int64_t t, int64_t channels, int64_t units, int64_t reverse) {
  Buffers io{};
  io.x = x, io.h0 = h0, io.c0 = c0, io.kernel = kernel, io.recurrentKernel = recurrentKernel;
  io.bias = bias, io.dSequence = dSequence, io.dh = dh, io.dc = dc, io.dx = dx, io.dh0 = dh0;
  io.dc0 = dc0, io.dKernel = dKernel, io.dRecurrentKernel = dRecurrentKernel, io.dBias = dBias;
  backward({Cell::Lstm, n, t, channels, units, reverse != 0}, io);
}

extern "C" void sinter_kernel_gru_forward_f32(const float *x, const float *h0, const float *kernel,
                                              const float *recurrentKernel, const float *bias,
                                              float *sequence, float *h, int64_t n, int64_t t,
                                              int64_t channels, int64_t units, int64_t reverse,
                                              int64_t linearBeforeReset) {
  Buffers io{};
  io.x = x, io.h0 = h0, io.kernel = kernel, io.recurrentKernel = recurrentKernel;
  io.bias = bias, io.sequence = sequence, io.h = h;
  forward({gruCell(linearBeforeReset), n, t, channels, units, reverse != 0}, io);
}

extern "C" void sinter_kernel_gru_backward_f32(const float *x, const float *h0, const float *kernel,
                                               const float *recurrentKernel, const float *bias,
                                               const float *dSequence, const float *dh, float *dx,
                                               float *dh0, float *dKernel, float *dRecurrentKernel,
                                               float *dBias, int64_t n, int64_t t, int64_t channels,
                                               int64_t units, int64_t reverse,
                                               int64_t linearBeforeReset) {
  Buffers io{};
  io.x = x, io.h0 = h0, io.kernel = kernel, io.recurrentKernel = recurrentKernel;
  io.bias = bias, io.dSequence = dSequence, io.dh = dh, io.dx = dx, io.dh0 = dh0;
  io.dKernel = dKernel, io.dRecurrentKernel = dRecurrentKernel, io.dBias = dBias;
  backward({gruCell(linearBeforeReset), n, t, channels, units, reverse != 0}, io);
}

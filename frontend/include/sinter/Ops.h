// Builder functions: one thin typed wrapper per op of the sinter dialect (the ops themselves,
// their shape rules and gradients are defined once, in compiler/.../SinterOps.td).
// Binary functions broadcast with NumPy's rules.
#ifndef SINTER_OPS_H
#define SINTER_OPS_H

#include "sinter/Graph.h"

#include <array>
#include <string>

namespace sinter {

/// A tensor or a scalar operand, remembering where the expression was written (operators
/// cannot take a defaulted source_location, but their operands' conversions can).
struct Operand {
  Operand(const Tensor &t, Loc loc = Loc::current()) : tensor(t), loc(loc) {}
  Operand(const Variable &v, Loc loc = Loc::current()) : tensor(v), loc(loc) {}
  Operand(double s, Loc loc = Loc::current()) : scalar(s), loc(loc) {}
  Tensor tensor;
  double scalar = 0;
  Loc loc;
};

// Sources.
Tensor constant(Graph &g, const std::vector<float> &values, const Shape &shape,
                Loc loc = Loc::current());
Tensor constant(Graph &g, const std::vector<int32_t> &values, const Shape &shape,
                Loc loc = Loc::current());
Tensor scalar(Graph &g, double value, DType dtype = DType::F32, Loc loc = Loc::current());
Tensor fill(Graph &g, const Shape &shape, double value, DType dtype = DType::F32,
            Loc loc = Loc::current());
Tensor zeros(Graph &g, const Shape &shape, DType dtype = DType::F32, Loc loc = Loc::current());
Tensor ones(Graph &g, const Shape &shape, DType dtype = DType::F32, Loc loc = Loc::current());
Tensor zerosLike(const Tensor &x, Loc loc = Loc::current());
Tensor onesLike(const Tensor &x, Loc loc = Loc::current());

namespace distributed {
/// How all_reduce combines the ranks' values.
enum class Reduction { Sum, Mean };
/// x summed (or averaged) element by element over the ranks of a distributed job, the same on
/// every rank (the op sinter.all_reduce; the processes: sinter/Distributed.h); x itself in a
/// process that is not part of one. Float tensors of static shape.
Tensor allReduce(const Tensor &x, Reduction reduction = Reduction::Sum, Loc loc = Loc::current());
} // namespace distributed

namespace random {
Tensor uniform(Graph &g, const Shape &shape, double minval, double maxval, int64_t seed,
               DType dtype = DType::F32, Loc loc = Loc::current());
Tensor normal(Graph &g, const Shape &shape, double mean, double stddev, int64_t seed,
              DType dtype = DType::F32, Loc loc = Loc::current());
Tensor truncatedNormal(Graph &g, const Shape &shape, double mean, double stddev, int64_t seed,
                       DType dtype = DType::F32, Loc loc = Loc::current());
/// Uniform numbers that change with `offset` (an int64 scalar, e.g. a step counter): element i
/// uses counter offset·N + i. Dropout masks are drawn this way.
Tensor uniform(const Tensor &offset, const Shape &shape, double minval, double maxval, int64_t seed,
               DType dtype = DType::F32, Loc loc = Loc::current());
/// Normal numbers drawn the same way: fresh ones for each value of `offset` (the
/// reparameterisation trick's noise, a denoising autoencoder's corruption).
Tensor normal(const Tensor &offset, const Shape &shape, double mean, double stddev, int64_t seed,
              DType dtype = DType::F32, Loc loc = Loc::current());
/// tf.random.uniform with an integer dtype: integers in [minval, maxval) (floor of a float
/// sample), same seed, same numbers.
Tensor uniformInt(Graph &g, const Shape &shape, int64_t minval, int64_t maxval, int64_t seed,
                  DType dtype = DType::I32, Loc loc = Loc::current());
/// tf.random.categorical: `numSamples` class ids per row of `logits` [b, C] (unnormalised
/// log-probabilities, −inf for an impossible class) → int32 [b, numSamples]. Gumbel-max:
/// argmax(logits − log(−log u)), u ~ U(0, 1) drawn fresh for each value of `offset` (an int64
/// scalar, e.g. nn::rngStep: a program that samples in every call advances it).
Tensor categorical(const Tensor &offset, const Tensor &logits, int64_t numSamples, int64_t seed,
                   Loc loc = Loc::current());
} // namespace random

// Elementwise.
Tensor add(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor sub(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor mul(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor div(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor pow(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor maximum(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor minimum(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor neg(const Tensor &x, Loc loc = Loc::current());
Tensor exp(const Tensor &x, Loc loc = Loc::current());
Tensor log(const Tensor &x, Loc loc = Loc::current());
Tensor sqrt(const Tensor &x, Loc loc = Loc::current());
Tensor square(const Tensor &x, Loc loc = Loc::current());
Tensor abs(const Tensor &x, Loc loc = Loc::current());
Tensor relu(const Tensor &x, Loc loc = Loc::current());
Tensor sigmoid(const Tensor &x, Loc loc = Loc::current());
Tensor tanh(const Tensor &x, Loc loc = Loc::current());
Tensor equal(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor notEqual(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor less(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor lessEqual(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor greater(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor greaterEqual(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
/// cond ? a : b, elementwise (broadcasting all three).
Tensor where(const Tensor &cond, const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor cast(const Tensor &x, DType dtype, Loc loc = Loc::current());
Tensor sin(const Tensor &x, Loc loc = Loc::current());
Tensor cos(const Tensor &x, Loc loc = Loc::current());
Tensor tan(const Tensor &x, Loc loc = Loc::current());
Tensor floor(const Tensor &x, Loc loc = Loc::current());
Tensor ceil(const Tensor &x, Loc loc = Loc::current());
/// Rounds half to even, as tf.round.
Tensor round(const Tensor &x, Loc loc = Loc::current());
Tensor sign(const Tensor &x, Loc loc = Loc::current());
Tensor isNan(const Tensor &x, Loc loc = Loc::current());
/// Python's // and % (floor division; the remainder has the divisor's sign).
Tensor floordiv(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor mod(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor logicalNot(const Tensor &x, Loc loc = Loc::current());
Tensor logicalAnd(const Tensor &a, const Tensor &b, Loc loc = Loc::current());
Tensor logicalOr(const Tensor &a, const Tensor &b, Loc loc = Loc::current());

Tensor operator+(const Tensor &a, Operand b);
Tensor operator-(const Tensor &a, Operand b);
Tensor operator*(const Tensor &a, Operand b);
Tensor operator/(const Tensor &a, Operand b);
Tensor operator+(double a, Operand b);
Tensor operator-(double a, Operand b);
Tensor operator*(double a, Operand b);
Tensor operator/(double a, Operand b);
Tensor operator-(Operand x);
Tensor operator%(const Tensor &a, Operand b);
Tensor operator<(const Tensor &a, Operand b);
Tensor operator<=(const Tensor &a, Operand b);
Tensor operator>(const Tensor &a, Operand b);
Tensor operator>=(const Tensor &a, Operand b);

// Linear algebra and reductions. Negative axes count from the end.
Tensor matmul(const Tensor &a, const Tensor &b, bool transposeA = false, bool transposeB = false,
              Loc loc = Loc::current());
Tensor reduceSum(const Tensor &x, std::vector<int64_t> axes = {}, bool keepdims = false,
                 Loc loc = Loc::current());
Tensor reduceMean(const Tensor &x, std::vector<int64_t> axes = {}, bool keepdims = false,
                  Loc loc = Loc::current());
Tensor reduceMax(const Tensor &x, std::vector<int64_t> axes = {}, bool keepdims = false,
                 Loc loc = Loc::current());
Tensor reduceMin(const Tensor &x, std::vector<int64_t> axes = {}, bool keepdims = false,
                 Loc loc = Loc::current());
Tensor reduceProd(const Tensor &x, std::vector<int64_t> axes = {}, bool keepdims = false,
                  Loc loc = Loc::current());
/// Index (int64) of the largest / smallest element along `axis` (the first on ties).
Tensor argmax(const Tensor &x, int64_t axis, Loc loc = Loc::current());
Tensor argmin(const Tensor &x, int64_t axis, Loc loc = Loc::current());
struct TopK {
  Tensor values;  // the k largest along the last axis, in decreasing order
  Tensor indices; // their positions (int32)
};
TopK topK(const Tensor &x, int64_t k, Loc loc = Loc::current());

// Shapes. reshape takes one −1 for an inferred dimension.
/// The size of dimension `dimension` as a scalar of `dtype` (tf.shape(x)[d]): a constant for a
/// static size, the call's batch size for the batch dimension of a dynamic-batch entry.
Tensor dimSize(const Tensor &x, int64_t dimension, DType dtype = DType::F32,
               Loc loc = Loc::current());
Tensor reshape(const Tensor &x, const Shape &shape, Loc loc = Loc::current());
Tensor transpose(const Tensor &x, std::vector<int64_t> permutation = {}, Loc loc = Loc::current());
Tensor broadcastTo(const Tensor &x, const Shape &shape, Loc loc = Loc::current());
/// Element index along `dimension` of a tensor of `shape` (the source of range, eye, …).
Tensor iota(Graph &g, const Shape &shape, int64_t dimension, DType dtype = DType::I32,
            Loc loc = Loc::current());
/// Elements start, start + stride, … below limit, per dimension (positive strides).
Tensor stridedSlice(const Tensor &x, const Shape &start, const Shape &limit, const Shape &strides,
                    Loc loc = Loc::current());
Tensor reverse(const Tensor &x, std::vector<int64_t> axes, Loc loc = Loc::current());
/// tf.pad: `paddings` is one {before, after} pair per dimension; `value` fills.
Tensor pad(const Tensor &x, const std::vector<std::pair<int64_t, int64_t>> &paddings,
           double value = 0, Loc loc = Loc::current());
Tensor concat(const std::vector<Tensor> &tensors, int64_t axis, Loc loc = Loc::current());
/// tf.gather_nd: `indices` [..., k] picks slices of the first k dimensions.
Tensor gatherNd(const Tensor &x, const Tensor &indices, Loc loc = Loc::current());
/// tf.scatter_nd: adds `updates` at `indices` into zeros of `shape`.
Tensor scatterNd(const Tensor &indices, const Tensor &updates, const Shape &shape,
                 Loc loc = Loc::current());
/// One-argument tf.where: int64 coordinates [n, rank] of the true elements; n is known only at
/// run time (Shape reports it as -1), so the result can only feed gatherNd or be an output.
Tensor where(const Tensor &cond, Loc loc = Loc::current());

// Convolution and pooling, on NHWC images ([batch, height, width, channels]).

/// How a convolution or pooling pads its input: "valid" (none), "same" (TensorFlow's rule: the
/// output has ⌈size / stride⌉ rows and columns, the extra padding at the bottom/right) in any
/// case, or explicit amounts {top, bottom, left, right}.
struct Padding {
  Padding(const char *mode) : mode(mode) {}
  Padding(int64_t top, int64_t bottom, int64_t left, int64_t right)
      : mode("explicit"), amounts{top, bottom, left, right} {}
  std::string mode;
  std::array<int64_t, 4> amounts{};
};
using Size2 = std::array<int64_t, 2>; // {height, width}

/// tf.nn.conv2d: `filter` is [kh, kw, in_channels / groups, out_channels].
Tensor conv2d(const Tensor &x, const Tensor &filter, Size2 strides = {1, 1},
              const Padding &padding = "valid", Size2 dilations = {1, 1}, int64_t groups = 1,
              Loc loc = Loc::current());
/// tf.nn.depthwise_conv2d: `filter` [kh, kw, channels, multiplier]; output channel
/// c·multiplier + m filters input channel c.
Tensor depthwiseConv2d(const Tensor &x, const Tensor &filter, Size2 strides = {1, 1},
                       const Padding &padding = "valid", Size2 dilations = {1, 1},
                       Loc loc = Loc::current());
/// tf.nn.conv2d_transpose: the gradient of conv2d with respect to its input, for an input of
/// `outputShape` ([batch, h, w, out_channels]; batch -1 for any). `filter` is
/// [kh, kw, out_channels, in_channels].
Tensor conv2dTranspose(const Tensor &x, const Tensor &filter, const Shape &outputShape,
                       Size2 strides = {1, 1}, const Padding &padding = "valid",
                       Size2 dilations = {1, 1}, Loc loc = Loc::current());
/// Keras' output size of a transposed convolution: (size − 1)·stride + dilated kernel for
/// "valid", size·stride for "same".
int64_t conv2dTransposeSize(int64_t size, int64_t kernel, int64_t stride, const Padding &padding,
                            int64_t dilation = 1);
Tensor maxPool2d(const Tensor &x, Size2 window, Size2 strides, const Padding &padding = "valid",
                 Loc loc = Loc::current());
/// Padded positions do not count in a window's mean (as TensorFlow).
Tensor avgPool2d(const Tensor &x, Size2 window, Size2 strides, const Padding &padding = "valid",
                 Loc loc = Loc::current());

/// Batch normalisation in training mode, as tf.nn.fused_batch_norm(is_training=True): over
/// every axis but the last (the channels), y = (x − mean) / sqrt(variance + epsilon) · gamma +
/// beta with the batch's mean and biased variance, which are returned too (for moving
/// averages). gamma and beta are [channels]. One op: float32 runs on oneDNN's kernels.
struct FusedBatchNorm {
  Tensor y, mean, variance;
};
FusedBatchNorm fusedBatchNorm(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                              double epsilon = 1e-3, Loc loc = Loc::current());

/// A whole LSTM layer as one op, as Keras runs it on cuDNN: x [batch, time, features], states
/// h0, c0 [batch, units], Keras' kernel [features, 4·units], recurrent kernel [units, 4·units]
/// and bias [4·units] (gates i, f, c, o; sigmoid gates, tanh cell), from the last step when
/// `reverse`. Returns every step's h at its time position and the final h and c. float32, on
/// oneDNN's RNN primitives; its gradient has no gradient (nn::LSTM's scan path has).
struct FusedLstm {
  Tensor sequence, h, c;
};
FusedLstm fusedLstm(const Tensor &x, const Tensor &h0, const Tensor &c0, const Tensor &kernel,
                    const Tensor &recurrentKernel, const Tensor &bias, bool reverse = false,
                    Loc loc = Loc::current());

/// A whole GRU layer as one op (see fusedLstm): kernel [features, 3·units], recurrent kernel
/// [units, 3·units] (gates z, r, h). With `linearBeforeReset` (Keras' reset_after) the bias is
/// [4·units]: z's and r's input and recurrent biases summed, then h's input bias and h's
/// recurrent bias; without, Keras' [3·units] bias of the classic formula.
struct FusedGru {
  Tensor sequence, h;
};
FusedGru fusedGru(const Tensor &x, const Tensor &h0, const Tensor &kernel,
                  const Tensor &recurrentKernel, const Tensor &bias, bool linearBeforeReset,
                  bool reverse = false, Loc loc = Loc::current());

// Composites.
Tensor softmax(const Tensor &logits, Loc loc = Loc::current());
/// tf.nn.sigmoid_cross_entropy_with_logits, elementwise: max(x, 0) − x·z + log(1 + e^−|x|)
/// for logits x and labels z of one shape (stable for any x).
Tensor sigmoidCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits,
                                     Loc loc = Loc::current());
/// One loss per example: −Σ labels·log softmax(logits) over the last axis.
Tensor softmaxCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits,
                                     Loc loc = Loc::current());

/// tf.stop_gradient: x itself, but a constant to gradients() (no gradient flows back to x).
Tensor stopGradient(const Tensor &x, Loc loc = Loc::current());

/// d(Σ loss)/d(x) for each x in `wrt` (symbolic; the autodiff pass expands it).
std::vector<Tensor> gradients(const Tensor &loss, const std::vector<Tensor> &wrt,
                              Loc loc = Loc::current());
std::vector<Tensor> gradients(const Tensor &loss, const std::vector<Variable> &wrt,
                              Loc loc = Loc::current());
/// `gradients(loss, {w, b})`, whatever mix of tensors and variables the list holds.
std::vector<Tensor> gradients(const Tensor &loss, std::initializer_list<Tensor> wrt,
                              Loc loc = Loc::current());

/// The NumPy broadcast of two shapes; throws Error (naming `where`) when incompatible.
Shape broadcastShapes(const Shape &a, const Shape &b, const std::string &where = "");

} // namespace sinter

#endif

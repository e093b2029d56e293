/* Sinter compiled-artifact ABI, version 3. The one contract between compiled code and the
 * runtime; plain C so that any host language can load an artifact.
 *
 * An artifact compiled with symbol prefix P exports:
 *   const uint8_t  P_manifest[];        a serialized sinter.proto.Manifest
 * (proto/sinter/manifest.proto) const uint64_t P_manifest_size; const uint8_t  P_variable_data[];
 * initial values of the variables (offsets in the manifest) const uint64_t P_variable_data_size;
 *   void P_<entry>(void **buffers);      one per entry point
 *
 * `buffers` holds one pointer per buffer, in this order: the entry's arguments, then the
 * variables it uses (EntrySpec.variables order; updated in place), then its results, then one
 * int64 row count per result whose leading dimension is known only at run time (shape[0] ==
 * -1 with max_leading_dim; its buffer holds max_leading_dim rows, of which the entry fills the
 * first count), then, for an entry compiled with a dynamic batch dimension (EntrySpec.batched),
 * a pointer to the int64 batch size of the call: every TensorSpec with `batch` has that many
 * rows (shape[0] == -1 in the manifest). Every buffer is dense, row-major, 64-byte aligned,
 * with the shape of its TensorSpec.
 *
 * Compiled code calls back into the runtime's kernel library through the sinter_kernel_*
 * functions and sinter_parallel_for below; a process that loads an artifact must have them
 * (libsinter_runtime).
 */
#ifndef SINTER_RUNTIME_ABI_H
#define SINTER_RUNTIME_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SINTER_ABI_VERSION 3u
#define SINTER_BUFFER_ALIGNMENT 64u

typedef void (*SinterEntryFn)(void **buffers);

/* C[b] = op(A[b]) * op(B[b]) for b in [0, batch); op transposes when trans_* is non-zero.
 * A is [batch, m, k] (or [batch, k, m] transposed), B is [batch, k, n] (or [batch, n, k]),
 * C is [batch, m, n]; all dense row-major. Backed by oneDNN. */
void sinter_kernel_matmul_f32(const float *a, const float *b, float *c, int64_t batch, int64_t m,
                              int64_t n, int64_t k, int32_t trans_a, int32_t trans_b);

/* Activations applied by a kernel to its result. */
#define SINTER_ACTIVATION_NONE 0
#define SINTER_ACTIVATION_RELU 1

/* The same product with its epilogue in the same pass over C (oneDNN bias and post-op):
 * C[b] = activation(op(A[b]) * op(B[b]) + bias), bias a vector of n added to every row. */
void sinter_kernel_matmul_bias_f32(const float *a, const float *b, const float *bias, float *c,
                                   int64_t batch, int64_t m, int64_t n, int64_t k, int32_t trans_a,
                                   int32_t trans_b, int32_t activation);

/* What a convolution kernel call computes: conv2d, or its gradient with respect to the input
 * or the filter (the sinter ops conv2d, conv2d_backprop_input, conv2d_backprop_filter). */
#define SINTER_CONV_FORWARD 0          /* dst = conv2d(src, weights) */
#define SINTER_CONV_BACKWARD_DATA 1    /* src = conv2d_backprop_input(dst, weights) */
#define SINTER_CONV_BACKWARD_WEIGHTS 2 /* weights = conv2d_backprop_filter(src, dst) */

/* A 2-D convolution: src is NHWC [n, h, w, c], dst [n, oh, ow, k], weights
 * [kh, kw, c / groups, k]; strides sh, sw; dilations dh, dw (1: none); zero padding pt, pb
 * (top, bottom), pl, pr (left, right). `kind` says which of the three buffers is written.
 * Backed by oneDNN. */
void sinter_kernel_conv2d_f32(int32_t kind, float *src, float *weights, float *dst, int64_t n,
                              int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow, int64_t k,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh,
                              int64_t dw, int64_t pt, int64_t pb, int64_t pl, int64_t pr,
                              int64_t groups);

/* A forward convolution with its epilogue in the same pass over dst (oneDNN bias and post-op):
 * dst = activation(conv2d(src, weights) + bias), bias [k] added to every output pixel. */
void sinter_kernel_conv2d_bias_f32(float *src, float *weights, const float *bias, float *dst,
                                   int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh,
                                   int64_t ow, int64_t k, int64_t kh, int64_t kw, int64_t sh,
                                   int64_t sw, int64_t dh, int64_t dw, int64_t pt, int64_t pb,
                                   int64_t pl, int64_t pr, int64_t groups, int32_t activation);

/* Batch normalisation in training mode over n x inner positions of c channels (x is
 * [n, ..., c], channels last): mean and biased variance per channel, and
 * y = (x - mean) / sqrt(variance + epsilon) * gamma + beta. */
void sinter_kernel_batch_norm_f32(const float *x, const float *gamma, const float *beta, float *y,
                                  float *mean, float *variance, int64_t n, int64_t inner, int64_t c,
                                  float epsilon);
/* Its gradient for dy (the sinter.batch_norm_grad op): dx, dgamma and dbeta. */
void sinter_kernel_batch_norm_grad_f32(const float *x, const float *gamma, const float *mean,
                                       const float *variance, const float *dy, float *dx,
                                       float *dgamma, float *dbeta, int64_t n, int64_t inner,
                                       int64_t c, float epsilon);

/* A whole LSTM layer (the sinter.lstm op) over x [n, t, c] with states h0, c0 [n, u], Keras'
 * kernel [c, 4u], recurrent kernel [u, 4u] and bias [4u] (gates i, f, c, o), from the last
 * step when reverse is 1: the sequence [n, t, u] of every step's h at its time position, and
 * the final h and c. */
void sinter_kernel_lstm_forward_f32(const float *x, const float *h0, const float *c0,
                                    const float *kernel, const float *recurrentKernel,
                                    const float *bias, float *sequence, float *h, float *c,
                                    int64_t n, int64_t t, int64_t channels, int64_t units,
                                    int64_t reverse);
/* Its gradient (sinter.lstm_grad): from the gradients of the three results, those of the six
 * operands. */
void sinter_kernel_lstm_backward_f32(const float *x, const float *h0, const float *c0,
                                     const float *kernel, const float *recurrentKernel,
                                     const float *bias, const float *dSequence, const float *dh,
                                     const float *dc, float *dx, float *dh0, float *dc0,
                                     float *dKernel, float *dRecurrentKernel, float *dBias,
                                     int64_t n, int64_t t, int64_t channels, int64_t units,
                                     int64_t reverse);

/* A whole GRU layer (sinter.gru) over x [n, t, c] with state h0 [n, u], Keras' kernel
 * [c, 3u] and recurrent kernel [u, 3u] (gates z, r, h) and the op's bias: [4u] with
 * linearBeforeReset (Keras' reset_after; oneDNN's lbr_gru), else [3u]. Then as for the LSTM,
 * without a cell state. */
void sinter_kernel_gru_forward_f32(const float *x, const float *h0, const float *kernel,
                                   const float *recurrentKernel, const float *bias, float *sequence,
                                   float *h, int64_t n, int64_t t, int64_t channels, int64_t units,
                                   int64_t reverse, int64_t linearBeforeReset);
void sinter_kernel_gru_backward_f32(const float *x, const float *h0, const float *kernel,
                                    const float *recurrentKernel, const float *bias,
                                    const float *dSequence, const float *dh, float *dx, float *dh0,
                                    float *dKernel, float *dRecurrentKernel, float *dBias,
                                    int64_t n, int64_t t, int64_t channels, int64_t units,
                                    int64_t reverse, int64_t linearBeforeReset);

/* What a pooling kernel call computes (the sinter ops of the same names). */
#define SINTER_POOL_MAX_GRAD 0   /* out (x's shape) = max_pool2d_grad(x, in) */
#define SINTER_POOL_MAX_SELECT 1 /* out (pooled shape) = max_pool2d_select(x, in) */
#define SINTER_POOL_AVG_GRAD 2   /* out (x's shape) = avg_pool2d_grad(in); x is not read */
#define SINTER_POOL_MAX 3        /* out (pooled shape) = max_pool2d(x); in is not read */
#define SINTER_POOL_AVG 4        /* out (pooled shape) = avg_pool2d(x); in is not read */

/* Pooling and its gradients over NHWC windows: x is the pooling's input [n, h, w, c], the
 * pooled shape [n, oh, ow, c]; windows kh x kw moved by sh, sw over the image padded by pt,
 * pb rows and pl, pr columns (padded positions are never a maximum and never count in a
 * mean). float32 runs on oneDNN's pooling primitives (max_pool2d_select on loops). */
void sinter_kernel_pool2d_f32(int32_t kind, const float *x, const float *in, float *out, int64_t n,
                              int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow, int64_t kh,
                              int64_t kw, int64_t sh, int64_t sw, int64_t pt, int64_t pb,
                              int64_t pl, int64_t pr);
void sinter_kernel_pool2d_f64(int32_t kind, const double *x, const double *in, double *out,
                              int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow,
                              int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                              int64_t pb, int64_t pl, int64_t pr);

/* How an all-reduce combines the ranks' buffers, and their element type. */
#define SINTER_REDUCE_SUM 0
#define SINTER_REDUCE_MEAN 1
#define SINTER_COLLECTIVE_F32 0
#define SINTER_COLLECTIVE_F64 1

/* Starts out = the sum (or mean) over every rank of the job of each rank's `in`, `count`
 * elements of `dtype` (the sinter.all_reduce op), and returns a ticket for
 * sinter_kernel_all_reduce_wait, before which `out` must not be read; `in` may be reused at
 * once. The reduction runs on the runtime's communication thread, over MPI, loaded on the
 * first call (Distributed.h); in a process that is not part of a distributed job, out = in. */
int64_t sinter_kernel_all_reduce_start(int32_t reduction, const void *in, void *out, int64_t count,
                                       int64_t dtype);
void sinter_kernel_all_reduce_wait(int64_t ticket);

/* A chunk of a generated loop: iterations [begin, end) of its outlined dimension, with the
 * values it captured in `context`. */
typedef void (*SinterTaskFn)(void *context, int64_t begin, int64_t end);

/* Runs task(context, lo, hi) over a partition of [begin, end) on the calling thread's OpenMP
 * threads (the pool oneDNN uses), with at least `grain` iterations per thread; the whole
 * range on the caller when it is too small to pay for waking threads. */
void sinter_parallel_for(SinterTaskFn task, void *context, int64_t begin, int64_t end,
                         int64_t grain);

/* A check in compiled code failed: `index` lies outside [0, size) where `site` (a NUL-terminated
 * "file:line: op" string) reads by index. The runtime records it for the entry call in progress,
 * which raises it once the code returns (CallErrors.h); the code goes on with a clamped index. */
void sinter_report_index_error(int64_t index, int64_t size, const char *site);
/* Numerics checking found `value` (NaN or ±inf) at row-major position `element` of the result
 * of the op at `site`; recorded like the index errors. */
void sinter_report_nonfinite(int64_t element, double value, const char *site);

/* The buffers compiled code allocates for its temporaries (MLIR's generic allocation
 * functions). Freed large blocks are cached for the next call of the same size. */
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

/* A memref as MLIR passes it unranked: its rank and a pointer to its strided descriptor. */
typedef struct {
  int64_t rank;
  void *descriptor;
} SinterUnrankedMemRef;

/* Copies between strided buffers (MLIR's memref.copy lowering calls it by this name). */
void memrefCopy(int64_t elem_size, SinterUnrankedMemRef *src, SinterUnrankedMemRef *dst);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_RUNTIME_ABI_H */

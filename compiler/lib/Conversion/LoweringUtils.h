// Building blocks shared by the sinter → linalg lowerings (internal to compiler/lib/Conversion).
#ifndef SINTER_COMPILER_CONVERSION_LOWERINGUTILS_H
#define SINTER_COMPILER_CONVERSION_LOWERINGUTILS_H

#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::sinter::lowering {

inline RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }
inline bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }
inline bool isBool(Type t) { return getElementTypeOrSelf(t).isInteger(1); }

/// Marks an entry compiled with a dynamic batch dimension: its first argument is the batch
/// size (index), and every `?` in its body other than a where/boolean_mask row count is it.
constexpr const char *kBatchAttr = "sinter.batch";
/// The batch size of the entry the builder is inserting into (its first argument).
Value batchSize(OpBuilder &b);
/// The sizes of `t`, with the batch size for each dynamic dimension.
SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, RankedTensorType t);

/// tensor.empty of `t`; its dynamic sizes are `dynamicSizes`, or else the batch size.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType t, ValueRange dynamicSizes = {});

using ScalarBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;
/// A parallel linalg.generic over inputs of the result's shape.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
                  ScalarBody body);

Value scalarConst(OpBuilder &b, Location loc, Type t, double v);
SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values);
/// A tensor of `type` filled with `value` (a scalar), `x` written into it from `offsets` with
/// `strides`: padding, and the spreading of a strided gradient.
Value placeInto(OpBuilder &b, Location loc, Value x, RankedTensorType type, Value value,
                ArrayRef<int64_t> offsets, ArrayRef<int64_t> strides);
Value indexConst(OpBuilder &b, Location loc, int64_t v);
/// `dir` is eq, ne, lt, le, gt or ge.
Value scalarCompare(OpBuilder &b, Location loc, StringRef dir, Value x, Value y,
                    bool isUnsigned = false);
/// Elementwise dtype conversion with TensorFlow's semantics.
Value scalarCast(OpBuilder &b, Location loc, Value x, Type to, bool fromUnsigned = false,
                 bool toUnsigned = false);
/// Any reshape (the batch dimension, if any, stays one dimension), as a view where possible
/// (collapse to 1-D, expand).
Value reshapeTensor(OpBuilder &b, Location loc, Value x, RankedTensorType to);

/// The indexing maps of a (batch) matmul whose operands may be stored transposed: the kernels
/// take the transposes as flags, so no transposed copy is made. The loops are ([batch,] m, n, k),
/// or with `reductionInMiddle` ([batch,] m, k, n), the order of generated products.
ArrayAttr matmulMaps(OpBuilder &b, bool batched, bool transA, bool transB,
                     bool reductionInMiddle = false);

enum class ReduceKind { Sum, Max, Min, Prod };
/// Reduces `x` over `axes` (the result drops them).
Value reduce(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, ReduceKind kind,
             bool isUnsigned = false);

/// Set by eraseSignedness on ops that saw unsigned integers, which then lower to the unsigned
/// arith ops (the lowered IR has signless integers only).
constexpr const char *kUnsignedAttr = "sinter.unsigned";
constexpr const char *kUnsignedResultAttr = "sinter.unsigned_result";
/// Whether `op` works on unsigned integers: unsigned types (marked by eraseSignedness) and bool,
/// whose true is 1, never −1 (max(true, false) is true; reduce_max is "any").
inline bool isUnsignedOp(Operation *op) {
  return op->hasAttr(kUnsignedAttr) ||
         (op->getNumOperands() > 0 && getElementTypeOrSelf(op->getOperand(0)).isInteger(1));
}
/// Marks the ops of `func` that see unsigned integer tensors and makes every type signless.
void eraseSignedness(func::FuncOp func);

/// Every sinter.scan of `func` becomes an scf.for whose body holds the scan body's ops (still
/// sinter ops, lowered with the rest).
void lowerScans(func::FuncOp func);

/// sinter.random: a generic computing a counter-based generator from the element index.
Value lowerRandom(OpBuilder &b, RandomOp op);
/// Below this many multiply-adds a library call (dispatch, threads waking up) costs more than
/// the work: such products and convolutions stay generated loops, which LLVM vectorizes.
constexpr int64_t kMinLibraryWork = 16384;
/// The runtime's convolution kernel (Abi.h): LowerConvolution.cpp calls it, OutlineKernels.cpp
/// folds a forward call's bias/ReLU loop into its fused variant.
constexpr const char *kConv2DKernel = "sinter_kernel_conv2d_f32";
/// The address of a dense buffer as an i64 (the kernel ABI passes pointers as 64-bit values).
Value bufferAddress(OpBuilder &b, Location loc, Value buffer);
/// Declares the external function `name` in the module of the builder's insertion point.
void declareKernel(OpBuilder &b, StringRef name, TypeRange args, TypeRange results = {});

/// A call of a runtime kernel on tensors: the operands' buffers (bufferization.to_buffer) and
/// fresh result buffers are passed as addresses with the sizes, as Abi.h declares them; the
/// result buffers become the op's tensors.
class KernelCall {
public:
  /// `kind`, if given, is the kernel's first argument; a result whose first dimension is
  /// dynamic has the batch size.
  KernelCall(OpBuilder &b, Location loc, std::optional<int32_t> kind, TypeRange resultTypes);
  /// Result buffer `i`.
  Value result(unsigned i = 0) const { return results_[i]; }
  /// A read-only view of a tensor operand's buffer.
  Value buffer(Value tensor);
  void address(Value buffer);
  /// The addresses of all of `op`'s operands, then of all result buffers (the order of the
  /// kernels that mirror an op).
  void addressesOf(Operation *op);
  void size(int64_t v);
  void scalar(float v);
  /// Dimension 0 of `image`: the batch size when it is dynamic.
  void batch(RankedTensorType image);
  /// Emits the call; returns the results as tensors.
  SmallVector<Value> call(StringRef kernel);
  /// Emits the call of a kernel that returns a value of `type`, and returns it; the results
  /// are then read with tensors(), wherever the builder is by then.
  Value callReturning(StringRef kernel, Type type);
  SmallVector<Value> tensors();

private:
  void push(Value v);
  OpBuilder &b_;
  Location loc_;
  SmallVector<Value> results_;
  SmallVector<Value> args_;
  SmallVector<Type> types_;
};

/// What the tilers (TileContractions.cpp, TileTransposes.cpp) build with: constants and counted
/// loops at the builder's insertion point.
class LoopBuilder {
protected:
  LoopBuilder(OpBuilder &builder, Location loc) : b(builder), loc(loc) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// for (iv = lo; iv < hi; iv += step) body(iv), nothing when the range is empty.
  void forLoop(int64_t lo, int64_t hi, int64_t step, function_ref<void(Value)> body) {
    if (hi <= lo)
      return;
    scf::ForOp::create(b, loc, index(lo), index(hi), index(step), ValueRange{},
                       [&](OpBuilder &, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }

  OpBuilder &b;
  Location loc;
};

/// Replaces every result of `op` but the first with `results` (a multi-result op lowered to
/// one kernel call); returns the first, for the lowering driver to replace.
Value replaceResults(Operation *op, ArrayRef<Value> results);

/// Run-time checks (RunTimeChecks.cpp): failures go to the runtime, which raises the first as
/// an Error naming the entry once the call returns.
/// The size of dimension `size` as an index value: the batch size where it is dynamic. Built
/// where the entry's arguments are in reach (not inside a region being built).
Value dimSize(OpBuilder &b, Location loc, int64_t size);
/// Reports every entry j of the last axis of `indices` outside [0, dims[j]) (`what` names the
/// op in the message).
void checkIndices(OpBuilder &b, Location loc, Value indices, ArrayRef<int64_t> dims,
                  StringRef what);
/// Numerics checking (tf.debugging.enable_check_numerics): set by setCheckNumerics
/// (Pipeline.h), else by SINTER_CHECK_NUMERICS=1 in the environment; read when a program is
/// lowered.
bool checkNumericsEnabled();
/// Reports the first NaN or ±inf of the float tensor `value`, produced by the op `what`.
void checkNumerics(OpBuilder &b, Location loc, Value value, StringRef what);

/// Convolutions and pooling (LowerConvolution.cpp). Null if `op` is none of them.
Value lowerConvolution(OpBuilder &b, Operation *op);
/// batch_norm and batch_norm_grad as calls of the runtime's kernels (LowerBatchNorm.cpp);
/// replaces the op's other results, returns its first. Null if `op` is neither.
Value lowerBatchNorm(OpBuilder &b, Operation *op);
/// lstm, gru and their gradients as calls of the runtime's kernels (LowerRecurrence.cpp);
/// replaces the op's other results, returns its first. Null if `op` is none of them.
Value lowerRecurrence(OpBuilder &b, Operation *op);
/// all_reduce as the runtime's start and wait calls, the wait before the result's first user
/// (LowerCollectives.cpp). Null if `op` is not a collective.
Value lowerCollective(OpBuilder &b, Operation *op);
/// The ops of chapters 4–5 that move data by index: iota, slice, reverse, pad, concatenate,
/// gather_nd, scatter_nd, where, top_k, argmax/argmin. Null if `op` is none of them.
Value lowerDataMovement(OpBuilder &b, Operation *op);

} // namespace mlir::sinter::lowering

#endif

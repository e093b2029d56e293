// The sinter dialect: ops, the DifferentiableOpInterface, and small builder helpers used by
// the VJP rules and the passes. Internal to the compiler and the frontend's implementation.
#ifndef SINTER_COMPILER_DIALECT_SINTERDIALECT_H
#define SINTER_COMPILER_DIALECT_SINTERDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include "sinter/Compiler/Dialect/DifferentiableOpInterface.h.inc"
#include "sinter/Compiler/Dialect/SinterDialect.h.inc"

#define GET_OP_CLASSES
#include "sinter/Compiler/Dialect/SinterOps.h.inc"

namespace mlir::sinter {

/// The printed form of a type (`tensor<2x3xf32>`), for error messages.
std::string typeString(Type type);

/// A splat constant of `type` holding `value` (converted to the element type).
Value splatConstant(OpBuilder &b, Location loc, RankedTensorType type, double value);

/// The number of elements along `axes` of `value`, as a scalar tensor of `elementType`
/// (a constant, or computed at run time when an axis is the dynamic batch dimension).
Value elementCount(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes,
                   Type elementType);

/// Sums `value` (of `shape` broadcast from `target`) back to `target`: the VJP of a broadcast.
Value sumToShape(OpBuilder &b, Location loc, Value value, RankedTensorType target);

/// Broadcasts `value` (reduced over `axes` of `target` without keepdims) back to `target`.
Value broadcastReduced(OpBuilder &b, Location loc, Value value, RankedTensorType target,
                       ArrayRef<int64_t> axes);

/// Whether `v` is a tensor of floats (the values gradients flow through).
bool isFloatTensor(Value v);

/// The forward sweep of reverse-mode differentiation: the ops in `ops` (program order) that
/// read a value of `active`, whose float results then join `active`.
SmallVector<Operation *> activeOps(llvm::iterator_range<Block::iterator> ops,
                                   llvm::DenseSet<Value> &active);

/// The reverse sweep: from the seeds in `adjoint` (value → gradient), emits the VJPs of `tape`
/// (from activeOps) in reverse and adds to `adjoint` the gradient of every `active` value they
/// read. Fails with an error on the first op on the path that has no VJP.
LogicalResult backpropagate(OpBuilder &b, Location loc, ArrayRef<Operation *> tape,
                            const llvm::DenseSet<Value> &active,
                            llvm::DenseMap<Value, Value> &adjoint);

/// `adjoint[v] += g` (or `= g` when v has none yet).
void accumulateAdjoint(OpBuilder &b, Location loc, llvm::DenseMap<Value, Value> &adjoint, Value v,
                       Value g);

/// A scan's slice type (`type` without `axis`) and stacked type (`length` inserted at `axis`).
RankedTensorType sliceType(RankedTensorType type, int64_t axis);
RankedTensorType stackedType(RankedTensorType type, int64_t axis, int64_t length);

/// The batch size assumed when deciding how to compile work whose size depends on the batch
/// (a program compiled for any batch size is tuned for the batches training and serving use).
constexpr int64_t kAssumedBatchSize = 32;

/// Whether a softmax is lowered whole (linalg.softmax, then row-blocked by sinter-block-rows)
/// rather than decomposed into primitives: when it is big enough for blocking to pay.
bool lowersSoftmaxWhole(SoftmaxOp op);

/// Set on a module compiled with generated code only (`sinter-compile --standalone`): no op of
/// it calls a library (oneDNN) kernel.
constexpr llvm::StringLiteral kGeneratedOnlyAttr = "sinter.generated_only";

/// Whether `op` may be lowered to a library (oneDNN) kernel call: not when its module carries
/// kGeneratedOnlyAttr, nor in a process where SINTER_GENERATED_ONLY=1 is set
/// (runtime::libraryKernelsEnabled).
bool usesLibraryKernels(Operation *op);

/// Whether a batch_norm or batch_norm_grad op runs on the runtime's oneDNN kernels (float32)
/// rather than being decomposed into primitives.
bool lowersBatchNormWhole(Operation *op);

/// The largest leading dimension a value of dynamic leading dimension can have (the number of
/// elements of the mask of the `sinter.where` it comes from); nullopt if unknown.
std::optional<int64_t> dynamicRowBound(Value value);

} // namespace mlir::sinter

#endif

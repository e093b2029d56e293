// Lowering of batch normalisation in training mode to the runtime's oneDNN kernels (Abi.h).
//
// sinter-decompose keeps batch_norm and batch_norm_grad whole only for float32 with library
// kernels enabled (lowersBatchNormWhole); each becomes one call writing its three results.
// The positions per channel are n (the batch, possibly known only at run time) times the
// static product of the dimensions between the batch and the channels.
#include "LoweringUtils.h"

#include "sinter/runtime/Abi.h"

namespace mlir::sinter::lowering {

namespace {

/// Pushes n, the positions per image and the channels of `x` [n, ..., c].
void pushSizes(KernelCall &k, RankedTensorType x) {
  int64_t inner = 1;
  for (int64_t d : x.getShape().drop_front().drop_back())
    inner *= d;
  k.batch(x);
  k.size(inner);
  k.size(x.getShape().back());
}

/// The op's first result; its other results are replaced by the call's.
Value replaceOthers(Operation *op, ArrayRef<Value> results) {
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    op->getResult(i).replaceAllUsesWith(results[i]);
  return results[0];
}

Value lowerBatchNormOp(OpBuilder &b, BatchNormOp op) {
  KernelCall k(b, op.getLoc(), std::nullopt, op->getResultTypes());
  for (Value operand : {op.getOperand(), op.getGamma(), op.getBeta()})
    k.address(k.buffer(operand));
  for (unsigned i = 0; i < 3; ++i)
    k.address(k.result(i));
  pushSizes(k, op.getOperand().getType());
  k.scalar(static_cast<float>(op.getEpsilon().convertToDouble()));
  return replaceOthers(op, k.call("sinter_kernel_batch_norm_f32"));
}

Value lowerBatchNormGradOp(OpBuilder &b, BatchNormGradOp op) {
  KernelCall k(b, op.getLoc(), std::nullopt, op->getResultTypes());
  for (Value operand :
       {op.getOperand(), op.getGamma(), op.getMean(), op.getVariance(), op.getGrad()})
    k.address(k.buffer(operand));
  for (unsigned i = 0; i < 3; ++i)
    k.address(k.result(i));
  pushSizes(k, op.getOperand().getType());
  k.scalar(static_cast<float>(op.getEpsilon().convertToDouble()));
  return replaceOthers(op, k.call("sinter_kernel_batch_norm_grad_f32"));
}

} // namespace

Value lowerBatchNorm(OpBuilder &b, Operation *op) {
  if (auto bn = dyn_cast<BatchNormOp>(op))
    return lowerBatchNormOp(b, bn);
  if (auto grad = dyn_cast<BatchNormGradOp>(op))
    return lowerBatchNormGradOp(b, grad);
  return Value();
}

} // namespace mlir::sinter::lowering

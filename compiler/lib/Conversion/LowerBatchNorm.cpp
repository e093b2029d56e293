// Lowering of batch normalisation in training mode to the runtime's oneDNN kernels (Abi.h).
//
// sinter-decompose keeps batch_norm and batch_norm_grad whole only for float32 with library
// kernels enabled (lowersBatchNormWhole); each becomes one call writing its three results.
// The positions per channel are n (the batch, possibly known only at run time) times the
// static product of the dimensions between the batch and the channels.
#include "LoweringUtils.h"

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

/// One call of `kernel`: the operands' addresses (the kernel's argument order is the op's),
/// the results', the sizes and epsilon.
Value batchNormCall(OpBuilder &b, Operation *op, StringRef kernel, double epsilon) {
  KernelCall k(b, op->getLoc(), std::nullopt, op->getResultTypes());
  k.addressesOf(op);
  pushSizes(k, tensorOf(op->getOperand(0)));
  k.scalar(static_cast<float>(epsilon));
  return replaceResults(op, k.call(kernel));
}

} // namespace

Value lowerBatchNorm(OpBuilder &b, Operation *op) {
  if (auto bn = dyn_cast<BatchNormOp>(op))
    return batchNormCall(b, op, "sinter_kernel_batch_norm_f32", bn.getEpsilon().convertToDouble());
  if (auto grad = dyn_cast<BatchNormGradOp>(op))
    return batchNormCall(b, op, "sinter_kernel_batch_norm_grad_f32",
                         grad.getEpsilon().convertToDouble());
  return Value();
}

} // namespace mlir::sinter::lowering

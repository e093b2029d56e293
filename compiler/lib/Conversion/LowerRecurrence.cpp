// Lowering of the whole-layer recurrent ops to the runtime's oneDNN RNN kernels (Abi.h).
//
// lstm and lstm_grad are one call each, writing every result; the batch may be known only at
// run time. (The scan-based layers are lowered with sinter.scan, LowerScan.cpp.)
#include "LoweringUtils.h"

namespace mlir::sinter::lowering {

namespace {

/// One call of `kernel`: the operands' and results' addresses, then the sizes.
Value lstmCall(OpBuilder &b, Operation *op, StringRef kernel, bool reverse) {
  KernelCall k(b, op->getLoc(), std::nullopt, op->getResultTypes());
  for (Value operand : op->getOperands())
    k.address(k.buffer(operand));
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    k.address(k.result(i));
  auto x = tensorOf(op->getOperand(0));
  k.batch(x);
  k.size(x.getDimSize(1));
  k.size(x.getDimSize(2));
  k.size(tensorOf(op->getOperand(1)).getDimSize(1));
  k.size(reverse);
  SmallVector<Value> results = k.call(kernel);
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    op->getResult(i).replaceAllUsesWith(results[i]);
  return results[0];
}

} // namespace

Value lowerRecurrence(OpBuilder &b, Operation *op) {
  if (auto lstm = dyn_cast<LstmOp>(op))
    return lstmCall(b, op, "sinter_kernel_lstm_forward_f32", lstm.getReverse());
  if (auto grad = dyn_cast<LstmGradOp>(op))
    return lstmCall(b, op, "sinter_kernel_lstm_backward_f32", grad.getReverse());
  return Value();
}

} // namespace mlir::sinter::lowering

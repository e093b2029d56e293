// Lowering of the whole-layer recurrent ops to the runtime's oneDNN RNN kernels (Abi.h).
//
// lstm, gru and their gradients are one call each, writing every result; the batch may be
// known only at run time. (The scan-based layers are lowered with sinter.scan, LowerScan.cpp.)
#include "LoweringUtils.h"

namespace mlir::sinter::lowering {

namespace {

/// One call of `kernel`: the operands' and results' addresses, then the sizes, the direction
/// and (GRU) whether the reset applies after the recurrent product.
Value recurrenceCall(OpBuilder &b, Operation *op, StringRef kernel, bool reverse,
                     std::optional<bool> linearBeforeReset = std::nullopt) {
  KernelCall k(b, op->getLoc(), std::nullopt, op->getResultTypes());
  k.addressesOf(op);
  auto x = tensorOf(op->getOperand(0));
  k.batch(x);
  k.size(x.getDimSize(1));
  k.size(x.getDimSize(2));
  k.size(tensorOf(op->getOperand(1)).getDimSize(1));
  k.size(reverse);
  if (linearBeforeReset)
    k.size(*linearBeforeReset);
  return replaceResults(op, k.call(kernel));
}

} // namespace

Value lowerRecurrence(OpBuilder &b, Operation *op) {
  if (auto lstm = dyn_cast<LstmOp>(op))
    return recurrenceCall(b, op, "sinter_kernel_lstm_forward_f32", lstm.getReverse());
  if (auto grad = dyn_cast<LstmGradOp>(op))
    return recurrenceCall(b, op, "sinter_kernel_lstm_backward_f32", grad.getReverse());
  if (auto gru = dyn_cast<GruOp>(op))
    return recurrenceCall(b, op, "sinter_kernel_gru_forward_f32", gru.getReverse(),
                          gru.getLinearBeforeReset());
  if (auto grad = dyn_cast<GruGradOp>(op))
    return recurrenceCall(b, op, "sinter_kernel_gru_backward_f32", grad.getReverse(),
                          grad.getLinearBeforeReset());
  return Value();
}

} // namespace mlir::sinter::lowering

// Lowering of the collectives to the runtime (Abi.h): each sinter.all_reduce is one call of
// sinter_kernel_all_reduce, which reduces the operand's buffer over the job's ranks into a
// fresh result buffer (MPI, loaded by the runtime only when a program makes such a call).
#include "LoweringUtils.h"

#include "sinter/runtime/Abi.h"

namespace mlir::sinter::lowering {

Value lowerCollective(OpBuilder &b, Operation *op) {
  auto reduce = dyn_cast<AllReduceOp>(op);
  if (!reduce)
    return Value();
  RankedTensorType type = reduce.getType();
  Type element = type.getElementType();
  if (!element.isF32() && !element.isF64()) {
    op->emitError("sinter.all_reduce: only float32 and float64 are reduced across ranks, got ")
        << element;
    return Value();
  }
  KernelCall k(b, op->getLoc(),
               reduce.getReduction() == "mean" ? SINTER_REDUCE_MEAN : SINTER_REDUCE_SUM,
               op->getResultTypes());
  k.addressesOf(op);
  k.size(type.getNumElements());
  k.size(element.isF32() ? SINTER_COLLECTIVE_F32 : SINTER_COLLECTIVE_F64);
  return k.call("sinter_kernel_all_reduce")[0];
}

} // namespace mlir::sinter::lowering

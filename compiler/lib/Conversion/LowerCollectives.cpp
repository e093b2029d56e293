// Lowering of the collectives to the runtime (Abi.h): each sinter.all_reduce starts at its
// place with sinter_kernel_all_reduce_start, which copies the operand into a fresh result
// buffer and reduces it over the job's ranks on the runtime's communication thread, and is
// waited for (sinter_kernel_all_reduce_wait) just before its result is first used. Whatever
// the step computes in between overlaps the communication; sinter-schedule-collectives has
// moved each all_reduce up to where its operand is ready.
#include "LoweringUtils.h"

#include "sinter/runtime/Abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sinter::lowering {

namespace {

/// The first op of `op`'s block that uses its result (directly or in a nested region), or
/// null.
Operation *firstUser(Operation *op) {
  Operation *first = nullptr;
  for (Operation *user : op->getUsers()) {
    Operation *inBlock = op->getBlock()->findAncestorOpInBlock(*user);
    if (inBlock && (!first || inBlock->isBeforeInBlock(first)))
      first = inBlock;
  }
  return first;
}

} // namespace

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
  Value ticket = k.callReturning("sinter_kernel_all_reduce_start", b.getI64Type());
  if (Operation *user = firstUser(op))
    b.setInsertionPoint(user);
  declareKernel(b, "sinter_kernel_all_reduce_wait", {b.getI64Type()});
  func::CallOp::create(b, op->getLoc(), "sinter_kernel_all_reduce_wait", TypeRange{}, ticket);
  return k.tensors()[0];
}

} // namespace mlir::sinter::lowering

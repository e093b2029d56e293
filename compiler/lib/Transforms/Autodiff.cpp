// Reverse-mode automatic differentiation on the sinter dialect: every `sinter.grad` becomes
// the chain of VJPs (DifferentiableOpInterface) of the ops between its `wrt` values and its
// loss. The output holds only sinter ops, so gradients of gradients work by running the pass
// on a graph whose `sinter.grad` consumes another's results (they are expanded in order).
#include "sinter/Compiler/Dialect/SinterDialect.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {

std::string fileLine(Location loc) {
  if (auto f = dyn_cast<FileLineColLoc>(loc))
    return (f.getFilename().str() + ":" + std::to_string(f.getLine()));
  return "unknown location";
}

/// When the loss depends on `x` but no float path connects them, the first op on the way
/// whose result is not a float tensor (a cast to an integer, argmax…); else null. Predicates
/// (comparisons, their logic) only choose between branches, whose derivative is zero almost
/// everywhere — as for relu′ — so they are not followed.
Operation *integerOnlyPath(Value x, GradOp grad) {
  llvm::DenseSet<Value> reached{x};
  Operation *firstBlocker = nullptr;
  for (Operation &op : *grad->getBlock()) {
    if (&op == grad.getOperation())
      break;
    if (isa<CompareOp, IsNanOp, NotOp, AndOp, OrOp>(op))
      continue;
    if (llvm::none_of(op.getOperands(), [&](Value v) { return reached.contains(v); }))
      continue;
    for (Value r : op.getResults()) {
      reached.insert(r);
      if (!isFloatTensor(r) && !firstBlocker)
        firstBlocker = &op;
    }
  }
  return reached.contains(grad.getLoss()) ? firstBlocker : nullptr;
}

LogicalResult expandGrad(GradOp grad) {
  OpBuilder b(grad);
  Location loc = grad.getLoc();

  // Forward sweep: the ops whose value depends on a `wrt` value, in program order; then the
  // reverse sweep accumulates adjoints from the loss back to the `wrt` values.
  llvm::DenseSet<Value> active(grad.getWrt().begin(), grad.getWrt().end());
  SmallVector<Operation *> tape =
      activeOps(llvm::make_range(grad->getBlock()->begin(), grad->getIterator()), active);
  llvm::DenseMap<Value, Value> adjoint;
  Value loss = grad.getLoss();
  if (active.contains(loss))
    adjoint[loss] = splatConstant(b, loc, cast<RankedTensorType>(loss.getType()), 1.0);
  if (failed(backpropagate(b, loc, tape, active, adjoint)))
    return failure();

  for (auto [result, x] : llvm::zip(grad.getGrads(), grad.getWrt())) {
    Value g = adjoint.lookup(x);
    if (!g)
      if (Operation *blocker = integerOnlyPath(x, grad))
        return grad.emitError("sinter.grad: the loss depends on a differentiated value only "
                              "through '")
               << blocker->getName() << "' (" << fileLine(blocker->getLoc())
               << "), whose result is an integer or bool tensor: no gradient flows through it";
    result.replaceAllUsesWith(g ? g
                                : splatConstant(b, loc, cast<RankedTensorType>(x.getType()), 0.0));
  }
  grad.erase();
  return success();
}

struct AutodiffPass : PassWrapper<AutodiffPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(AutodiffPass)
  StringRef getArgument() const override { return "sinter-autodiff"; }
  StringRef getDescription() const override {
    return "Expand sinter.grad into reverse-mode VJP chains";
  }
  void runOnOperation() override {
    SmallVector<GradOp> grads;
    getOperation().walk([&](GradOp g) { grads.push_back(g); });
    for (GradOp g : grads) // program order: inner gradients first
      if (failed(expandGrad(g)))
        return signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createAutodiffPass() {
  return std::make_unique<AutodiffPass>();
}

// Rewrites the composite ops into primitives, for backends without a kernel for them, and drops
// stop_gradient (the identity once the gradients are taken).
#include "sinter/Compiler/Dialect/SinterEmitter.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {

/// batch_norm and batch_norm_grad as their formulas in primitives.
void decomposeBatchNorm(SinterEmitter &e, Operation *op) {
  std::array<Value, 3> results;
  if (auto bn = dyn_cast<BatchNormOp>(op))
    results = e.batchNorm(bn.getOperand(), bn.getGamma(), bn.getBeta(),
                          bn.getEpsilon().convertToDouble());
  else if (auto grad = dyn_cast<BatchNormGradOp>(op))
    results =
        e.batchNormGrad(grad.getOperand(), grad.getGamma(), grad.getMean(), grad.getVariance(),
                        grad.getGrad(), grad.getEpsilon().convertToDouble());
  for (auto [from, to] : llvm::zip(op->getResults(), results))
    from.replaceAllUsesWith(to);
  op->erase();
}

struct DecomposePass : PassWrapper<DecomposePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DecomposePass)
  StringRef getArgument() const override { return "sinter-decompose"; }
  StringRef getDescription() const override { return "Decompose composite sinter ops"; }
  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      OpBuilder b(op);
      SinterEmitter e{b, op->getLoc()};
      if (isa<BatchNormOp, BatchNormGradOp>(op)) {
        if (!lowersBatchNormWhole(op))
          decomposeBatchNorm(e, op);
        return;
      }
      Value replacement;
      if (auto stop = dyn_cast<StopGradientOp>(op)) {
        replacement = stop.getOperand();
      } else if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
        if (lowersSoftmaxWhole(softmax))
          return; // stays a composite: lowered row-blocked (sinter-block-rows)
        replacement = e.softmax(softmax.getOperand());
      } else if (auto xent = dyn_cast<SoftmaxCrossEntropyOp>(op)) {
        int64_t last = xent.getLogits().getType().getRank() - 1;
        replacement = e.neg(
            e.reduceSum(e.mul(xent.getLabels(), e.logSoftmax(xent.getLogits())), {last}, false));
      }
      if (replacement) {
        op->getResult(0).replaceAllUsesWith(replacement);
        op->erase();
      }
    });
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createDecomposePass() {
  return std::make_unique<DecomposePass>();
}

// Rewrites the composite ops into primitives, for backends without a kernel for them, and drops
// stop_gradient (the identity once the gradients are taken).
#include "sinter/Compiler/Dialect/SinterEmitter.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {

struct DecomposePass : PassWrapper<DecomposePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DecomposePass)
  StringRef getArgument() const override { return "sinter-decompose"; }
  StringRef getDescription() const override { return "Decompose composite sinter ops"; }
  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      OpBuilder b(op);
      SinterEmitter e{b, op->getLoc()};
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

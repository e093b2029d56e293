// Elementwise fusion on linalg tensors: MLIR's fusion and reshape-propagation patterns (those
// of linalg-fuse-elementwise-ops), except that a matrix product stays a named linalg op (and
// a product or convolution generated without the kernel library a generic of its own, for
// TileContractions.cpp). The upstream patterns also fold a reshape around a product into it
// (the Flatten before a Dense layer, the reshape of a Dense layer's input gradient), turning the
// product into a generic loop nest that the kernel outlining no longer sees: LeNet-5's
// 128x120x400 input gradient ran as a generated reduction instead of a oneDNN call.
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {

/// A matrix product named for the kernel library, or a generated product or convolution (its
/// loops are tiled after bufferization, where a fused producer would be recomputed for every
/// column strip).
bool isProduct(Operation *op) {
  return isa_and_present<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
         (op && op->hasAttr(mlir::sinter::kGeneratedProductAttr));
}

struct FuseElementwisePass : PassWrapper<FuseElementwisePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseElementwisePass)
  StringRef getArgument() const override { return "sinter-fuse-elementwise"; }
  StringRef getDescription() const override {
    return "Fuse elementwise linalg ops and propagate reshapes, keeping matrix products named";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, linalg::LinalgDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // As upstream: fuse a producer into its one user; never into or out of a product.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse() && !isProduct(producer) &&
             !isProduct(fused->getOwner());
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createFuseElementwisePass() {
  return std::make_unique<FuseElementwisePass>();
}

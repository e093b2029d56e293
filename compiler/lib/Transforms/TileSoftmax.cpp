// Row-blocked softmax: each linalg.softmax (the softmax composite, lowered whole) is tiled into
// an scf.forall over blocks of rows small enough to stay in the first-level caches, and the
// softmax of each block is decomposed into its max / exp / sum / divide generics. The four
// passes then run over a block already in cache, instead of four passes over the whole tensor
// through memory; after bufferization the forall becomes an scf.parallel that the runtime runs
// on its threads (sinter-outline-parallel-loops).
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// Bytes of one block of rows: a block, its exponentials and its output stay in a 32 KB L1.
constexpr int64_t kBlockBytes = 16384;

/// Lets LLVM vectorize the float reductions of the decomposition (partial results per lane),
/// as the lowering of sinter's own reductions does.
void allowReassociation(Value result) {
  auto generic = result.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumReductionLoops() == 0)
    return;
  MLIRContext *ctx = generic.getContext();
  generic.getRegion().walk([&](arith::ArithFastMathInterface op) {
    op->setAttr(op.getFastMathAttrName(),
                arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc));
  });
}

struct TileSoftmaxPass : PassWrapper<TileSoftmaxPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileSoftmaxPass)
  StringRef getArgument() const override { return "sinter-tile-softmax"; }
  StringRef getDescription() const override {
    return "Tile linalg.softmax into cache-sized blocks of rows and decompose each block";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect, linalg::LinalgDialect,
                    scf::SCFDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    SmallVector<linalg::SoftmaxOp> softmaxes;
    getOperation().walk([&](linalg::SoftmaxOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getOutput().getType());
      if (type && type.hasStaticShape() && op.getDimension() == type.getRank() - 1)
        softmaxes.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::SoftmaxOp op : softmaxes) {
      auto type = cast<RankedTensorType>(op.getOutput().getType());
      int64_t rank = type.getRank();
      Operation *block = op;
      if (rank > 1) {
        int64_t rowBytes = type.getDimSize(rank - 1) * (type.getElementTypeBitWidth() / 8);
        int64_t rows = std::max<int64_t>(1, kBlockBytes / std::max<int64_t>(rowBytes, 1));
        // The rows of a block divide the row count, so every block has a static shape.
        while (type.getDimSize(rank - 2) % rows != 0)
          --rows;
        SmallVector<OpFoldResult> sizes;
        for (int64_t i = 0; i < rank; ++i)
          sizes.push_back(rewriter.getIndexAttr(i == rank - 1 ? 0 : i == rank - 2 ? rows : 1));
        scf::SCFTilingOptions options;
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp).setTileSizes(sizes);
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tiled =
            scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled)) {
          op.emitError("sinter-tile-softmax: tiling failed");
          return signalPassFailure();
        }
        rewriter.replaceOp(op, tiled->replacements);
        block = tiled->tiledOps.front();
      }
      auto aggregate = cast<linalg::AggregatedOpInterface>(block);
      rewriter.setInsertionPoint(block);
      FailureOr<SmallVector<Value>> parts = aggregate.decomposeOperation(rewriter);
      if (failed(parts)) {
        block->emitError("sinter-tile-softmax: decomposition failed");
        return signalPassFailure();
      }
      // The exponentials go into the block's destination and are divided there in place, as a
      // hand-written softmax does, instead of into two temporaries and a copy.
      Value dest = cast<DestinationStyleOpInterface>(block).getDpsInits()[0];
      if (auto divide = (*parts)[0].getDefiningOp<linalg::GenericOp>()) {
        auto exps = divide.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>();
        if (exps && exps.getNumDpsInits() == 1 && divide.getNumDpsInits() == 1 &&
            exps.getResult(0).getType() == dest.getType() &&
            divide.getResult(0).getType() == dest.getType()) {
          exps.getDpsInitsMutable()[0].set(dest);
          divide.getDpsInitsMutable()[0].set(exps.getResult(0));
        }
        // x / sum as x * (1 / sum): one division per row instead of per element (LLVM hoists
        // the reciprocal out of the loop over the row), as library softmaxes do.
        divide.getRegion().walk([&](arith::DivFOp div) {
          OpBuilder b(div);
          Value one = arith::ConstantOp::create(b, div.getLoc(),
                                                b.getFloatAttr(div.getType(), 1.0));
          Value inverse = arith::DivFOp::create(b, div.getLoc(), one, div.getRhs());
          div.replaceAllUsesWith(
              arith::MulFOp::create(b, div.getLoc(), div.getLhs(), inverse).getResult());
          div.erase();
        });
      }
      // The results are the divide; its operands lead back to the reductions.
      SetVector<Operation *> seen;
      SmallVector<Value> work(parts->begin(), parts->end());
      while (!work.empty()) {
        Value v = work.pop_back_val();
        Operation *def = v.getDefiningOp();
        if (!def || !seen.insert(def) || def->getBlock() != block->getBlock())
          continue;
        allowReassociation(v);
        for (Value operand : def->getOperands())
          work.push_back(operand);
      }
      rewriter.replaceOp(block, *parts);
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createTileSoftmaxPass() {
  return std::make_unique<TileSoftmaxPass>();
}

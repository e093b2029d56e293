// Row blocks: work that goes over the same rows several times (a softmax, a normalisation: a
// reduction along the rows, then elementwise ops that read it) runs in an scf.forall over blocks
// of rows small enough to stay in the first-level cache, every step on one block before the
// next block, instead of one pass over the whole tensor through memory per step. After
// bufferization the forall becomes an scf.parallel that the runtime runs on its threads
// (sinter-outline-parallel-loops).
//  - Each linalg.softmax (the softmax composite, lowered whole) is tiled by rows and each block
//    decomposed into max / exp / sum / scale, written into the output and scaled in place.
//  - A chain of row-wise linalg ops with a reduction in it (a softmax written with primitives)
//    is moved into such a loop as a whole: its last op and every producer used only inside.
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// Bytes of one block of rows: a block, its exponentials and its output stay in a 32 KB L1.
constexpr int64_t kBlockBytes = 16384;

/// Rows per block: about kBlockBytes of them, and a divisor of `rows` when that is known, so
/// every block has a static shape (with the batch size as row count, the last block is
/// partial: blocks then have a dynamic row count).
int64_t rowsPerBlock(int64_t rows, int64_t rowBytes) {
  int64_t block = std::max<int64_t>(1, kBlockBytes / std::max<int64_t>(rowBytes, 1));
  while (!ShapedType::isDynamic(rows) && rows % block != 0)
    --block;
  return block;
}

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

struct BlockRowsPass : PassWrapper<BlockRowsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BlockRowsPass)
  StringRef getArgument() const override { return "sinter-block-rows"; }
  StringRef getDescription() const override {
    return "Run softmaxes and chains of row reductions and elementwise ops over cache-sized "
           "blocks of rows";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect, linalg::LinalgDialect,
                    scf::SCFDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    blockSoftmaxes();
    getOperation().walk([&](func::FuncOp f) { blockRowChains(f); });
  }

  // --- Chains of row-wise ops --------------------------------------------------------------
  // A softmax or normalisation written with primitives: elementwise ops over [rows, ...] that
  // read reductions along the rows of the same data. The chain, from its last op back through
  // every producer used only inside it, is moved into one scf.forall over blocks of rows, each
  // op on its block, so a block goes through all of them while in cache.

  /// A linalg op that maps its first loop (parallel) to the first dimension of every operand:
  /// blocks of rows of the operands make a block of rows of the op.
  static bool rowWise(Operation *op, int64_t rows) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalgOp.hasPureTensorSemantics() || linalgOp.getNumLoops() == 0 ||
        linalgOp.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
      return false;
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        continue; // a scalar
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      if (type.getRank() == 0 || type.getDimSize(0) != rows || map.getNumResults() == 0 ||
          map.getResult(0) != getAffineDimExpr(0, op->getContext()))
        return false;
      for (unsigned i = 1; i < map.getNumResults(); ++i)
        if (map.getResult(i).isFunctionOfDim(0))
          return false;
    }
    return true;
  }

  /// A tensor that is only a fresh destination: tensor.empty, maybe reshaped.
  static bool freshDestination(Value value) {
    Operation *def = value.getDefiningOp();
    while (def && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
      def = def->getOperand(0).getDefiningOp();
    return def && isa<tensor::EmptyOp>(def);
  }

  void blockRowChains(func::FuncOp f) {
    SmallVector<linalg::GenericOp> lasts;
    f.walk([&](linalg::GenericOp op) {
      auto type = dyn_cast<RankedTensorType>(op->getResultTypes().front());
      if (op->getParentOfType<scf::ForallOp>())
        return; // already in a block (a tiled softmax)
      if (op.getNumResults() == 1 && op.getNumReductionLoops() == 0 && type &&
          type.getRank() >= 2 &&
          llvm::count_if(type.getShape(), ShapedType::isDynamic) <=
              static_cast<int64_t>(type.isDynamicDim(0)) &&
          (type.isDynamicDim(0) || type.getDimSize(0) >= 2) && rowWise(op, type.getDimSize(0)))
        lasts.push_back(op);
    });
    llvm::DenseSet<Operation *> moved;
    for (linalg::GenericOp last : llvm::reverse(lasts)) {
      if (moved.contains(last))
        continue;
      auto type = cast<RankedTensorType>(last->getResultTypes().front());
      int64_t rows = type.getDimSize(0);
      // The chain: producers in the same block, row-wise, whose results are used only inside.
      llvm::SetVector<Operation *> chain;
      chain.insert(last);
      bool reduction = false;
      for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < chain.size(); ++i)
          for (Value operand : chain[i]->getOperands()) {
            Operation *def = operand.getDefiningOp();
            if (!def || chain.contains(def) || def->getBlock() != last->getBlock() ||
                !rowWise(def, rows) || freshDestination(operand))
              continue;
            if (!llvm::all_of(def->getUsers(), [&](Operation *u) { return chain.contains(u); }))
              continue;
            chain.insert(def);
            grew = true;
          }
      }
      for (Operation *op : chain)
        if (auto l = dyn_cast<linalg::LinalgOp>(op); l && l.getNumReductionLoops() > 0)
          reduction = true;
      if (!reduction || chain.size() < 2)
        continue;
      int64_t rowBytes = type.getElementTypeBitWidth() / 8;
      for (int64_t d : type.getShape().drop_front())
        rowBytes *= d;
      int64_t block = rowsPerBlock(rows, rowBytes);
      if (block == rows)
        continue;
      moveIntoBlocks(last, chain, rows, block);
      for (Operation *op : chain)
        moved.insert(op);
    }
  }

  void moveIntoBlocks(linalg::GenericOp last, llvm::SetVector<Operation *> &chain, int64_t rows,
                      int64_t block) {
    // Program order, so that every op's chain operands are cloned before it.
    SmallVector<Operation *> ops(chain.begin(), chain.end());
    llvm::sort(ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    OpBuilder b(last);
    Location loc = last.getLoc();
    Value out = last.getDpsInits()[0];
    bool dynamicRows = ShapedType::isDynamic(rows);
    Value rowCount = dynamicRows ? tensor::DimOp::create(b, loc, out, 0).getResult() : Value();
    if (freshDestination(out))
      out = tensor::EmptyOp::create(b, loc, cast<RankedTensorType>(out.getType()).getShape(),
                                    cast<RankedTensorType>(out.getType()).getElementType(),
                                    dynamicRows ? ValueRange{rowCount} : ValueRange{});
    // A block's rows: `block`, or with a run-time row count min(block, rows - row).
    auto blockType = [&](Type t) {
      auto r = cast<RankedTensorType>(t);
      SmallVector<int64_t> shape(r.getShape());
      shape[0] = dynamicRows ? ShapedType::kDynamic : block;
      return RankedTensorType::get(shape, r.getElementType());
    };
    auto loop = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{dynamicRows ? OpFoldResult(rowCount) : b.getIndexAttr(rows)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(block)}, ValueRange{out}, std::nullopt);
    Value row = loop.getInductionVars()[0];
    Value shared = loop.getRegionIterArgs()[0];
    OpBuilder ib = OpBuilder::atBlockBegin(loop.getBody());
    OpFoldResult blockRows = ib.getIndexAttr(block);
    if (dynamicRows) {
      AffineExpr r = ib.getAffineDimExpr(0), n = ib.getAffineDimExpr(1);
      blockRows = affine::makeComposedFoldedAffineMin(
          ib, loc, AffineMap::get(2, 0, {ib.getAffineConstantExpr(block), n - r}, ib.getContext()),
          {row, rowCount});
    }
    auto sizesOf = [&](RankedTensorType t) {
      SmallVector<OpFoldResult> sizes{blockRows};
      for (int64_t d : t.getShape().drop_front())
        sizes.push_back(ib.getIndexAttr(d));
      return sizes;
    };
    auto slice = [&](Value whole) -> Value {
      auto t = cast<RankedTensorType>(whole.getType());
      SmallVector<OpFoldResult> offsets(t.getRank(), ib.getIndexAttr(0)),
          strides(t.getRank(), ib.getIndexAttr(1));
      offsets[0] = row;
      return tensor::ExtractSliceOp::create(ib, loc, blockType(t), whole, offsets, sizesOf(t),
                                            strides);
    };
    IRMapping map;
    for (Operation *op : ops) {
      for (OpOperand &operand : op->getOpOperands()) {
        Value v = operand.get();
        bool init = cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
        if (op == last && init) { // the last op writes the block of the loop's output
          map.map(v, slice(shared));
          continue;
        }
        if (map.contains(v) || !isa<RankedTensorType>(v.getType()))
          continue;
        if (init && freshDestination(v))
          map.map(v, tensor::EmptyOp::create(ib, loc, sizesOf(cast<RankedTensorType>(v.getType())),
                                             blockType(v.getType()).getElementType()));
        else
          map.map(v, slice(v));
      }
      Operation *copy = ib.clone(*op, map);
      for (OpResult r : copy->getResults())
        r.setType(blockType(r.getType()));
    }
    Value result = map.lookup(last.getResult(0));
    ib.setInsertionPointToStart(loop.getTerminator().getBody());
    SmallVector<OpFoldResult> offsets(blockType(result.getType()).getRank(), ib.getIndexAttr(0)),
        strides(offsets.size(), ib.getIndexAttr(1));
    offsets[0] = row;
    tensor::ParallelInsertSliceOp::create(ib, loc, result, shared, offsets,
                                          sizesOf(cast<RankedTensorType>(result.getType())),
                                          strides);
    last.getResult(0).replaceAllUsesWith(loop.getResult(0));
    for (Operation *op : llvm::reverse(ops))
      op->erase();
  }

  void blockSoftmaxes() {
    SmallVector<linalg::SoftmaxOp> softmaxes;
    getOperation().walk([&](linalg::SoftmaxOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getOutput().getType());
      // Static, or the batch size as row count (tiles then have a partial last block).
      if (type && op.getDimension() == type.getRank() - 1 && type.getRank() > 0 &&
          !type.isDynamicDim(type.getRank() - 1))
        softmaxes.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::SoftmaxOp op : softmaxes) {
      auto type = cast<RankedTensorType>(op.getOutput().getType());
      int64_t rank = type.getRank();
      Operation *block = op;
      if (rank > 1) {
        int64_t rowBytes = type.getDimSize(rank - 1) * (type.getElementTypeBitWidth() / 8);
        int64_t rows = rowsPerBlock(type.getDimSize(rank - 2), rowBytes);
        SmallVector<OpFoldResult> sizes;
        for (int64_t i = 0; i < rank; ++i)
          sizes.push_back(rewriter.getIndexAttr(i == rank - 1 ? 0 : i == rank - 2 ? rows : 1));
        scf::SCFTilingOptions options;
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp).setTileSizes(sizes);
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tiled =
            scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled)) {
          op.emitError("sinter-block-rows: tiling failed");
          return signalPassFailure();
        }
        rewriter.replaceOp(op, tiled->replacements);
        block = tiled->tiledOps.front();
      }
      auto aggregate = cast<linalg::AggregatedOpInterface>(block);
      rewriter.setInsertionPoint(block);
      FailureOr<SmallVector<Value>> parts = aggregate.decomposeOperation(rewriter);
      if (failed(parts)) {
        block->emitError("sinter-block-rows: decomposition failed");
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
          Value one =
              arith::ConstantOp::create(b, div.getLoc(), b.getFloatAttr(div.getType(), 1.0));
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

std::unique_ptr<Pass> mlir::sinter::createBlockRowsPass() {
  return std::make_unique<BlockRowsPass>();
}

// Transposes blocked for the caches (sinter-tile-transposes), after bufferization.
//
// A linalg.transpose that moves the innermost dimension, lowered as it is, writes the output
// row by row and reads the input down a column: every element read touches another cache line
// (a [4096, 1000] float transpose took 8–15 ms on an AMD EPYC, 4–8× a copy of the same bytes).
// It becomes an scf.parallel over kTile × kTile blocks of the two dimensions that swap (the
// output's innermost one, and the one that walks the input's rows), each block the same
// transpose on views: kTile lines of the input read whole and kTile lines of the output written
// whole while they stay in L1. The blocks' sizes are constants, so the parallel-loop outlining
// can weigh the work (ParallelLoops.cpp); the strips left at the ends of the two dimensions
// stay the transpose on views, lowered as before.
#include "sinter/Compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// Elements per side of a block: a block of floats reads and writes whole 64-byte lines.
constexpr int64_t kTile = 16;

class TransposeTiler {
public:
  TransposeTiler(OpBuilder &builder, linalg::TransposeOp op)
      : b(builder), loc(op.getLoc()), op(op), perm(op.getPermutation()),
        type(cast<MemRefType>(op.getInit().getType())) {}

  /// The output dimension that walks the input's innermost one, when the transpose moves it
  /// and both swapping dimensions are static and at least a block long.
  static std::optional<int64_t> across(linalg::TransposeOp op) {
    if (!op.hasPureBufferSemantics())
      return std::nullopt;
    auto type = cast<MemRefType>(op.getInit().getType());
    int64_t last = type.getRank() - 1;
    ArrayRef<int64_t> perm = op.getPermutation();
    int64_t dim = llvm::find(perm, last) - perm.begin();
    if (dim == last || type.isDynamicDim(dim) || type.isDynamicDim(last) ||
        type.getDimSize(dim) < kTile || type.getDimSize(last) < kTile)
      return std::nullopt;
    return dim;
  }

  void rewrite(int64_t acrossDim) {
    int64_t rank = type.getRank(), last = rank - 1;
    int64_t rows = type.getDimSize(acrossDim), cols = type.getDimSize(last);
    int64_t fullRows = rows - rows % kTile, fullCols = cols - cols % kTile;
    b.setInsertionPoint(op);
    // The loops in the output's order, except that the output's innermost dimension (the
    // input's rows) comes before the one that walks the input's columns: each thread reads a
    // band of whole input rows, which the hardware prefetches (a column of blocks, one line
    // per row, each in another page, it does not: 7 ms against 4.5 on one thread).
    SmallVector<int64_t> order;
    for (int64_t d = 0; d < rank; ++d)
      if (d != last)
        order.push_back(d == acrossDim ? last : d);
    order.push_back(acrossDim);
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t d : order) {
      lbs.push_back(index(0));
      ubs.push_back(d == acrossDim ? index(fullRows)
                    : d == last    ? index(fullCols)
                                   : memref::DimOp::create(b, loc, op.getInit(), d).getResult());
      steps.push_back(index(d == acrossDim || d == last ? kTile : 1));
    }
    scf::ParallelOp::create(b, loc, lbs, ubs, steps, [&](OpBuilder &, Location, ValueRange ivs) {
      SmallVector<OpFoldResult> blockOffsets(rank), blockSizes(rank);
      for (auto [d, iv] : llvm::zip(order, ivs)) {
        blockOffsets[d] = iv;
        blockSizes[d] = b.getIndexAttr(d == acrossDim || d == last ? kTile : 1);
      }
      transposeViews(blockOffsets, blockSizes);
    });
    // The last rows (all columns), then the last columns of the blocked rows.
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes;
    if (fullRows < rows || fullCols < cols)
      sizes = memref::getMixedSizes(b, loc, op.getInit());
    if (fullRows < rows) {
      offsets[acrossDim] = b.getIndexAttr(fullRows);
      sizes[acrossDim] = b.getIndexAttr(rows - fullRows);
      transposeViews(offsets, sizes);
    }
    if (fullCols < cols) {
      offsets[acrossDim] = b.getIndexAttr(0);
      sizes[acrossDim] = b.getIndexAttr(fullRows);
      offsets[last] = b.getIndexAttr(fullCols);
      sizes[last] = b.getIndexAttr(cols - fullCols);
      transposeViews(offsets, sizes);
    }
    op.erase();
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// The transpose of the output's view at `offsets` × `sizes` from the input's matching view.
  void transposeViews(ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
    int64_t rank = offsets.size();
    SmallVector<OpFoldResult> inOffsets(rank), inSizes(rank), ones(rank, b.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d) {
      inOffsets[perm[d]] = offsets[d];
      inSizes[perm[d]] = sizes[d];
    }
    Value in = memref::SubViewOp::create(b, loc, op.getInput(), inOffsets, inSizes, ones);
    Value out = memref::SubViewOp::create(b, loc, op.getInit(), offsets, sizes, ones);
    linalg::TransposeOp::create(b, loc, in, out, perm);
  }

  OpBuilder &b;
  Location loc;
  linalg::TransposeOp op;
  SmallVector<int64_t> perm;
  MemRefType type;
};

struct TileTransposesPass : PassWrapper<TileTransposesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileTransposesPass)
  StringRef getArgument() const override { return "sinter-tile-transposes"; }
  StringRef getDescription() const override {
    return "Block transposes that move the innermost dimension for the caches";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, memref::MemRefDialect, scf::SCFDialect>();
  }
  void runOnOperation() override {
    SmallVector<std::pair<linalg::TransposeOp, int64_t>> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      if (auto dim = TransposeTiler::across(op))
        transposes.emplace_back(op, *dim);
    });
    OpBuilder b(&getContext());
    for (auto [op, dim] : transposes)
      TransposeTiler(b, op).rewrite(dim);
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createTileTransposesPass() {
  return std::make_unique<TileTransposesPass>();
}

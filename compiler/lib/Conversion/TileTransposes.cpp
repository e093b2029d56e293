// Transposes blocked for the caches (sinter-tile-transposes), after bufferization.
//
// A linalg.transpose that moves the innermost dimension, lowered as it is, writes the output
// row by row and reads the input down a column: every element read touches another cache line
// (a [4096, 1000] float transpose took 8–15 ms on an AMD EPYC, 4–8× a copy of the same bytes).
// It becomes kTile × kTile blocks of the two dimensions that swap (the output's innermost one,
// and the one that walks the input's rows): an scf.parallel over bands of the input's rows, in
// each an scf.for over the blocks of the band. A block is the same transpose on views (kTile
// lines of the input read whole and kTile lines of the output written whole while they stay in
// L1), or, for a float32 output too large to stay cached, kTile vector loads of input rows, a
// vector.transpose and kTile streaming stores of whole output lines, which skip reading each
// output line into the cache before overwriting it (1.3 ms against 4.9 on one thread).
// Block sizes are constants, so the parallel-loop outlining can weigh the work
// (ParallelLoops.cpp); the strips left at the ends of the two dimensions stay the transpose on
// views, lowered as before.
#include "LoweringUtils.h"

#include "sinter/Compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using mlir::sinter::lowering::LoopBuilder;

namespace {

/// Elements per side of a block: a block of floats reads and writes whole 64-byte lines.
constexpr int64_t kTile = 16;
constexpr int64_t kBlockBytes = kTile * 4;
/// Outputs from this size on are stored around the caches (four times a large L2; caching them
/// would only push other data out).
constexpr int64_t kStreamBytes = 4 << 20;

class TransposeTiler : LoopBuilder {
public:
  TransposeTiler(OpBuilder &builder, linalg::TransposeOp op)
      : LoopBuilder(builder, op.getLoc()), op(op), perm(op.getPermutation()),
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
    Value aligned = streamable() ? alignedOutput() : Value();
    // The output's innermost dimension (the input's rows) is the outer loop, the one that walks
    // the input's columns the inner: each thread reads a band of whole input rows, which the
    // hardware prefetches (a column of blocks, one line per row and each in another page, it
    // does not: 7 ms against 4.5 on one thread).
    SmallVector<int64_t> outer;
    for (int64_t d = 0; d < rank; ++d)
      if (d != last)
        outer.push_back(d == acrossDim ? last : d);
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t d : outer) {
      lbs.push_back(index(0));
      ubs.push_back(d == last ? index(fullCols)
                              : memref::DimOp::create(b, loc, op.getInit(), d).getResult());
      steps.push_back(index(d == last ? kTile : 1));
    }
    scf::ParallelOp::create(b, loc, lbs, ubs, steps, [&](OpBuilder &, Location, ValueRange ivs) {
      SmallVector<Value> offsets(rank);
      for (auto [d, iv] : llvm::zip(outer, ivs))
        offsets[d] = iv;
      auto band = [&](bool streamed) {
        forLoop(0, fullRows, kTile, [&](Value row) {
          offsets[acrossDim] = row;
          if (streamed)
            streamBlock(offsets, acrossDim);
          else
            viewBlock(offsets, acrossDim);
        });
      };
      if (!aligned) {
        band(false);
        return;
      }
      scf::IfOp::create(
          b, loc, aligned,
          [&](OpBuilder &, Location) {
            band(true);
            // Streaming stores are weakly ordered, even against locked instructions: sfence
            // makes the band's visible before the thread reports its share done.
            LLVM::CallIntrinsicOp::create(b, loc, b.getStringAttr("llvm.x86.sse.sfence"),
                                          ValueRange{});
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            band(false);
            scf::YieldOp::create(b, loc);
          });
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
  /// Whether whole blocks may be stored streaming: a float32 output of at least kStreamBytes,
  /// which would only push other data out of the caches, with rows of whole blocks (every
  /// block row then starts on a 64-byte boundary when the buffer does), and input rows
  /// contiguous for vector loads.
  bool streamable() {
#if defined(__x86_64__)
    auto inType = cast<MemRefType>(op.getInput().getType());
    return type.getElementType().isF32() && type.hasStaticShape() &&
           type.getLayout().isIdentity() && type.getDimSize(type.getRank() - 1) % kTile == 0 &&
           type.getNumElements() * 4 >= kStreamBytes && inType.isLastDimUnitStride();
#else
    return false; // programs are compiled for this host, and the fence they need is x86's
#endif
  }

  /// Whether the output buffer starts on a 64-byte boundary (checked when the call runs).
  Value alignedOutput() {
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, op.getInit());
    Value offset = arith::RemUIOp::create(b, loc, address, index(kBlockBytes));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, offset, index(0));
  }

  /// The block at `offsets` (output indices, the block's first row and column) by the
  /// transpose on views.
  void viewBlock(ArrayRef<Value> offsets, int64_t acrossDim) {
    int64_t rank = offsets.size();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(b.getIndexAttr(d == acrossDim || d == rank - 1 ? kTile : 1));
    transposeViews(getAsOpFoldResult(offsets), sizes);
  }

  /// The block at `offsets` in vector registers: kTile rows of the input loaded, transposed,
  /// and stored as whole 64-byte lines of the output that bypass the caches (a row of 16 floats
  /// is one line, aligned when the buffer is).
  void streamBlock(ArrayRef<Value> offsets, int64_t acrossDim) {
    int64_t rank = offsets.size(), last = rank - 1;
    Type f32 = b.getF32Type();
    auto row = VectorType::get({kTile}, f32), block = VectorType::get({kTile, kTile}, f32);
    Value tile = arith::ConstantOp::create(b, loc, block, DenseElementsAttr::get(block, 0.0f));
    SmallVector<Value> in(rank);
    for (int64_t d = 0; d < rank; ++d)
      in[perm[d]] = offsets[d];
    for (int64_t r = 0; r < kTile; ++r) {
      in[perm[last]] = arith::AddIOp::create(b, loc, offsets[last], index(r));
      Value line = vector::LoadOp::create(b, loc, row, op.getInput(), in);
      tile = vector::InsertOp::create(b, loc, line, tile, r);
    }
    Value transposed = vector::TransposeOp::create(b, loc, tile, ArrayRef<int64_t>{1, 0});
    SmallVector<Value> out(offsets);
    for (int64_t r = 0; r < kTile; ++r) {
      out[acrossDim] = arith::AddIOp::create(b, loc, offsets[acrossDim], index(r));
      Value line = vector::ExtractOp::create(b, loc, transposed, r);
      vector::StoreOp::create(b, loc, line, op.getInit(), out, /*nontemporal=*/true,
                              llvm::MaybeAlign(kBlockBytes));
    }
  }

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
    registry.insert<arith::ArithDialect, LLVM::LLVMDialect, memref::MemRefDialect, scf::SCFDialect,
                    vector::VectorDialect>();
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

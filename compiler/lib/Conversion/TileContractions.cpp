// Generated contractions tiled for vector registers (sinter-tile-contractions): the matrix
// products and convolutions of a program compiled without the kernel library (sinter-compile
// --standalone, SINTER_GENERATED_ONLY), after bufferization.
//
// Products. generatedMatmul (SinterToLinalg.cpp) makes c[m, n] += a[m, k] · b[k, n] a generic
// in the loop order (m, k, n); lowered as it is, its inner loop loads and stores a row of c for
// every multiply-add. It becomes a blocked loop nest whose core keeps a kRows × kCols tile of c
// in vector registers over a block of kDepth steps of k: per step one vector load of b's row,
// one broadcast of a per row, kRows fused multiply-adds.
//
//   scf.parallel over panels of kPanelRows rows of c (the threads' share)
//     for each kCols-wide column strip, each kDepth-deep block of k (b's block stays cached)
//       for each whole kRows-row tile of the panel: the register tile
//     the last columns (n % kCols) of those rows, and the rows after the last whole tile: the
//     original generic on views, lowered as before.
//
// Convolutions. groupedContraction (LowerConvolution.cpp) iterates (n, i, j, g | a, b, c | o):
// output channels innermost. For each (n, i, g), kRows output columns j at a time (then one at
// a time) by strips of kCols channels (the rest as one narrower vector) keep their sums in
// registers through the window's reductions: per step one vector load of the filter's row and
// a broadcast of one image value per column. Gradients of the same shape go the same way.
//
// A vector of 16 floats is one AVX-512 register or two AVX2 ones: 6 × 16 accumulators fit
// either register file. Loop bounds are constants wherever they can be, so the parallel-loop
// outlining can weigh the work (ParallelLoops.cpp).
#include "LoweringUtils.h"

#include "sinter/Compiler/Conversion/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using mlir::sinter::lowering::LoopBuilder;
using mlir::sinter::lowering::matmulMaps;

namespace {

constexpr int64_t kRows = 6;    ///< rows of c in registers
constexpr int64_t kCols = 16;   ///< columns of c in registers: one vector per row
constexpr int64_t kDepth = 256; ///< steps of k per block: kDepth × kCols of b in L1
/// Rows per parallel iteration: each block of b serves all of them.
constexpr int64_t kPanelRows = 8 * kRows;

/// A generated product on buffers: its operands and how a is stored.
struct Product {
  linalg::GenericOp op;
  Value a, b, c;
  bool transA = false;
  bool batched = false;
};

/// Whether the body of `op` is yield(out + in0 · in1) and nothing else.
bool isMultiplyAdd(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (body.getOperations().size() != 3 || !add)
    return false;
  auto mul = add.getRhs().getDefiningOp<arith::MulFOp>();
  return mul && add.getLhs() == body.getArgument(2) && mul.getLhs() == body.getArgument(0) &&
         mul.getRhs() == body.getArgument(1);
}

/// Whether the last dimension of `buffer` is contiguous (what vector.load reads).
bool lastDimContiguous(Value buffer) {
  return cast<MemRefType>(buffer.getType()).isLastDimUnitStride();
}

/// Matches the generic of generatedMatmul on f32 buffers with b stored row-major (its rows are
/// what the vectors load): loops ([batch,] m, k, n), body c + a · b.
std::optional<Product> matchProduct(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  unsigned loops = op.getNumLoops();
  if (loops != 3 && loops != 4)
    return std::nullopt;
  bool batched = loops == 4;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned i = 0; i < loops; ++i)
    if (iters[i] !=
        (i == loops - 2 ? utils::IteratorType::reduction : utils::IteratorType::parallel))
      return std::nullopt;
  OpBuilder b(op.getContext());
  ArrayAttr maps = op.getIndexingMaps();
  bool transA = maps == matmulMaps(b, batched, true, false, /*reductionInMiddle=*/true);
  if (!transA && maps != matmulMaps(b, batched, false, false, /*reductionInMiddle=*/true))
    return std::nullopt;
  if (!isMultiplyAdd(op) || !lastDimContiguous(op.getDpsInputs()[1]) ||
      !lastDimContiguous(op.getDpsInits()[0]))
    return std::nullopt;
  auto cType = cast<MemRefType>(op.getDpsInits()[0].getType());
  auto bType = cast<MemRefType>(op.getDpsInputs()[1].getType());
  int64_t rank = cType.getRank();
  // Static k and n (a weight's shape) with at least one full column strip; m (the batch) may
  // be dynamic.
  if (!cType.getElementType().isF32() || bType.isDynamicDim(rank - 2) ||
      bType.isDynamicDim(rank - 1) || bType.getDimSize(rank - 1) < kCols)
    return std::nullopt;
  return Product{op,     op.getDpsInputs()[0], op.getDpsInputs()[1], op.getDpsInits()[0], transA,
                 batched};
}

class ProductTiler : LoopBuilder {
public:
  ProductTiler(OpBuilder &builder, Product p) : LoopBuilder(builder, p.op.getLoc()), p(p) {}

  void rewrite() {
    auto bType = cast<MemRefType>(p.b.getType());
    int64_t rank = bType.getRank();
    depth = bType.getDimSize(rank - 2);
    cols = bType.getDimSize(rank - 1);
    fullCols = cols - cols % kCols;
    b.setInsertionPoint(p.op);
    Value rows = memref::DimOp::create(b, loc, p.c, rank - 2);
    // A panel of a known small row count is that count, rounded up to whole tiles.
    int64_t staticRows = cast<MemRefType>(p.c.getType()).getDimSize(rank - 2);
    int64_t panel = kPanelRows;
    if (!ShapedType::isDynamic(staticRows))
      panel = std::min(panel, (staticRows + kRows - 1) / kRows * kRows);
    SmallVector<Value> lbs{index(0)}, ubs{rows}, steps{index(panel)};
    if (p.batched) {
      lbs.insert(lbs.begin(), index(0));
      ubs.insert(ubs.begin(), memref::DimOp::create(b, loc, p.c, 0));
      steps.insert(steps.begin(), index(1));
    }
    scf::ParallelOp::create(b, loc, lbs, ubs, steps, [&](OpBuilder &, Location, ValueRange ivs) {
      lead = p.batched ? SmallVector<Value>{ivs[0]} : SmallVector<Value>{};
      Value first = ivs.back();
      Value end =
          arith::MinSIOp::create(b, loc, arith::AddIOp::create(b, loc, first, index(panel)), rows);
      panelRows(first, end, panel);
    });
    p.op.erase();
  }

private:
  /// Rows [first, end) of c: the register tiles, then what they leave to the original generic:
  /// the last columns of their rows, and the rows after the last whole tile (a batch of one
  /// is a matrix-vector product: the generic's loop order streams b row by row, which suits it
  /// better than tiles).
  void panelRows(Value first, Value end, int64_t panel) {
    Value tiled = arith::AddIOp::create(
        b, loc, first,
        arith::MulIOp::create(
            b, loc,
            arith::DivUIOp::create(b, loc, arith::SubIOp::create(b, loc, end, first), index(kRows)),
            index(kRows)));
    int64_t fullDepth = depth - depth % kDepth;
    forLoop(0, fullCols, kCols, [&](Value col) {
      forLoop(0, fullDepth, kDepth,
              [&](Value k0) { panelBlock(first, tiled, panel, col, k0, kDepth); });
      if (fullDepth < depth)
        panelBlock(first, tiled, panel, col, index(fullDepth), depth - fullDepth);
    });
    if (fullCols < cols)
      untiled(first, tiled, fullCols);
    untiled(tiled, end, 0);
  }

  /// The tiles of rows [first, tiled) × columns [col, col + kCols) over k in [k0, k0 + count).
  /// The loop over the panel has constant bounds (the outlining weighs its work); tiles past
  /// `tiled` are skipped.
  void panelBlock(Value first, Value tiled, int64_t panel, Value col, Value k0, int64_t count) {
    forLoop(0, panel, kRows, [&](Value offset) {
      Value row = arith::AddIOp::create(b, loc, first, offset);
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, row, tiled);
      scf::IfOp::create(b, loc, inside, [&](OpBuilder &, Location) {
        tile(row, col, k0, count);
        scf::YieldOp::create(b, loc);
      });
    });
  }

  /// c[row .. row + kRows, col .. col + kCols] += a[.., k0 .. k0 + count] · b[k0 .., col ..], the
  /// tile of c in registers for the whole block.
  void tile(Value row, Value col, Value k0, int64_t count) {
    auto vec = VectorType::get({kCols}, b.getF32Type());
    SmallVector<Value> rowsOf;
    for (int64_t r = 0; r < kRows; ++r)
      rowsOf.push_back(r == 0 ? row : arith::AddIOp::create(b, loc, row, index(r)).getResult());
    auto at = [&](Value x, Value y) {
      SmallVector<Value> ix(lead);
      ix.append({x, y});
      return ix;
    };
    SmallVector<Value> init;
    for (Value r : rowsOf)
      init.push_back(vector::LoadOp::create(b, loc, vec, p.c, at(r, col)));
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(count), index(1), init,
        [&](OpBuilder &, Location, Value kk, ValueRange acc) {
          Value k = arith::AddIOp::create(b, loc, k0, kk);
          Value bRow = vector::LoadOp::create(b, loc, vec, p.b, at(k, col));
          SmallVector<Value> next;
          for (auto [r, sum] : llvm::zip(rowsOf, acc)) {
            Value a = memref::LoadOp::create(b, loc, p.a, p.transA ? at(k, r) : at(r, k));
            Value aSplat = vector::BroadcastOp::create(b, loc, vec, a);
            next.push_back(vector::FMAOp::create(b, loc, aSplat, bRow, sum));
          }
          scf::YieldOp::create(b, loc, next);
        });
    for (auto [r, sum] : llvm::zip(rowsOf, loop.getResults()))
      vector::StoreOp::create(b, loc, sum, p.c, at(r, col));
  }

  /// Rows [first, end) × columns [fromCol, cols) by the original generic on views.
  void untiled(Value first, Value end, int64_t fromCol) {
    Value count = arith::SubIOp::create(b, loc, end, first);
    auto view = [&](Value buffer, ArrayRef<std::pair<OpFoldResult, OpFoldResult>> ranges) {
      auto type = cast<MemRefType>(buffer.getType());
      SmallVector<OpFoldResult> offsets, sizes, strides;
      if (p.batched) {
        offsets.push_back(lead[0]);
        sizes.push_back(b.getIndexAttr(1));
        strides.push_back(b.getIndexAttr(1));
      }
      for (auto [i, range] : llvm::enumerate(ranges)) {
        offsets.push_back(range.first);
        int64_t dim = i + (p.batched ? 1 : 0);
        if (!range.second.isNull())
          sizes.push_back(range.second);
        else if (type.isDynamicDim(dim))
          sizes.push_back(memref::DimOp::create(b, loc, buffer, dim).getResult());
        else
          sizes.push_back(b.getIndexAttr(type.getDimSize(dim)));
        strides.push_back(b.getIndexAttr(1));
      }
      return memref::SubViewOp::create(b, loc, buffer, offsets, sizes, strides).getResult();
    };
    OpFoldResult zero = b.getIndexAttr(0), colCount = b.getIndexAttr(cols - fromCol),
                 colStart = b.getIndexAttr(fromCol);
    Value a = p.transA ? view(p.a, {{zero, {}}, {first, count}})
                       : view(p.a, {{first, count}, {zero, {}}});
    Value bView = view(p.b, {{zero, {}}, {colStart, colCount}});
    Value c = view(p.c, {{first, count}, {colStart, colCount}});
    Operation *rest = b.clone(*p.op);
    rest->setOperands({a, bView, c});
  }

  Product p;
  int64_t depth = 0, cols = 0, fullCols = 0;
  SmallVector<Value> lead; ///< the batch index of the current iteration (batched products)
};

/// A generated convolution (groupedContraction, LowerConvolution.cpp) on f32 buffers: loops
/// (parallel..., reductions..., v) with out[parallel..., v] += lhs[...] · rhs[..., v], v (the
/// output channels) innermost and contiguous in out and rhs, lhs independent of v. Its `row`
/// loop is the last parallel one that lhs and out use and rhs does not (the output column of
/// a forward convolution): consecutive rows share rhs's vector, as a matmul's rows share b's.
struct Window {
  linalg::GenericOp op;
  unsigned row = 0, parallel = 0; ///< the row loop; the parallel loops before the reductions
  SmallVector<int64_t> ranges;    ///< static loop ranges (the parallel ones may be dynamic)
};

std::optional<Window> matchWindow(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !isMultiplyAdd(op))
    return std::nullopt;
  unsigned loops = op.getNumLoops();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned parallel = 0;
  while (parallel < loops && iters[parallel] == utils::IteratorType::parallel)
    ++parallel;
  if (parallel == 0 || parallel + 1 >= loops || iters[loops - 1] != utils::IteratorType::parallel)
    return std::nullopt;
  for (unsigned d = parallel; d + 1 < loops; ++d)
    if (iters[d] != utils::IteratorType::reduction)
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> outIndex;
  for (unsigned d = 0; d < parallel; ++d)
    outIndex.push_back(getAffineDimExpr(d, ctx));
  outIndex.push_back(getAffineDimExpr(loops - 1, ctx));
  AffineMap lhs = maps[0], rhs = maps[1];
  if (maps[2] != AffineMap::get(loops, 0, outIndex, ctx) ||
      rhs.getResult(rhs.getNumResults() - 1) != getAffineDimExpr(loops - 1, ctx) ||
      lhs.isFunctionOfDim(loops - 1))
    return std::nullopt;
  for (unsigned d = 0; d + 1 < rhs.getNumResults(); ++d)
    if (rhs.getResult(d).isFunctionOfDim(loops - 1))
      return std::nullopt;
  std::optional<unsigned> row;
  for (unsigned d = 0; d < parallel; ++d)
    if (!rhs.isFunctionOfDim(d) && lhs.isFunctionOfDim(d))
      row = d;
  Value out = op.getDpsInits()[0], filter = op.getDpsInputs()[1];
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (!row || ShapedType::isDynamic(ranges[*row]) || ShapedType::isDynamic(ranges[loops - 1]) ||
      !cast<MemRefType>(out.getType()).getElementType().isF32() || !lastDimContiguous(out) ||
      !lastDimContiguous(filter))
    return std::nullopt;
  for (unsigned d = parallel; d + 1 < loops; ++d)
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
  return Window{op, *row, parallel, ranges};
}

/// The tiles of a Window: for each iteration of the parallel loops but `row`, kRows rows at a
/// time (then one at a time) by strips of kCols output channels (then the rest as one
/// narrower vector), the reductions run with the tile in registers.
class WindowTiler : LoopBuilder {
public:
  WindowTiler(OpBuilder &builder, Window w) : LoopBuilder(builder, w.op.getLoc()), w(w) {}

  void rewrite() {
    b.setInsertionPoint(w.op);
    Value out = w.op.getDpsInits()[0];
    unsigned loops = w.op.getNumLoops();
    ivs.assign(loops, index(0));
    SmallVector<Value> lbs, ubs, steps;
    SmallVector<unsigned> outer;
    for (unsigned d = 0; d < w.parallel; ++d) {
      if (d == w.row)
        continue;
      outer.push_back(d);
      lbs.push_back(index(0));
      ubs.push_back(memref::DimOp::create(b, loc, out, d));
      steps.push_back(index(1));
    }
    auto body = [&](ValueRange outerIvs) {
      for (auto [d, iv] : llvm::zip(outer, outerIvs))
        ivs[d] = iv;
      int64_t rows = w.ranges[w.row], channels = w.ranges[loops - 1];
      int64_t fullRows = rows - rows % kRows;
      auto strips = [&](Value row, int64_t n) {
        for (int64_t col = 0; col + kCols <= channels; col += kCols)
          tile(row, n, col, kCols);
        if (channels % kCols)
          tile(row, n, channels - channels % kCols, channels % kCols);
      };
      forLoop(0, fullRows, kRows, [&](Value row) { strips(row, kRows); });
      forLoop(fullRows, rows, 1, [&](Value row) { strips(row, 1); });
    };
    if (outer.empty())
      body({});
    else
      scf::ParallelOp::create(b, loc, lbs, ubs, steps,
                              [&](OpBuilder &, Location, ValueRange iv) { body(iv); });
    w.op.erase();
  }

private:
  /// The indices of `operand` at the loop values `ivs`.
  SmallVector<Value> indices(unsigned operand) {
    AffineMap map = w.op.getIndexingMapsArray()[operand];
    return *affine::expandAffineMap(b, loc, map, ivs);
  }

  /// Rows [row, row + n) × channels [col, col + width) of out, summed over the reductions.
  void tile(Value row, int64_t n, int64_t col, int64_t width) {
    unsigned loops = w.op.getNumLoops();
    Value lhs = w.op.getDpsInputs()[0], rhs = w.op.getDpsInputs()[1], out = w.op.getDpsInits()[0];
    auto vec = VectorType::get({width}, b.getF32Type());
    ivs[loops - 1] = index(col);
    auto atRow = [&](int64_t r) {
      ivs[w.row] = r == 0 ? row : arith::AddIOp::create(b, loc, row, index(r)).getResult();
    };
    SmallVector<Value> acc;
    for (int64_t r = 0; r < n; ++r) {
      atRow(r);
      acc.push_back(vector::LoadOp::create(b, loc, vec, out, indices(2)));
    }
    SmallVector<Value> sums = reduce(w.parallel, acc, [&](ValueRange acc) {
      Value filter = vector::LoadOp::create(b, loc, vec, rhs, indices(1));
      SmallVector<Value> next;
      for (int64_t r = 0; r < n; ++r) {
        atRow(r);
        Value x = memref::LoadOp::create(b, loc, lhs, indices(0));
        Value splat = vector::BroadcastOp::create(b, loc, vec, x);
        next.push_back(vector::FMAOp::create(b, loc, splat, filter, acc[r]));
      }
      return next;
    });
    for (int64_t r = 0; r < n; ++r) {
      atRow(r);
      vector::StoreOp::create(b, loc, sums[r], out, indices(2));
    }
  }

  /// The reduction loops from `d` inward around `step`, carrying the accumulators.
  SmallVector<Value> reduce(unsigned d, ValueRange acc,
                            function_ref<SmallVector<Value>(ValueRange)> step) {
    if (d + 1 == w.op.getNumLoops())
      return step(acc);
    auto loop = scf::ForOp::create(b, loc, index(0), index(w.ranges[d]), index(1), acc,
                                   [&](OpBuilder &, Location, Value iv, ValueRange args) {
                                     ivs[d] = iv;
                                     scf::YieldOp::create(b, loc, reduce(d + 1, args, step));
                                   });
    return loop.getResults();
  }

  Window w;
  SmallVector<Value> ivs; ///< the current value of every loop of the generic
};

struct TileContractionsPass : PassWrapper<TileContractionsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileContractionsPass)
  StringRef getArgument() const override { return "sinter-tile-contractions"; }
  StringRef getDescription() const override {
    return "Tile generated matrix products and convolutions for vector registers";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, memref::MemRefDialect, scf::SCFDialect,
                    vector::VectorDialect>();
  }
  void runOnOperation() override {
    SmallVector<Product> products;
    SmallVector<Window> windows;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto p = matchProduct(op))
        products.push_back(*p);
      else if (auto w = matchWindow(op))
        windows.push_back(*w);
    });
    OpBuilder b(&getContext());
    for (const Product &p : products)
      ProductTiler(b, p).rewrite();
    for (const Window &w : windows)
      WindowTiler(b, w).rewrite();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createTileContractionsPass() {
  return std::make_unique<TileContractionsPass>();
}

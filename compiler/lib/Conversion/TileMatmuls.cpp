// Generated matrix products, tiled for registers and caches (sinter-tile-matmuls). Without the
// kernel library (sinter-compile --standalone, SINTER_GENERATED_ONLY) a product is the
// linalg.generic of generatedMatmul (SinterToLinalg.cpp), c[m, n] += a[m, k] · b[k, n] in the
// loop order (m, k, n). Lowered as it is, its inner loop loads and stores a row of c for every
// multiply-add. After bufferization this pass rewrites it as a blocked loop nest whose core
// keeps a kRows × kCols tile of c in vector registers over a block of kDepth steps of k: per
// step one vector load of b's row, one broadcast of a per row, kRows fused multiply-adds.
//
//   scf.parallel over panels of kPanelRows rows of c (the threads' share)
//     for each kCols-wide column strip, each kDepth-deep block of k (b's block stays cached)
//       for each whole kRows-row tile of the panel: the register tile
//     the last columns (n % kCols) of those rows, and the rows after the last whole tile: the
//     original generic on views, lowered as before.
// A vector of 16 floats is one AVX-512 register or two AVX2 ones: 6 × 16 accumulators fit
// either register file. Loop bounds are constants wherever they can be, so the parallel-loop
// outlining can weigh the work (ParallelLoops.cpp).
#include "sinter/Compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

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
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i + (batched ? 1 : 0), ctx); };
  auto map = [&](AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> r;
    if (batched)
      r.push_back(getAffineDimExpr(0, ctx));
    r.append({x, y});
    return AffineMap::get(loops, 0, r, ctx);
  };
  AffineExpr m = d(0), k = d(1), n = d(2);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[1] != map(k, n) || maps[2] != map(m, n))
    return std::nullopt;
  bool transA = maps[0] == map(k, m);
  if (!transA && maps[0] != map(m, k))
    return std::nullopt;
  // The body: yield(out + in0 * in1), nothing else.
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (body.getOperations().size() != 3 || !add)
    return std::nullopt;
  auto mul = add.getRhs().getDefiningOp<arith::MulFOp>();
  if (!mul || add.getLhs() != body.getArgument(2) || mul.getLhs() != body.getArgument(0) ||
      mul.getRhs() != body.getArgument(1))
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

class Tiler {
public:
  Tiler(OpBuilder &builder, Product p) : b(builder), p(p), loc(p.op.getLoc()) {}

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
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

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

  void forLoop(int64_t lo, int64_t hi, int64_t step, function_ref<void(Value)> body) {
    if (hi <= lo)
      return;
    scf::ForOp::create(b, loc, index(lo), index(hi), index(step), ValueRange{},
                       [&](OpBuilder &, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }

  OpBuilder &b;
  Product p;
  Location loc;
  int64_t depth = 0, cols = 0, fullCols = 0;
  SmallVector<Value> lead; ///< the batch index of the current iteration (batched products)
};

struct TileMatmulsPass : PassWrapper<TileMatmulsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileMatmulsPass)
  StringRef getArgument() const override { return "sinter-tile-matmuls"; }
  StringRef getDescription() const override {
    return "Tile generated matrix products for vector registers and caches";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, memref::MemRefDialect, scf::SCFDialect,
                    vector::VectorDialect>();
  }
  void runOnOperation() override {
    SmallVector<Product> products;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto p = matchProduct(op))
        products.push_back(*p);
    });
    OpBuilder b(&getContext());
    for (const Product &p : products)
      Tiler(b, p).rewrite();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createTileMatmulsPass() {
  return std::make_unique<TileMatmulsPass>();
}

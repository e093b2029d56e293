// sinter.random: Philox-2x32 counter-based random numbers, uniform / normal / truncated normal.
#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

#include <numbers>

namespace mlir::sinter::lowering {

namespace {

std::pair<Value, Value> philox(OpBuilder &b, Location loc, Value counter, uint64_t seed) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) { return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v)); };
  Value c0 = arith::TruncIOp::create(b, loc, i32, counter);
  Value hiCounter = arith::ShRUIOp::create(
      b, loc, counter, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32)));
  Value c1 = arith::XOrIOp::create(b, loc, arith::TruncIOp::create(b, loc, i32, hiCounter),
                                   c32(static_cast<uint32_t>(seed >> 32)));
  uint32_t key = static_cast<uint32_t>(seed);
  Value mult = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0xD256D193));
  Value shift = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32));
  for (int round = 0; round < 10; ++round) {
    Value prod = arith::MulIOp::create(b, loc, arith::ExtUIOp::create(b, loc, i64, c0), mult);
    Value hi = arith::TruncIOp::create(b, loc, i32, arith::ShRUIOp::create(b, loc, prod, shift));
    Value lo = arith::TruncIOp::create(b, loc, i32, prod);
    c0 = arith::XOrIOp::create(b, loc, arith::XOrIOp::create(b, loc, hi, c32(key)), c1);
    c1 = lo;
    key += 0x9E3779B9u;
  }
  return {c0, c1};
}

/// A float in (0, 1] (open at 0 so that log() is finite) from 24 random bits.
Value unitFloat(OpBuilder &b, Location loc, Value bits) {
  Type f32 = b.getF32Type();
  Value top = arith::ShRUIOp::create(b, loc, bits,
                                     arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(8)));
  Value f = arith::UIToFPOp::create(b, loc, f32, top);
  f = arith::AddFOp::create(b, loc, f, scalarConst(b, loc, f32, 1.0));
  return arith::MulFOp::create(b, loc, f, scalarConst(b, loc, f32, 1.0 / 16777216.0));
}

Value boxMuller(OpBuilder &b, Location loc, Value u1, Value u2) {
  Type f32 = b.getF32Type();
  Value r = math::SqrtOp::create(b, loc,
                                 arith::MulFOp::create(b, loc, scalarConst(b, loc, f32, -2.0),
                                                       math::LogOp::create(b, loc, u1)));
  Value theta = arith::MulFOp::create(b, loc, scalarConst(b, loc, f32, 2 * std::numbers::pi), u2);
  return arith::MulFOp::create(b, loc, r, math::CosOp::create(b, loc, theta));
}

} // namespace

Value lowerRandom(OpBuilder &b, RandomOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  StringRef dist = op.getDistribution();
  uint64_t seed = static_cast<uint64_t>(op.getSeed());
  double a = op.getA().convertToDouble(), s = op.getB().convertToDouble();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  // counter = offset·N + i: consecutive offsets draw disjoint counter ranges.
  // N and the dimension sizes: the batch size for a dynamic dimension.
  int64_t staticElements = 1;
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      staticElements *= d;
  Value elements = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(staticElements));
  if (!type.hasStaticShape())
    elements = arith::MulIOp::create(
        b, loc, elements, arith::IndexCastOp::create(b, loc, b.getI64Type(), batchSize(b)));
  SmallVector<OpFoldResult> sizes = mixedSizes(b, type);
  Value base;
  if (op.getOffset())
    base = arith::MulIOp::create(
        b, loc, tensor::ExtractOp::create(b, loc, op.getOffset(), ValueRange{}), elements);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{emptyTensor(b, loc, type)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange) {
        Type f32 = nb.getF32Type(), i64 = nb.getI64Type();
        // Row-major linear index of the element: the counter.
        Value index = arith::ConstantOp::create(nb, nl, nb.getIndexAttr(0));
        for (int64_t d = 0; d < rank; ++d) {
          Value size = getValueOrCreateConstantIndexOp(nb, nl, sizes[d]);
          index = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, index, size),
                                        linalg::IndexOp::create(nb, nl, d));
        }
        Value counter = arith::IndexCastOp::create(nb, nl, i64, index);
        if (base)
          counter = arith::AddIOp::create(nb, nl, counter, base);
        Value sample;
        if (dist == "uniform") {
          auto [x, unused] = philox(nb, nl, counter, seed);
          (void)unused;
          Value u = arith::SubFOp::create(nb, nl, unitFloat(nb, nl, x),
                                          scalarConst(nb, nl, f32, 1.0 / 16777216.0));
          sample = arith::AddFOp::create(
              nb, nl, scalarConst(nb, nl, f32, a),
              arith::MulFOp::create(nb, nl, u, scalarConst(nb, nl, f32, s - a)));
        } else {
          // truncated_normal redraws outside 2σ: the first of 8 candidates inside wins (the
          // chance that none is: 0.0455^8 ≈ 2e-11), else the last, clamped.
          int tries = dist == "normal" ? 1 : 8;
          Value z;
          for (int t = tries - 1; t >= 0; --t) {
            Value c = arith::AddIOp::create(
                nb, nl,
                arith::MulIOp::create(
                    nb, nl, counter,
                    arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(tries))),
                arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(t)));
            auto [x, y] = philox(nb, nl, c, seed);
            Value candidate = boxMuller(nb, nl, unitFloat(nb, nl, x), unitFloat(nb, nl, y));
            if (!z) {
              z = dist == "normal" ? candidate
                                   : arith::MinimumFOp::create(
                                         nb, nl, scalarConst(nb, nl, f32, 2.0),
                                         arith::MaximumFOp::create(
                                             nb, nl, scalarConst(nb, nl, f32, -2.0), candidate));
              continue;
            }
            Value inside = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT,
                                                 math::AbsFOp::create(nb, nl, candidate),
                                                 scalarConst(nb, nl, f32, 2.0));
            z = arith::SelectOp::create(nb, nl, inside, candidate, z);
          }
          sample =
              arith::AddFOp::create(nb, nl, scalarConst(nb, nl, f32, a),
                                    arith::MulFOp::create(nb, nl, z, scalarConst(nb, nl, f32, s)));
        }
        linalg::YieldOp::create(nb, nl, scalarCast(nb, nl, sample, type.getElementType()));
      });
  return generic.getResult(0);
}

} // namespace mlir::sinter::lowering

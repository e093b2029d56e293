// Lowers the sinter dialect to linalg/tensor/arith/math on tensors, and each entry function
// to the buffer ABI of the artifact (runtime/include/sinter/runtime/Abi.h): its arguments,
// the variables it uses and its results all become memref arguments.
#include "sinter/Compiler/Dialect/SinterDialect.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numbers>

using namespace mlir;
using namespace mlir::sinter;

namespace {

RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }
bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }
bool isBool(Type t) { return getElementTypeOrSelf(t).isInteger(1); }

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType t) {
  return tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
}

using ScalarBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A parallel linalg.generic over inputs of the result's shape.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
                  ScalarBody body) {
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{emptyTensor(b, loc, type)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
      });
  return op.getResult(0);
}

Value scalarConst(OpBuilder &b, Location loc, Type t, double v) {
  if (auto ft = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, static_cast<int64_t>(v)));
}

Value scalarCompare(OpBuilder &b, Location loc, StringRef dir, Value x, Value y) {
  if (isFloat(x.getType())) {
    auto pred = llvm::StringSwitch<arith::CmpFPredicate>(dir)
                    .Case("eq", arith::CmpFPredicate::OEQ)
                    .Case("ne", arith::CmpFPredicate::UNE)
                    .Case("lt", arith::CmpFPredicate::OLT)
                    .Case("le", arith::CmpFPredicate::OLE)
                    .Case("gt", arith::CmpFPredicate::OGT)
                    .Default(arith::CmpFPredicate::OGE);
    return arith::CmpFOp::create(b, loc, pred, x, y);
  }
  bool u = isBool(x.getType());
  auto pred = llvm::StringSwitch<arith::CmpIPredicate>(dir)
                  .Case("eq", arith::CmpIPredicate::eq)
                  .Case("ne", arith::CmpIPredicate::ne)
                  .Case("lt", u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
                  .Case("le", u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
                  .Case("gt", u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                  .Default(u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge);
  return arith::CmpIOp::create(b, loc, pred, x, y);
}

/// Elementwise dtype conversion with TensorFlow's semantics.
Value scalarCast(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1))
    return scalarCompare(b, loc, "ne", x, scalarConst(b, loc, from, 0));
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth() ? Value(arith::ExtFOp::create(b, loc, to, x))
                                             : Value(arith::TruncFOp::create(b, loc, to, x));
  if (fromF)
    return arith::FPToSIOp::create(b, loc, to, x);
  if (toF)
    return from.isInteger(1) ? Value(arith::UIToFPOp::create(b, loc, to, x))
                             : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return from.isInteger(1) ? Value(arith::ExtUIOp::create(b, loc, to, x))
                             : Value(arith::ExtSIOp::create(b, loc, to, x));
  return arith::TruncIOp::create(b, loc, to, x);
}

/// Any reshape between static shapes, as a view where possible (collapse to 1-D, expand).
Value reshapeTensor(OpBuilder &b, Location loc, Value x, RankedTensorType to) {
  auto from = tensorOf(x);
  if (from == to)
    return x;
  if (from.getRank() == 0 || to.getRank() == 0) {
    Value shape = arith::ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(RankedTensorType::get({to.getRank()}, b.getIndexType()),
                                  llvm::to_vector(llvm::map_range(to.getShape(), [](int64_t d) {
                                    return APInt(64, d);
                                  }))));
    return tensor::ReshapeOp::create(b, loc, to, x, shape);
  }
  auto all = [](int64_t rank) {
    ReassociationIndices r;
    for (int64_t i = 0; i < rank; ++i)
      r.push_back(i);
    return SmallVector<ReassociationIndices>{r};
  };
  Value flat = x;
  if (from.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, x, all(from.getRank()));
  if (to.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, to, flat, all(to.getRank()));
}

enum class ReduceKind { Sum, Max };

Value reduce(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, ReduceKind kind) {
  auto type = tensorOf(x);
  Type et = type.getElementType();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outDims;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    bool reduced = llvm::is_contained(axes, i);
    iters.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!reduced) {
      shape.push_back(type.getDimSize(i));
      outDims.push_back(b.getAffineDimExpr(i));
    }
  }
  auto outType = type.clone(shape);
  Value identity;
  if (kind == ReduceKind::Sum)
    identity = scalarConst(b, loc, et, 0);
  else if (auto ft = dyn_cast<FloatType>(et))
    identity = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/true)));
  else
    identity = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(et, APInt::getSignedMinValue(et.getIntOrFloatBitWidth())));
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{identity}, ValueRange{emptyTensor(b, loc, outType)})
          .getResult(0);
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(type.getRank()),
      AffineMap::get(type.getRank(), 0, outDims, b.getContext())};
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{x}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r;
        if (kind == ReduceKind::Sum)
          r = isFloat(et) ? Value(arith::AddFOp::create(nb, nl, args[0], args[1]))
                          : Value(arith::AddIOp::create(nb, nl, args[0], args[1]));
        else
          r = isFloat(et) ? Value(arith::MaximumFOp::create(nb, nl, args[0], args[1]))
                          : Value(arith::MaxSIOp::create(nb, nl, args[0], args[1]));
        linalg::YieldOp::create(nb, nl, r);
      });
  return op.getResult(0);
}

/// Philox-2x32 with 10 rounds: a counter-based generator, so element i of a random tensor is
/// a pure function of (seed, i) on every backend.
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
  Value r = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, scalarConst(b, loc, f32, -2.0), math::LogOp::create(b, loc, u1)));
  Value theta = arith::MulFOp::create(b, loc, scalarConst(b, loc, f32, 2 * std::numbers::pi), u2);
  return arith::MulFOp::create(b, loc, r, math::CosOp::create(b, loc, theta));
}

Value lowerRandom(OpBuilder &b, RandomOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  StringRef dist = op.getDistribution();
  uint64_t seed = static_cast<uint64_t>(op.getSeed());
  double a = op.getA().convertToDouble(), s = op.getB().convertToDouble();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{emptyTensor(b, loc, type)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange) {
        Type f32 = nb.getF32Type(), i64 = nb.getI64Type();
        // Row-major linear index of the element: the counter.
        Value index = arith::ConstantOp::create(nb, nl, nb.getIndexAttr(0));
        for (int64_t d = 0; d < rank; ++d) {
          Value size = arith::ConstantOp::create(nb, nl, nb.getIndexAttr(type.getDimSize(d)));
          index = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, index, size),
                                        linalg::IndexOp::create(nb, nl, d));
        }
        Value counter = arith::IndexCastOp::create(nb, nl, i64, index);
        Value sample;
        if (dist == "uniform") {
          auto [x, unused] = philox(nb, nl, counter, seed);
          (void)unused;
          Value u = arith::SubFOp::create(nb, nl, unitFloat(nb, nl, x), scalarConst(nb, nl, f32, 1.0 / 16777216.0));
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
                arith::MulIOp::create(nb, nl, counter,
                                      arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(tries))),
                arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(t)));
            auto [x, y] = philox(nb, nl, c, seed);
            Value candidate = boxMuller(nb, nl, unitFloat(nb, nl, x), unitFloat(nb, nl, y));
            if (!z) {
              z = dist == "normal"
                      ? candidate
                      : arith::MinimumFOp::create(
                            nb, nl, scalarConst(nb, nl, f32, 2.0),
                            arith::MaximumFOp::create(nb, nl, scalarConst(nb, nl, f32, -2.0), candidate));
              continue;
            }
            Value inside = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT,
                                                 math::AbsFOp::create(nb, nl, candidate),
                                                 scalarConst(nb, nl, f32, 2.0));
            z = arith::SelectOp::create(nb, nl, inside, candidate, z);
          }
          sample = arith::AddFOp::create(nb, nl, scalarConst(nb, nl, f32, a),
                                         arith::MulFOp::create(nb, nl, z, scalarConst(nb, nl, f32, s)));
        }
        linalg::YieldOp::create(nb, nl, scalarCast(nb, nl, sample, type.getElementType()));
      });
  return generic.getResult(0);
}

/// The indexing maps of a (batch) matmul whose operands may be stored transposed: the kernels
/// take the transposes as flags, so no transposed copy is made.
ArrayAttr matmulMaps(OpBuilder &b, bool batched, bool transA, bool transB) {
  unsigned n = batched ? 4 : 3; // dims: [batch,] m, n, k
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i + (batched ? 1 : 0)); };
  SmallVector<AffineExpr> lead;
  if (batched)
    lead.push_back(b.getAffineDimExpr(0));
  auto map = [&](AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> r(lead);
    r.append({x, y});
    return AffineMap::get(n, 0, r, b.getContext());
  };
  AffineExpr m = d(0), nn = d(1), k = d(2);
  return b.getAffineMapArrayAttr({transA ? map(k, m) : map(m, k), transB ? map(nn, k) : map(k, nn),
                                  map(m, nn)});
}

Value lowerMatmul(OpBuilder &b, MatmulOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  int64_t rank = type.getRank();
  Value zero = scalarConst(b, loc, type.getElementType(), 0);
  ArrayAttr maps = matmulMaps(b, rank > 2, op.getTransposeA(), op.getTransposeB());
  if (rank == 2) {
    Value init = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, type)})
                     .getResult(0);
    auto mm = linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{op.getLhs(), op.getRhs()},
                                       ValueRange{init});
    mm.setIndexingMapsAttr(maps);
    return mm.getResult(0);
  }
  // Batch dimensions collapse into one: the kernels take [batch, m, k] x [batch, k, n].
  int64_t batch = 1;
  for (int64_t dim : type.getShape().drop_back(2))
    batch *= dim;
  auto as3d = [&](Value x) {
    auto t = tensorOf(x);
    return rank == 3 ? x
                     : reshapeTensor(b, loc, x,
                                     t.clone({batch, t.getDimSize(rank - 2), t.getDimSize(rank - 1)}));
  };
  auto type3 = type.clone({batch, type.getDimSize(rank - 2), type.getDimSize(rank - 1)});
  Value init = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, type3)})
                   .getResult(0);
  auto mm = linalg::BatchMatmulOp::create(b, loc, TypeRange{type3},
                                          ValueRange{as3d(op.getLhs()), as3d(op.getRhs())},
                                          ValueRange{init});
  mm.setIndexingMapsAttr(maps);
  return reshapeTensor(b, loc, mm.getResult(0), type);
}

Value lowerBroadcast(OpBuilder &b, BroadcastInDimOp op) {
  Location loc = op.getLoc();
  auto in = op.getOperand().getType();
  auto out = op.getType();
  // Drop the size-1 dimensions that broadcast, then let linalg.broadcast add dimensions.
  SmallVector<int64_t> keptShape, keptDims;
  for (auto [i, d] : llvm::enumerate(op.getBroadcastDimensions())) {
    if (in.getDimSize(i) == out.getDimSize(d)) {
      keptShape.push_back(in.getDimSize(i));
      keptDims.push_back(d);
    }
  }
  Value squeezed = reshapeTensor(b, loc, op.getOperand(), in.clone(keptShape));
  SmallVector<int64_t> added;
  for (int64_t d = 0; d < out.getRank(); ++d)
    if (!llvm::is_contained(keptDims, d))
      added.push_back(d);
  if (added.empty())
    return squeezed;
  return linalg::BroadcastOp::create(b, loc, squeezed, emptyTensor(b, loc, out), added)
      .getResult()[0];
}

Value lowerElementwise(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  bool fl = isFloat(type);
  auto ew = [&](ScalarBody body) { return elementwise(b, loc, type, op->getOperands(), body); };
  using B = OpBuilder &;
  using L = Location;
  using V = ValueRange;
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](NegOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl)
            return arith::NegFOp::create(nb, nl, a[0]);
          return arith::SubIOp::create(nb, nl, scalarConst(nb, nl, a[0].getType(), 0), a[0]);
        });
      })
      .Case([&](ExpOp) { return ew([](B nb, L nl, V a) -> Value { return math::ExpOp::create(nb, nl, a[0]); }); })
      .Case([&](LogOp) { return ew([](B nb, L nl, V a) -> Value { return math::LogOp::create(nb, nl, a[0]); }); })
      .Case([&](SqrtOp) { return ew([](B nb, L nl, V a) -> Value { return math::SqrtOp::create(nb, nl, a[0]); }); })
      .Case([&](TanhOp) { return ew([](B nb, L nl, V a) -> Value { return math::TanhOp::create(nb, nl, a[0]); }); })
      .Case([&](SigmoidOp) {
        return ew([](B nb, L nl, V a) -> Value {
          Type t = a[0].getType();
          Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, a[0]));
          return arith::DivFOp::create(nb, nl, scalarConst(nb, nl, t, 1.0),
                                       arith::AddFOp::create(nb, nl, scalarConst(nb, nl, t, 1.0), e));
        });
      })
      .Case([&](ReluOp) {
        return ew([](B nb, L nl, V a) -> Value {
          return arith::MaximumFOp::create(nb, nl, a[0], scalarConst(nb, nl, a[0].getType(), 0));
        });
      })
      .Case([&](AbsOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl)
            return math::AbsFOp::create(nb, nl, a[0]);
          return math::AbsIOp::create(nb, nl, a[0]);
        });
      })
#define SINTER_BINARY(OP, FOP, IOP)                                                            \
  .Case([&](OP) {                                                                              \
    return ew([&](B nb, L nl, V a) -> Value {                                                  \
      if (fl)                                                                                  \
        return FOP::create(nb, nl, a[0], a[1]);                                                \
      return IOP::create(nb, nl, a[0], a[1]);                                                  \
    });                                                                                        \
  })
      SINTER_BINARY(AddOp, arith::AddFOp, arith::AddIOp)
      SINTER_BINARY(SubOp, arith::SubFOp, arith::SubIOp)
      SINTER_BINARY(MulOp, arith::MulFOp, arith::MulIOp)
      SINTER_BINARY(DivOp, arith::DivFOp, arith::DivSIOp)
      SINTER_BINARY(MaximumOp, arith::MaximumFOp, arith::MaxSIOp)
      SINTER_BINARY(MinimumOp, arith::MinimumFOp, arith::MinSIOp)
#undef SINTER_BINARY
      .Case([&](PowOp) {
        return ew([](B nb, L nl, V a) -> Value { return math::PowFOp::create(nb, nl, a[0], a[1]); });
      })
      .Case([&](CompareOp c) {
        StringRef dir = c.getDirection();
        return ew([&](B nb, L nl, V a) -> Value { return scalarCompare(nb, nl, dir, a[0], a[1]); });
      })
      .Case([&](SelectOp) {
        return ew([](B nb, L nl, V a) -> Value { return arith::SelectOp::create(nb, nl, a[0], a[1], a[2]); });
      })
      .Case([&](CastOp) {
        Type to = type.getElementType();
        return ew([&](B nb, L nl, V a) -> Value { return scalarCast(nb, nl, a[0], to); });
      })
      .Default([](Operation *) { return Value(); });
}

/// Rewrites `func` (tensor arguments and results, sinter.read/assign) to the buffer ABI.
void lowerEntryBoundary(func::FuncOp func, ArrayRef<VariableOp> allVariables) {
  MLIRContext *ctx = func.getContext();
  Block &block = func.front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  auto memrefOf = [](Type t) {
    auto tt = cast<RankedTensorType>(t);
    return MemRefType::get(tt.getShape(), tt.getElementType());
  };
  OpBuilder b = OpBuilder::atBlockBegin(&block);
  Location loc = func.getLoc();
  unsigned numOldArgs = block.getNumArguments();

  for (unsigned i = 0; i < numOldArgs; ++i) {
    BlockArgument old = block.getArgument(i);
    Value buffer = block.addArgument(memrefOf(old.getType()), old.getLoc());
    Value t = bufferization::ToTensorOp::create(b, loc, old.getType(), buffer, b.getUnitAttr());
    old.replaceAllUsesWith(t);
  }

  // Updates are written one after the other into the variables' buffers, and a read is a view
  // of its buffer: an update whose value is (a reshape of) another updated variable's read would
  // see that variable's new value. Such values get a buffer of their own first.
  llvm::StringSet<> assigned;
  func.walk([&](AssignOp a) { assigned.insert(a.getVariable()); });
  func.walk([&](AssignOp a) {
    Value v = a.getValue();
    while (auto reshape = v.getDefiningOp<ReshapeOp>())
      v = reshape.getOperand();
    auto read = v.getDefiningOp<ReadOp>();
    if (!read || read.getVariable() == a.getVariable() || !assigned.contains(read.getVariable()))
      return;
    OpBuilder cb(a);
    Value copy = bufferization::AllocTensorOp::create(
        cb, a.getLoc(), cast<RankedTensorType>(a.getValue().getType()), ValueRange{}, a.getValue());
    a.getValueMutable().assign(copy);
  });

  // Variables this entry touches, in module order; each read becomes a view of its buffer.
  SmallVector<Attribute> used;
  SmallVector<std::pair<Value, Value>> writes; // (value, destination buffer)
  for (VariableOp var : allVariables) {
    SmallVector<ReadOp> reads;
    SmallVector<AssignOp> assigns;
    func.walk([&](ReadOp r) { if (r.getVariable() == var.getSymName()) reads.push_back(r); });
    func.walk([&](AssignOp a) { if (a.getVariable() == var.getSymName()) assigns.push_back(a); });
    if (reads.empty() && assigns.empty())
      continue;
    used.push_back(FlatSymbolRefAttr::get(ctx, var.getSymName()));
    Value buffer = block.addArgument(memrefOf(var.getType()), var.getLoc());
    if (!reads.empty()) {
      b.setInsertionPointToStart(&block); // (the previous insertion point may be an erased read)
      Value t = bufferization::ToTensorOp::create(b, loc, var.getType(), buffer, b.getUnitAttr());
      for (ReadOp r : reads) {
        r.replaceAllUsesWith(t);
        r.erase();
      }
    }
    for (AssignOp a : assigns) {
      writes.emplace_back(a.getValue(), buffer);
      a.erase();
    }
  }

  // Results first, then the variable updates: every value is computed before any write.
  b.setInsertionPoint(ret);
  for (Value r : ret.getOperands()) {
    Value buffer = block.addArgument(memrefOf(r.getType()), loc);
    bufferization::MaterializeInDestinationOp::create(b, loc, Type(), r, buffer, true, true);
  }
  for (auto [value, buffer] : writes)
    bufferization::MaterializeInDestinationOp::create(b, loc, Type(), value, buffer, true, true);
  func::ReturnOp::create(b, loc);
  ret.erase();
  block.eraseArguments(0, numOldArgs);
  func.removeArgAttrsAttr();
  func.removeResAttrsAttr();
  func.setFunctionType(FunctionType::get(ctx, block.getArgumentTypes(), {}));
  func->setAttr("sinter.variables", ArrayAttr::get(ctx, used));
}

struct SinterToLinalgPass : PassWrapper<SinterToLinalgPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SinterToLinalgPass)
  StringRef getArgument() const override { return "sinter-to-linalg"; }
  StringRef getDescription() const override {
    return "Lower sinter ops to linalg on tensors and entry functions to the buffer ABI";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, bufferization::BufferizationDialect,
                    linalg::LinalgDialect, math::MathDialect, memref::MemRefDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<VariableOp> variables(module.getOps<VariableOp>());
    for (func::FuncOp func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      lowerEntryBoundary(func, variables);
      if (failed(lowerBody(func)))
        return signalPassFailure();
    }
    for (VariableOp v : variables)
      v.erase();
  }

  LogicalResult lowerBody(func::FuncOp func) {
    OpBuilder b(func.getContext());
    WalkResult result = func.walk([&](Operation *op) {
      if (op->getDialect() == nullptr || !isa<SinterDialect>(op->getDialect()))
        return WalkResult::advance();
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      Value r = llvm::TypeSwitch<Operation *, Value>(op)
                    .Case([&](ConstantOp c) -> Value {
                      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(c.getValue()));
                    })
                    .Case([&](RandomOp r) { return lowerRandom(b, r); })
                    .Case([&](MatmulOp m) { return lowerMatmul(b, m); })
                    .Case([&](ReduceSumOp r) {
                      return reshapeTensor(b, loc, reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Sum), r.getType());
                    })
                    .Case([&](ReduceMaxOp r) {
                      return reshapeTensor(b, loc, reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Max), r.getType());
                    })
                    .Case([&](ReduceMeanOp r) {
                      double n = 1;
                      for (int64_t a : r.getAxes())
                        n *= r.getOperand().getType().getDimSize(a);
                      Value sum = reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Sum);
                      auto st = tensorOf(sum);
                      Value mean = elementwise(b, loc, st, ValueRange{sum}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                        return arith::MulFOp::create(nb, nl, a[0], scalarConst(nb, nl, st.getElementType(), 1.0 / n));
                      });
                      return reshapeTensor(b, loc, mean, r.getType());
                    })
                    .Case([&](ReshapeOp r) { return reshapeTensor(b, loc, r.getOperand(), r.getType()); })
                    .Case([&](TransposeOp t) -> Value {
                      return linalg::TransposeOp::create(b, loc, t.getOperand(),
                                                         emptyTensor(b, loc, t.getType()), t.getPermutation())
                          .getResult()[0];
                    })
                    .Case([&](BroadcastInDimOp bc) { return lowerBroadcast(b, bc); })
                    .Default([&](Operation *o) { return lowerElementwise(b, o); });
      if (!r) {
        op->emitError("sinter-to-linalg: cannot lower '")
            << op->getName() << "' (composites are decomposed and sinter.grad expanded earlier)";
        return WalkResult::interrupt();
      }
      op->getResult(0).replaceAllUsesWith(r);
      op->erase();
      return WalkResult::skip();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createSinterToLinalgPass() {
  return std::make_unique<SinterToLinalgPass>();
}

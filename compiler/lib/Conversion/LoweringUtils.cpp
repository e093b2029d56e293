// Building blocks shared by the sinter → linalg lowerings.
#include "LoweringUtils.h"

namespace mlir::sinter::lowering {

ArrayAttr matmulMaps(OpBuilder &b, bool batched, bool transA, bool transB, bool reductionInMiddle) {
  unsigned n = batched ? 4 : 3;
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i + (batched ? 1 : 0)); };
  SmallVector<AffineExpr> lead;
  if (batched)
    lead.push_back(b.getAffineDimExpr(0));
  auto map = [&](AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> r(lead);
    r.append({x, y});
    return AffineMap::get(n, 0, r, b.getContext());
  };
  AffineExpr m = d(0), nn = d(reductionInMiddle ? 2 : 1), k = d(reductionInMiddle ? 1 : 2);
  return b.getAffineMapArrayAttr(
      {transA ? map(k, m) : map(m, k), transB ? map(nn, k) : map(k, nn), map(m, nn)});
}

Value batchSize(OpBuilder &b) {
  Operation *parent = b.getInsertionBlock()->getParentOp();
  auto func = dyn_cast<func::FuncOp>(parent);
  if (!func)
    func = parent->getParentOfType<func::FuncOp>();
  // The batch size is the entry's first argument (lowerEntryBoundary). Every `?` comes from a
  // batched entry argument (the frontend and the shape rules allow no
  // other source), so an entry with one has the batch argument.
  if (!func || !func->hasAttr(kBatchAttr))
    llvm::report_fatal_error("sinter-to-linalg: a batch-sized value outside a batched entry");
  return func.getArgument(0);
}

SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, RankedTensorType t) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : t.getShape())
    sizes.push_back(ShapedType::isDynamic(d) ? OpFoldResult(batchSize(b)) : b.getIndexAttr(d));
  return sizes;
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType t, ValueRange dynamicSizes) {
  if (dynamicSizes.empty() && !t.hasStaticShape())
    return tensor::EmptyOp::create(b, loc, mixedSizes(b, t), t.getElementType());
  return tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType(), dynamicSizes);
}

KernelCall::KernelCall(OpBuilder &b, Location loc, std::optional<int32_t> kind,
                       TypeRange resultTypes)
    : b_(b), loc_(loc) {
  for (Type type : resultTypes) {
    auto t = cast<RankedTensorType>(type);
    SmallVector<Value> dynamic;
    if (t.getRank() > 0 && t.isDynamicDim(0))
      dynamic.push_back(batchSize(b));
    results_.push_back(memref::AllocOp::create(b, loc,
                                               MemRefType::get(t.getShape(), t.getElementType()),
                                               dynamic, b.getI64IntegerAttr(64)));
  }
  if (kind)
    push(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(*kind)));
}

Value KernelCall::buffer(Value tensor) {
  auto t = tensorOf(tensor);
  return bufferization::ToBufferOp::create(
      b_, loc_, MemRefType::get(t.getShape(), t.getElementType()), tensor, /*read_only=*/true);
}

void KernelCall::address(Value buffer) { push(bufferAddress(b_, loc_, buffer)); }
void KernelCall::addressesOf(Operation *op) {
  for (Value operand : op->getOperands())
    address(buffer(operand));
  for (Value result : results_)
    address(result);
}

void KernelCall::size(int64_t v) {
  push(arith::ConstantOp::create(b_, loc_, b_.getI64IntegerAttr(v)));
}
void KernelCall::scalar(float v) {
  push(arith::ConstantOp::create(b_, loc_, b_.getF32FloatAttr(v)));
}

void KernelCall::batch(RankedTensorType image) {
  if (image.isDynamicDim(0))
    push(arith::IndexCastOp::create(b_, loc_, b_.getI64Type(), batchSize(b_)));
  else
    size(image.getDimSize(0));
}

SmallVector<Value> KernelCall::call(StringRef kernel) {
  declareKernel(b_, kernel, types_);
  func::CallOp::create(b_, loc_, kernel, TypeRange{}, args_);
  return tensors();
}

Value KernelCall::callReturning(StringRef kernel, Type type) {
  declareKernel(b_, kernel, types_, type);
  return func::CallOp::create(b_, loc_, kernel, TypeRange{type}, args_).getResult(0);
}

SmallVector<Value> KernelCall::tensors() {
  SmallVector<Value> tensors;
  for (Value buffer : results_) {
    auto m = cast<MemRefType>(buffer.getType());
    tensors.push_back(bufferization::ToTensorOp::create(
        b_, loc_, RankedTensorType::get(m.getShape(), m.getElementType()), buffer,
        /*restrict=*/true, /*writable=*/true));
  }
  return tensors;
}

Value replaceResults(Operation *op, ArrayRef<Value> results) {
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    op->getResult(i).replaceAllUsesWith(results[i]);
  return results[0];
}

void KernelCall::push(Value v) {
  args_.push_back(v);
  types_.push_back(v.getType());
}

Value bufferAddress(OpBuilder &b, Location loc, Value buffer) {
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

void declareKernel(OpBuilder &b, StringRef name, TypeRange args, TypeRange results) {
  Operation *op = b.getInsertionBlock()->getParentOp();
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  if (module.lookupSymbol(name))
    return;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  func::FuncOp::create(b, module.getLoc(), name, b.getFunctionType(args, results)).setPrivate();
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

Value placeInto(OpBuilder &b, Location loc, Value x, RankedTensorType type, Value value,
                ArrayRef<int64_t> offsets, ArrayRef<int64_t> strides) {
  Value filled =
      linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{emptyTensor(b, loc, type)})
          .getResult(0);
  return tensor::InsertSliceOp::create(b, loc, x, filled, indexAttrs(b, offsets),
                                       mixedSizes(b, tensorOf(x)), indexAttrs(b, strides));
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getIndexAttr(v));
}

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

Value scalarCompare(OpBuilder &b, Location loc, StringRef dir, Value x, Value y, bool isUnsigned) {
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
  bool u = isUnsigned || isBool(x.getType());
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
Value scalarCast(OpBuilder &b, Location loc, Value x, Type to, bool fromUnsigned, bool toUnsigned) {
  Type from = x.getType();
  fromUnsigned |= from.isInteger(1);
  if (from == to)
    return x;
  if (to.isInteger(1))
    return scalarCompare(b, loc, "ne", x, scalarConst(b, loc, from, 0));
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth() ? Value(arith::ExtFOp::create(b, loc, to, x))
                                             : Value(arith::TruncFOp::create(b, loc, to, x));
  if (fromF)
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, x))
                      : Value(arith::FPToSIOp::create(b, loc, to, x));
  if (toF)
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, x))
                        : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, x))
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
                                  llvm::to_vector(llvm::map_range(
                                      to.getShape(), [](int64_t d) { return APInt(64, d); }))));
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
  if (!to.hasStaticShape())
    return tensor::ExpandShapeOp::create(b, loc, to, flat, all(to.getRank()), mixedSizes(b, to));
  return tensor::ExpandShapeOp::create(b, loc, to, flat, all(to.getRank()));
}

Value reduce(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, ReduceKind kind,
             bool isUnsigned) {
  auto type = tensorOf(x);
  // Reducing over no axis is the identity. As a generic it would have parallel loops only and
  // a body that reads its output: elementwise fusion would take it for an elementwise op and
  // fuse it into a consumer's loop, where the read-modify-write becomes a running sum.
  if (llvm::none_of(axes, [&](int64_t a) { return a >= 0 && a < type.getRank(); }))
    return x;
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
  auto ft = dyn_cast<FloatType>(et);
  switch (kind) {
  case ReduceKind::Sum:
    identity = scalarConst(b, loc, et, 0);
    break;
  case ReduceKind::Prod:
    identity = scalarConst(b, loc, et, 1);
    break;
  case ReduceKind::Max:
  case ReduceKind::Min: {
    bool negative = kind == ReduceKind::Max;
    if (ft)
      identity = arith::ConstantOp::create(
          b, loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), negative)));
    else {
      unsigned w = et.getIntOrFloatBitWidth();
      APInt v = isUnsigned ? (negative ? APInt::getMinValue(w) : APInt::getMaxValue(w))
                           : (negative ? APInt::getSignedMinValue(w) : APInt::getSignedMaxValue(w));
      identity = arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
    }
    break;
  }
  }
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{identity}, ValueRange{emptyTensor(b, loc, outType)})
          .getResult(0);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(type.getRank()),
                              AffineMap::get(type.getRank(), 0, outDims, b.getContext())};
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{x}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        // Reassociation lets LLVM vectorize the reduction (partial sums per lane), as every
        // deep-learning framework's reductions do.
        auto fm = arith::FastMathFlagsAttr::get(nb.getContext(), arith::FastMathFlags::reassoc);
        Value r;
        bool f = isFloat(et);
        switch (kind) {
        case ReduceKind::Sum:
          r = f ? Value(arith::AddFOp::create(nb, nl, args[0], args[1], fm))
                : Value(arith::AddIOp::create(nb, nl, args[0], args[1]));
          break;
        case ReduceKind::Prod:
          r = f ? Value(arith::MulFOp::create(nb, nl, args[0], args[1], fm))
                : Value(arith::MulIOp::create(nb, nl, args[0], args[1]));
          break;
        case ReduceKind::Max:
          r = f            ? Value(arith::MaximumFOp::create(nb, nl, args[0], args[1], fm))
              : isUnsigned ? Value(arith::MaxUIOp::create(nb, nl, args[0], args[1]))
                           : Value(arith::MaxSIOp::create(nb, nl, args[0], args[1]));
          break;
        case ReduceKind::Min:
          r = f            ? Value(arith::MinimumFOp::create(nb, nl, args[0], args[1], fm))
              : isUnsigned ? Value(arith::MinUIOp::create(nb, nl, args[0], args[1]))
                           : Value(arith::MinSIOp::create(nb, nl, args[0], args[1]));
          break;
        }
        linalg::YieldOp::create(nb, nl, r);
      });
  return op.getResult(0);
}

/// Philox-2x32 with 10 rounds: a counter-based generator, so element i of a random tensor is
/// a pure function of (seed, i) on every backend.
namespace {
bool isUnsignedInt(Type t) {
  auto i = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  return i && i.isUnsigned();
}
Type signless(Type t) {
  auto st = dyn_cast<ShapedType>(t);
  Type et = getElementTypeOrSelf(t);
  if (!isUnsignedInt(et))
    return t;
  Type s = IntegerType::get(t.getContext(), et.getIntOrFloatBitWidth());
  return st ? Type(st.clone(s)) : s;
}
} // namespace

void eraseSignedness(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  func.walk([&](Operation *op) {
    if (llvm::any_of(op->getOperandTypes(), isUnsignedInt))
      op->setAttr(kUnsignedAttr, UnitAttr::get(ctx));
    if (llvm::any_of(op->getResultTypes(), isUnsignedInt))
      op->setAttr(kUnsignedResultAttr, UnitAttr::get(ctx));
  });
  func.walk([&](Operation *op) {
    for (Region &r : op->getRegions())
      for (Block &block : r)
        for (BlockArgument arg : block.getArguments())
          arg.setType(signless(arg.getType()));
    for (Value v : op->getResults())
      v.setType(signless(v.getType()));
    if (auto c = dyn_cast<ConstantOp>(op))
      if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
          dense && isUnsignedInt(dense.getType()))
        c->setAttr("value", dense.bitcast(IntegerType::get(
                                ctx, dense.getElementType().getIntOrFloatBitWidth())));
  });
  SmallVector<Type> inputs, results;
  for (Type t : func.getArgumentTypes())
    inputs.push_back(signless(t));
  for (Type t : func.getResultTypes())
    results.push_back(signless(t));
  func.setFunctionType(FunctionType::get(ctx, inputs, results));
}

} // namespace mlir::sinter::lowering

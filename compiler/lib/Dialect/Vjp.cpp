// Vector-Jacobian products of the differentiable sinter ops (DifferentiableOpInterface).
// Every rule emits sinter ops only, so its output can be differentiated again.
#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "sinter/Compiler/Dialect/SinterEmitter.h"

using namespace mlir;
using namespace mlir::sinter;

#define SINTER_VJP(OP) SmallVector<Value> OP::vjp(OpBuilder &b, ArrayRef<Value> grads)
#define SINTER_EMIT                                                                                \
  SinterEmitter e{b, getLoc()};                                                                    \
  Value g = grads[0]

SINTER_VJP(NegOp) {
  SINTER_EMIT;
  return {e.neg(g)};
}
SINTER_VJP(ExpOp) {
  SINTER_EMIT;
  return {e.mul(g, getResult())};
}
SINTER_VJP(LogOp) {
  SINTER_EMIT;
  return {e.div(g, getOperand())};
}
SINTER_VJP(SqrtOp) {
  SINTER_EMIT;
  return {e.div(e.mul(g, e.splat(g, 0.5)), getResult())};
}
SINTER_VJP(TanhOp) {
  SINTER_EMIT;
  Value y = getResult();
  return {e.mul(g, e.sub(e.splat(y, 1.0), e.mul(y, y)))};
}
SINTER_VJP(SigmoidOp) {
  SINTER_EMIT;
  Value y = getResult();
  return {e.mul(g, e.mul(y, e.sub(e.splat(y, 1.0), y)))};
}
SINTER_VJP(ReluOp) {
  SINTER_EMIT;
  Value x = getOperand();
  return {e.select(e.cmp("gt", x, e.splat(x, 0.0)), g, e.splat(g, 0.0))};
}
SINTER_VJP(AbsOp) {
  SINTER_EMIT;
  Value x = getOperand(), zero = e.splat(x, 0.0);
  return {
      e.select(e.cmp("gt", x, zero), g, e.select(e.cmp("lt", x, zero), e.neg(g), e.splat(g, 0.0)))};
}

SINTER_VJP(AddOp) { return {grads[0], grads[0]}; }
SINTER_VJP(SubOp) {
  SINTER_EMIT;
  return {g, e.neg(g)};
}
SINTER_VJP(MulOp) {
  SINTER_EMIT;
  return {e.mul(g, getRhs()), e.mul(g, getLhs())};
}
SINTER_VJP(DivOp) {
  SINTER_EMIT;
  return {e.div(g, getRhs()), e.neg(e.div(e.mul(g, getResult()), getRhs()))};
}
SINTER_VJP(PowOp) {
  SINTER_EMIT;
  Value a = getLhs(), p = getRhs(), y = getResult();
  Value da = e.mul(g, e.mul(p, PowOp::create(b, getLoc(), a, e.sub(p, e.splat(p, 1.0)))));
  // d/dp a^p = log(a)·a^p, taken as 0 where a <= 0 (as TensorFlow does).
  Value positive = e.cmp("gt", a, e.splat(a, 0.0));
  Value safeLog = e.log(e.select(positive, a, e.splat(a, 1.0)));
  return {da, e.mul(g, e.mul(safeLog, y))};
}
SINTER_VJP(MaximumOp) {
  SINTER_EMIT;
  Value ties = e.cmp("eq", getLhs(), getRhs());
  return {e.tieSplit(g, e.cmp("gt", getLhs(), getRhs()), ties),
          e.tieSplit(g, e.cmp("lt", getLhs(), getRhs()), ties)};
}
SINTER_VJP(MinimumOp) {
  SINTER_EMIT;
  Value ties = e.cmp("eq", getLhs(), getRhs());
  return {e.tieSplit(g, e.cmp("lt", getLhs(), getRhs()), ties),
          e.tieSplit(g, e.cmp("gt", getLhs(), getRhs()), ties)};
}
SINTER_VJP(SelectOp) {
  SINTER_EMIT;
  Value zero = e.splat(g, 0.0);
  return {Value(), e.select(getCond(), g, zero), e.select(getCond(), zero, g)};
}
SINTER_VJP(CastOp) {
  if (!isa<FloatType>(getOperand().getType().getElementType()) ||
      !isa<FloatType>(getType().getElementType()))
    return {Value()};
  return {CastOp::create(b, getLoc(), getOperand().getType(), grads[0])};
}

SINTER_VJP(MatmulOp) {
  SINTER_EMIT;
  Value a = getLhs(), w = getRhs();
  bool ta = getTransposeA(), tb = getTransposeB();
  // C = op(A)·op(B): dop(A) = g·op(B)ᵀ and dop(B) = op(A)ᵀ·g, folded into transpose flags.
  Value da = ta ? e.matmul(w, g, tb, true) : e.matmul(g, w, false, !tb);
  Value dw = tb ? e.matmul(g, a, true, ta) : e.matmul(a, g, !ta, false);
  return {da, dw};
}

// The three convolution ops are bilinear and each one's VJP is made of the other two (and
// itself), so gradients of gradients through a convolution stay convolutions.
#define SINTER_CONV_ATTRS getStridesAttr(), getDilationsAttr(), getPaddingAttr(), getGroupsAttr()
SINTER_VJP(Conv2DOp) {
  Value g = grads[0];
  return {Conv2DBackpropInputOp::create(b, getLoc(), getLhs().getType(), g, getRhs(),
                                        SINTER_CONV_ATTRS),
          Conv2DBackpropFilterOp::create(b, getLoc(), getRhs().getType(), getLhs(), g,
                                         SINTER_CONV_ATTRS)};
}
SINTER_VJP(Conv2DBackpropInputOp) {
  Value gz = grads[0];
  return {Conv2DOp::create(b, getLoc(), gz, getRhs(), SINTER_CONV_ATTRS),
          Conv2DBackpropFilterOp::create(b, getLoc(), getRhs().getType(), gz, getLhs(),
                                         SINTER_CONV_ATTRS)};
}
SINTER_VJP(Conv2DBackpropFilterOp) {
  Value gw = grads[0];
  return {Conv2DBackpropInputOp::create(b, getLoc(), getLhs().getType(), getRhs(), gw,
                                        SINTER_CONV_ATTRS),
          Conv2DOp::create(b, getLoc(), getLhs(), gw, SINTER_CONV_ATTRS)};
}
#undef SINTER_CONV_ATTRS

// Pooling: the gradient ops are linear in the gradient, and each one's VJP is the other.
#define SINTER_POOL_ATTRS getWindowAttr(), getStridesAttr(), getPaddingAttr()
SINTER_VJP(MaxPool2DOp) {
  return {MaxPool2DGradOp::create(b, getLoc(), getOperand(), grads[0], SINTER_POOL_ATTRS)};
}
SINTER_VJP(MaxPool2DGradOp) {
  return {Value(),
          MaxPool2DSelectOp::create(b, getLoc(), getOperand(), grads[0], SINTER_POOL_ATTRS)};
}
SINTER_VJP(MaxPool2DSelectOp) {
  return {Value(), MaxPool2DGradOp::create(b, getLoc(), getOperand(), grads[0], SINTER_POOL_ATTRS)};
}
SINTER_VJP(AvgPool2DOp) {
  return {
      AvgPool2DGradOp::create(b, getLoc(), getOperand().getType(), grads[0], SINTER_POOL_ATTRS)};
}
SINTER_VJP(AvgPool2DGradOp) {
  return {AvgPool2DOp::create(b, getLoc(), grads[0], SINTER_POOL_ATTRS)};
}
#undef SINTER_POOL_ATTRS

/// The VJP of `op` through a formula of primitives: `expand` writes values standing for op's
/// results (null where no gradient is wanted) from its operands; `grads` flow back through
/// those ops (reverse mode over the new ops alone) to the operands.
static SmallVector<Value> vjpByExpansion(OpBuilder &b, Operation *op, ArrayRef<Value> grads,
                                         function_ref<SmallVector<Value>()> expand) {
  Block *block = b.getInsertionBlock();
  Block::iterator end = b.getInsertionPoint();
  Operation *before = end == block->begin() ? nullptr : &*std::prev(end);
  SmallVector<Value> results = expand();
  Block::iterator begin = before ? std::next(before->getIterator()) : block->begin();
  llvm::DenseSet<Value> active;
  for (Value v : op->getOperands())
    if (isFloatTensor(v))
      active.insert(v);
  SmallVector<Operation *> tape = activeOps(llvm::make_range(begin, end), active);
  llvm::DenseMap<Value, Value> adjoint;
  for (auto [r, g] : llvm::zip(results, grads))
    if (r && g)
      accumulateAdjoint(b, op->getLoc(), adjoint, r, g);
  // Every op of the formula is a primitive with a VJP, so this cannot fail.
  (void)backpropagate(b, op->getLoc(), tape, active, adjoint);
  SmallVector<Value> operandGrads;
  for (Value v : op->getOperands())
    operandGrads.push_back(adjoint.lookup(v));
  return operandGrads;
}

/// Whether `g` is a zero constant: the gradient backpropagate gives a result nothing reads.
static bool isZeroGradient(Value g) {
  auto c = g.getDefiningOp<ConstantOp>();
  auto splat = c ? dyn_cast<SplatElementsAttr>(c.getValue()) : nullptr;
  return splat && isa<FloatType>(splat.getElementType()) && splat.getSplatValue<APFloat>().isZero();
}

SINTER_VJP(BatchNormOp) {
  SINTER_EMIT;
  auto grad = BatchNormGradOp::create(b, getLoc(), getOperand(), getGamma(), getMean(),
                                      getVariance(), g, getEpsilonAttr());
  Value dx = grad.getResult();
  // The statistics are usually read only by the moving averages, which are not
  // differentiated; when a gradient does reach them, it flows through their definitions.
  if (!isZeroGradient(grads[1]) || !isZeroGradient(grads[2])) {
    double epsilon = getEpsilon().convertToDouble();
    SmallVector<Value> viaStatistics = vjpByExpansion(b, *this, grads, [&] {
      auto [y, mean, variance] = e.batchNorm(getOperand(), getGamma(), getBeta(), epsilon);
      return SmallVector<Value>{Value(), mean, variance};
    });
    if (viaStatistics[0])
      dx = e.add(dx, viaStatistics[0]);
  }
  return {dx, grad.getGammaGrad(), grad.getBetaGrad()};
}
SINTER_VJP(LstmOp) {
  auto grad = LstmGradOp::create(b, getLoc(), getOperand(), getH0(), getC0(), getKernel(),
                                 getRecurrentKernel(), getBias(), grads[0], grads[1], grads[2],
                                 getReverseAttr());
  return SmallVector<Value>(grad->getResults());
}
SINTER_VJP(GruOp) {
  auto grad = GruGradOp::create(b, getLoc(), getOperand(), getH0(), getKernel(),
                                getRecurrentKernel(), getBias(), grads[0], grads[1],
                                getLinearBeforeResetAttr(), getReverseAttr());
  return SmallVector<Value>(grad->getResults());
}
SINTER_VJP(BatchNormGradOp) {
  SinterEmitter e{b, getLoc()};
  double epsilon = getEpsilon().convertToDouble();
  return vjpByExpansion(b, *this, grads, [&] {
    auto [dx, dgamma, dbeta] =
        e.batchNormGrad(getOperand(), getGamma(), getMean(), getVariance(), getGrad(), epsilon);
    return SmallVector<Value>{dx, dgamma, dbeta};
  });
}

SINTER_VJP(ReduceSumOp) {
  SINTER_EMIT;
  return {e.expand(g, getOperand(), getAxes())};
}
SINTER_VJP(ReduceMeanOp) {
  SINTER_EMIT;
  auto in = getOperand().getType();
  if (llvm::none_of(getAxes(), [&](int64_t a) { return in.isDynamicDim(a); })) {
    double n = 1;
    for (int64_t a : getAxes())
      n *= in.getDimSize(a);
    return {e.expand(e.mul(g, e.splat(g, 1.0 / n)), getOperand(), getAxes())};
  }
  Value count = elementCount(b, getLoc(), getOperand(), getAxes(), getType().getElementType());
  auto gType = cast<RankedTensorType>(g.getType());
  if (gType.getRank() > 0)
    count = BroadcastInDimOp::create(b, getLoc(), gType, count, b.getDenseI64ArrayAttr({}));
  return {e.expand(e.div(g, count), getOperand(), getAxes())};
}
SINTER_VJP(DimSizeOp) { return {Value()}; }
SINTER_VJP(ReduceMaxOp) {
  SINTER_EMIT;
  Value x = getOperand();
  Value isMax = e.cmp("eq", x, e.expand(getResult(), x, getAxes()));
  Value ones = CastOp::create(b, getLoc(), getOperand().getType(), isMax);
  Value count = e.reduceSum(ones, getAxes(), getKeepdims());
  return {e.select(isMax, e.expand(e.div(g, count), x, getAxes()), e.splat(x, 0.0))};
}

SINTER_VJP(ReshapeOp) { return {ReshapeOp::create(b, getLoc(), getOperand().getType(), grads[0])}; }
SINTER_VJP(TransposeOp) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return {TransposeOp::create(b, getLoc(), grads[0], b.getDenseI64ArrayAttr(inverse))};
}
SINTER_VJP(BroadcastInDimOp) {
  SINTER_EMIT;
  auto in = getOperand().getType();
  ArrayRef<int64_t> dims = getBroadcastDimensions();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < getType().getRank(); ++d) {
    auto it = llvm::find(dims, d);
    if (it == dims.end() || in.getDimSize(it - dims.begin()) != getType().getDimSize(d))
      axes.push_back(d);
  }
  Value sum = axes.empty() ? g : e.reduceSum(g, axes, false);
  if (sum.getType() == in)
    return {sum};
  return {ReshapeOp::create(b, getLoc(), in, sum)};
}

SINTER_VJP(SoftmaxOp) {
  SINTER_EMIT;
  Value y = getResult();
  int64_t last = getType().getRank() - 1;
  Value dot = e.expand(e.reduceSum(e.mul(g, y), {last}, true), y, {last});
  return {e.mul(y, e.sub(g, dot))};
}
SINTER_VJP(SoftmaxCrossEntropyOp) {
  SINTER_EMIT;
  Value logits = getLogits();
  int64_t last = getLogits().getType().getRank() - 1;
  Value gb = e.expand(g, logits, {last});
  Value logProbs = e.logSoftmax(logits);
  Value probs = SoftmaxOp::create(b, getLoc(), logits);
  return {e.mul(gb, e.sub(probs, getLabels())), e.mul(gb, e.neg(logProbs))};
}

#undef SINTER_VJP
#undef SINTER_EMIT

//===----------------------------------------------------------------------===//
// The tensor language of chapters 4–5
//===----------------------------------------------------------------------===//

#define SINTER_VJP(OP) SmallVector<Value> OP::vjp(OpBuilder &b, ArrayRef<Value> grads)
#define SINTER_EMIT                                                                                \
  SinterEmitter e{b, getLoc()};                                                                    \
  Value g = grads[0]

SINTER_VJP(SinOp) {
  SINTER_EMIT;
  return {e.mul(g, CosOp::create(b, getLoc(), getOperand()))};
}
SINTER_VJP(CosOp) {
  SINTER_EMIT;
  return {e.neg(e.mul(g, SinOp::create(b, getLoc(), getOperand())))};
}
SINTER_VJP(TanOp) {
  SINTER_EMIT;
  Value y = getResult();
  return {e.mul(g, e.add(e.splat(y, 1.0), e.mul(y, y)))};
}
// Piecewise-constant functions: zero gradient almost everywhere (as TensorFlow).
SINTER_VJP(FloorOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0)};
}
SINTER_VJP(CeilOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0)};
}
SINTER_VJP(RoundOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0)};
}
// The sum over ranks is linear: each rank's x reaches every rank's result, so its adjoint
// is the same reduction of every rank's g.
SINTER_VJP(AllReduceOp) { return {AllReduceOp::create(b, getLoc(), grads[0], getReductionAttr())}; }
SINTER_VJP(StopGradientOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0)};
}
SINTER_VJP(SignOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0)};
}
SINTER_VJP(FloorDivOp) {
  SINTER_EMIT;
  return {e.splat(g, 0.0), e.splat(g, 0.0)};
}
SINTER_VJP(ModOp) {
  SINTER_EMIT;
  Value q = FloorOp::create(b, getLoc(), e.div(getLhs(), getRhs()));
  return {g, e.neg(e.mul(g, q))};
}

SINTER_VJP(ReduceMinOp) {
  SINTER_EMIT;
  Value x = getOperand();
  Value isMin = e.cmp("eq", x, e.expand(getResult(), x, getAxes()));
  Value ones = CastOp::create(b, getLoc(), getOperand().getType(), isMin);
  Value count = e.reduceSum(ones, getAxes(), getKeepdims());
  return {e.select(isMin, e.expand(e.div(g, count), x, getAxes()), e.splat(x, 0.0))};
}
SINTER_VJP(ReduceProdOp) {
  SINTER_EMIT;
  Value x = getOperand();
  return {e.div(e.expand(e.mul(g, getResult()), x, getAxes()), x)};
}

SINTER_VJP(TopKOp) {
  // dx[..., j] = Σ_i g[..., i]·(indices[..., i] == j): an [..., k, n] comparison, summed over k.
  SINTER_EMIT;
  auto x = getOperand().getType();
  int64_t rank = x.getRank(), n = x.getShape().back(), k = getK();
  SmallVector<int64_t> wide(x.getShape().drop_back());
  wide.append({k, n});
  auto wideType = x.clone(wide);
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i)
    dims.push_back(i);
  auto idxType = RankedTensorType::get(wide, b.getI32Type());
  Value idx =
      BroadcastInDimOp::create(b, getLoc(), idxType, getIndices(), b.getDenseI64ArrayAttr(dims));
  Value positions = IotaOp::create(b, getLoc(), idxType, b.getI64IntegerAttr(rank));
  Value gw = BroadcastInDimOp::create(b, getLoc(), wideType, g, b.getDenseI64ArrayAttr(dims));
  Value picked = e.select(e.cmp("eq", idx, positions), gw, e.splat(gw, 0.0));
  return {e.reduceSum(picked, {rank - 1}, false)};
}

SINTER_VJP(SliceOp) {
  SINTER_EMIT;
  auto in = getOperand().getType();
  SmallVector<int64_t> high, interior;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t n = getType().getDimSize(i), stride = getStrides()[i];
    if (ShapedType::isDynamic(n)) { // the batch dimension, taken whole
      high.push_back(0);
      interior.push_back(0);
      continue;
    }
    int64_t last = n == 0 ? getStartIndices()[i] : getStartIndices()[i] + (n - 1) * stride + 1;
    high.push_back(in.getDimSize(i) - last);
    interior.push_back(n == 0 ? 0 : stride - 1);
  }
  Value zero = splatConstant(b, getLoc(), RankedTensorType::get({}, in.getElementType()), 0.0);
  return {PadOp::create(b, getLoc(), g, zero, getStartIndicesAttr(), b.getDenseI64ArrayAttr(high),
                        b.getDenseI64ArrayAttr(interior))};
}
SINTER_VJP(ReverseOp) { return {ReverseOp::create(b, getLoc(), grads[0], getDimensionsAttr())}; }
SINTER_VJP(PadOp) {
  SINTER_EMIT;
  auto in = getOperand().getType();
  SmallVector<int64_t> limit, strides;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t size = getType().getDimSize(i); // dynamic: the batch dimension, never padded
    limit.push_back(ShapedType::isDynamic(size) ? size : size - getEdgePaddingHigh()[i]);
    strides.push_back(getInteriorPadding()[i] + 1);
  }
  Value inner = SliceOp::create(b, getLoc(), g, getEdgePaddingLowAttr(),
                                b.getDenseI64ArrayAttr(limit), b.getDenseI64ArrayAttr(strides));
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < in.getRank(); ++i)
    all.push_back(i);
  Value padded = e.sub(e.reduceSum(g, all, false), e.reduceSum(inner, all, false));
  return {inner, padded};
}
SINTER_VJP(ConcatenateOp) {
  auto out = getType();
  int64_t dim = getDimension(), offset = 0;
  SmallVector<Value> result;
  for (Value input : getInputs()) {
    auto t = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> start(out.getRank(), 0), limit(out.getShape()), strides(out.getRank(), 1);
    start[dim] = offset;
    limit[dim] = offset + t.getDimSize(dim);
    offset = limit[dim];
    result.push_back(SliceOp::create(b, getLoc(), grads[0], b.getDenseI64ArrayAttr(start),
                                     b.getDenseI64ArrayAttr(limit),
                                     b.getDenseI64ArrayAttr(strides)));
  }
  return result;
}
SINTER_VJP(GatherNdOp) {
  return {ScatterNdOp::create(b, getLoc(), getOperand().getType(), getIndices(), grads[0]),
          Value()};
}
SINTER_VJP(ScatterNdOp) {
  return {Value(), GatherNdOp::create(b, getLoc(), grads[0], getIndices())};
}

#undef SINTER_VJP
#undef SINTER_EMIT

//===----------------------------------------------------------------------===//
// The sweeps of reverse-mode differentiation (sinter-autodiff and the scan VJP)
//===----------------------------------------------------------------------===//

bool mlir::sinter::isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

SmallVector<Operation *> mlir::sinter::activeOps(llvm::iterator_range<Block::iterator> ops,
                                                 llvm::DenseSet<Value> &active) {
  SmallVector<Operation *> tape;
  for (Operation &op : ops) {
    if (llvm::none_of(op.getOperands(), [&](Value v) { return active.contains(v); }))
      continue;
    tape.push_back(&op);
    for (Value r : op.getResults())
      if (isFloatTensor(r))
        active.insert(r);
  }
  return tape;
}

void mlir::sinter::accumulateAdjoint(OpBuilder &b, Location loc,
                                     llvm::DenseMap<Value, Value> &adjoint, Value v, Value g) {
  auto [it, inserted] = adjoint.try_emplace(v, g);
  if (!inserted)
    it->second = AddOp::create(b, loc, it->second, g);
}

LogicalResult mlir::sinter::backpropagate(OpBuilder &b, Location loc, ArrayRef<Operation *> tape,
                                          const llvm::DenseSet<Value> &active,
                                          llvm::DenseMap<Value, Value> &adjoint) {
  for (Operation *op : llvm::reverse(tape)) {
    if (llvm::none_of(op->getResults(), [&](Value r) { return adjoint.contains(r); }))
      continue;
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitError("sinter.grad: no gradient is defined for '")
             << op->getName() << "' on the path from the differentiated values to the loss";
    SmallVector<Value> resultGrads;
    for (Value r : op->getResults()) {
      Value g = adjoint.lookup(r);
      resultGrads.push_back(g ? g
                              : splatConstant(b, loc, cast<RankedTensorType>(r.getType()), 0.0));
    }
    SmallVector<Value> operandGrads = diff.vjp(b, resultGrads);
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
      if (g && active.contains(operand))
        accumulateAdjoint(b, loc, adjoint, operand, g);
  }
  return success();
}

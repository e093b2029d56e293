// Vector-Jacobian products of the differentiable sinter ops (DifferentiableOpInterface).
// Every rule emits sinter ops only, so its output can be differentiated again.
#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "sinter/Compiler/Dialect/SinterEmitter.h"

using namespace mlir;
using namespace mlir::sinter;


#define SINTER_VJP(OP) SmallVector<Value> OP::vjp(OpBuilder &b, ArrayRef<Value> grads)
#define SINTER_EMIT SinterEmitter e{b, getLoc()}; Value g = grads[0]

SINTER_VJP(NegOp) { SINTER_EMIT; return {e.neg(g)}; }
SINTER_VJP(ExpOp) { SINTER_EMIT; return {e.mul(g, getResult())}; }
SINTER_VJP(LogOp) { SINTER_EMIT; return {e.div(g, getOperand())}; }
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
  return {e.select(e.cmp("gt", x, zero), g,
                   e.select(e.cmp("lt", x, zero), e.neg(g), e.splat(g, 0.0)))};
}

SINTER_VJP(AddOp) { return {grads[0], grads[0]}; }
SINTER_VJP(SubOp) { SINTER_EMIT; return {g, e.neg(g)}; }
SINTER_VJP(MulOp) { SINTER_EMIT; return {e.mul(g, getRhs()), e.mul(g, getLhs())}; }
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

SINTER_VJP(ReduceSumOp) {
  SINTER_EMIT;
  return {e.expand(g, getOperand(), getAxes())};
}
SINTER_VJP(ReduceMeanOp) {
  SINTER_EMIT;
  double n = 1;
  for (int64_t a : getAxes())
    n *= getOperand().getType().getDimSize(a);
  return {e.expand(e.mul(g, e.splat(g, 1.0 / n)), getOperand(), getAxes())};
}
SINTER_VJP(ReduceMaxOp) {
  SINTER_EMIT;
  Value x = getOperand();
  Value isMax = e.cmp("eq", x, e.expand(getResult(), x, getAxes()));
  Value ones = CastOp::create(b, getLoc(), getOperand().getType(), isMax);
  Value count = e.reduceSum(ones, getAxes(), getKeepdims());
  return {e.select(isMax, e.expand(e.div(g, count), x, getAxes()), e.splat(x, 0.0))};
}

SINTER_VJP(ReshapeOp) {
  return {ReshapeOp::create(b, getLoc(), getOperand().getType(), grads[0])};
}
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

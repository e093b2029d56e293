// Terse builders for sinter ops, used by the VJP rules and the composite decompositions.
#ifndef SINTER_COMPILER_DIALECT_SINTEREMITTER_H
#define SINTER_COMPILER_DIALECT_SINTEREMITTER_H

#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/IR/Builders.h"

#include <array>

namespace mlir::sinter {

struct SinterEmitter {
  OpBuilder &b;
  Location loc;

  static RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value log(Value x) { return LogOp::create(b, loc, x); }
  Value exp(Value x) { return ExpOp::create(b, loc, x); }
  Value sqrt(Value x) { return SqrtOp::create(b, loc, x); }
  Value splat(Value like, double v) { return splatConstant(b, loc, tensorOf(like), v); }
  Value cmp(StringRef dir, Value x, Value y) {
    return CompareOp::create(b, loc, b.getStringAttr(dir), x, y);
  }
  Value select(Value c, Value x, Value y) { return SelectOp::create(b, loc, c, x, y); }
  Value matmul(Value x, Value y, bool ta, bool tb) {
    return MatmulOp::create(b, loc, x, y, b.getBoolAttr(ta), b.getBoolAttr(tb));
  }
  Value reduceSum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceSumOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  }
  Value reduceMax(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceMaxOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  }
  Value reduceMean(Value x, ArrayRef<int64_t> axes) {
    return ReduceMeanOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(false));
  }
  /// `x` reduced over `axes` of `like` (with or without keepdims), broadcast back to it.
  Value expand(Value x, Value like, ArrayRef<int64_t> axes) {
    return broadcastReduced(b, loc, x, tensorOf(like), axes);
  }
  /// g where `wins`, g/2 where `ties`, 0 elsewhere: max/min ties split evenly.
  Value tieSplit(Value g, Value wins, Value ties) {
    return select(wins, g, select(ties, mul(g, splat(g, 0.5)), splat(g, 0.0)));
  }
  /// x − max(x), over the last axis (the stable shift of softmax).
  Value shiftByMax(Value x) {
    int64_t last = tensorOf(x).getRank() - 1;
    return sub(x, expand(reduceMax(x, {last}, true), x, {last}));
  }
  /// log_softmax over the last axis.
  Value logSoftmax(Value x) {
    int64_t last = tensorOf(x).getRank() - 1;
    Value shifted = shiftByMax(x);
    return sub(shifted, expand(log(reduceSum(exp(shifted), {last}, true)), x, {last}));
  }
  /// Every axis of `x` but the last: those batch normalisation reduces.
  static SmallVector<int64_t> allButLast(Value x) {
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i + 1 < tensorOf(x).getRank(); ++i)
      axes.push_back(i);
    return axes;
  }
  /// sinter.batch_norm as primitives: {y, mean, variance}.
  std::array<Value, 3> batchNorm(Value x, Value gamma, Value beta, double epsilon) {
    SmallVector<int64_t> axes = allButLast(x);
    Value mean = reduceMean(x, axes);
    Value centered = sub(x, expand(mean, x, axes));
    Value variance = reduceMean(mul(centered, centered), axes);
    Value stddev = sqrt(add(variance, splat(variance, epsilon)));
    Value y = div(centered, expand(stddev, x, axes));
    return {add(mul(y, expand(gamma, x, axes)), expand(beta, x, axes)), mean, variance};
  }
  /// sinter.batch_norm_grad as primitives: {dx, dgamma, dbeta}.
  std::array<Value, 3> batchNormGrad(Value x, Value gamma, Value mean, Value variance, Value g,
                                     double epsilon) {
    SmallVector<int64_t> axes = allButLast(x);
    Value invStd = div(splat(variance, 1.0), sqrt(add(variance, splat(variance, epsilon))));
    Value normalized = mul(sub(x, expand(mean, x, axes)), expand(invStd, x, axes));
    Value gNormalized = mul(g, normalized);
    Value centeredG = sub(g, expand(reduceMean(g, axes), x, axes));
    Value dx = mul(expand(mul(gamma, invStd), x, axes),
                   sub(centeredG, mul(normalized, expand(reduceMean(gNormalized, axes), x, axes))));
    return {dx, reduceSum(gNormalized, axes, false), reduceSum(g, axes, false)};
  }
  /// softmax over the last axis.
  Value softmax(Value x) {
    int64_t last = tensorOf(x).getRank() - 1;
    Value e = exp(shiftByMax(x));
    return div(e, expand(reduceSum(e, {last}, true), x, {last}));
  }
};

} // namespace mlir::sinter

#endif

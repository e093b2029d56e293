// Terse builders for sinter ops, used by the VJP rules and the composite decompositions.
#ifndef SINTER_COMPILER_DIALECT_SINTEREMITTER_H
#define SINTER_COMPILER_DIALECT_SINTEREMITTER_H

#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/IR/Builders.h"

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
  /// softmax over the last axis.
  Value softmax(Value x) {
    int64_t last = tensorOf(x).getRank() - 1;
    Value e = exp(shiftByMax(x));
    return div(e, expand(reduceSum(e, {last}, true), x, {last}));
  }
};

} // namespace mlir::sinter

#endif

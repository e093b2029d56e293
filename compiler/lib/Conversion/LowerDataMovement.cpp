// Lowerings of the ops that move data by index (chapters 4–5 of the book): iota, slice,
// reverse, pad, concatenate, gather_nd, scatter_nd, where, top_k, argmax/argmin.
#include "LoweringUtils.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mlir::sinter::lowering {

namespace {

Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// `v` clamped to [0, size − 1].
Value clampIndex(OpBuilder &b, Location loc, Value v, Value size) {
  Value lo = indexConst(b, loc, 0);
  Value hi = arith::MaxSIOp::create(b, loc,
                                    arith::SubIOp::create(b, loc, size, indexConst(b, loc, 1)), lo);
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, v, lo), hi);
}

Value lowerIota(OpBuilder &b, IotaOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  int64_t dim = op.getDimension();
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{emptyTensor(b, loc, type)}, maps,
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               Value i = arith::IndexCastOp::create(nb, nl, nb.getI64Type(),
                                                    linalg::IndexOp::create(nb, nl, dim));
               linalg::YieldOp::create(nb, nl, scalarCast(nb, nl, i, type.getElementType()));
             })
      .getResult(0);
}

Value lowerReverse(OpBuilder &b, ReverseOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    AffineExpr d = b.getAffineDimExpr(i);
    exprs.push_back(llvm::is_contained(op.getDimensions(), i)
                        ? b.getAffineConstantExpr(type.getDimSize(i) - 1) - d
                        : d);
  }
  SmallVector<AffineMap> maps{AffineMap::get(type.getRank(), 0, exprs, b.getContext()),
                              b.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(b, loc, TypeRange{type}, ValueRange{op.getOperand()},
                                   ValueRange{emptyTensor(b, loc, type)}, maps, iters,
                                   [](OpBuilder &nb, Location nl, ValueRange args) {
                                     linalg::YieldOp::create(nb, nl, args[0]);
                                   })
      .getResult(0);
}

Value lowerPad(OpBuilder &b, PadOp op) {
  Location loc = op.getLoc();
  Value value = tensor::ExtractOp::create(b, loc, op.getPaddingValue(), ValueRange{});
  SmallVector<int64_t> strides;
  for (int64_t p : op.getInteriorPadding())
    strides.push_back(p + 1);
  return placeInto(b, loc, op.getOperand(), op.getType(), value, op.getEdgePaddingLow(), strides);
}

Value lowerConcatenate(OpBuilder &b, ConcatenateOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  Value result = emptyTensor(b, loc, type);
  int64_t offset = 0, dim = op.getDimension();
  for (Value input : op.getInputs()) {
    auto t = tensorOf(input);
    SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
    offsets[dim] = offset;
    offset += t.getDimSize(dim);
    result = tensor::InsertSliceOp::create(b, loc, input, result, indexAttrs(b, offsets),
                                           mixedSizes(b, t), indexAttrs(b, strides));
  }
  return result;
}

Value lowerGatherNd(OpBuilder &b, GatherNdOp op) {
  Location loc = op.getLoc();
  checkIndices(b, loc, op.getIndices(), op.getOperand().getType().getShape(), "gather_nd");
  auto type = op.getType();
  auto src = op.getOperand().getType();
  Value indices = op.getIndices();
  auto idxType = tensorOf(indices);
  int64_t batchRank = idxType.getRank() - 1, k = idxType.getShape().back();
  SmallVector<Value> dynamicSizes, sizes;
  if (type.getRank() > 0 && type.isDynamicDim(0))
    dynamicSizes.push_back(tensor::DimOp::create(b, loc, indices, 0));
  for (int64_t j = 0; j < k; ++j)
    sizes.push_back(dimSize(b, loc, src.getDimSize(j)));
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{},
             ValueRange{emptyTensor(b, loc, type, dynamicSizes)}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> batch, position;
               for (int64_t i = 0; i < batchRank; ++i)
                 batch.push_back(linalg::IndexOp::create(nb, nl, i));
               for (int64_t j = 0; j < k; ++j) {
                 SmallVector<Value> at(batch);
                 at.push_back(indexConst(nb, nl, j));
                 Value raw = tensor::ExtractOp::create(nb, nl, indices, at);
                 position.push_back(clampIndex(nb, nl, toIndex(nb, nl, raw), sizes[j]));
               }
               for (int64_t i = batchRank; i < type.getRank(); ++i)
                 position.push_back(linalg::IndexOp::create(nb, nl, i));
               linalg::YieldOp::create(
                   nb, nl,
                   tensor::ExtractOp::create(nb, nl, op.getOperand(), position).getResult());
             })
      .getResult(0);
}

/// A loop nest of scf.for over [0, n) carrying `init`; `body(i, carried)` returns the new values.
SmallVector<Value>
forLoop(OpBuilder &b, Location loc, Value n, ValueRange init,
        function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(b, loc, indexConst(b, loc, 0), n, indexConst(b, loc, 1), init,
                                 [&](OpBuilder &nb, Location nl, Value i, ValueRange carried) {
                                   scf::YieldOp::create(nb, nl, body(nb, nl, i, carried));
                                 });
  return SmallVector<Value>(loop.getResults());
}

/// scf.if with results: `then`/`otherwise` return the values of their branch.
SmallVector<Value> ifThenElse(OpBuilder &b, Location loc, Value cond, TypeRange types,
                              function_ref<SmallVector<Value>(OpBuilder &, Location)> then,
                              function_ref<SmallVector<Value>(OpBuilder &, Location)> otherwise) {
  auto op = scf::IfOp::create(b, loc, types, cond, /*withElseRegion=*/true);
  {
    OpBuilder tb = op.getThenBodyBuilder();
    scf::YieldOp::create(tb, loc, then(tb, loc));
  }
  {
    OpBuilder eb = op.getElseBodyBuilder();
    scf::YieldOp::create(eb, loc, otherwise(eb, loc));
  }
  return SmallVector<Value>(op.getResults());
}

/// `v` [d0 … d(n−1), rest…] as a matrix [d0·…·d(n−1), Π rest] (one column when there is no
/// rest); the leading dimensions may include the batch dimension.
Value asMatrix(OpBuilder &b, Location loc, Value v, int64_t n) {
  auto t = tensorOf(v);
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < n; ++i)
    groups[0].push_back(i);
  if (t.getRank() > n) {
    groups.emplace_back();
    for (int64_t i = n; i < t.getRank(); ++i)
      groups[1].push_back(i);
  }
  Value rows = tensor::CollapseShapeOp::create(b, loc, v, groups);
  if (t.getRank() > n)
    return rows;
  auto rowsType = tensorOf(rows);
  OpFoldResult count = rowsType.isDynamicDim(0)
                           ? OpFoldResult(tensor::DimOp::create(b, loc, rows, 0).getResult())
                           : OpFoldResult(b.getIndexAttr(rowsType.getDimSize(0)));
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({rowsType.getDimSize(0), 1}, t.getElementType()), rows,
      SmallVector<ReassociationIndices>{{0, 1}},
      SmallVector<OpFoldResult>{count, b.getIndexAttr(1)});
}

Value lowerScatterNd(OpBuilder &b, ScatterNdOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  auto idxType = op.getIndices().getType();
  if (!type.hasStaticShape()) {
    op.emitError("sinter.scatter_nd (the gradient of gather_nd): the result ")
        << type << " needs a static shape (only the indices and updates may be batch-sized)";
    return Value();
  }
  checkIndices(b, loc, op.getIndices(), type.getShape(), "scatter_nd");
  int64_t k = idxType.getShape().back(), lead = idxType.getRank() - 1;
  int64_t slice = 1, positions = 1;
  for (int64_t d : type.getShape().drop_front(k))
    slice *= d;
  for (int64_t d : type.getShape().take_front(k))
    positions *= d;
  Value indices = lead > 0 ? asMatrix(b, loc, op.getIndices(), lead)
                           : reshapeTensor(b, loc, op.getIndices(), idxType.clone({1, k}));
  Value updates = lead > 0 ? asMatrix(b, loc, op.getUpdates(), lead)
                           : reshapeTensor(b, loc, op.getUpdates(), type.clone({1, slice}));
  Value rowCount = tensor::DimOp::create(b, loc, indices, 0);
  Type et = type.getElementType();
  auto flatType = type.clone({positions, slice});
  Value zero = scalarConst(b, loc, et, 0);
  Value result =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, flatType)})
          .getResult(0);
  result =
      forLoop(b, loc, rowCount, {result}, [&](OpBuilder &b1, Location l1, Value r, ValueRange c1) {
        // The row-major position of the index tuple, and whether it is in range.
        Value position = indexConst(b1, l1, 0);
        Value inRange = arith::ConstantOp::create(b1, l1, b1.getBoolAttr(true));
        for (int64_t j = 0; j < k; ++j) {
          Value i = toIndex(
              b1, l1,
              tensor::ExtractOp::create(b1, l1, indices, ValueRange{r, indexConst(b1, l1, j)}));
          Value ok = arith::AndIOp::create(
              b1, l1, scalarCompare(b1, l1, "ge", i, indexConst(b1, l1, 0)),
              scalarCompare(b1, l1, "lt", i, indexConst(b1, l1, type.getDimSize(j))));
          inRange = arith::AndIOp::create(b1, l1, inRange, ok);
          position = arith::AddIOp::create(
              b1, l1,
              arith::MulIOp::create(b1, l1, position, indexConst(b1, l1, type.getDimSize(j))), i);
        }
        return ifThenElse(
            b1, l1, inRange, TypeRange{flatType},
            [&](OpBuilder &b2, Location l2) {
              return forLoop(
                  b2, l2, indexConst(b2, l2, slice), {c1[0]},
                  [&](OpBuilder &b3, Location l3, Value s, ValueRange c3) {
                    Value old = tensor::ExtractOp::create(b3, l3, c3[0], ValueRange{position, s});
                    Value add = tensor::ExtractOp::create(b3, l3, updates, ValueRange{r, s});
                    Value sum = isFloat(et) ? Value(arith::AddFOp::create(b3, l3, old, add))
                                            : Value(arith::AddIOp::create(b3, l3, old, add));
                    return SmallVector<Value>{
                        tensor::InsertOp::create(b3, l3, sum, c3[0], ValueRange{position, s})};
                  });
            },
            [&](OpBuilder &, Location) { return SmallVector<Value>{c1[0]}; });
      })[0];
  return reshapeTensor(b, loc, result, type);
}

Value lowerWhere(OpBuilder &b, WhereOp op) {
  Location loc = op.getLoc();
  auto maskType = op.getMask().getType();
  int64_t rank = maskType.getRank(), n = maskType.getNumElements();
  Type i64 = b.getI64Type();
  Value flatMask = reshapeTensor(b, loc, op.getMask(), maskType.clone({n}));
  // The number of true elements sizes the result.
  Value asInt = elementwise(
      b, loc, maskType.clone({n}).clone(i64), ValueRange{flatMask},
      [&](OpBuilder &nb, Location nl, ValueRange a) { return scalarCast(nb, nl, a[0], i64); });
  Value count =
      tensor::ExtractOp::create(b, loc, reduce(b, loc, asInt, {0}, ReduceKind::Sum), ValueRange{});
  Value result = emptyTensor(b, loc, op.getType(), {toIndex(b, loc, count)});
  SmallVector<Value> loop =
      forLoop(b, loc, indexConst(b, loc, n), {result, indexConst(b, loc, 0)},
              [&](OpBuilder &b1, Location l1, Value i, ValueRange c1) {
                Value set = tensor::ExtractOp::create(b1, l1, flatMask, ValueRange{i});
                return ifThenElse(
                    b1, l1, set, TypeRange{c1[0].getType(), c1[1].getType()},
                    [&](OpBuilder &b2, Location l2) {
                      // Row-major coordinates of flat position i.
                      Value rest = i, out = c1[0];
                      for (int64_t d = rank - 1; d >= 0; --d) {
                        Value size = indexConst(b2, l2, maskType.getDimSize(d));
                        Value coord = arith::RemUIOp::create(b2, l2, rest, size);
                        rest = arith::DivUIOp::create(b2, l2, rest, size);
                        Value c = arith::IndexCastOp::create(b2, l2, i64, coord);
                        out = tensor::InsertOp::create(b2, l2, c, out,
                                                       ValueRange{c1[1], indexConst(b2, l2, d)});
                      }
                      return SmallVector<Value>{
                          out, arith::AddIOp::create(b2, l2, c1[1], indexConst(b2, l2, 1))};
                    },
                    [&](OpBuilder &, Location) { return SmallVector<Value>{c1[0], c1[1]}; });
              });
  return loop[0];
}

/// argmax/argmin: a reduction carrying (best value, its index); the first index wins ties.
Value lowerArg(OpBuilder &b, Operation *op, int64_t axis, bool isMax) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0);
  auto type = tensorOf(x);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type et = type.getElementType();
  SmallVector<AffineExpr> outDims;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    iters.push_back(i == axis ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (i != axis)
      outDims.push_back(b.getAffineDimExpr(i));
  }
  auto bestType = resultType.clone(et);
  Value first = reshapeTensor(b, loc,
                              tensor::ExtractSliceOp::create(
                                  b, loc, x, indexAttrs(b, SmallVector<int64_t>(type.getRank(), 0)),
                                  [&] {
                                    SmallVector<OpFoldResult> s = mixedSizes(b, type);
                                    s[axis] = b.getIndexAttr(1);
                                    return s;
                                  }(),
                                  indexAttrs(b, SmallVector<int64_t>(type.getRank(), 1))),
                              bestType);
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value index0 =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, resultType)})
          .getResult(0);
  AffineMap outMap = AffineMap::get(type.getRank(), 0, outDims, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(type.getRank()), outMap, outMap};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{bestType, resultType}, ValueRange{x}, ValueRange{first, index0}, maps,
      iters, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value i = arith::IndexCastOp::create(nb, nl, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, nl, axis));
        Value better =
            scalarCompare(nb, nl, isMax ? "gt" : "lt", args[0], args[1], isUnsignedOp(op));
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{arith::SelectOp::create(nb, nl, better, args[0], args[1]),
                       arith::SelectOp::create(nb, nl, better, i, args[2])});
      });
  return generic.getResult(1);
}

/// top_k over the last axis: k selection passes per row, each taking the largest element
/// after the previous pick in (value descending, index ascending) order.
std::pair<Value, Value> lowerTopK(OpBuilder &b, TopKOp op) {
  Location loc = op.getLoc();
  auto type = op.getOperand().getType();
  int64_t rank = type.getRank();
  int64_t n = type.getShape().back(), k = op.getK();
  Type et = type.getElementType(), i32 = b.getI32Type();
  bool u = isUnsignedOp(op);
  // Rows: every dimension but the last, collapsed (batch size × the rest when one is `?`).
  SmallVector<ReassociationIndices> to2d{{}, {rank - 1}};
  for (int64_t i = 0; i < rank - 1; ++i)
    to2d[0].push_back(i);
  Value x = op.getOperand();
  if (rank == 1)
    x = reshapeTensor(b, loc, x, type.clone({1, n}));
  else if (rank > 2)
    x = tensor::CollapseShapeOp::create(b, loc, x, to2d);
  int64_t rows = tensorOf(x).getDimSize(0);
  Value rowCount = tensor::DimOp::create(b, loc, x, 0);
  SmallVector<Value> dynamicRows;
  if (ShapedType::isDynamic(rows))
    dynamicRows.push_back(rowCount);
  auto valuesType = type.clone({rows, k});
  auto indicesType = RankedTensorType::get({rows, k}, i32);
  SmallVector<Value> out = forLoop(
      b, loc, rowCount,
      {emptyTensor(b, loc, valuesType, dynamicRows), emptyTensor(b, loc, indicesType, dynamicRows)},
      [&](OpBuilder &b1, Location l1, Value r, ValueRange c1) {
        Value firstValue =
            tensor::ExtractOp::create(b1, l1, x, ValueRange{r, indexConst(b1, l1, 0)});
        SmallVector<Value> picks = forLoop(
            b1, l1, indexConst(b1, l1, k), {c1[0], c1[1], firstValue, indexConst(b1, l1, -1)},
            [&](OpBuilder &b2, Location l2, Value j, ValueRange c2) {
              Value prevV = c2[2], prevI = c2[3];
              Value isFirst = scalarCompare(b2, l2, "eq", j, indexConst(b2, l2, 0));
              SmallVector<Value> best = forLoop(
                  b2, l2, indexConst(b2, l2, n), {prevV, indexConst(b2, l2, -1)},
                  [&](OpBuilder &b3, Location l3, Value i, ValueRange c3) {
                    Value v = tensor::ExtractOp::create(b3, l3, x, ValueRange{r, i});
                    Value after = arith::OrIOp::create(
                        b3, l3, scalarCompare(b3, l3, "lt", v, prevV, u),
                        arith::AndIOp::create(b3, l3, scalarCompare(b3, l3, "eq", v, prevV),
                                              scalarCompare(b3, l3, "gt", i, prevI)));
                    Value eligible = arith::OrIOp::create(b3, l3, isFirst, after);
                    Value none = scalarCompare(b3, l3, "eq", c3[1], indexConst(b3, l3, -1));
                    Value better = arith::OrIOp::create(b3, l3, none,
                                                        scalarCompare(b3, l3, "gt", v, c3[0], u));
                    Value take = arith::AndIOp::create(b3, l3, eligible, better);
                    return SmallVector<Value>{arith::SelectOp::create(b3, l3, take, v, c3[0]),
                                              arith::SelectOp::create(b3, l3, take, i, c3[1])};
                  });
              Value values = tensor::InsertOp::create(b2, l2, best[0], c2[0], ValueRange{r, j});
              Value index32 = arith::IndexCastOp::create(b2, l2, i32, best[1]);
              Value indices = tensor::InsertOp::create(b2, l2, index32, c2[1], ValueRange{r, j});
              return SmallVector<Value>{values, indices, best[0], best[1]};
            });
        return SmallVector<Value>{picks[0], picks[1]};
      });
  (void)et;
  auto back = [&](Value v, RankedTensorType to) -> Value {
    if (rank == 2)
      return v;
    if (rank == 1)
      return reshapeTensor(b, loc, v, to);
    return tensor::ExpandShapeOp::create(b, loc, to, v, to2d, mixedSizes(b, to));
  };
  return {back(out[0], op.getValues().getType()), back(out[1], op.getIndices().getType())};
}

} // namespace

Value lowerDataMovement(OpBuilder &b, Operation *op) {
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](IotaOp o) { return lowerIota(b, o); })
      .Case([&](SliceOp o) -> Value {
        return tensor::ExtractSliceOp::create(
            b, o.getLoc(), o.getType(), o.getOperand(), indexAttrs(b, o.getStartIndices()),
            mixedSizes(b, o.getType()), indexAttrs(b, o.getStrides()));
      })
      .Case([&](ReverseOp o) { return lowerReverse(b, o); })
      .Case([&](PadOp o) { return lowerPad(b, o); })
      .Case([&](ConcatenateOp o) { return lowerConcatenate(b, o); })
      .Case([&](GatherNdOp o) { return lowerGatherNd(b, o); })
      .Case([&](ScatterNdOp o) { return lowerScatterNd(b, o); })
      .Case([&](WhereOp o) { return lowerWhere(b, o); })
      .Case([&](ArgMaxOp o) { return lowerArg(b, o, o.getAxis(), true); })
      .Case([&](ArgMinOp o) { return lowerArg(b, o, o.getAxis(), false); })
      .Case([&](TopKOp o) {
        auto [values, indices] = lowerTopK(b, o);
        o.getIndices().replaceAllUsesWith(indices);
        return values;
      })
      .Default([](Operation *) { return Value(); });
}

} // namespace mlir::sinter::lowering

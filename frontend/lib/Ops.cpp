// The builder functions: NumPy broadcasting and argument checking, then one generic build of
// the sinter op (its shape rule runs there and reports errors at the caller's line).
#include "sinter/Ops.h"

#include <cctype>

#include "sinter/TensorLanguage.h"

#include "GraphImpl.h"

using namespace mlir;

namespace sinter {

namespace ops = mlir::sinter; // the generated op classes

namespace {

Graph::Impl &impl(const Tensor &t) { return t.graph().impl(); }

NamedAttribute named(Graph::Impl &g, llvm::StringRef name, Attribute value) {
  return g.builder.getNamedAttr(name, value);
}

std::string where(Graph::Impl &g, const Loc &loc, const char *op) {
  return locationString(g.location(loc)) + ": " + op;
}

/// Ops other than gather_nd need to know every size but the batch size: a value from
/// where/boolean_mask has a row count known only at run time.
void requireKnownRows(const Tensor &x, const Loc &loc, const char *op) {
  if (!mlir::sinter::dynamicRowBound(impl(x).values[x.id()]))
    return;
  throw Error(where(impl(x), loc, op) +
              ": needs a static shape, but its operand comes from "
              "where/boolean_mask (" +
              locationString(impl(x).values[x.id()].getLoc()) +
              ") and has a row count known only at run time; it can only feed gatherNd or be "
              "an entry's output");
}

Tensor unary(const char *name, const Tensor &x, const Loc &loc) {
  requireKnownRows(x, loc, name);
  Graph::Impl &g = impl(x);
  return x.graph().tensor(g.build(name, {x.id()}, {}, loc)[0]);
}

void checkSameGraph(const Tensor &a, const Tensor &b, const Loc &loc, const char *op) {
  if (&a.graph() != &b.graph())
    throw Error(where(impl(a), loc, op) + ": operands belong to different graphs");
}

Tensor binary(const char *name, const Tensor &a, const Tensor &b, const Loc &loc,
              std::vector<NamedAttribute> attrs = {}) {
  checkSameGraph(a, b, loc, name);
  requireKnownRows(a, loc, name);
  requireKnownRows(b, loc, name);
  Graph::Impl &g = impl(a);
  Shape shape = broadcastShapes(a.shape(), b.shape(), where(g, loc, name));
  Tensor x = broadcastTo(a, shape, loc), y = broadcastTo(b, shape, loc);
  return a.graph().tensor(g.build(name, {x.id(), y.id()}, attrs, loc)[0]);
}

Tensor compare(const char *dir, const Tensor &a, const Tensor &b, const Loc &loc) {
  return binary(opName<ops::CompareOp>(), a, b, loc,
                {named(impl(a), "direction", impl(a).builder.getStringAttr(dir))});
}

/// Axes normalised to [0, rank), sorted; empty means all.
std::vector<int64_t> normalizeAxes(std::vector<int64_t> axes, int64_t rank, Graph::Impl &g,
                                   const Loc &loc, const char *op) {
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      throw Error(where(g, loc, op) + ": axis " + std::to_string(a) +
                  " is out of range for a tensor of rank " + std::to_string(rank));
    if (a < 0)
      a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    throw Error(where(g, loc, op) + ": an axis is repeated");
  return axes;
}

Tensor reduce(const char *name, const Tensor &x, std::vector<int64_t> axes, bool keepdims,
              const Loc &loc) {
  requireKnownRows(x, loc, name);
  Graph::Impl &g = impl(x);
  axes = normalizeAxes(std::move(axes), x.rank(), g, loc, name);
  return x.graph().tensor(g.build(name, {x.id()},
                                  {named(g, "axes", g.builder.getDenseI64ArrayAttr(axes)),
                                   named(g, "keepdims", g.builder.getBoolAttr(keepdims))},
                                  loc)[0]);
}

Tensor operandTensor(const Operand &o, const Tensor &like) {
  if (o.tensor.valid())
    return o.tensor;
  return scalar(like.graph(), o.scalar, like.dtype(), o.loc);
}

Tensor denseConstant(Graph &g, DenseElementsAttr value, const Loc &loc) {
  Graph::Impl &gi = g.impl();
  return g.tensor(gi.build(opName<ops::ConstantOp>(), {}, {named(gi, "value", value)}, loc)[0]);
}

template <class T>
Tensor typedConstant(Graph &g, const std::vector<T> &values, const Shape &shape, Type et,
                     const Loc &loc) {
  mlirShape(shape, where(g.impl(), loc, "constant"), /*allowBatch=*/false);
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  if (n != static_cast<int64_t>(values.size()))
    throw Error(where(g.impl(), loc, "constant") + ": " + std::to_string(values.size()) +
                " values for shape " + shapeString(shape) + " (" + std::to_string(n) +
                " elements)");
  auto type = RankedTensorType::get(shape, et);
  return denseConstant(g, DenseElementsAttr::get(type, llvm::ArrayRef<T>(values)), loc);
}

Tensor randomOp(Graph &g, const char *dist, const Shape &shape, double a, double b, int64_t seed,
                DType dtype, const Loc &loc, const Tensor *offset = nullptr) {
  Graph::Impl &gi = g.impl();
  auto type = RankedTensorType::get(mlirShape(shape, where(gi, loc, opName<ops::RandomOp>())),
                                    elementType(gi.ctx, dtype));
  std::vector<int> operands;
  if (offset) {
    if (&offset->graph() != &g || offset->dtype() != DType::I64 || offset->rank() != 0)
      throw Error(where(gi, loc, opName<ops::RandomOp>()) +
                  ": the offset must be an int64 scalar of this graph");
    operands.push_back(offset->id());
  }
  return g.tensor(gi.build(opName<ops::RandomOp>(), operands,
                           {named(gi, "distribution", gi.builder.getStringAttr(dist)),
                            named(gi, "seed", gi.builder.getI64IntegerAttr(seed)),
                            named(gi, "a", gi.builder.getF64FloatAttr(a)),
                            named(gi, "b", gi.builder.getF64FloatAttr(b))},
                           loc, llvm::ArrayRef<Type>{type})[0]);
}

} // namespace

Shape broadcastShapes(const Shape &a, const Shape &b, const std::string &whereText) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    // -1, the batch size, broadcasts with 1 and with itself only.
    if (da != db && da != 1 && db != 1)
      throw Error(whereText + ": shapes " + shapeString(a) + " and " + shapeString(b) +
                  " cannot be broadcast together (dimension " + std::to_string(i) + ": " +
                  std::to_string(da) + " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Tensor constant(Graph &g, const std::vector<float> &values, const Shape &shape, Loc loc) {
  return typedConstant(g, values, shape, Float32Type::get(&g.impl().ctx), loc);
}

Tensor constant(Graph &g, const std::vector<int32_t> &values, const Shape &shape, Loc loc) {
  return typedConstant(g, values, shape, IntegerType::get(&g.impl().ctx, 32), loc);
}

Tensor fill(Graph &g, const Shape &shape, double value, DType dtype, Loc loc) {
  Graph::Impl &gi = g.impl();
  if (hasBatch(shape)) { // a constant row, broadcast to the batch size of the call
    Shape row = shape;
    row[0] = 1;
    return broadcastTo(fill(g, row, value, dtype, loc), shape, loc);
  }
  auto type =
      RankedTensorType::get(mlirShape(shape, where(gi, loc, "fill")), elementType(gi.ctx, dtype));
  Attribute element;
  if (auto ft = dyn_cast<FloatType>(type.getElementType()))
    element = gi.builder.getFloatAttr(ft, value);
  else
    element = gi.builder.getIntegerAttr(type.getElementType(), static_cast<int64_t>(value));
  return denseConstant(g, SplatElementsAttr::get(type, element), loc);
}

Tensor scalar(Graph &g, double value, DType dtype, Loc loc) {
  return fill(g, {}, value, dtype, loc);
}
Tensor zeros(Graph &g, const Shape &shape, DType dtype, Loc loc) {
  return fill(g, shape, 0, dtype, loc);
}
Tensor ones(Graph &g, const Shape &shape, DType dtype, Loc loc) {
  return fill(g, shape, 1, dtype, loc);
}
Tensor zerosLike(const Tensor &x, Loc loc) { return fill(x.graph(), x.shape(), 0, x.dtype(), loc); }
Tensor onesLike(const Tensor &x, Loc loc) { return fill(x.graph(), x.shape(), 1, x.dtype(), loc); }

namespace random {
Tensor uniform(Graph &g, const Shape &shape, double minval, double maxval, int64_t seed,
               DType dtype, Loc loc) {
  if (!isFloat(dtype)) // integers in [minval, maxval), as tf.random.uniform with an int dtype
    return uniformInt(g, shape, static_cast<int64_t>(minval), static_cast<int64_t>(maxval), seed,
                      dtype, loc);
  return randomOp(g, "uniform", shape, minval, maxval, seed, dtype, loc);
}
Tensor normal(Graph &g, const Shape &shape, double mean, double stddev, int64_t seed, DType dtype,
              Loc loc) {
  return randomOp(g, "normal", shape, mean, stddev, seed, dtype, loc);
}
Tensor truncatedNormal(Graph &g, const Shape &shape, double mean, double stddev, int64_t seed,
                       DType dtype, Loc loc) {
  return randomOp(g, "truncated_normal", shape, mean, stddev, seed, dtype, loc);
}
Tensor uniform(const Tensor &offset, const Shape &shape, double minval, double maxval, int64_t seed,
               DType dtype, Loc loc) {
  return randomOp(offset.graph(), "uniform", shape, minval, maxval, seed, dtype, loc, &offset);
}
Tensor normal(const Tensor &offset, const Shape &shape, double mean, double stddev, int64_t seed,
              DType dtype, Loc loc) {
  return randomOp(offset.graph(), "normal", shape, mean, stddev, seed, dtype, loc, &offset);
}
Tensor uniformInt(Graph &g, const Shape &shape, int64_t minval, int64_t maxval, int64_t seed,
                  DType dtype, Loc loc) {
  if (isFloat(dtype) || dtype == DType::Bool)
    throw Error(where(g.impl(), loc, "random::uniformInt") + ": needs an integer dtype");
  if (maxval <= minval)
    throw Error(where(g.impl(), loc, "random::uniformInt") + ": maxval (" + std::to_string(maxval) +
                ") must be greater than minval (" + std::to_string(minval) + ")");
  // Float64 samples in [minval, maxval); the min() guards a sample rounding up to maxval.
  Tensor u = uniform(g, shape, static_cast<double>(minval), static_cast<double>(maxval), seed,
                     DType::F64, loc);
  u = minimum(::sinter::floor(u, loc), scalar(g, static_cast<double>(maxval - 1), DType::F64, loc),
              loc);
  return cast(u, dtype, loc);
}

Tensor categorical(const Tensor &offset, const Tensor &logits, int64_t numSamples, int64_t seed,
                   Loc loc) {
  Graph &g = logits.graph();
  if (!isFloat(logits.dtype()) || logits.rank() != 2)
    throw Error(where(impl(logits), loc, "random::categorical") +
                ": logits must be a float tensor [batch, classes], got " +
                runtime::dtypeName(logits.dtype()) + " " + shapeString(logits.shape()));
  if (numSamples < 1)
    throw Error(where(impl(logits), loc, "random::categorical") +
                ": numSamples must be at least 1");
  const int64_t classes = logits.shape()[1];
  // u in [tiny, 1): −log(−log u) is finite, so only a −inf logit is never drawn.
  double tiny = std::numeric_limits<float>::min();
  Tensor u = uniform(offset, {logits.shape()[0], numSamples, classes}, tiny, 1.0, seed,
                     logits.dtype(), loc);
  Tensor gumbel = ::sinter::neg(::sinter::log(::sinter::neg(::sinter::log(u, loc), loc), loc), loc);
  Tensor scores = add(expandDims(logits, 1, loc), gumbel, loc);
  return cast(argmax(scores, 2, loc), DType::I32, loc);
}
} // namespace random

Tensor add(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::AddOp>(), a, b, loc);
}
Tensor sub(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::SubOp>(), a, b, loc);
}
Tensor mul(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::MulOp>(), a, b, loc);
}
Tensor div(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::DivOp>(), a, b, loc);
}
Tensor pow(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::PowOp>(), a, b, loc);
}
Tensor maximum(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::MaximumOp>(), a, b, loc);
}
Tensor minimum(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::MinimumOp>(), a, b, loc);
}
Tensor neg(const Tensor &x, Loc loc) { return unary(opName<ops::NegOp>(), x, loc); }
Tensor exp(const Tensor &x, Loc loc) { return unary(opName<ops::ExpOp>(), x, loc); }
Tensor log(const Tensor &x, Loc loc) { return unary(opName<ops::LogOp>(), x, loc); }
Tensor sqrt(const Tensor &x, Loc loc) { return unary(opName<ops::SqrtOp>(), x, loc); }
Tensor square(const Tensor &x, Loc loc) { return mul(x, x, loc); }
Tensor abs(const Tensor &x, Loc loc) { return unary(opName<ops::AbsOp>(), x, loc); }
Tensor relu(const Tensor &x, Loc loc) { return unary(opName<ops::ReluOp>(), x, loc); }
Tensor sigmoid(const Tensor &x, Loc loc) { return unary(opName<ops::SigmoidOp>(), x, loc); }
Tensor tanh(const Tensor &x, Loc loc) { return unary(opName<ops::TanhOp>(), x, loc); }
Tensor equal(const Tensor &a, const Tensor &b, Loc loc) { return compare("eq", a, b, loc); }
Tensor notEqual(const Tensor &a, const Tensor &b, Loc loc) { return compare("ne", a, b, loc); }
Tensor less(const Tensor &a, const Tensor &b, Loc loc) { return compare("lt", a, b, loc); }
Tensor lessEqual(const Tensor &a, const Tensor &b, Loc loc) { return compare("le", a, b, loc); }
Tensor greater(const Tensor &a, const Tensor &b, Loc loc) { return compare("gt", a, b, loc); }
Tensor greaterEqual(const Tensor &a, const Tensor &b, Loc loc) { return compare("ge", a, b, loc); }

Tensor sin(const Tensor &x, Loc loc) { return unary(opName<ops::SinOp>(), x, loc); }
Tensor cos(const Tensor &x, Loc loc) { return unary(opName<ops::CosOp>(), x, loc); }
Tensor tan(const Tensor &x, Loc loc) { return unary(opName<ops::TanOp>(), x, loc); }
Tensor floor(const Tensor &x, Loc loc) { return unary(opName<ops::FloorOp>(), x, loc); }
Tensor ceil(const Tensor &x, Loc loc) { return unary(opName<ops::CeilOp>(), x, loc); }
Tensor stopGradient(const Tensor &x, Loc loc) {
  return unary(opName<ops::StopGradientOp>(), x, loc);
}
Tensor round(const Tensor &x, Loc loc) { return unary(opName<ops::RoundOp>(), x, loc); }
Tensor sign(const Tensor &x, Loc loc) { return unary(opName<ops::SignOp>(), x, loc); }
Tensor isNan(const Tensor &x, Loc loc) { return unary(opName<ops::IsNanOp>(), x, loc); }
Tensor logicalNot(const Tensor &x, Loc loc) { return unary(opName<ops::NotOp>(), x, loc); }
Tensor floordiv(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::FloorDivOp>(), a, b, loc);
}
Tensor mod(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::ModOp>(), a, b, loc);
}
Tensor logicalAnd(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::AndOp>(), a, b, loc);
}
Tensor logicalOr(const Tensor &a, const Tensor &b, Loc loc) {
  return binary(opName<ops::OrOp>(), a, b, loc);
}

Tensor where(const Tensor &cond, const Tensor &a, const Tensor &b, Loc loc) {
  checkSameGraph(cond, a, loc, opName<ops::SelectOp>());
  checkSameGraph(a, b, loc, opName<ops::SelectOp>());
  Graph::Impl &g = impl(a);
  std::string w = where(g, loc, opName<ops::SelectOp>());
  Shape shape = broadcastShapes(broadcastShapes(cond.shape(), a.shape(), w), b.shape(), w);
  Tensor c = broadcastTo(cond, shape, loc), x = broadcastTo(a, shape, loc),
         y = broadcastTo(b, shape, loc);
  return a.graph().tensor(g.build(opName<ops::SelectOp>(), {c.id(), x.id(), y.id()}, {}, loc)[0]);
}

Tensor cast(const Tensor &x, DType dtype, Loc loc) {
  requireKnownRows(x, loc, opName<ops::CastOp>());
  if (x.dtype() == dtype)
    return x;
  Graph::Impl &g = impl(x);
  auto type = g.type(x.id()).clone(elementType(g.ctx, dtype));
  return x.graph().tensor(
      g.build(opName<ops::CastOp>(), {x.id()}, {}, loc, llvm::ArrayRef<Type>{type})[0]);
}

Tensor operator+(const Tensor &a, Operand b) { return add(a, operandTensor(b, a), b.loc); }
Tensor operator-(const Tensor &a, Operand b) { return sub(a, operandTensor(b, a), b.loc); }
Tensor operator*(const Tensor &a, Operand b) { return mul(a, operandTensor(b, a), b.loc); }
Tensor operator/(const Tensor &a, Operand b) { return div(a, operandTensor(b, a), b.loc); }
Tensor operator+(double a, Operand b) {
  return add(scalar(b.tensor.graph(), a, b.tensor.dtype(), b.loc), b.tensor, b.loc);
}
Tensor operator-(double a, Operand b) {
  return sub(scalar(b.tensor.graph(), a, b.tensor.dtype(), b.loc), b.tensor, b.loc);
}
Tensor operator*(double a, Operand b) {
  return mul(scalar(b.tensor.graph(), a, b.tensor.dtype(), b.loc), b.tensor, b.loc);
}
Tensor operator/(double a, Operand b) {
  return div(scalar(b.tensor.graph(), a, b.tensor.dtype(), b.loc), b.tensor, b.loc);
}
Tensor operator-(Operand x) { return neg(x.tensor, x.loc); }
Tensor operator%(const Tensor &a, Operand b) { return mod(a, operandTensor(b, a), b.loc); }
Tensor operator<(const Tensor &a, Operand b) { return less(a, operandTensor(b, a), b.loc); }
Tensor operator<=(const Tensor &a, Operand b) { return lessEqual(a, operandTensor(b, a), b.loc); }
Tensor operator>(const Tensor &a, Operand b) { return greater(a, operandTensor(b, a), b.loc); }
Tensor operator>=(const Tensor &a, Operand b) {
  return greaterEqual(a, operandTensor(b, a), b.loc);
}

Tensor matmul(const Tensor &a, const Tensor &b, bool transposeA, bool transposeB, Loc loc) {
  checkSameGraph(a, b, loc, opName<ops::MatmulOp>());
  requireKnownRows(a, loc, opName<ops::MatmulOp>());
  requireKnownRows(b, loc, opName<ops::MatmulOp>());
  Graph::Impl &g = impl(a);
  if (a.rank() < 2 || b.rank() < 2)
    throw Error(where(g, loc, opName<ops::MatmulOp>()) + ": operands need rank >= 2, got " +
                shapeString(a.shape()) + " and " + shapeString(b.shape()));
  // Batch dimensions broadcast (NumPy matmul semantics).
  Shape sa = a.shape(), sb = b.shape();
  Shape batch = broadcastShapes(Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2),
                                where(g, loc, "sinter.matmul (batch dimensions)"));
  auto full = [&](const Tensor &t, const Shape &s) {
    Shape target = batch;
    target.insert(target.end(), s.end() - 2, s.end());
    return broadcastTo(t, target, loc);
  };
  Tensor x = full(a, sa), y = full(b, sb);
  return a.graph().tensor(g.build(opName<ops::MatmulOp>(), {x.id(), y.id()},
                                  {named(g, "transpose_a", g.builder.getBoolAttr(transposeA)),
                                   named(g, "transpose_b", g.builder.getBoolAttr(transposeB))},
                                  loc)[0]);
}

Tensor reduceSum(const Tensor &x, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  return reduce(opName<ops::ReduceSumOp>(), x, std::move(axes), keepdims, loc);
}
Tensor reduceMean(const Tensor &x, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  return reduce(opName<ops::ReduceMeanOp>(), x, std::move(axes), keepdims, loc);
}
Tensor reduceMax(const Tensor &x, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  return reduce(opName<ops::ReduceMaxOp>(), x, std::move(axes), keepdims, loc);
}

Tensor reduceMin(const Tensor &x, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  return reduce(opName<ops::ReduceMinOp>(), x, std::move(axes), keepdims, loc);
}
Tensor reduceProd(const Tensor &x, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  return reduce(opName<ops::ReduceProdOp>(), x, std::move(axes), keepdims, loc);
}

namespace {
Tensor argOp(const char *name, const Tensor &x, int64_t axis, const Loc &loc) {
  requireKnownRows(x, loc, name);
  Graph::Impl &g = impl(x);
  axis = normalizeAxes({axis}, x.rank(), g, loc, name)[0];
  return x.graph().tensor(
      g.build(name, {x.id()}, {named(g, "axis", g.builder.getI64IntegerAttr(axis))}, loc)[0]);
}
} // namespace

Tensor argmax(const Tensor &x, int64_t axis, Loc loc) {
  return argOp(opName<ops::ArgMaxOp>(), x, axis, loc);
}
Tensor argmin(const Tensor &x, int64_t axis, Loc loc) {
  return argOp(opName<ops::ArgMinOp>(), x, axis, loc);
}

TopK topK(const Tensor &x, int64_t k, Loc loc) {
  requireKnownRows(x, loc, opName<ops::TopKOp>());
  Graph::Impl &g = impl(x);
  auto ids = g.build(opName<ops::TopKOp>(), {x.id()},
                     {named(g, "k", g.builder.getI64IntegerAttr(k))}, loc);
  return {x.graph().tensor(ids[0]), x.graph().tensor(ids[1])};
}

Tensor dimSize(const Tensor &x, int64_t dimension, DType dtype, Loc loc) {
  Graph::Impl &g = impl(x);
  if (dimension < 0 || dimension >= static_cast<int64_t>(x.shape().size()))
    throw Error(where(g, loc, opName<ops::DimSizeOp>()) + ": dimension " +
                std::to_string(dimension) + " of a rank-" + std::to_string(x.shape().size()) +
                " tensor");
  auto type = RankedTensorType::get({}, elementType(g.ctx, dtype));
  return x.graph().tensor(g.build(opName<ops::DimSizeOp>(), {x.id()},
                                  {named(g, "dimension", g.builder.getI64IntegerAttr(dimension))},
                                  loc, llvm::ArrayRef<Type>{type})[0]);
}

namespace distributed {
Tensor allReduce(const Tensor &x, Reduction reduction, Loc loc) {
  Graph::Impl &g = impl(x);
  const char *name = opName<ops::AllReduceOp>();
  if (!isFloat(x.dtype()))
    throw Error(where(g, loc, name) + ": reduces float tensors only, got " +
                runtime::dtypeName(x.dtype()));
  for (int64_t d : x.shape())
    if (d < 0)
      throw Error(where(g, loc, name) +
                  ": needs a static shape (every rank reduces the same "
                  "number of elements), got " +
                  runtime::shapeString(x.shape()));
  return x.graph().tensor(
      g.build(name, {x.id()},
              {named(g, "reduction",
                     g.builder.getStringAttr(reduction == Reduction::Mean ? "mean" : "sum"))},
              loc)[0]);
}
} // namespace distributed

Tensor iota(Graph &graph, const Shape &shape, int64_t dimension, DType dtype, Loc loc) {
  Graph::Impl &g = graph.impl();
  auto type = RankedTensorType::get(mlirShape(shape, where(g, loc, opName<ops::IotaOp>())),
                                    elementType(g.ctx, dtype));
  return graph.tensor(g.build(opName<ops::IotaOp>(), {},
                              {named(g, "dimension", g.builder.getI64IntegerAttr(dimension))}, loc,
                              llvm::ArrayRef<Type>{type})[0]);
}

Tensor stridedSlice(const Tensor &x, const Shape &start, const Shape &limit, const Shape &strides,
                    Loc loc) {
  requireKnownRows(x, loc, opName<ops::SliceOp>());
  Graph::Impl &g = impl(x);
  // The batch dimension is taken whole: its limit is the batch size, `?` to the op.
  Shape limits = limit;
  if (hasBatch(x.shape()) && !limits.empty() && limits[0] == -1)
    limits[0] = ShapedType::kDynamic;
  return x.graph().tensor(
      g.build(opName<ops::SliceOp>(), {x.id()},
              {named(g, "start_indices", g.builder.getDenseI64ArrayAttr(start)),
               named(g, "limit_indices", g.builder.getDenseI64ArrayAttr(limits)),
               named(g, "strides", g.builder.getDenseI64ArrayAttr(strides))},
              loc)[0]);
}

Tensor reverse(const Tensor &x, std::vector<int64_t> axes, Loc loc) {
  requireKnownRows(x, loc, opName<ops::ReverseOp>());
  Graph::Impl &g = impl(x);
  axes = normalizeAxes(std::move(axes), x.rank(), g, loc, opName<ops::ReverseOp>());
  return x.graph().tensor(g.build(opName<ops::ReverseOp>(), {x.id()},
                                  {named(g, "dimensions", g.builder.getDenseI64ArrayAttr(axes))},
                                  loc)[0]);
}

Tensor pad(const Tensor &x, const std::vector<std::pair<int64_t, int64_t>> &paddings, double value,
           Loc loc) {
  requireKnownRows(x, loc, opName<ops::PadOp>());
  Graph::Impl &g = impl(x);
  if (static_cast<int64_t>(paddings.size()) != x.rank())
    throw Error(where(g, loc, opName<ops::PadOp>()) + ": " + std::to_string(paddings.size()) +
                " padding pairs for a tensor of rank " + std::to_string(x.rank()));
  std::vector<int64_t> low, high, interior(paddings.size(), 0);
  for (auto [l, h] : paddings) {
    low.push_back(l);
    high.push_back(h);
  }
  Tensor v = scalar(x.graph(), value, x.dtype(), loc);
  return x.graph().tensor(
      g.build(opName<ops::PadOp>(), {x.id(), v.id()},
              {named(g, "edge_padding_low", g.builder.getDenseI64ArrayAttr(low)),
               named(g, "edge_padding_high", g.builder.getDenseI64ArrayAttr(high)),
               named(g, "interior_padding", g.builder.getDenseI64ArrayAttr(interior))},
              loc)[0]);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

namespace {

/// The padding mode in lower case ("same", "valid", "explicit"): Keras takes any case.
std::string paddingMode(const Padding &padding) {
  std::string mode = padding.mode;
  for (char &c : mode)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return mode;
}

/// The [top, bottom, left, right] amounts of `padding` for an image of `size` [h, w] and a
/// window of `window` (dilated by `dilations`).
std::array<int64_t, 4> paddingAmounts(const Padding &padding, Size2 size, Size2 window,
                                      Size2 strides, Size2 dilations, const std::string &at) {
  std::string mode = paddingMode(padding);
  if (mode == "explicit")
    return padding.amounts;
  if (mode == "valid")
    return {0, 0, 0, 0};
  if (mode != "same")
    throw Error(at + ": unknown padding '" + padding.mode +
                "' (expected \"valid\", \"same\" "
                "or explicit {top, bottom, left, right})");
  std::array<int64_t, 4> out{};
  for (int i = 0; i < 2; ++i) {
    if (strides[i] < 1)
      throw Error(at + ": strides must be positive, got " + std::to_string(strides[i]));
    int64_t outSize = (size[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        (outSize - 1) * strides[i] + (window[i] - 1) * dilations[i] + 1 - size[i], 0);
    out[2 * i] = total / 2;
    out[2 * i + 1] = total - total / 2;
  }
  return out;
}

std::vector<NamedAttribute> convAttrs(Graph::Impl &g, Size2 strides, Size2 dilations,
                                      const std::array<int64_t, 4> &pads, int64_t groups) {
  return {named(g, "strides", g.builder.getDenseI64ArrayAttr(strides)),
          named(g, "dilations", g.builder.getDenseI64ArrayAttr(dilations)),
          named(g, "padding", g.builder.getDenseI64ArrayAttr(pads)),
          named(g, "groups", g.builder.getI64IntegerAttr(groups))};
}

void requireImage(const Tensor &x, const Loc &loc, const char *op, const char *what = "input") {
  requireKnownRows(x, loc, op);
  if (x.rank() != 4)
    throw Error(where(impl(x), loc, op) + ": the " + what +
                " must have rank 4 ([batch, height, "
                "width, channels] for images, [kh, kw, in, out] for filters), got " +
                shapeString(x.shape()));
}

Tensor pool(const char *name, const Tensor &x, Size2 window, Size2 strides, const Padding &padding,
            const Loc &loc) {
  requireImage(x, loc, name);
  Graph::Impl &g = impl(x);
  auto pads = paddingAmounts(padding, {x.shape()[1], x.shape()[2]}, window, strides, {1, 1},
                             where(g, loc, name));
  return x.graph().tensor(g.build(name, {x.id()},
                                  {named(g, "window", g.builder.getDenseI64ArrayAttr(window)),
                                   named(g, "strides", g.builder.getDenseI64ArrayAttr(strides)),
                                   named(g, "padding", g.builder.getDenseI64ArrayAttr(pads))},
                                  loc)[0]);
}

} // namespace

Tensor conv2d(const Tensor &x, const Tensor &filter, Size2 strides, const Padding &padding,
              Size2 dilations, int64_t groups, Loc loc) {
  const char *name = opName<ops::Conv2DOp>();
  checkSameGraph(x, filter, loc, name);
  requireImage(x, loc, name);
  requireImage(filter, loc, name, "filter");
  Graph::Impl &g = impl(x);
  auto pads =
      paddingAmounts(padding, {x.shape()[1], x.shape()[2]}, {filter.shape()[0], filter.shape()[1]},
                     strides, dilations, where(g, loc, name));
  return x.graph().tensor(
      g.build(name, {x.id(), filter.id()}, convAttrs(g, strides, dilations, pads, groups), loc)[0]);
}

Tensor depthwiseConv2d(const Tensor &x, const Tensor &filter, Size2 strides, const Padding &padding,
                       Size2 dilations, Loc loc) {
  requireImage(x, loc, "depthwise_conv2d");
  requireImage(filter, loc, "depthwise_conv2d", "filter");
  const Shape &f = filter.shape();
  if (f[2] != x.shape()[3])
    throw Error(where(impl(x), loc, "depthwise_conv2d") + ": the filter " + shapeString(f) +
                " is for " + std::to_string(f[2]) + " channels, the input " +
                shapeString(x.shape()) + " has " + std::to_string(x.shape()[3]));
  // One group per channel: [kh, kw, c, m] is the grouped filter [kh, kw, 1, c·m].
  return conv2d(x, reshape(filter, {f[0], f[1], 1, f[2] * f[3]}, loc), strides, padding, dilations,
                f[2], loc);
}

int64_t conv2dTransposeSize(int64_t size, int64_t kernel, int64_t stride, const Padding &padding,
                            int64_t dilation) {
  std::string mode = paddingMode(padding);
  if (mode == "same")
    return size * stride;
  int64_t out = (size - 1) * stride + (kernel - 1) * dilation + 1;
  if (mode == "explicit")
    out -= padding.amounts[0] + padding.amounts[1];
  return out;
}

Tensor conv2dTranspose(const Tensor &x, const Tensor &filter, const Shape &outputShape,
                       Size2 strides, const Padding &padding, Size2 dilations, Loc loc) {
  const char *name = opName<ops::Conv2DBackpropInputOp>();
  checkSameGraph(x, filter, loc, name);
  requireImage(x, loc, name);
  requireImage(filter, loc, name, "filter");
  Graph::Impl &g = impl(x);
  if (outputShape.size() != 4)
    throw Error(where(g, loc, name) + ": the output shape " + shapeString(outputShape) +
                " must be [batch, height, width, channels]");
  Shape out = outputShape;
  if (hasBatch(x.shape()) && out[0] != -1)
    throw Error(where(g, loc, name) +
                ": the input has a dynamic batch dimension, so the "
                "output shape's batch must be -1, got " +
                shapeString(out));
  auto pads = paddingAmounts(padding, {out[1], out[2]}, {filter.shape()[0], filter.shape()[1]},
                             strides, dilations, where(g, loc, name));
  auto type =
      RankedTensorType::get(mlirShape(out, where(g, loc, name)), g.type(x.id()).getElementType());
  Type types[] = {type};
  return x.graph().tensor(g.build(name, {x.id(), filter.id()},
                                  convAttrs(g, strides, dilations, pads, 1), loc,
                                  llvm::ArrayRef<Type>(types))[0]);
}

Tensor maxPool2d(const Tensor &x, Size2 window, Size2 strides, const Padding &padding, Loc loc) {
  return pool(opName<ops::MaxPool2DOp>(), x, window, strides, padding, loc);
}

Tensor avgPool2d(const Tensor &x, Size2 window, Size2 strides, const Padding &padding, Loc loc) {
  return pool(opName<ops::AvgPool2DOp>(), x, window, strides, padding, loc);
}

FusedBatchNorm fusedBatchNorm(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                              double epsilon, Loc loc) {
  const char *name = opName<ops::BatchNormOp>();
  checkSameGraph(x, gamma, loc, name);
  checkSameGraph(x, beta, loc, name);
  Graph::Impl &g = impl(x);
  auto ids = g.build(name, {x.id(), gamma.id(), beta.id()},
                     {named(g, "epsilon", g.builder.getF64FloatAttr(epsilon))}, loc);
  return {x.graph().tensor(ids[0]), x.graph().tensor(ids[1]), x.graph().tensor(ids[2])};
}

FusedLstm fusedLstm(const Tensor &x, const Tensor &h0, const Tensor &c0, const Tensor &kernel,
                    const Tensor &recurrentKernel, const Tensor &bias, bool reverse, Loc loc) {
  const char *name = opName<ops::LstmOp>();
  for (const Tensor *t : {&h0, &c0, &kernel, &recurrentKernel, &bias})
    checkSameGraph(x, *t, loc, name);
  Graph::Impl &g = impl(x);
  auto ids = g.build(name, {x.id(), h0.id(), c0.id(), kernel.id(), recurrentKernel.id(), bias.id()},
                     {named(g, "reverse", g.builder.getBoolAttr(reverse))}, loc);
  return {x.graph().tensor(ids[0]), x.graph().tensor(ids[1]), x.graph().tensor(ids[2])};
}

FusedGru fusedGru(const Tensor &x, const Tensor &h0, const Tensor &kernel,
                  const Tensor &recurrentKernel, const Tensor &bias, bool linearBeforeReset,
                  bool reverse, Loc loc) {
  const char *name = opName<ops::GruOp>();
  for (const Tensor *t : {&h0, &kernel, &recurrentKernel, &bias})
    checkSameGraph(x, *t, loc, name);
  Graph::Impl &g = impl(x);
  auto ids = g.build(name, {x.id(), h0.id(), kernel.id(), recurrentKernel.id(), bias.id()},
                     {named(g, "linear_before_reset", g.builder.getBoolAttr(linearBeforeReset)),
                      named(g, "reverse", g.builder.getBoolAttr(reverse))},
                     loc);
  return {x.graph().tensor(ids[0]), x.graph().tensor(ids[1])};
}

Tensor concat(const std::vector<Tensor> &tensors, int64_t axis, Loc loc) {
  if (tensors.empty())
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": concat needs at least one tensor");
  Graph::Impl &g = impl(tensors.front());
  std::vector<int> ids;
  for (const Tensor &t : tensors) {
    checkSameGraph(tensors.front(), t, loc, opName<ops::ConcatenateOp>());
    requireKnownRows(t, loc, opName<ops::ConcatenateOp>());
    ids.push_back(t.id());
  }
  axis = normalizeAxes({axis}, tensors.front().rank(), g, loc, opName<ops::ConcatenateOp>())[0];
  return tensors.front().graph().tensor(
      g.build(opName<ops::ConcatenateOp>(), ids,
              {named(g, "dimension", g.builder.getI64IntegerAttr(axis))}, loc)[0]);
}

Tensor gatherNd(const Tensor &x, const Tensor &indices, Loc loc) {
  checkSameGraph(x, indices, loc, opName<ops::GatherNdOp>());
  requireKnownRows(x, loc, opName<ops::GatherNdOp>());
  Graph::Impl &g = impl(x);
  return x.graph().tensor(g.build(opName<ops::GatherNdOp>(), {x.id(), indices.id()}, {}, loc)[0]);
}

Tensor scatterNd(const Tensor &indices, const Tensor &updates, const Shape &shape, Loc loc) {
  checkSameGraph(indices, updates, loc, opName<ops::ScatterNdOp>());
  requireKnownRows(indices, loc, opName<ops::ScatterNdOp>());
  requireKnownRows(updates, loc, opName<ops::ScatterNdOp>());
  Graph::Impl &g = impl(updates);
  auto type = RankedTensorType::get(mlirShape(shape, where(g, loc, opName<ops::ScatterNdOp>())),
                                    g.type(updates.id()).getElementType());
  return updates.graph().tensor(g.build(opName<ops::ScatterNdOp>(), {indices.id(), updates.id()},
                                        {}, loc, llvm::ArrayRef<Type>{type})[0]);
}

Tensor where(const Tensor &cond, Loc loc) {
  requireKnownRows(cond, loc, opName<ops::WhereOp>());
  Graph::Impl &g = impl(cond);
  if (cond.dtype() != DType::Bool)
    throw Error(where(g, loc, opName<ops::WhereOp>()) + ": the condition must be a bool tensor");
  return cond.graph().tensor(g.build(opName<ops::WhereOp>(), {cond.id()}, {}, loc)[0]);
}

Tensor reshape(const Tensor &x, const Shape &shape, Loc loc) {
  requireKnownRows(x, loc, opName<ops::ReshapeOp>());
  Graph::Impl &g = impl(x);
  Shape target = shape;
  if (hasBatch(x.shape())) {
    // The batch dimension stays a dimension of its own: the target's one -1.
    Shape in = x.shape();
    Shape inner(in.begin() + 1, in.end());
    int64_t have = 1, want = 1;
    for (int64_t d : inner)
      have *= d;
    int64_t batchDims = 0;
    for (int64_t d : target) {
      if (d == -1)
        ++batchDims;
      else if (d < 0)
        throw Error(where(g, loc, opName<ops::ReshapeOp>()) + ": negative dimension in " +
                    shapeString(shape));
      else
        want *= d;
    }
    if (batchDims != 1 || have != want)
      throw Error(where(g, loc, opName<ops::ReshapeOp>()) + ": cannot reshape " +
                  shapeString(x.shape()) + " to " + shapeString(shape) +
                  ": the batch dimension (-1) must stay one "
                  "dimension, with the other sizes holding " +
                  std::to_string(have) + " elements");
    auto type = g.type(x.id()).clone(mlirShape(target, where(g, loc, opName<ops::ReshapeOp>())));
    return x.graph().tensor(
        g.build(opName<ops::ReshapeOp>(), {x.id()}, {}, loc, llvm::ArrayRef<Type>{type})[0]);
  }
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0)
        throw Error(where(g, loc, opName<ops::ReshapeOp>()) + ": more than one -1 in " +
                    shapeString(shape));
      inferred = static_cast<int64_t>(i);
    } else if (target[i] < 0) {
      throw Error(where(g, loc, opName<ops::ReshapeOp>()) + ": negative dimension in " +
                  shapeString(shape));
    } else {
      known *= target[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || x.numElements() % known != 0)
      throw Error(where(g, loc, opName<ops::ReshapeOp>()) + ": cannot reshape " +
                  shapeString(x.shape()) + " to " + shapeString(shape));
    target[inferred] = x.numElements() / known;
  }
  auto type = g.type(x.id()).clone(target);
  return x.graph().tensor(
      g.build(opName<ops::ReshapeOp>(), {x.id()}, {}, loc, llvm::ArrayRef<Type>{type})[0]);
}

Tensor transpose(const Tensor &x, std::vector<int64_t> permutation, Loc loc) {
  requireKnownRows(x, loc, opName<ops::TransposeOp>());
  Graph::Impl &g = impl(x);
  if (permutation.empty())
    for (int64_t i = x.rank() - 1; i >= 0; --i)
      permutation.push_back(i);
  return x.graph().tensor(
      g.build(opName<ops::TransposeOp>(), {x.id()},
              {named(g, "permutation", g.builder.getDenseI64ArrayAttr(permutation))}, loc)[0]);
}

Tensor broadcastTo(const Tensor &x, const Shape &shape, Loc loc) {
  requireKnownRows(x, loc, "broadcast");
  Shape in = x.shape();
  if (in == shape)
    return x;
  Graph::Impl &g = impl(x);
  if (in.size() > shape.size() || broadcastShapes(in, shape, where(g, loc, "broadcast")) != shape)
    throw Error(where(g, loc, "broadcast") + ": cannot broadcast " + shapeString(in) + " to " +
                shapeString(shape));
  std::vector<int64_t> dims;
  for (size_t i = 0; i < in.size(); ++i)
    dims.push_back(static_cast<int64_t>(shape.size() - in.size() + i));
  auto type = g.type(x.id()).clone(mlirShape(shape, where(g, loc, "broadcast")));
  return x.graph().tensor(
      g.build(opName<ops::BroadcastInDimOp>(), {x.id()},
              {named(g, "broadcast_dimensions", g.builder.getDenseI64ArrayAttr(dims))}, loc,
              llvm::ArrayRef<Type>{type})[0]);
}

Tensor softmax(const Tensor &logits, Loc loc) {
  return unary(opName<ops::SoftmaxOp>(), logits, loc);
}

Tensor sigmoidCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits, Loc loc) {
  checkSameGraph(labels, logits, loc, "sigmoidCrossEntropyWithLogits");
  if (labels.shape() != logits.shape() || labels.dtype() != logits.dtype())
    throw Error(where(impl(logits), loc, "sigmoidCrossEntropyWithLogits") + ": labels " +
                shapeString(labels.shape()) + " " + runtime::dtypeName(labels.dtype()) +
                " and logits " + shapeString(logits.shape()) + " " +
                runtime::dtypeName(logits.dtype()) + " differ");
  Tensor softplus = log(add(onesLike(logits, loc), exp(neg(abs(logits, loc), loc), loc), loc), loc);
  return add(sub(relu(logits, loc), mul(logits, labels, loc), loc), softplus, loc);
}

Tensor softmaxCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits, Loc loc) {
  checkSameGraph(labels, logits, loc, opName<ops::SoftmaxCrossEntropyOp>());
  requireKnownRows(labels, loc, opName<ops::SoftmaxCrossEntropyOp>());
  requireKnownRows(logits, loc, opName<ops::SoftmaxCrossEntropyOp>());
  Graph::Impl &g = impl(logits);
  return logits.graph().tensor(
      g.build(opName<ops::SoftmaxCrossEntropyOp>(), {logits.id(), labels.id()}, {}, loc)[0]);
}

std::vector<Tensor> gradients(const Tensor &loss, const std::vector<Tensor> &wrt, Loc loc) {
  Graph::Impl &g = impl(loss);
  std::vector<int> operands{loss.id()};
  requireKnownRows(loss, loc, opName<ops::GradOp>());
  for (const Tensor &x : wrt) {
    checkSameGraph(loss, x, loc, opName<ops::GradOp>());
    requireKnownRows(x, loc, opName<ops::GradOp>());
    operands.push_back(x.id());
  }
  std::vector<Tensor> out;
  for (int id : g.build(opName<ops::GradOp>(), operands, {}, loc))
    out.push_back(loss.graph().tensor(id));
  return out;
}

std::vector<Tensor> gradients(const Tensor &loss, const std::vector<Variable> &wrt, Loc loc) {
  return gradients(loss, std::vector<Tensor>(wrt.begin(), wrt.end()), loc);
}

std::vector<Tensor> gradients(const Tensor &loss, std::initializer_list<Tensor> wrt, Loc loc) {
  return gradients(loss, std::vector<Tensor>(wrt), loc);
}

} // namespace sinter

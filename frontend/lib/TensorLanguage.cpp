// The tensor language of chapters 4–5 as composites of the sinter primitives (no op of its own):
// argument checking with errors at the caller's line, then builder calls from Ops.h.
#include "sinter/TensorLanguage.h"

#include "GraphImpl.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir;

namespace sinter {

namespace ops = mlir::sinter; // the generated op classes

namespace {

std::string at(Graph &g, const Loc &loc, const std::string &op) {
  return locationString(g.impl().location(loc)) + ": " + op;
}

/// Normalises one axis in [−rank, rank) (or [−(rank+1), rank] with `extra`).
int64_t normAxis(Graph &g, const Loc &loc, const char *op, int64_t axis, int64_t rank,
                 bool extra = false) {
  int64_t n = rank + (extra ? 1 : 0);
  if (axis < -n || axis >= n)
    throw Error(at(g, loc, op) + ": axis " + std::to_string(axis) + " is out of range [" +
                std::to_string(-n) + ", " + std::to_string(n) + ") for a tensor of rank " +
                std::to_string(rank));
  return axis < 0 ? axis + n : axis;
}

// --- constant -------------------------------------------------------------------------------

struct Flat {
  Shape shape;
  std::vector<const Literal *> leaves;
  bool anyFloat = false, anyBool = false, anyNumber = false;
};

void flatten(Graph &g, const Loc &loc, const Literal &v, size_t depth, Flat &f,
             const std::string &path) {
  if (v.kind() != Literal::Kind::List) {
    if (depth != f.shape.size())
      throw Error(at(g, loc, "constant") + ": ragged nested list: a scalar at " + path +
                  " where a list of length " + std::to_string(f.shape[depth]) + " is expected");
    f.leaves.push_back(&v);
    (v.kind() == Literal::Kind::Bool ? f.anyBool : f.anyNumber) = true;
    f.anyFloat |= v.kind() == Literal::Kind::Float;
    return;
  }
  int64_t n = static_cast<int64_t>(v.items().size());
  if (depth == f.shape.size()) {
    if (!f.leaves.empty())
      throw Error(at(g, loc, "constant") + ": ragged nested list: a list at " + path +
                  " where a scalar is expected");
    f.shape.push_back(n);
  } else if (f.shape[depth] != n) {
    throw Error(at(g, loc, "constant") + ": ragged nested list: length " + std::to_string(n) +
                " at " + path + ", but " + std::to_string(f.shape[depth]) + " before it");
  }
  for (int64_t i = 0; i < n; ++i)
    flatten(g, loc, v.items()[i], depth + 1, f, path + "[" + std::to_string(i) + "]");
  // An empty list fixes no deeper dimension: nothing more to check.
}

} // namespace

Tensor constant(Graph &g, const Literal &value, DType dtype, Loc loc) {
  Flat f;
  flatten(g, loc, value, 0, f, "value");
  Graph::Impl &gi = g.impl();
  Type et = elementType(gi.ctx, dtype);
  std::vector<Attribute> elements;
  for (const Literal *l : f.leaves) {
    if (auto ft = dyn_cast<FloatType>(et)) {
      APFloat v(l->floatValue());
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      elements.push_back(FloatAttr::get(ft, v));
      continue;
    }
    unsigned width = et.getIntOrFloatBitWidth();
    int64_t iv;
    if (l->kind() == Literal::Kind::Float) {
      double d = l->floatValue();
      if (width != 1 && (std::trunc(d) != d || std::abs(d) > 9.2e18))
        throw Error(at(g, loc, "constant") + ": cannot convert " + std::to_string(d) + " to " +
                    runtime::dtypeName(dtype));
      iv = width == 1 ? (d != 0) : static_cast<int64_t>(d);
    } else {
      iv = l->intValue();
    }
    if (width == 1)
      iv = iv != 0;
    APInt bits = APInt(64, static_cast<uint64_t>(iv), /*isSigned=*/true).trunc(width);
    elements.push_back(IntegerAttr::get(et, bits));
  }
  auto type = RankedTensorType::get(f.shape, et);
  auto attr = DenseElementsAttr::get(type, elements);
  return g.tensor(
      gi.build(opName<ops::ConstantOp>(), {}, {gi.builder.getNamedAttr("value", attr)}, loc)[0]);
}

Tensor constant(Graph &g, const Literal &value, Loc loc) {
  Flat f;
  flatten(g, loc, value, 0, f, "value");
  if (f.anyBool && f.anyNumber)
    throw Error(at(g, loc, "constant") + ": a list mixes bools and numbers; give a dtype");
  DType dtype = f.anyBool ? DType::Bool : f.anyFloat ? DType::F32 : DType::I32;
  if (f.leaves.empty())
    dtype = DType::F32; // tf.constant([]) is float32
  return constant(g, value, dtype, loc);
}

// --- creation -------------------------------------------------------------------------------

Tensor range(Graph &g, double start, double limit, double delta, DType dtype, Loc loc) {
  if (delta == 0)
    throw Error(at(g, loc, "range") + ": delta must not be 0");
  double span = (limit - start) / delta;
  int64_t n = span > 0 ? static_cast<int64_t>(std::ceil(span)) : 0;
  Tensor i = iota(g, {n}, 0, dtype, loc);
  if (delta != 1)
    i = mul(i, scalar(g, delta, dtype, loc), loc);
  if (start != 0)
    i = add(i, scalar(g, start, dtype, loc), loc);
  return i;
}
Tensor range(Graph &g, double limit, Loc loc) { return range(g, 0, limit, 1, DType::I32, loc); }
Tensor range(Graph &g, double limit, DType dtype, Loc loc) {
  return range(g, 0, limit, 1, dtype, loc);
}

Tensor linspace(Graph &g, double start, double stop, int64_t num, DType dtype, Loc loc) {
  if (num < 1)
    throw Error(at(g, loc, "linspace") + ": num must be at least 1, got " + std::to_string(num));
  if (!isFloat(dtype))
    throw Error(at(g, loc, "linspace") + ": needs a float dtype");
  if (num == 1)
    return fill(g, {1}, start, dtype, loc);
  double step = (stop - start) / static_cast<double>(num - 1);
  Tensor i = iota(g, {num}, 0, dtype, loc);
  Tensor v = add(mul(i, scalar(g, step, dtype, loc), loc), scalar(g, start, dtype, loc), loc);
  // The last one is exactly stop (as NumPy/TF).
  Tensor last = equal(i, scalar(g, static_cast<double>(num - 1), dtype, loc), loc);
  return where(last, fill(g, {num}, stop, dtype, loc), v, loc);
}

Tensor eye(Graph &g, int64_t n, int64_t m, DType dtype, Loc loc) {
  if (m < 0)
    m = n;
  if (n < 0)
    throw Error(at(g, loc, "eye") + ": negative size " + std::to_string(n));
  Tensor same =
      equal(iota(g, {n, m}, 0, DType::I32, loc), iota(g, {n, m}, 1, DType::I32, loc), loc);
  return cast(same, dtype, loc);
}

Tensor oneHot(const Tensor &indices, int64_t depth, DType dtype, Loc loc) {
  Graph &g = indices.graph();
  DType it = indices.dtype();
  if (isFloat(it) || it == DType::Bool)
    throw Error(at(g, loc, "oneHot") + ": indices must be integers, got " + runtime::dtypeName(it));
  if (depth < 1)
    throw Error(at(g, loc, "oneHot") + ": depth must be at least 1");
  Shape shape = indices.shape();
  shape.push_back(depth);
  Tensor positions = iota(g, shape, static_cast<int64_t>(shape.size()) - 1, it, loc);
  Tensor hit = equal(broadcastTo(expandDims(indices, -1, loc), shape, loc), positions, loc);
  return cast(hit, dtype, loc);
}

std::pair<Tensor, Tensor> meshgrid(const Tensor &x, const Tensor &y, Loc loc) {
  Graph &g = x.graph();
  if (x.rank() != 1 || y.rank() != 1)
    throw Error(at(g, loc, "meshgrid") + ": needs two vectors, got " + shapeString(x.shape()) +
                " and " + shapeString(y.shape()));
  int64_t nx = x.shape()[0], ny = y.shape()[0];
  return {broadcastTo(reshape(x, {1, nx}, loc), {ny, nx}, loc),
          broadcastTo(reshape(y, {ny, 1}, loc), {ny, nx}, loc)};
}

// --- indexing -------------------------------------------------------------------------------

Tensor index(const Tensor &x, const std::vector<Index> &items, Loc loc) {
  Graph &g = x.graph();
  Shape in = x.shape();
  int64_t rank = x.rank();
  int64_t consuming = 0, ellipses = 0;
  for (const Index &i : items) {
    if (std::holds_alternative<EllipsisType>(i.item()))
      ++ellipses;
    else if (!std::holds_alternative<NewAxisType>(i.item()))
      ++consuming;
  }
  if (ellipses > 1)
    throw Error(at(g, loc, "index") + ": an index can only have a single ellipsis");
  if (consuming > rank)
    throw Error(at(g, loc, "index") + ": too many indices: " + std::to_string(consuming) +
                " for a tensor of rank " + std::to_string(rank) + " " + shapeString(in));
  std::vector<Index> full;
  for (const Index &i : items) {
    if (std::holds_alternative<EllipsisType>(i.item())) {
      for (int64_t k = 0; k < rank - consuming; ++k)
        full.push_back(Slice());
    } else {
      full.push_back(i);
    }
  }
  if (ellipses == 0)
    for (int64_t k = consuming; k < rank; ++k)
      full.push_back(Slice());

  Shape start(rank, 0), limit(in), strides(rank, 1), out;
  std::vector<int64_t> reversed;
  int64_t dim = 0;
  for (const Index &i : full) {
    if (std::holds_alternative<NewAxisType>(i.item())) {
      out.push_back(1);
      continue;
    }
    int64_t size = in[dim];
    if (const int64_t *p = std::get_if<int64_t>(&i.item())) {
      int64_t k = *p < 0 ? *p + size : *p;
      if (k < 0 || k >= size)
        throw Error(at(g, loc, "index") + ": index " + std::to_string(*p) +
                    " is out of range for dimension " + std::to_string(dim) + " of size " +
                    std::to_string(size) + " (shape " + shapeString(in) + ")");
      start[dim] = k;
      limit[dim] = k + 1;
      ++dim;
      continue;
    }
    const Slice &s = std::get<Slice>(i.item());
    if (size < 0 && !s.start.set && !s.stop.set && (!s.step.set || s.step.value == 1)) {
      // The batch dimension (size known only at run time), taken whole.
      start[dim] = 0;
      limit[dim] = -1;
      strides[dim] = 1;
      out.push_back(-1);
      ++dim;
      continue;
    }
    int64_t step = s.step.set ? s.step.value : 1;
    if (step == 0)
      throw Error(at(g, loc, "index") + ": slice step of dimension " + std::to_string(dim) +
                  " is 0");
    // Python's slice.indices(size).
    auto bound = [&](const SliceBound &b, int64_t dflt, int64_t lo, int64_t hi) {
      if (!b.set)
        return dflt;
      int64_t v = b.value < 0 ? b.value + size : b.value;
      return std::clamp(v, lo, hi);
    };
    int64_t first, count;
    if (step > 0) {
      first = bound(s.start, 0, 0, size);
      int64_t stop = bound(s.stop, size, 0, size);
      count = stop > first ? (stop - first + step - 1) / step : 0;
    } else {
      first = bound(s.start, size - 1, -1, size - 1);
      int64_t stop = bound(s.stop, -1, -1, size - 1);
      count = first > stop ? (first - stop - step - 1) / -step : 0;
      // In the reversed dimension element j is at size − 1 − j.
      first = size - 1 - first;
      step = -step;
      if (count > 0)
        reversed.push_back(dim);
    }
    if (count == 0)
      first = 0;
    start[dim] = first;
    limit[dim] = count == 0 ? 0 : first + (count - 1) * step + 1;
    strides[dim] = step;
    out.push_back(count);
    ++dim;
  }
  Tensor y = x;
  if (!reversed.empty())
    y = reverse(y, reversed, loc);
  if (start != Shape(rank, 0) || limit != in || strides != Shape(rank, 1))
    y = stridedSlice(y, start, limit, strides, loc);
  if (y.shape() != out)
    y = reshape(y, out, loc);
  return y;
}

// --- shapes ---------------------------------------------------------------------------------

Tensor expandDims(const Tensor &x, int64_t axis, Loc loc) {
  Shape s = x.shape();
  axis = normAxis(x.graph(), loc, "expandDims", axis, x.rank(), /*extra=*/true);
  s.insert(s.begin() + axis, 1);
  return reshape(x, s, loc);
}

Tensor squeeze(const Tensor &x, Loc loc) {
  Shape s;
  for (int64_t d : x.shape())
    if (d != 1)
      s.push_back(d);
  return s == x.shape() ? x : reshape(x, s, loc);
}

Tensor squeeze(const Tensor &x, std::vector<int64_t> axes, Loc loc) {
  Shape in = x.shape(), s;
  std::vector<bool> drop(in.size(), false);
  for (int64_t a : axes) {
    int64_t k = normAxis(x.graph(), loc, "squeeze", a, x.rank());
    if (in[k] != 1)
      throw Error(at(x.graph(), loc, "squeeze") + ": cannot squeeze dimension " +
                  std::to_string(k) + " of shape " + shapeString(in) + ": its size is " +
                  std::to_string(in[k]) + ", not 1");
    drop[k] = true;
  }
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i])
      s.push_back(in[i]);
  return s == in ? x : reshape(x, s, loc);
}

Tensor tile(const Tensor &x, const std::vector<int64_t> &multiples, Loc loc) {
  Shape in = x.shape();
  if (multiples.size() != in.size())
    throw Error(at(x.graph(), loc, "tile") + ": " + std::to_string(multiples.size()) +
                " multiples for a tensor of rank " + std::to_string(in.size()));
  Shape spread, big, out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (multiples[i] < 0)
      throw Error(at(x.graph(), loc, "tile") + ": multiple " + std::to_string(multiples[i]) +
                  " of dimension " + std::to_string(i) + " is negative");
    spread.insert(spread.end(), {1, in[i]});
    big.insert(big.end(), {multiples[i], in[i]});
    out.push_back(multiples[i] * in[i]);
  }
  if (out == in)
    return x;
  return reshape(broadcastTo(reshape(x, spread, loc), big, loc), out, loc);
}

Tensor stack(const std::vector<Tensor> &tensors, int64_t axis, Loc loc) {
  if (tensors.empty())
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": stack needs at least one tensor");
  Graph &g = tensors.front().graph();
  Shape first = tensors.front().shape();
  for (size_t i = 1; i < tensors.size(); ++i)
    if (tensors[i].shape() != first || tensors[i].dtype() != tensors.front().dtype())
      throw Error(at(g, loc, "stack") +
                  ": shapes of all inputs must match: values[0].shape = " + shapeString(first) +
                  " (" + runtime::dtypeName(tensors.front().dtype()) + ") != values[" +
                  std::to_string(i) + "].shape = " + shapeString(tensors[i].shape()) + " (" +
                  runtime::dtypeName(tensors[i].dtype()) + ")");
  axis = normAxis(g, loc, "stack", axis, static_cast<int64_t>(first.size()), /*extra=*/true);
  std::vector<Tensor> parts;
  for (const Tensor &t : tensors)
    parts.push_back(expandDims(t, axis, loc));
  return parts.size() == 1 ? parts[0] : concat(parts, axis, loc);
}

std::vector<Tensor> split(const Tensor &x, const std::vector<int64_t> &sizesIn, int64_t axis,
                          Loc loc) {
  Graph &g = x.graph();
  axis = normAxis(g, loc, "split", axis, x.rank());
  Shape in = x.shape();
  std::vector<int64_t> sizes = sizesIn;
  int64_t known = 0, inferred = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && inferred < 0)
      inferred = static_cast<int64_t>(i);
    else if (sizes[i] < 0)
      throw Error(at(g, loc, "split") + ": bad size " + std::to_string(sizes[i]) +
                  " (only one -1 is allowed)");
    else
      known += sizes[i];
  }
  if (inferred >= 0 && known <= in[axis])
    sizes[inferred] = in[axis] - known, known = in[axis];
  if (known != in[axis])
    throw Error(at(g, loc, "split") + ": sizes add up to " + std::to_string(known) +
                ", but dimension " + std::to_string(axis) + " of " + shapeString(in) + " is " +
                std::to_string(in[axis]));
  std::vector<Tensor> out;
  int64_t offset = 0;
  for (int64_t n : sizes) {
    Shape start(in.size(), 0), limit = in, strides(in.size(), 1);
    start[axis] = offset;
    limit[axis] = offset + n;
    out.push_back(sizes.size() == 1 ? x : stridedSlice(x, start, limit, strides, loc));
    offset += n;
  }
  return out;
}

std::vector<Tensor> split(const Tensor &x, int64_t count, int64_t axis, Loc loc) {
  Graph &g = x.graph();
  int64_t a = normAxis(g, loc, "split", axis, x.rank());
  int64_t size = x.shape()[a];
  if (count < 1 || size % count != 0)
    throw Error(at(g, loc, "split") + ": dimension " + std::to_string(a) + " of " +
                shapeString(x.shape()) + " (size " + std::to_string(size) +
                ") cannot be split into " + std::to_string(count) + " equal parts");
  return split(x, std::vector<int64_t>(count, size / count), a, loc);
}

std::vector<Tensor> unstack(const Tensor &x, int64_t axis, Loc loc) {
  int64_t a = normAxis(x.graph(), loc, "unstack", axis, x.rank());
  std::vector<Tensor> out;
  for (const Tensor &t : split(x, x.shape()[a], a, loc))
    out.push_back(squeeze(t, {a}, loc));
  return out;
}

Tensor padInterior(const Tensor &x, const std::vector<std::pair<int64_t, int64_t>> &paddings,
                   const std::vector<int64_t> &interior, double value, Loc loc) {
  Graph &g = x.graph();
  if (static_cast<int64_t>(paddings.size()) != x.rank() ||
      static_cast<int64_t>(interior.size()) != x.rank())
    throw Error(at(g, loc, "pad") +
                ": needs one padding pair and one interior amount per "
                "dimension of a tensor of rank " +
                std::to_string(x.rank()));
  Graph::Impl &gi = g.impl();
  std::vector<int64_t> low, high;
  for (auto [l, h] : paddings) {
    low.push_back(l);
    high.push_back(h);
  }
  Tensor v = scalar(g, value, x.dtype(), loc);
  auto attr = [&](const char *name, const std::vector<int64_t> &a) {
    return gi.builder.getNamedAttr(name, gi.builder.getDenseI64ArrayAttr(a));
  };
  return g.tensor(gi.build(opName<ops::PadOp>(), {x.id(), v.id()},
                           {attr("edge_padding_low", low), attr("edge_padding_high", high),
                            attr("interior_padding", interior)},
                           loc)[0]);
}

// --- math -----------------------------------------------------------------------------------

Tensor logBase(const Tensor &x, double base, Loc loc) {
  return div(log(x, loc), log(scalar(x.graph(), base, x.dtype(), loc), loc), loc);
}

Tensor norm(const Tensor &x, double ord, std::vector<int64_t> axes, bool keepdims, Loc loc) {
  if (!isFloat(x.dtype()))
    throw Error(at(x.graph(), loc, "norm") + ": needs a float tensor, got " +
                runtime::dtypeName(x.dtype()));
  if (ord == 1)
    return reduceSum(abs(x, loc), axes, keepdims, loc);
  if (ord == 2)
    return sqrt(reduceSum(square(x, loc), axes, keepdims, loc), loc);
  if (ord == inf)
    return reduceMax(abs(x, loc), axes, keepdims, loc);
  if (!(ord > 0) || std::isinf(ord))
    throw Error(at(x.graph(), loc, "norm") + ": ord must be 1, 2, inf or a positive number");
  Tensor p = scalar(x.graph(), ord, x.dtype(), loc);
  Tensor s = reduceSum(pow(abs(x, loc), p, loc), axes, keepdims, loc);
  return pow(s, scalar(x.graph(), 1 / ord, x.dtype(), loc), loc);
}

Tensor logSoftmax(const Tensor &logits, Loc loc) {
  Graph &g = logits.graph();
  if (!isFloat(logits.dtype()) || logits.rank() < 1)
    throw Error(at(g, loc, "logSoftmax") + ": needs a float tensor of rank 1 or more");
  int64_t last = logits.rank() - 1;
  // The max is a constant shift: it cancels in the value, so it needs no gradient.
  Tensor shifted =
      sub(logits, stopGradient(reduceMax(logits, {last}, /*keepdims=*/true, loc), loc), loc);
  return sub(shifted, log(reduceSum(exp(shifted, loc), {last}, /*keepdims=*/true, loc), loc), loc);
}

Tensor sparseSoftmaxCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits, Loc loc) {
  Graph &g = logits.graph();
  if (labels.rank() != logits.rank() - 1)
    throw Error(at(g, loc, "sparseSoftmaxCrossEntropyWithLogits") + ": labels " +
                shapeString(labels.shape()) + " must have one dimension fewer than logits " +
                shapeString(logits.shape()));
  Tensor hot = oneHot(labels, logits.shape().back(), logits.dtype(), loc);
  return softmaxCrossEntropyWithLogits(hot, logits, loc);
}

Tensor clipByValue(const Tensor &x, double lo, double hi, Loc loc) {
  if (lo > hi)
    throw Error(at(x.graph(), loc, "clipByValue") + ": lower bound " + std::to_string(lo) +
                " is above upper bound " + std::to_string(hi));
  Graph &g = x.graph();
  return minimum(maximum(x, scalar(g, lo, x.dtype(), loc), loc), scalar(g, hi, x.dtype(), loc),
                 loc);
}

Tensor clipByNorm(const Tensor &x, double clip, std::vector<int64_t> axes, Loc loc) {
  Graph &g = x.graph();
  if (!isFloat(x.dtype()))
    throw Error(at(g, loc, "clipByNorm") + ": needs a float tensor");
  // TensorFlow's formula, safe at x = 0 (no NaN in the value or the gradient).
  Tensor l2sum = reduceSum(square(x, loc), axes, /*keepdims=*/true, loc);
  Tensor zero = scalar(g, 0, x.dtype(), loc), one = scalar(g, 1, x.dtype(), loc);
  Tensor pred = greater(l2sum, zero, loc);
  Tensor safe = where(pred, l2sum, onesLike(l2sum, loc), loc);
  Tensor l2norm = where(pred, sqrt(safe, loc), l2sum, loc);
  Tensor c = scalar(g, clip, x.dtype(), loc);
  (void)one;
  return div(mul(x, c, loc), maximum(l2norm, c, loc), loc);
}

ClippedTensors clipByGlobalNorm(const std::vector<Tensor> &tensors, double clip, Loc loc) {
  if (tensors.empty())
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": clipByGlobalNorm needs at least one tensor");
  Graph &g = tensors.front().graph();
  DType dt = tensors.front().dtype();
  Tensor total;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].dtype() != dt || !isFloat(dt))
      throw Error(at(g, loc, "clipByGlobalNorm") + ": tensors must share one float dtype; " +
                  "tensor " + std::to_string(i) + " is " + runtime::dtypeName(tensors[i].dtype()));
    Tensor s = reduceSum(square(tensors[i], loc), {}, false, loc);
    total = total.valid() ? add(total, s, loc) : s;
  }
  Tensor globalNorm = sqrt(total, loc);
  Tensor c = scalar(g, clip, dt, loc);
  Tensor scale = div(c, maximum(globalNorm, c, loc), loc);
  ClippedTensors out;
  for (const Tensor &t : tensors)
    out.tensors.push_back(mul(t, scale, loc));
  out.globalNorm = globalNorm;
  return out;
}

// --- gather and masks -----------------------------------------------------------------------

Tensor gather(const Tensor &x, const Tensor &indices, int64_t axis, Loc loc) {
  Graph &g = x.graph();
  DType it = indices.dtype();
  if (it != DType::I32 && it != DType::I64)
    throw Error(at(g, loc, "gather") + ": indices must be int32 or int64, got " +
                runtime::dtypeName(it));
  int64_t rank = x.rank();
  axis = normAxis(g, loc, "gather", axis, rank);
  // Bring `axis` to the front, gather rows, put the index dimensions back at `axis`.
  std::vector<int64_t> perm{axis};
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      perm.push_back(i);
  Tensor front = axis == 0 ? x : transpose(x, perm, loc);
  Tensor rows = gatherNd(front, expandDims(indices, -1, loc), loc);
  if (axis == 0)
    return rows;
  int64_t k = indices.rank();
  // rows: [I (k dims), x dims 0..axis-1, x dims axis+1..]; wanted: [x 0..axis-1, I, x axis+1..].
  std::vector<int64_t> back;
  for (int64_t i = 0; i < axis; ++i)
    back.push_back(k + i);
  for (int64_t i = 0; i < k; ++i)
    back.push_back(i);
  for (int64_t i = k + axis; i < k + rank - 1; ++i)
    back.push_back(i);
  return transpose(rows, back, loc);
}

Tensor booleanMask(const Tensor &x, const Tensor &mask, int64_t axis, Loc loc) {
  Graph &g = x.graph();
  if (mask.dtype() != DType::Bool)
    throw Error(at(g, loc, "booleanMask") + ": the mask must be a bool tensor, got " +
                runtime::dtypeName(mask.dtype()));
  int64_t rank = x.rank(), k = mask.rank();
  axis = normAxis(g, loc, "booleanMask", axis, rank);
  Shape xs = x.shape(), ms = mask.shape();
  if (k < 1 || axis + k > rank || !std::equal(ms.begin(), ms.end(), xs.begin() + axis))
    throw Error(at(g, loc, "booleanMask") + ": mask of shape " + shapeString(ms) +
                " does not match dimensions " + std::to_string(axis) + ".." +
                std::to_string(axis + k - 1) + " of " + shapeString(xs));
  if (axis == 0)
    return gatherNd(x, where(mask, loc), loc);
  // Not the leading dimension: the mask must be known now (only a leading dimension can be
  // dynamic, docs/architecture.md, "Run-time row counts").
  HostTensor m;
  try {
    m = mask.value();
  } catch (const Error &e) {
    throw Error(at(g, loc, "booleanMask") + ": with axis " + std::to_string(axis) +
                " the mask must be computable without inputs (only a leading dimension can be "
                "known only at run time; transpose the masked dimensions to the front and use "
                "axis 0): " +
                e.what());
  }
  std::vector<int32_t> positions;
  auto bits = m.as<uint8_t>();
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i])
      positions.push_back(static_cast<int32_t>(i));
  // Flatten the masked dimensions and gather the true positions.
  Shape flat(xs.begin(), xs.begin() + axis);
  flat.push_back(mask.numElements());
  flat.insert(flat.end(), xs.begin() + axis + k, xs.end());
  Tensor idx = constant(g, positions, {static_cast<int64_t>(positions.size())}, loc);
  return gather(reshape(x, flat, loc), idx, axis, loc);
}

} // namespace sinter

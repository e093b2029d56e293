// The tensor language of the book's chapters 4–5 (TensorFlow's spelling, in C++): constants from
// nested lists, range/linspace/eye/one_hot/meshgrid, NumPy indexing and slicing, the shape ops
// (expand_dims, squeeze, tile, stack, split, unstack), norms, clipping, gather and boolean_mask.
//
// Everything here is a composite of the sinter dialect's primitives (docs/architecture.md,
// "Decisions"): no function adds an op, so every gradient comes from the primitives' VJPs. See
// docs/tensor-language.md for the TF → Sinter table.
#ifndef SINTER_TENSORLANGUAGE_H
#define SINTER_TENSORLANGUAGE_H

#include "sinter/Ops.h"

#include <initializer_list>
#include <limits>
#include <utility>
#include <variant>

namespace sinter {

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

/// A scalar or a (nested) list literal: `5`, `2.5`, `true`, `{1, 2., 3.3}`, `{{1, 2}, {3, 4}}`.
/// TensorFlow's dtype inference: all integers → int32, any float → float32, all bools → bool.
class Literal {
public:
  Literal(bool v) : kind_(Kind::Bool), int_(v) {}
  Literal(int v) : kind_(Kind::Int), int_(v) {}
  Literal(long v) : kind_(Kind::Int), int_(v) {}
  Literal(long long v) : kind_(Kind::Int), int_(v) {}
  Literal(unsigned v) : kind_(Kind::Int), int_(v) {}
  Literal(float v) : kind_(Kind::Float), float_(v) {}
  Literal(double v) : kind_(Kind::Float), float_(v) {}
  Literal(std::initializer_list<Literal> items) : kind_(Kind::List), items_(items) {}

  enum class Kind { Bool, Int, Float, List };
  Kind kind() const { return kind_; }
  int64_t intValue() const { return int_; }
  double floatValue() const { return kind_ == Kind::Float ? float_ : static_cast<double>(int_); }
  const std::vector<Literal> &items() const { return items_; }

private:
  Kind kind_;
  int64_t int_ = 0;
  double float_ = 0;
  std::vector<Literal> items_;
};

/// tf.constant: `constant(g, {{1, 2}, {3, 4}})` is int32 [2, 2]; `constant(g, {1, 2., 3.3})` is
/// float32 [3]. Ragged lists and bools mixed with numbers are an Error.
Tensor constant(Graph &g, const Literal &value, Loc loc = Loc::current());
/// With a dtype: integers wrap to narrower types (123456789 as int16 is −13035), floats round to
/// nearest (π as float16 is 3.140625), non-zero is true for bool; a non-integral float for an
/// integer dtype is an Error (as tf.constant).
Tensor constant(Graph &g, const Literal &value, DType dtype, Loc loc = Loc::current());

/// tf.range: start, start + delta, … before limit (delta may be negative; 0 is an Error).
Tensor range(Graph &g, double start, double limit, double delta = 1, DType dtype = DType::I32,
             Loc loc = Loc::current());
Tensor range(Graph &g, double limit, Loc loc = Loc::current());
Tensor range(Graph &g, double limit, DType dtype, Loc loc = Loc::current());
/// tf.linspace: `num` float32 values from start to stop, both included.
Tensor linspace(Graph &g, double start, double stop, int64_t num, DType dtype = DType::F32,
                Loc loc = Loc::current());
/// tf.eye: an n × m (m = n when −1) identity matrix.
Tensor eye(Graph &g, int64_t n, int64_t m = -1, DType dtype = DType::F32, Loc loc = Loc::current());
/// tf.one_hot: indices (any integer dtype) → indices.shape + [depth], 1 at the index, 0
/// elsewhere (an index outside [0, depth) gives a row of zeros).
Tensor oneHot(const Tensor &indices, int64_t depth, DType dtype = DType::F32,
              Loc loc = Loc::current());
/// tf.meshgrid with xy indexing: x [nx], y [ny] → (X, Y), both [ny, nx].
std::pair<Tensor, Tensor> meshgrid(const Tensor &x, const Tensor &y, Loc loc = Loc::current());

//===----------------------------------------------------------------------===//
// Indexing and slicing: x[::2, ..., 1:] is x(S(_, _, 2), ellipsis, S(1, _))
//===----------------------------------------------------------------------===//

/// The omitted part of a slice (Python's empty `start:stop:step` field).
struct NoneType {};
inline constexpr NoneType _{};
struct EllipsisType {};
inline constexpr EllipsisType ellipsis{};
struct NewAxisType {};
inline constexpr NewAxisType newAxis{};

/// An optional slice bound.
struct SliceBound {
  SliceBound(NoneType) {}
  SliceBound(int v) : value(v), set(true) {}
  SliceBound(long v) : value(v), set(true) {}
  SliceBound(long long v) : value(v), set(true) {}
  int64_t value = 0;
  bool set = false;
};

/// Python's `start:stop:step`: S() is `:`, S(1, _) is `1:`, S(_, _, -1) is `::-1`, S(8, 0, -1) is
/// `8:0:-1`. One argument is the stop (as Python's slice(stop)).
struct Slice {
  Slice(Loc loc = Loc::current()) : loc(loc) {}
  Slice(SliceBound stop, Loc loc = Loc::current()) : stop(stop), loc(loc) {}
  Slice(SliceBound start, SliceBound stop, Loc loc = Loc::current())
      : start(start), stop(stop), loc(loc) {}
  Slice(SliceBound start, SliceBound stop, SliceBound step, Loc loc = Loc::current())
      : start(start), stop(stop), step(step), loc(loc) {}
  SliceBound start = _, stop = _, step = _;
  Loc loc;
};
using S = Slice;

/// One item of an index expression: an integer (removes the dimension; negative counts from the
/// end), a Slice, `ellipsis` (as many `:` as needed) or `newAxis` (inserts a dimension of 1).
class Index {
public:
  Index(int i) : item_(static_cast<int64_t>(i)) {}
  Index(long i) : item_(static_cast<int64_t>(i)) {}
  Index(long long i) : item_(static_cast<int64_t>(i)) {}
  Index(Slice s) : item_(s) {}
  Index(EllipsisType e) : item_(e) {}
  Index(NewAxisType n) : item_(n) {}
  const std::variant<int64_t, Slice, EllipsisType, NewAxisType> &item() const { return item_; }

private:
  std::variant<int64_t, Slice, EllipsisType, NewAxisType> item_;
};

/// x[items] with NumPy/TensorFlow semantics. A negative step reverses the dimension, then takes
/// a positive-stride slice. Out-of-range integers, step 0, several ellipses and more indices than
/// dimensions are Errors naming the dimension.
Tensor index(const Tensor &x, const std::vector<Index> &items, Loc loc = Loc::current());

template <class... I> Tensor Tensor::operator()(I &&...items) const {
  std::vector<Index> list{Index(std::forward<I>(items))...};
  // Errors name the line of the first Slice written at the call (an integer carries no line).
  Loc loc = Loc::current();
  for (const Index &i : list)
    if (const Slice *s = std::get_if<Slice>(&i.item())) {
      loc = s->loc;
      break;
    }
  return index(*this, list, loc);
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// tf.expand_dims: a dimension of 1 at `axis` in [−(rank+1), rank] (−1 appends at the end).
Tensor expandDims(const Tensor &x, int64_t axis, Loc loc = Loc::current());
/// tf.squeeze: removes every dimension of size 1 …
Tensor squeeze(const Tensor &x, Loc loc = Loc::current());
/// … or exactly `axes` (an Error if one of them is not 1).
Tensor squeeze(const Tensor &x, std::vector<int64_t> axes, Loc loc = Loc::current());
/// tf.tile: repeats x multiples[i] times along dimension i (a broadcast and a reshape).
Tensor tile(const Tensor &x, const std::vector<int64_t> &multiples, Loc loc = Loc::current());
/// tf.stack: a new dimension at `axis` (expand_dims' rule); all shapes must be equal.
Tensor stack(const std::vector<Tensor> &tensors, int64_t axis = 0, Loc loc = Loc::current());
/// tf.split into `count` equal parts along `axis` (the dimension is kept).
std::vector<Tensor> split(const Tensor &x, int64_t count, int64_t axis = 0,
                          Loc loc = Loc::current());
/// tf.split by sizes (one may be −1: the rest). Note: `split(x, {5})` is a count; spell a single
/// size as std::vector<int64_t>{5}.
std::vector<Tensor> split(const Tensor &x, const std::vector<int64_t> &sizes, int64_t axis,
                          Loc loc = Loc::current());
/// tf.unstack: pieces of length 1 along `axis`, with the dimension removed.
std::vector<Tensor> unstack(const Tensor &x, int64_t axis = 0, Loc loc = Loc::current());
/// tf.pad with interior padding (`interior[i]` values between neighbours along dimension i).
Tensor padInterior(const Tensor &x, const std::vector<std::pair<int64_t, int64_t>> &paddings,
                   const std::vector<int64_t> &interior, double value = 0,
                   Loc loc = Loc::current());

//===----------------------------------------------------------------------===//
// Math (chapter 5)
//===----------------------------------------------------------------------===//

inline constexpr double inf = std::numeric_limits<double>::infinity();

/// log of x in `base` (change of base: ln x / ln base).
Tensor logBase(const Tensor &x, double base, Loc loc = Loc::current());
/// tf.norm: ord 1 (Σ|x|), 2 (√Σx²), inf (max|x|) or any p > 0, over `axes` (all when empty, on
/// the flattened tensor, as the book).
Tensor norm(const Tensor &x, double ord = 2, std::vector<int64_t> axes = {}, bool keepdims = false,
            Loc loc = Loc::current());
/// tf.nn.log_softmax over the last axis: x − max − log Σ exp(x − max) (stable for any x).
Tensor logSoftmax(const Tensor &logits, Loc loc = Loc::current());
/// tf.nn.sparse_softmax_cross_entropy_with_logits: one loss per row, −log softmax(logits)[label]
/// for integer labels [b] and logits [b, C].
Tensor sparseSoftmaxCrossEntropyWithLogits(const Tensor &labels, const Tensor &logits,
                                           Loc loc = Loc::current());
/// tf.clip_by_value: min(max(x, lo), hi).
Tensor clipByValue(const Tensor &x, double lo, double hi, Loc loc = Loc::current());
/// tf.clip_by_norm: x · clip / max(‖x‖₂, clip) (‖x‖ over `axes`, all when empty).
Tensor clipByNorm(const Tensor &x, double clip, std::vector<int64_t> axes = {},
                  Loc loc = Loc::current());
struct ClippedTensors {
  std::vector<Tensor> tensors; // each t · clip / max(globalNorm, clip)
  Tensor globalNorm;           // √Σ‖t‖₂², before clipping
};
/// tf.clip_by_global_norm.
ClippedTensors clipByGlobalNorm(const std::vector<Tensor> &tensors, double clip,
                                Loc loc = Loc::current());

//===----------------------------------------------------------------------===//
// Gather and masks
//===----------------------------------------------------------------------===//

/// tf.gather: slices of x at `indices` (int32/int64, any shape) along `axis`; the result's shape
/// is x.shape[:axis] + indices.shape + x.shape[axis+1:]. Indices out of range are clamped.
Tensor gather(const Tensor &x, const Tensor &indices, int64_t axis = 0, Loc loc = Loc::current());
/// tf.boolean_mask: the elements (or slices) of x where `mask` (bool, shape equal to x's
/// dimensions axis … axis + mask.rank − 1) is true.
///  - axis 0: gatherNd(x, where(mask)); the result's leading dimension is known only at run time
///    (it can feed gatherNd or be an entry's output; any other op is an Error saying so).
///  - axis > 0: the mask must not depend on a Graph::input; it is evaluated on the spot and the
///    result has a static shape (a gather with the true positions).
Tensor booleanMask(const Tensor &x, const Tensor &mask, int64_t axis = 0, Loc loc = Loc::current());

} // namespace sinter

#endif

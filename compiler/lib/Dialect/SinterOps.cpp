// Shape inference, verifiers and folders of the sinter ops.
#include "sinter/Compiler/Dialect/SinterDialect.h"
#include "sinter/runtime/Runtime.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

#include <array>

using namespace mlir;
using namespace mlir::sinter;

std::string mlir::sinter::typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

namespace {

RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Checks that `axes` are distinct and in [0, rank).
LogicalResult checkAxes(std::optional<Location> loc, ArrayRef<int64_t> axes, int64_t rank,
                        StringRef what) {
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return emitOptionalError(loc, what, " axis ", a, " is out of range for rank ", rank);
    if (!seen.insert(a).second)
      return emitOptionalError(loc, what, " axis ", a, " is repeated");
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Sources and state
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return emitOptionalError(loc, "sinter.constant needs a ranked tensor value");
  // (dense_resource<…> and other elements attributes have no lowering)
  if (!isa<DenseElementsAttr>(adaptor.getValue()))
    return emitOptionalError(loc, "sinter.constant needs dense<…> elements");
  types.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult InputOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getType());
  if (!type)
    return emitOptionalError(loc, "sinter.input needs a ranked tensor type");
  types.push_back(type);
  return success();
}

static LogicalResult verifyVariableUse(Operation *op, StringRef name, Type type,
                                       SymbolTableCollection &symbols) {
  auto var =
      symbols.lookupNearestSymbolFrom<VariableOp>(op, StringAttr::get(op->getContext(), name));
  if (!var)
    return op->emitOpError("refers to unknown variable '") << name << "'";
  if (var.getType() != type)
    return op->emitOpError("type ")
           << type << " differs from variable '" << name << "' of type " << var.getType();
  return success();
}

LogicalResult ReadOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyVariableUse(*this, getVariable(), getType(), symbols);
}

LogicalResult AssignOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyVariableUse(*this, getVariable(), getValue().getType(), symbols);
}

LogicalResult RandomOp::verify() {
  StringRef d = getDistribution();
  if (d != "uniform" && d != "normal" && d != "truncated_normal")
    return emitOpError("unknown distribution '")
           << d << "' (expected uniform, normal or truncated_normal)";
  if (d != "uniform" && getB().convertToDouble() < 0)
    return emitOpError("stddev must be non-negative");
  if (getOffset() && getOffset().getType().getRank() != 0)
    return emitOpError("offset must be an int64 scalar");
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// The result types of the same-type elementwise ops (unary, binary, logical, softmax) come
// from ODS: SameOperandsAndResultType with InferTypeOpInterface.

static LogicalResult inferSameTypes(std::optional<Location> loc, StringRef op, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types) {
  if (lhs.getType() != rhs.getType())
    return emitOptionalError(loc, op, ": operand types differ: ", typeString(lhs.getType()), " vs ",
                             typeString(rhs.getType()));
  types.push_back(lhs.getType());
  return success();
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef d = adaptor.getDirection();
  if (!llvm::is_contained({"eq", "ne", "lt", "le", "gt", "ge"}, d))
    return emitOptionalError(loc, "sinter.compare: unknown direction '", d, "'");
  SmallVector<Type> same;
  if (failed(inferSameTypes(loc, "sinter.compare", adaptor.getLhs(), adaptor.getRhs(), same)))
    return failure();
  types.push_back(tensorOf(adaptor.getLhs()).clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult IsNanOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf(adaptor.getOperand()).clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (failed(inferSameTypes(loc, "sinter.select", adaptor.getLhs(), adaptor.getRhs(), types)))
    return failure();
  if (tensorOf(adaptor.getCond()).getShape() != tensorOf(adaptor.getLhs()).getShape())
    return emitOptionalError(loc, "sinter.select: condition shape ",
                             typeString(adaptor.getCond().getType()),
                             " differs from the operands' ", typeString(types.front()));
  return success();
}

LogicalResult CastOp::verify() {
  if (getOperand().getType().getShape() != getType().getShape())
    return emitOpError("changes the shape: ") << getOperand().getType() << " -> " << getType();
  return success();
}

LogicalResult AllReduceOp::verify() {
  if (getReduction() != "sum" && getReduction() != "mean")
    return emitOpError("reduction must be \"sum\" or \"mean\", got \"") << getReduction() << "\"";
  if (!getOperand().getType().hasStaticShape())
    return emitOpError("needs a static shape (every rank reduces the same number of elements), "
                       "got ")
           << getOperand().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Contraction and reductions
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto a = tensorOf(adaptor.getLhs()), b = tensorOf(adaptor.getRhs());
  if (a.getRank() < 2 || b.getRank() < 2)
    return emitOptionalError(loc, "sinter.matmul needs operands of rank >= 2, got ", typeString(a),
                             " and ", typeString(b));
  if (a.getRank() != b.getRank() || a.getShape().drop_back(2) != b.getShape().drop_back(2))
    return emitOptionalError(loc, "sinter.matmul: batch dimensions differ: ", typeString(a), " vs ",
                             typeString(b));
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "sinter.matmul: dtypes differ: ", typeString(a), " vs ",
                             typeString(b));
  int64_t r = a.getRank();
  bool ta = adaptor.getTransposeA(), tb = adaptor.getTransposeB();
  int64_t m = a.getDimSize(ta ? r - 1 : r - 2), ka = a.getDimSize(ta ? r - 2 : r - 1);
  int64_t kb = b.getDimSize(tb ? r - 1 : r - 2), n = b.getDimSize(tb ? r - 2 : r - 1);
  if (ka != kb)
    return emitOptionalError(loc, "sinter.matmul: inner dimensions differ (", ka, " vs ", kb,
                             "): ", typeString(a), " x ", typeString(b));
  SmallVector<int64_t> shape(a.getShape().drop_back(2));
  shape.append({m, n});
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

static LogicalResult inferReduce(std::optional<Location> loc, StringRef op, Value operand,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 SmallVectorImpl<Type> &types) {
  auto type = tensorOf(operand);
  if (failed(checkAxes(loc, axes, type.getRank(), op)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      shape.push_back(type.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(type.clone(shape));
  return success();
}

#define SINTER_REDUCE_INFER(OP, NAME)                                                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,  \
                                     SmallVectorImpl<Type> &types) {                               \
    return inferReduce(loc, NAME, adaptor.getOperand(), adaptor.getAxes(), adaptor.getKeepdims(),  \
                       types);                                                                     \
  }
SINTER_REDUCE_INFER(ReduceSumOp, "sinter.reduce_sum")
SINTER_REDUCE_INFER(ReduceMeanOp, "sinter.reduce_mean")
SINTER_REDUCE_INFER(ReduceMaxOp, "sinter.reduce_max")
SINTER_REDUCE_INFER(ReduceMinOp, "sinter.reduce_min")
SINTER_REDUCE_INFER(ReduceProdOp, "sinter.reduce_prod")
#undef SINTER_REDUCE_INFER

static LogicalResult inferArg(MLIRContext *ctx, std::optional<Location> loc, StringRef op,
                              Value operand, int64_t axis, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(operand);
  if (failed(checkAxes(loc, {axis}, type.getRank(), op)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferArg(ctx, loc, "sinter.argmax", adaptor.getOperand(), adaptor.getAxis(), types);
}
LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferArg(ctx, loc, "sinter.argmin", adaptor.getOperand(), adaptor.getAxis(), types);
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand());
  int64_t k = adaptor.getK();
  if (type.getRank() < 1 || k < 1 || k > type.getShape().back())
    return emitOptionalError(loc, "sinter.top_k: k = ", k, " must be in [1, ",
                             type.getRank() ? type.getShape().back() : 0,
                             "] (the size of the last dimension of ", typeString(type), ")");
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = k;
  types.push_back(type.clone(shape));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 32)));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the geometry attributes shared by convolutions and pooling ([h, w] strides and
/// dilations, [top, bottom, left, right] padding) and that `image` is NHWC with static spatial
/// and channel sizes; returns the output's [oh, ow] for a [kh, kw] window.
static FailureOr<std::array<int64_t, 2>>
windowOutputSize(std::optional<Location> loc, StringRef op, RankedTensorType image,
                 ArrayRef<int64_t> window, ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> padding) {
  if (image.getRank() != 4)
    return emitOptionalError(loc, op, ": the input must be an NHWC image of rank 4, got ",
                             typeString(image));
  for (int64_t i = 1; i < 4; ++i)
    if (image.isDynamicDim(i))
      return emitOptionalError(loc, op, ": only the batch dimension of ", typeString(image),
                               " may be dynamic");
  if (strides.size() != 2 || dilations.size() != 2 || padding.size() != 4)
    return emitOptionalError(loc, op,
                             ": needs 2 strides, 2 dilations and 4 padding amounts "
                             "(top, bottom, left, right)");
  std::array<int64_t, 2> out;
  for (int64_t i = 0; i < 2; ++i) {
    if (strides[i] < 1 || dilations[i] < 1)
      return emitOptionalError(loc, op, ": strides and dilations must be positive, got strides [",
                               strides[0], ", ", strides[1], "], dilations [", dilations[0], ", ",
                               dilations[1], "]");
    int64_t lo = padding[2 * i], hi = padding[2 * i + 1];
    if (lo < 0 || hi < 0)
      return emitOptionalError(loc, op, ": padding amounts must be non-negative");
    int64_t span = dilations[i] * (window[i] - 1) + 1;
    int64_t padded = image.getDimSize(1 + i) + lo + hi;
    if (window[i] < 1 || span > padded)
      return emitOptionalError(loc, op, ": the ", i == 0 ? "height" : "width", " of the window (",
                               window[i], ", spanning ", span, " with dilation ", dilations[i],
                               ") does not fit the padded input (", padded, ") of ",
                               typeString(image));
    out[i] = (padded - span) / strides[i] + 1;
  }
  return out;
}

/// The conv2d result type of `input` by `filter`, or an error naming `op`.
static FailureOr<RankedTensorType> convResultType(std::optional<Location> loc, StringRef op,
                                                  RankedTensorType x, RankedTensorType w,
                                                  ArrayRef<int64_t> strides,
                                                  ArrayRef<int64_t> dilations,
                                                  ArrayRef<int64_t> padding, int64_t groups) {
  if (w.getRank() != 4 || !w.hasStaticShape())
    return emitOptionalError(loc, op,
                             ": the filter must be [kh, kw, in_channels / groups, "
                             "out_channels], got ",
                             typeString(w));
  if (x.getElementType() != w.getElementType())
    return emitOptionalError(loc, op, ": dtypes differ: ", typeString(x), " vs ", typeString(w));
  auto size = windowOutputSize(loc, op, x, w.getShape().take_front(2), strides, dilations, padding);
  if (failed(size))
    return failure();
  int64_t channels = x.getDimSize(3);
  if (groups < 1 || channels % groups != 0 || w.getDimSize(3) % groups != 0)
    return emitOptionalError(loc, op, ": groups = ", groups, " must divide the input channels (",
                             channels, ") and the output channels (", w.getDimSize(3), ")");
  if (w.getDimSize(2) != channels / groups)
    return emitOptionalError(loc, op, ": the filter ", typeString(w), " takes ", w.getDimSize(2),
                             " channels per group, the input ", typeString(x), " has ", channels,
                             " in ", groups, " group(s)");
  return x.clone({x.getDimSize(0), (*size)[0], (*size)[1], w.getDimSize(3)});
}

#define SINTER_CONV_ARGS(A) A.getStrides(), A.getDilations(), A.getPadding(), A.getGroups()

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = convResultType(loc, "sinter.conv2d", tensorOf(adaptor.getLhs()),
                             tensorOf(adaptor.getRhs()), SINTER_CONV_ARGS(adaptor));
  if (failed(type))
    return failure();
  types.push_back(*type);
  return success();
}

LogicalResult Conv2DBackpropInputOp::verify() {
  auto conv = convResultType(getLoc(), "sinter.conv2d_backprop_input", getType(),
                             getRhs().getType(), SINTER_CONV_ARGS((*this)));
  if (failed(conv))
    return failure();
  if (*conv != getLhs().getType())
    return emitOpError("the gradient ")
           << getLhs().getType() << " is not the shape of conv2d(" << getType() << ", "
           << getRhs().getType() << "), which is " << *conv;
  return success();
}

LogicalResult Conv2DBackpropFilterOp::verify() {
  auto conv = convResultType(getLoc(), "sinter.conv2d_backprop_filter", getLhs().getType(),
                             getType(), SINTER_CONV_ARGS((*this)));
  if (failed(conv))
    return failure();
  if (*conv != getRhs().getType())
    return emitOpError("the gradient ")
           << getRhs().getType() << " is not the shape of conv2d(" << getLhs().getType() << ", "
           << getType() << "), which is " << *conv;
  return success();
}
#undef SINTER_CONV_ARGS

static LogicalResult inferPool(std::optional<Location> loc, StringRef op, Value operand,
                               ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding, SmallVectorImpl<Type> &types) {
  auto x = tensorOf(operand);
  if (window.size() != 2)
    return emitOptionalError(loc, op, ": needs a [height, width] window");
  auto size = windowOutputSize(loc, op, x, window, strides, {1, 1}, padding);
  if (failed(size))
    return failure();
  // A window made of padding only would have no maximum and nothing to average.
  for (int64_t i = 0; i < 4; ++i)
    if (padding[i] >= window[i / 2])
      return emitOptionalError(loc, op, ": padding ", padding[i],
                               " must be smaller than the window (", window[i / 2], ")");
  types.push_back(x.clone({x.getDimSize(0), (*size)[0], (*size)[1], x.getDimSize(3)}));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferPool(loc, "sinter.max_pool2d", adaptor.getOperand(), adaptor.getWindow(),
                   adaptor.getStrides(), adaptor.getPadding(), types);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferPool(loc, "sinter.avg_pool2d", adaptor.getOperand(), adaptor.getWindow(),
                   adaptor.getStrides(), adaptor.getPadding(), types);
}

//===----------------------------------------------------------------------===//
// Batch normalisation
//===----------------------------------------------------------------------===//

/// Checks that `x` has a batch and a static channel axis (the last) and that each of
/// `perChannel` is a [channels] tensor of x's element type; pushes x's type and two [channels].
static LogicalResult inferBatchNorm(std::optional<Location> loc, StringRef op, Value x,
                                    ArrayRef<std::pair<StringRef, Value>> perChannel,
                                    double epsilon, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(x);
  if (type.getRank() < 2 || type.isDynamicDim(type.getRank() - 1))
    return emitOptionalError(loc, op, ": the input ", typeString(type),
                             " needs a batch axis and a known number of channels (the last axis)");
  if (!(epsilon > 0))
    return emitOptionalError(loc, op, ": epsilon must be positive, got ", epsilon);
  auto channels = RankedTensorType::get({type.getShape().back()}, type.getElementType());
  for (auto [name, v] : perChannel)
    if (v.getType() != channels)
      return emitOptionalError(loc, op, ": ", name, " ", typeString(v.getType()), " must be ",
                               typeString(channels), " (one per channel of ", typeString(type),
                               ")");
  types.append({type, channels, channels});
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferBatchNorm(loc, "sinter.batch_norm", adaptor.getOperand(),
                        {{"gamma", adaptor.getGamma()}, {"beta", adaptor.getBeta()}},
                        adaptor.getEpsilon().convertToDouble(), types);
}

LogicalResult BatchNormGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (adaptor.getGrad().getType() != adaptor.getOperand().getType())
    return emitOptionalError(
        loc, "sinter.batch_norm_grad: the gradient ", typeString(adaptor.getGrad().getType()),
        " is not the shape of the input ", typeString(adaptor.getOperand().getType()));
  return inferBatchNorm(loc, "sinter.batch_norm_grad", adaptor.getOperand(),
                        {{"gamma", adaptor.getGamma()},
                         {"mean", adaptor.getMean()},
                         {"variance", adaptor.getVariance()}},
                        adaptor.getEpsilon().convertToDouble(), types);
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

/// Checks the operands of a whole recurrent layer with `gates` gates (lstm: 4; gru: 3) and a
/// cell state or not: float32; x [batch, time, features], states [batch, units], Keras' kernel
/// layouts, a bias of `biasGates`·units. Returns the sequence type [batch, time, units].
static FailureOr<RankedTensorType> inferRecurrence(std::optional<Location> loc, StringRef op,
                                                   ValueRange operands, int64_t gates,
                                                   int64_t biasGates, bool cellState) {
  unsigned states = cellState ? 2 : 1, count = 4 + states;
  auto x = tensorOf(operands[0]), h0 = tensorOf(operands[1]);
  for (Value v : operands.take_front(count))
    if (!tensorOf(v).getElementType().isF32())
      return emitOptionalError(loc, op, ": runs on float32 only, got ", typeString(v.getType()));
  if (x.getRank() != 3 || x.isDynamicDim(1) || x.isDynamicDim(2))
    return emitOptionalError(loc, op, ": the input ", typeString(x),
                             " must be [batch, time, features] with a known time and features");
  if (h0.getRank() != 2 || h0.isDynamicDim(1) || h0.getDimSize(0) != x.getDimSize(0))
    return emitOptionalError(loc, op, ": the initial state ", typeString(h0),
                             " must be [batch, units] with the input's batch");
  int64_t features = x.getDimSize(2), units = h0.getDimSize(1);
  auto f32 = x.getElementType();
  auto expect = [&](Value v, StringRef name, RankedTensorType want) -> LogicalResult {
    if (v.getType() != want)
      return emitOptionalError(loc, op, ": ", name, " ", typeString(v.getType()), " must be ",
                               typeString(want));
    return success();
  };
  if (cellState && failed(expect(operands[2], "c0", h0)))
    return failure();
  ValueRange weights = operands.slice(1 + states, 3);
  if (failed(expect(weights[0], "kernel", RankedTensorType::get({features, gates * units}, f32))) ||
      failed(expect(weights[1], "recurrent_kernel",
                    RankedTensorType::get({units, gates * units}, f32))) ||
      failed(expect(weights[2], "bias", RankedTensorType::get({biasGates * units}, f32))))
    return failure();
  return x.clone({x.getDimSize(0), x.getDimSize(1), units});
}

LogicalResult LstmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> sequence =
      inferRecurrence(loc, "sinter.lstm", adaptor.getOperands(), 4, 4, true);
  if (failed(sequence))
    return failure();
  types.append({*sequence, adaptor.getH0().getType(), adaptor.getC0().getType()});
  return success();
}

LogicalResult LstmGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> sequence =
      inferRecurrence(loc, "sinter.lstm_grad", adaptor.getOperands(), 4, 4, true);
  if (failed(sequence))
    return failure();
  if (adaptor.getSequenceGrad().getType() != *sequence ||
      adaptor.getHGrad().getType() != adaptor.getH0().getType() ||
      adaptor.getCGrad().getType() != adaptor.getC0().getType())
    return emitOptionalError(loc, "sinter.lstm_grad: the gradients must have the types of "
                                  "lstm's results");
  for (Value v : adaptor.getOperands().take_front(6))
    types.push_back(v.getType());
  return success();
}

LogicalResult GruOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> sequence = inferRecurrence(
      loc, "sinter.gru", adaptor.getOperands(), 3, adaptor.getLinearBeforeReset() ? 4 : 3, false);
  if (failed(sequence))
    return failure();
  types.append({*sequence, adaptor.getH0().getType()});
  return success();
}

LogicalResult GruGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  FailureOr<RankedTensorType> sequence =
      inferRecurrence(loc, "sinter.gru_grad", adaptor.getOperands(), 3,
                      adaptor.getLinearBeforeReset() ? 4 : 3, false);
  if (failed(sequence))
    return failure();
  if (adaptor.getSequenceGrad().getType() != *sequence ||
      adaptor.getHGrad().getType() != adaptor.getH0().getType())
    return emitOptionalError(loc, "sinter.gru_grad: the gradients must have the types of "
                                  "gru's results");
  for (Value v : adaptor.getOperands().take_front(5))
    types.push_back(v.getType());
  return success();
}

LogicalResult MaxPool2DGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  SmallVector<Type> pooled;
  if (failed(inferPool(loc, "sinter.max_pool2d_grad", adaptor.getOperand(), adaptor.getWindow(),
                       adaptor.getStrides(), adaptor.getPadding(), pooled)))
    return failure();
  if (pooled[0] != adaptor.getGrad().getType())
    return emitOptionalError(loc, "sinter.max_pool2d_grad: the gradient ",
                             typeString(adaptor.getGrad().getType()),
                             " is not the shape of the pooling's result ", typeString(pooled[0]));
  types.push_back(adaptor.getOperand().getType());
  return success();
}

LogicalResult MaxPool2DSelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (adaptor.getValues().getType() != adaptor.getOperand().getType())
    return emitOptionalError(
        loc, "sinter.max_pool2d_select: the values ", typeString(adaptor.getValues().getType()),
        " are not the shape of the pooling's input ", typeString(adaptor.getOperand().getType()));
  return inferPool(loc, "sinter.max_pool2d_select", adaptor.getOperand(), adaptor.getWindow(),
                   adaptor.getStrides(), adaptor.getPadding(), types);
}

LogicalResult AvgPool2DGradOp::verify() {
  SmallVector<Type> pooled;
  if (failed(inferPool(getLoc(), "sinter.avg_pool2d_grad", getResult(), getWindow(), getStrides(),
                       getPadding(), pooled)))
    return failure();
  if (pooled[0] != getGrad().getType())
    return emitOpError("the gradient ")
           << getGrad().getType() << " is not the shape of the pooling's result " << pooled[0];
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult IotaOp::verify() {
  if (getDimension() < 0 || getDimension() >= getType().getRank())
    return emitOpError("dimension ") << getDimension() << " is out of range for " << getType();
  return success();
}

LogicalResult DimSizeOp::verify() {
  if (getDimension() < 0 || getDimension() >= getOperand().getType().getRank())
    return emitOpError("dimension ")
           << getDimension() << " is out of range for " << getOperand().getType();
  if (getType().getRank() != 0)
    return emitOpError("result must be a scalar, got ") << getType();
  return success();
}

OpFoldResult DimSizeOp::fold(FoldAdaptor) {
  int64_t size = getOperand().getType().getDimSize(getDimension());
  if (ShapedType::isDynamic(size))
    return {};
  Type et = getType().getElementType();
  Attribute scalar = isa<FloatType>(et) ? Attribute(FloatAttr::get(et, static_cast<double>(size)))
                                        : Attribute(IntegerAttr::get(et, size));
  return SplatElementsAttr::get(getType(), scalar);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand());
  ArrayRef<int64_t> start = adaptor.getStartIndices(), limit = adaptor.getLimitIndices(),
                    strides = adaptor.getStrides();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(start.size()) != rank || static_cast<int64_t>(limit.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return emitOptionalError(loc, "sinter.slice: needs one start, limit and stride per dimension");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (type.isDynamicDim(i)) {
      // The batch dimension: only taken whole (limit = its size, unknown here).
      if (start[i] != 0 || strides[i] != 1 || !ShapedType::isDynamic(limit[i]))
        return emitOptionalError(loc, "sinter.slice: dimension ", i, " of ", typeString(type),
                                 " is the batch dimension, known only at run time: it can "
                                 "only be taken whole");
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (strides[i] < 1 || start[i] < 0 || limit[i] < start[i] || limit[i] > type.getDimSize(i))
      return emitOptionalError(loc, "sinter.slice: dimension ", i, " of ", typeString(type),
                               ": slice ", start[i], ":", limit[i], ":", strides[i],
                               " is out of range");
    shape.push_back((limit[i] - start[i] + strides[i] - 1) / strides[i]);
  }
  types.push_back(type.clone(shape));
  return success();
}

LogicalResult ReverseOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand());
  if (failed(checkAxes(loc, adaptor.getDimensions(), type.getRank(), "sinter.reverse")))
    return failure();
  for (int64_t d : adaptor.getDimensions())
    if (type.isDynamicDim(d))
      return emitOptionalError(loc, "sinter.reverse: dimension ", d, " of ", typeString(type),
                               " is the batch dimension, known only at run time: reversing it "
                               "is not supported");
  types.push_back(type);
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand());
  auto value = tensorOf(adaptor.getPaddingValue());
  if (value.getRank() != 0 || value.getElementType() != type.getElementType())
    return emitOptionalError(
        loc, "sinter.pad: the padding value must be a scalar of the operand's dtype");
  ArrayRef<int64_t> low = adaptor.getEdgePaddingLow(), high = adaptor.getEdgePaddingHigh(),
                    interior = adaptor.getInteriorPadding();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(low.size()) != rank || static_cast<int64_t>(high.size()) != rank ||
      static_cast<int64_t>(interior.size()) != rank)
    return emitOptionalError(loc,
                             "sinter.pad: needs one low, high and interior amount per dimension");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (low[i] < 0 || high[i] < 0 || interior[i] < 0)
      return emitOptionalError(loc, "sinter.pad: padding amounts must be non-negative");
    int64_t n = type.getDimSize(i);
    if (ShapedType::isDynamic(n)) {
      if (low[i] || high[i] || interior[i])
        return emitOptionalError(loc, "sinter.pad: dimension ", i, " of ", typeString(type),
                                 " is the batch dimension, known only at run time: it cannot "
                                 "be padded");
      shape.push_back(n);
      continue;
    }
    shape.push_back(low[i] + high[i] + n + std::max<int64_t>(n - 1, 0) * interior[i]);
  }
  types.push_back(type.clone(shape));
  return success();
}

LogicalResult ConcatenateOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "sinter.concatenate needs at least one operand");
  auto first = tensorOf(adaptor.getInputs()[0]);
  int64_t dim = adaptor.getDimension();
  if (dim < 0 || dim >= first.getRank())
    return emitOptionalError(loc, "sinter.concatenate: dimension ", dim,
                             " is out of range for rank ", first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : adaptor.getInputs())
    if (tensorOf(v).isDynamicDim(dim))
      return emitOptionalError(loc, "sinter.concatenate: dimension ", dim, " of ",
                               typeString(v.getType()),
                               " is the batch dimension, known only "
                               "at run time: concatenating along it is not supported");
  for (auto [i, v] : llvm::enumerate(adaptor.getInputs().drop_front())) {
    auto t = tensorOf(v);
    bool same = t.getRank() == first.getRank() && t.getElementType() == first.getElementType();
    for (int64_t d = 0; same && d < t.getRank(); ++d)
      same = d == dim || t.getDimSize(d) == first.getDimSize(d);
    if (!same)
      return emitOptionalError(loc,
                               "sinter.concatenate: dimensions of inputs should match: shape[0] = ",
                               typeString(first), " vs. shape[", i + 1, "] = ", typeString(t));
    shape[dim] += t.getDimSize(dim);
  }
  types.push_back(first.clone(shape));
  return success();
}

static LogicalResult checkIndices(std::optional<Location> loc, StringRef op, RankedTensorType idx,
                                  RankedTensorType target) {
  if (!idx.getElementType().isInteger(32) && !idx.getElementType().isInteger(64))
    return emitOptionalError(loc, op, ": indices must be int32 or int64, got ", typeString(idx));
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1) ||
      idx.getShape().back() > target.getRank())
    return emitOptionalError(loc, op, ": indices ", typeString(idx),
                             " need a last dimension of at most the rank of ", typeString(target));
  return success();
}

LogicalResult GatherNdOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand()), idx = tensorOf(adaptor.getIndices());
  if (failed(checkIndices(loc, "sinter.gather_nd", idx, type)))
    return failure();
  SmallVector<int64_t> shape(idx.getShape().drop_back());
  llvm::append_range(shape, type.getShape().drop_front(idx.getShape().back()));
  types.push_back(type.clone(shape));
  return success();
}

LogicalResult ScatterNdOp::verify() {
  auto idx = getIndices().getType(), updates = getUpdates().getType(), out = getType();
  if (failed(checkIndices(getLoc(), "sinter.scatter_nd", idx, out)))
    return failure();
  SmallVector<int64_t> expected(idx.getShape().drop_back());
  llvm::append_range(expected, out.getShape().drop_front(idx.getShape().back()));
  if (updates.getShape() != ArrayRef<int64_t>(expected) ||
      updates.getElementType() != out.getElementType())
    return emitOpError("updates ")
           << updates << " do not match indices " << idx << " and result " << out;
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (!tensorOf(adaptor.getMask()).hasStaticShape())
    return emitOptionalError(loc, "sinter.where: the mask ",
                             typeString(adaptor.getMask().getType()),
                             " needs a static shape (where/boolean_mask of a batch-sized "
                             "tensor is not supported)");
  types.push_back(RankedTensorType::get(
      {ShapedType::kDynamic, tensorOf(adaptor.getMask()).getRank()}, IntegerType::get(ctx, 64)));
  return success();
}

/// The product of the static dimensions, and how many are dynamic.
static std::pair<int64_t, int64_t> staticElements(RankedTensorType t) {
  int64_t n = 1, dynamic = 0;
  for (int64_t d : t.getShape()) {
    if (ShapedType::isDynamic(d))
      ++dynamic;
    else
      n *= d;
  }
  return {n, dynamic};
}

LogicalResult ReshapeOp::verify() {
  auto [inStatic, inDynamic] = staticElements(getOperand().getType());
  auto [outStatic, outDynamic] = staticElements(getType());
  if (inDynamic || outDynamic) {
    // The batch dimension stays a dimension of its own: one dynamic size on each side, the
    // rest the same number of elements.
    if (inDynamic != 1 || outDynamic != 1 || inStatic != outStatic)
      return emitOpError("cannot reshape ") << getOperand().getType() << " to " << getType()
                                            << ": the batch dimension (?) must stay a "
                                               "dimension of its own";
  } else if (getOperand().getType().getNumElements() != getType().getNumElements())
    return emitOpError("cannot reshape ")
           << getOperand().getType() << " (" << getOperand().getType().getNumElements()
           << " elements) to " << getType() << " (" << getType().getNumElements() << " elements)";
  if (getOperand().getType().getElementType() != getType().getElementType())
    return emitOpError("changes the dtype");
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  if (auto producer = getOperand().getDefiningOp<ReshapeOp>()) {
    getOperandMutable().assign(producer.getOperand());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getOperand()))
    return dense.reshape(getType());
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto type = tensorOf(adaptor.getOperand());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (static_cast<int64_t>(perm.size()) != type.getRank())
    return emitOptionalError(loc, "sinter.transpose: permutation of size ", perm.size(),
                             " for rank ", type.getRank());
  if (failed(checkAxes(loc, perm, type.getRank(), "sinter.transpose: permutation")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  types.push_back(type.clone(shape));
  return success();
}

LogicalResult BroadcastInDimOp::verify() {
  auto in = getOperand().getType();
  auto out = getType();
  ArrayRef<int64_t> dims = getBroadcastDimensions();
  if (static_cast<int64_t>(dims.size()) != in.getRank())
    return emitOpError("needs one broadcast dimension per operand dimension");
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the dtype");
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d < 0 || d >= out.getRank() || (i > 0 && d <= dims[i - 1]))
      return emitOpError("broadcast dimensions must be increasing and within the result rank");
    if ((in.getDimSize(i) != 1 && in.getDimSize(i) != out.getDimSize(d)) ||
        (in.isDynamicDim(i) && !out.isDynamicDim(d)))
      return emitOpError("cannot broadcast ")
             << in << " to " << out << ": dimension " << i << " has size " << in.getDimSize(i)
             << ", result dimension " << d << " has size " << out.getDimSize(d);
  }
  return success();
}

OpFoldResult BroadcastInDimOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getOperand()))
    if (dense.isSplat() && getType().hasStaticShape())
      return SplatElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}

//===----------------------------------------------------------------------===//
// Composites and grad
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                      Adaptor adaptor,
                                                      SmallVectorImpl<Type> &types) {
  auto logits = tensorOf(adaptor.getLogits());
  if (logits != tensorOf(adaptor.getLabels()))
    return emitOptionalError(loc, "sinter.softmax_cross_entropy: logits ", typeString(logits),
                             " and labels ", typeString(adaptor.getLabels().getType()),
                             " differ (labels are probabilities, e.g. one-hot)");
  if (logits.getRank() < 1)
    return emitOptionalError(loc, "sinter.softmax_cross_entropy needs rank >= 1");
  types.push_back(logits.clone(logits.getShape().drop_back()));
  return success();
}

LogicalResult GradOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  for (Value v : adaptor.getWrt())
    types.push_back(v.getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool mlir::sinter::lowersSoftmaxWhole(SoftmaxOp op) {
  auto type = op.getType();
  int64_t elements = 1;
  for (int64_t d : type.getShape())
    elements *= ShapedType::isDynamic(d) ? kAssumedBatchSize : d;
  return isa<FloatType>(type.getElementType()) && type.getRank() > 0 &&
         !type.isDynamicDim(type.getRank() - 1) && elements >= 16384;
}

bool mlir::sinter::lowersBatchNormWhole(Operation *op) {
  return isa<BatchNormOp, BatchNormGradOp>(op) &&
         tensorOf(op->getOperand(0)).getElementType().isF32() && usesLibraryKernels(op);
}

bool mlir::sinter::usesLibraryKernels(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  return !(module && module->hasAttr(kGeneratedOnlyAttr)) &&
         ::sinter::runtime::libraryKernelsEnabled();
}

std::optional<int64_t> mlir::sinter::dynamicRowBound(Value value) {
  if (auto where = value.getDefiningOp<WhereOp>())
    return where.getMask().getType().getNumElements();
  if (auto gather = value.getDefiningOp<GatherNdOp>())
    return dynamicRowBound(gather.getIndices());
  return std::nullopt;
}

Value mlir::sinter::splatConstant(OpBuilder &b, Location loc, RankedTensorType type, double value) {
  Type et = type.getElementType();
  Attribute scalar;
  if (auto ft = dyn_cast<FloatType>(et))
    scalar = b.getFloatAttr(ft, value);
  else
    scalar = b.getIntegerAttr(et, static_cast<int64_t>(value));
  if (type.hasStaticShape())
    return ConstantOp::create(b, loc, SplatElementsAttr::get(type, scalar));
  // A constant has a static shape: size 1 for the batch dimension, broadcast at run time.
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = 1;
  Value one = ConstantOp::create(b, loc, SplatElementsAttr::get(type.clone(shape), scalar));
  return BroadcastInDimOp::create(
      b, loc, type, one,
      b.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))));
}

Value mlir::sinter::elementCount(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes,
                                 Type elementType) {
  auto type = tensorOf(value);
  auto scalarType = RankedTensorType::get({}, elementType);
  double n = 1;
  Value count;
  for (int64_t a : axes) {
    if (!type.isDynamicDim(a)) {
      n *= type.getDimSize(a);
      continue;
    }
    Value size = DimSizeOp::create(b, loc, scalarType, value, b.getI64IntegerAttr(a));
    count = count ? MulOp::create(b, loc, count, size).getResult() : size;
  }
  Value staticPart = splatConstant(b, loc, scalarType, n);
  return count ? MulOp::create(b, loc, count, staticPart).getResult() : staticPart;
}

Value mlir::sinter::sumToShape(OpBuilder &b, Location loc, Value value, RankedTensorType target) {
  auto type = tensorOf(value);
  if (type == target)
    return value;
  // Leading dimensions the broadcast added, and dimensions broadcast from size 1.
  int64_t lead = type.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (i < lead || (target.getDimSize(i - lead) == 1 && type.getDimSize(i) != 1))
      axes.push_back(i);
  Value sum =
      ReduceSumOp::create(b, loc, value, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(false));
  if (cast<RankedTensorType>(sum.getType()) == target)
    return sum;
  return ReshapeOp::create(b, loc, target, sum);
}

Value mlir::sinter::broadcastReduced(OpBuilder &b, Location loc, Value value,
                                     RankedTensorType target, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (int64_t i = 0; i < target.getRank(); ++i)
    if (!llvm::is_contained(axes, i))
      kept.push_back(i);
  auto in = tensorOf(value);
  if (static_cast<int64_t>(kept.size()) != in.getRank()) {
    // keepdims form: drop the size-1 axes first.
    SmallVector<int64_t> shape;
    for (int64_t i : kept)
      shape.push_back(target.getDimSize(i));
    value = ReshapeOp::create(b, loc, in.clone(shape), value);
  }
  return BroadcastInDimOp::create(b, loc, target, value, b.getDenseI64ArrayAttr(kept));
}

#define GET_OP_CLASSES
#include "sinter/Compiler/Dialect/SinterOps.cpp.inc"

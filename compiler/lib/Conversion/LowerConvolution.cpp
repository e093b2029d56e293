// Lowerings of the convolution and pooling ops to linalg loops on tensors.
//
// Each convolution op becomes one linalg.generic over 5 parallel and 3 reduction dimensions,
// with the channels split into [groups, channels per group] (a view), so grouped and
// depthwise convolutions are the same loop nest. The backward-data op reads a gradient
// spread out with the strides (zeros between) and shifted by the window, which turns the
// scatter of the transposed convolution into a gather.
//
// f32 convolutions and poolings with enough work call the runtime's oneDNN kernels instead
// (Abi.h): the operands' buffers (bufferization.to_buffer) and a new result buffer go to one
// call. The pooling gradients, scatters into overlapping windows, always call the runtime's
// kernels.
#include "LoweringUtils.h"

#include "sinter/Compiler/Transforms/Passes.h"
#include "sinter/runtime/Abi.h"

#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlir::sinter::lowering {

namespace {

struct Geometry {
  int64_t stride[2], dilation[2], padLow[2], padHigh[2], groups;

  template <class ConvOp> static Geometry of(ConvOp op) {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(), p = op.getPadding();
    return {{s[0], s[1]},
            {d[0], d[1]},
            {p[0], p[2]},
            {p[1], p[3]},
            static_cast<int64_t>(op.getGroups())};
  }
};

/// A rank-4 type with its last dimension split into [groups, size / groups].
RankedTensorType splitLastType(RankedTensorType t, int64_t groups) {
  return t.clone(
      {t.getDimSize(0), t.getDimSize(1), t.getDimSize(2), groups, t.getDimSize(3) / groups});
}

/// A rank-4 tensor with its last dimension split into [groups, size / groups] (a view).
Value splitLast(OpBuilder &b, Location loc, Value x, int64_t groups) {
  auto to = splitLastType(tensorOf(x), groups);
  return tensor::ExpandShapeOp::create(b, loc, to, x, {{0}, {1}, {2}, {3, 4}}, mixedSizes(b, to));
}

Value joinLast(OpBuilder &b, Location loc, Value x) {
  return tensor::CollapseShapeOp::create(b, loc, x,
                                         SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
}

/// `x` [n, h, w, c] with `low`/`high` rows and columns of `value` around it.
Value padImage(OpBuilder &b, Location loc, Value x, const int64_t low[2], const int64_t high[2],
               double value) {
  if (!low[0] && !low[1] && !high[0] && !high[1])
    return x;
  auto t = tensorOf(x);
  auto padded = t.clone({t.getDimSize(0), t.getDimSize(1) + low[0] + high[0],
                         t.getDimSize(2) + low[1] + high[1], t.getDimSize(3)});
  return placeInto(b, loc, x, padded, scalarConst(b, loc, t.getElementType(), value),
                   {0, low[0], low[1], 0}, {1, 1, 1, 1});
}

/// out[parallel dims] = Σ lhs · rhs over the three reduction dimensions (the last three of
/// the eight loop dimensions), with the last dimension of `lhs`, `rhs` and `outType` (rank 4)
/// split into [groups, size / groups]: the five parallel loops run over the split out, and the
/// index expressions of lhs and rhs (five each, `d(i)` the i-th loop) read the split operands.
Value groupedContraction(OpBuilder &b, Location loc, int64_t groups, Value lhs,
                         ArrayRef<AffineExpr> lhsIndex, Value rhs, ArrayRef<AffineExpr> rhsIndex,
                         RankedTensorType outType) {
  outType = splitLastType(outType, groups);
  lhs = splitLast(b, loc, lhs, groups);
  rhs = splitLast(b, loc, rhs, groups);
  // The generic iterates the loops in the order 0-3, 5-7, 4: the last output dimension (the
  // channels, contiguous in the output and the filter) innermost, after the reductions, so
  // the inner loop runs along rows and vectorizes (as generatedMatmul's (m, k, n)).
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap loopOf = AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(7), d(4), d(5), d(6)}, ctx);
  auto map = [&](ArrayRef<AffineExpr> index) {
    return AffineMap::get(8, 0, index, ctx).compose(loopOf);
  };
  Value zero = scalarConst(b, loc, outType.getElementType(), 0);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, outType)})
          .getResult(0);
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.append(3, utils::IteratorType::reduction);
  iters.push_back(utils::IteratorType::parallel);
  SmallVector<AffineMap> maps{map(lhsIndex), map(rhsIndex), map({d(0), d(1), d(2), d(3), d(4)})};
  auto sum = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{lhs, rhs}, ValueRange{init}, maps, iters,
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value product = arith::MulFOp::create(nb, nl, a[0], a[1]);
        linalg::YieldOp::create(nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], product)});
      });
  // Kept whole by fusion, for sinter-tile-contractions to tile (TileContractions.cpp).
  sum->setAttr(kGeneratedProductAttr, b.getUnitAttr());
  return joinLast(b, loc, sum.getResult(0));
}

/// Whether a convolution of these shapes goes to the library kernel.
bool useLibrary(Operation *op, RankedTensorType image, RankedTensorType out,
                RankedTensorType filter) {
  if (!image.getElementType().isF32() || !usesLibraryKernels(op))
    return false;
  int64_t batch = image.isDynamicDim(0) ? kAssumedBatchSize : image.getDimSize(0);
  int64_t work = batch * out.getDimSize(1) * out.getDimSize(2) * filter.getNumElements();
  return work >= kMinLibraryWork;
}

/// A call of sinter_kernel_conv2d_f32 computing the result of `op`; `kind` says which
/// convolution op it is.
template <class ConvOp>
Value libraryConv(OpBuilder &b, ConvOp op, int32_t kind, RankedTensorType image,
                  RankedTensorType filter, RankedTensorType out) {
  Geometry geo = Geometry::of(op);
  KernelCall k(b, op.getLoc(), kind, {op.getType()});
  // The kernel's (src, weights, dst): the result takes the slot `kind` writes.
  Value lhs = k.buffer(op.getLhs()), rhs = k.buffer(op.getRhs());
  Value buffers[3] = {lhs, rhs, k.result()};
  if (kind == SINTER_CONV_BACKWARD_DATA) // (dst, weights) -> src
    buffers[0] = k.result(), buffers[2] = lhs;
  else if (kind == SINTER_CONV_BACKWARD_WEIGHTS) // (src, dst) -> weights
    buffers[1] = k.result(), buffers[2] = rhs;
  for (Value buffer : buffers)
    k.address(buffer);
  k.batch(image);
  for (int64_t v :
       {image.getDimSize(1), image.getDimSize(2), image.getDimSize(3), out.getDimSize(1),
        out.getDimSize(2), out.getDimSize(3), filter.getDimSize(0), filter.getDimSize(1),
        geo.stride[0], geo.stride[1], geo.dilation[0], geo.dilation[1], geo.padLow[0],
        geo.padHigh[0], geo.padLow[1], geo.padHigh[1], geo.groups})
    k.size(v);
  return k.call(kConv2DKernel)[0];
}

/// The loops (of the eight) that index the image's batch n, its output position (i, j), the
/// window position (a, b) and its channel c in a window contraction.
struct WindowLoops {
  unsigned n, i, j, a, b, c;
};

/// Σ x_padded[n, i·sh + a·dh, j·sw + b·dw, g, c] · rhs[d5, d6, d7, g, d4] over the last three
/// loops, x = the op's image operand and rhs = its other operand: what the forward convolution
/// and the filter gradient compute, with the roles of the loops given by `loops`.
template <class ConvOp> Value windowContraction(OpBuilder &b, ConvOp op, WindowLoops loops) {
  Location loc = op.getLoc();
  Geometry geo = Geometry::of(op);
  Value x = padImage(b, loc, op.getLhs(), geo.padLow, geo.padHigh, 0);
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  return groupedContraction(b, loc, geo.groups, x,
                            {d(loops.n), d(loops.i) * geo.stride[0] + d(loops.a) * geo.dilation[0],
                             d(loops.j) * geo.stride[1] + d(loops.b) * geo.dilation[1], d(3),
                             d(loops.c)},
                            op.getRhs(), {d(5), d(6), d(7), d(3), d(4)}, op.getType());
}

/// y[n, i, j, g, o] = Σ_{a, b, c} x_padded[n, i·sh + a·dh, j·sw + b·dw, g, c] · w[a, b, c, g, o].
Value lowerConv2D(OpBuilder &b, Conv2DOp op) {
  if (useLibrary(op, op.getLhs().getType(), op.getType(), op.getRhs().getType()))
    return libraryConv(b, op, SINTER_CONV_FORWARD, op.getLhs().getType(), op.getRhs().getType(),
                       op.getType());
  return windowContraction(b, op, {.n = 0, .i = 1, .j = 2, .a = 5, .b = 6, .c = 7});
}

/// dw[a, b, c, g, o] = Σ_{n, i, j} x_padded[n, i·sh + a·dh, j·sw + b·dw, g, c] · dy[n, i, j, g, o].
Value lowerConv2DBackpropFilter(OpBuilder &b, Conv2DBackpropFilterOp op) {
  if (useLibrary(op, op.getLhs().getType(), op.getRhs().getType(), op.getType()))
    return libraryConv(b, op, SINTER_CONV_BACKWARD_WEIGHTS, op.getLhs().getType(), op.getType(),
                       op.getRhs().getType());
  return windowContraction(b, op, {.n = 5, .i = 6, .j = 7, .a = 0, .b = 1, .c = 2});
}

/// dx_padded[n, y, x, g, c] = Σ_{a, b, o} dy_spread[n, y + (kh − 1 − a)·dh, x + (kw − 1 − b)·dw, g,
/// o] · w[a, b, c, g, o], where dy_spread holds dy[i, j] at ((kh − 1)·dh + i·sh, (kw − 1)·dw +
/// j·sw) and zeros elsewhere; dx is dx_padded without the padding.
Value lowerConv2DBackpropInput(OpBuilder &b, Conv2DBackpropInputOp op) {
  if (useLibrary(op, op.getType(), op.getLhs().getType(), op.getRhs().getType()))
    return libraryConv(b, op, SINTER_CONV_BACKWARD_DATA, op.getType(), op.getRhs().getType(),
                       op.getLhs().getType());
  Location loc = op.getLoc();
  Geometry geo = Geometry::of(op);
  auto xType = op.getType(), wType = op.getRhs().getType(), dyType = op.getLhs().getType();
  int64_t reach[2] = {(wType.getDimSize(0) - 1) * geo.dilation[0],
                      (wType.getDimSize(1) - 1) * geo.dilation[1]};
  int64_t padded[2] = {xType.getDimSize(1) + geo.padLow[0] + geo.padHigh[0],
                       xType.getDimSize(2) + geo.padLow[1] + geo.padHigh[1]};
  auto spreadType = dyType.clone(
      {dyType.getDimSize(0), padded[0] + reach[0], padded[1] + reach[1], dyType.getDimSize(3)});
  Value spread =
      placeInto(b, loc, op.getLhs(), spreadType, scalarConst(b, loc, xType.getElementType(), 0),
                {0, reach[0], reach[1], 0}, {1, geo.stride[0], geo.stride[1], 1});
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); }; // n, y, x, g, c | a, b, o
  Value dx = groupedContraction(
      b, loc, geo.groups, spread,
      {d(0), d(1) + reach[0] - d(5) * geo.dilation[0], d(2) + reach[1] - d(6) * geo.dilation[1],
       d(3), d(7)},
      op.getRhs(), {d(5), d(6), d(4), d(3), d(7)},
      xType.clone({xType.getDimSize(0), padded[0], padded[1], xType.getDimSize(3)}));
  if (padded[0] == xType.getDimSize(1) && padded[1] == xType.getDimSize(2))
    return dx;
  return tensor::ExtractSliceOp::create(b, loc, xType, dx,
                                        indexAttrs(b, {0, geo.padLow[0], geo.padLow[1], 0}),
                                        mixedSizes(b, xType), indexAttrs(b, {1, 1, 1, 1}));
}

/// Max or sum over each window: out[n, i, j, c] = reduce over (a, b) of
/// x_padded[n, i·sh + a, j·sw + b, c]; a [kh, kw] tensor gives the window loops their sizes.
template <class PoolOp> Value pool(OpBuilder &b, PoolOp op, bool max) {
  Location loc = op.getLoc();
  auto type = op.getType();
  Type et = type.getElementType();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(), k = op.getWindow();
  int64_t low[2] = {p[0], p[2]}, high[2] = {p[1], p[3]};
  double identity = max ? -std::numeric_limits<double>::infinity() : 0.0;
  Value x = padImage(b, loc, op.getOperand(), low, high, identity);
  Value window = tensor::EmptyOp::create(b, loc, k, et);
  Value init = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, identity)},
                                      ValueRange{emptyTensor(b, loc, type)})
                   .getResult(0);
  // Loops n, i, j | a, b | c: the channels innermost (contiguous in image and output, so the
  // inner loop vectorizes), after the window's reductions.
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{
      AffineMap::get(6, 0, {d(0), d(1) * s[0] + d(3), d(2) * s[1] + d(4), d(5)}, ctx),
      AffineMap::get(6, 0, {d(3), d(4)}, ctx), AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx)};
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
  iters.append(2, utils::IteratorType::reduction);
  iters.push_back(utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, window}, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value r = max ? Value(arith::MaximumFOp::create(nb, nl, a[2], a[0]))
                             : Value(arith::AddFOp::create(nb, nl, a[2], a[0]));
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

/// How many positions of the image each window of an average pooling covers (padding does
/// not count): its divisors, [out_height, out_width] in row-major order.
SmallVector<double> avgPoolCounts(AvgPool2DOp op) {
  auto in = op.getOperand().getType();
  auto out = op.getType();
  ArrayRef<int64_t> window = op.getWindow(), strides = op.getStrides(), padding = op.getPadding();
  // Positions of the window inside the image, per output row and column: padding never counts.
  auto inside = [&](int64_t d, int64_t o) {
    int64_t first = o * strides[d] - padding[2 * d];
    return std::min(first + window[d], in.getDimSize(1 + d)) - std::max<int64_t>(first, 0);
  };
  SmallVector<double> counts;
  for (int64_t r = 0; r < out.getDimSize(1); ++r)
    for (int64_t c = 0; c < out.getDimSize(2); ++c)
      counts.push_back(static_cast<double>(inside(0, r) * inside(1, c)));
  return counts;
}

/// The window sums divided by how many image positions each window covers.
Value lowerAvgPool(OpBuilder &b, AvgPool2DOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  // The divisors as a constant [oh, ow], read through a broadcasting map.
  auto countType =
      RankedTensorType::get({type.getDimSize(1), type.getDimSize(2)}, type.getElementType());
  SmallVector<Attribute> counts;
  for (double c : avgPoolCounts(op))
    counts.push_back(b.getFloatAttr(type.getElementType(), c));
  Value count = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(countType, counts));
  Value sum = pool(b, op, /*max=*/false);
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(4, ctx),
                              AffineMap::get(4, 0, {d(1), d(2)}, ctx),
                              AffineMap::getMultiDimIdentityMap(4, ctx)};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  return linalg::GenericOp::create(b, loc, TypeRange{type}, ValueRange{sum, count},
                                   ValueRange{emptyTensor(b, loc, type)}, maps, iters,
                                   [](OpBuilder &nb, Location nl, ValueRange a) {
                                     linalg::YieldOp::create(
                                         nb, nl,
                                         ValueRange{arith::DivFOp::create(nb, nl, a[0], a[1])});
                                   })
      .getResult(0);
}

/// A call of sinter_kernel_pool2d_{f32,f64} computing `op`'s result; `image` is the pooling's
/// input (x) type, `x` its value (null for the average's gradient, which does not read it),
/// `in` the kernel's second input (x again for a forward pooling).
template <class PoolOp>
Value libraryPool(OpBuilder &b, PoolOp op, int32_t kind, RankedTensorType image, Value x,
                  Value in) {
  auto type = op.getType();
  Type et = type.getElementType();
  if (!et.isF32() && !et.isF64()) {
    op.emitError("'") << op->getName() << "' runs on float32 and float64 only, got " << type;
    return Value();
  }
  KernelCall k(b, op.getLoc(), kind, {type});
  Value inBuffer = k.buffer(in);
  k.address(x && x != in ? k.buffer(x) : inBuffer);
  k.address(inBuffer);
  k.address(k.result());
  k.batch(image);
  bool pooledResult =
      kind == SINTER_POOL_MAX_SELECT || kind == SINTER_POOL_MAX || kind == SINTER_POOL_AVG;
  auto pooled = pooledResult ? type : tensorOf(in);
  ArrayRef<int64_t> window = op.getWindow(), s = op.getStrides(), p = op.getPadding();
  for (int64_t v :
       {image.getDimSize(1), image.getDimSize(2), image.getDimSize(3), pooled.getDimSize(1),
        pooled.getDimSize(2), window[0], window[1], s[0], s[1], p[0], p[1], p[2], p[3]})
    k.size(v);
  return k.call(et.isF32() ? "sinter_kernel_pool2d_f32" : "sinter_kernel_pool2d_f64")[0];
}

/// A float32 pooling with enough work runs on the library kernel (oneDNN), others as loops.
template <class PoolOp> bool poolsOnLibrary(PoolOp op) {
  auto image = op.getOperand().getType();
  int64_t batch = image.isDynamicDim(0) ? kAssumedBatchSize : image.getDimSize(0);
  return image.getElementType().isF32() && usesLibraryKernels(op) &&
         batch * image.getDimSize(1) * image.getDimSize(2) * image.getDimSize(3) >= kMinLibraryWork;
}

} // namespace

Value lowerConvolution(OpBuilder &b, Operation *op) {
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](Conv2DOp o) { return lowerConv2D(b, o); })
      .Case([&](Conv2DBackpropInputOp o) { return lowerConv2DBackpropInput(b, o); })
      .Case([&](Conv2DBackpropFilterOp o) { return lowerConv2DBackpropFilter(b, o); })
      .Case([&](MaxPool2DOp o) {
        if (poolsOnLibrary(o))
          return libraryPool(b, o, SINTER_POOL_MAX, o.getOperand().getType(), o.getOperand(),
                             o.getOperand());
        return pool(b, o, /*max=*/true);
      })
      .Case([&](AvgPool2DOp o) {
        if (poolsOnLibrary(o))
          return libraryPool(b, o, SINTER_POOL_AVG, o.getOperand().getType(), o.getOperand(),
                             o.getOperand());
        return lowerAvgPool(b, o);
      })
      .Case([&](MaxPool2DGradOp o) {
        return libraryPool(b, o, SINTER_POOL_MAX_GRAD, o.getType(), o.getOperand(), o.getGrad());
      })
      .Case([&](MaxPool2DSelectOp o) {
        return libraryPool(b, o, SINTER_POOL_MAX_SELECT, o.getOperand().getType(), o.getOperand(),
                           o.getValues());
      })
      .Case([&](AvgPool2DGradOp o) {
        return libraryPool(b, o, SINTER_POOL_AVG_GRAD, o.getType(), Value(), o.getGrad());
      })
      .Default([](Operation *) { return Value(); });
}

} // namespace mlir::sinter::lowering

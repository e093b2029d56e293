// After bufferization: matrix products leave the generated code for the runtime's kernel
// library (oneDNN on CPU), through the C functions of runtime/include/sinter/runtime/Abi.h. A
// bias add (and a ReLU) right after a product goes with it, as the kernel's epilogue — and
// likewise after a forward convolution's kernel call (LowerConvolution.cpp made those).
#include "LoweringUtils.h"

#include "sinter/Compiler/Conversion/Passes.h"
#include "sinter/runtime/Abi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

constexpr const char *kMatmulKernel = "sinter_kernel_matmul_f32";
constexpr const char *kMatmulBiasKernel = "sinter_kernel_matmul_bias_f32";
constexpr const char *kConvBiasKernel = "sinter_kernel_conv2d_bias_f32";

int64_t multiplyAdds(linalg::LinalgOp op) {
  int64_t work = 1;
  for (int64_t range : op.getStaticLoopRanges())
    work *= ShapedType::isDynamic(range) ? mlir::sinter::kAssumedBatchSize : range;
  return work;
}

/// The address of a buffer as an i64, copied first if it is a strided view (the kernels take
/// dense row-major buffers).
Value addressOf(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.getLayout().isIdentity()) {
    // A strided view: the kernel takes dense row-major buffers.
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(memref::DimOp::create(b, loc, buffer, i));
    Value dense =
        memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), type.getElementType()),
                                dynamicSizes, b.getI64IntegerAttr(64));
    memref::CopyOp::create(b, loc, buffer, dense);
    buffer = dense;
  }
  return mlir::sinter::lowering::bufferAddress(b, loc, buffer);
}

/// A product's epilogue: the elementwise loop right after it that computes
/// out = c + bias[last index] (then max(·, 0)), where c, the product's buffer, is a temporary
/// that loop alone reads. Bias-add + ReLU after a Dense layer's matmul or a Conv2D layer's
/// convolution, fused by linalg into one loop.
struct Epilogue {
  linalg::GenericOp loop;
  Value bias, out;
  int32_t activation = SINTER_ACTIVATION_NONE;
};

/// `c` is written by `product`; `writer` is the user of `c` through which it does (the product
/// itself, or the address taken for a kernel call).
std::optional<Epilogue> matchEpilogue(Value c, Operation *writer, Operation *product) {
  if (!c.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  linalg::GenericOp loop;
  for (Operation *user : c.getUsers()) {
    if (user == writer || isa<linalg::FillOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || loop)
      return std::nullopt; // another reader of the product
    loop = generic;
  }
  unsigned rank = cast<MemRefType>(c.getType()).getRank();
  if (!loop || loop->getBlock() != product->getBlock() || loop->isBeforeInBlock(product) ||
      loop.getNumDpsInputs() != 2 || loop.getNumDpsInits() != 1 ||
      loop.getNumParallelLoops() != rank || loop.getNumLoops() != rank)
    return std::nullopt;
  // The call replaces both at the loop's place: nothing in between may touch memory (the
  // product's operands must still hold what the product read).
  for (Operation *between = product->getNextNode(); between != loop.getOperation();
       between = between->getNextNode())
    if (!isMemoryEffectFree(between) && !isa<memref::AllocOp>(between))
      return std::nullopt;
  MLIRContext *ctx = loop.getContext();
  auto identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  auto last = AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx);
  OpOperand *cIn = nullptr, *biasIn = nullptr;
  for (OpOperand *in : loop.getDpsInputOperands()) {
    AffineMap map = loop.getMatchingIndexingMap(in);
    if (in->get() == c && map == identity)
      cIn = in;
    else if (in->get() != c && map == last)
      biasIn = in;
  }
  OpOperand *outOperand = loop.getDpsInitOperand(0);
  auto outType = dyn_cast<MemRefType>(outOperand->get().getType());
  if (!cIn || !biasIn || loop.getMatchingIndexingMap(outOperand) != identity || !outType ||
      !outType.getLayout().isIdentity() || !outType.getElementType().isF32() ||
      !cast<MemRefType>(biasIn->get().getType()).getLayout().isIdentity())
    return std::nullopt;
  // The body: add(c, bias) [, maximumf(·, 0)], yield.
  Block &body = loop.getRegion().front();
  Value cArg = body.getArgument(cIn->getOperandNumber());
  Value biasArg = body.getArgument(biasIn->getOperandNumber());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value result = yield.getValues()[0];
  Epilogue e{loop, biasIn->get(), outOperand->get()};
  if (auto max = result.getDefiningOp<arith::MaximumFOp>()) {
    Value other = matchPattern(max.getRhs(), m_AnyZeroFloat())   ? max.getLhs()
                  : matchPattern(max.getLhs(), m_AnyZeroFloat()) ? max.getRhs()
                                                                 : Value();
    if (!other)
      return std::nullopt;
    e.activation = SINTER_ACTIVATION_RELU;
    result = other;
  }
  auto add = result.getDefiningOp<arith::AddFOp>();
  size_t ops = 2 + (e.activation != SINTER_ACTIVATION_NONE ? 1 : 0); // with the yield
  if (!add || add->getBlock() != &body || body.getOperations().size() != ops ||
      !((add.getLhs() == cArg && add.getRhs() == biasArg) ||
        (add.getLhs() == biasArg && add.getRhs() == cArg)))
    return std::nullopt;
  return e;
}

std::optional<Epilogue> matchEpilogue(linalg::LinalgOp product) {
  if (!isa<linalg::MatmulOp>(product))
    return std::nullopt;
  return matchEpilogue(product.getDpsInits()[0], product, product);
}

/// A forward convolution's kernel call followed by its bias-add (+ ReLU) loop becomes one call
/// of the fused kernel at the loop's place; the buffer the call wrote goes away.
void foldConvolutionEpilogue(OpBuilder &b, func::CallOp call) {
  APInt kind;
  if (call.getNumOperands() != 22 || !matchPattern(call.getOperand(0), m_ConstantInt(&kind)) ||
      kind != SINTER_CONV_FORWARD)
    return;
  auto address = call.getOperand(3).getDefiningOp<arith::IndexCastOp>();
  auto extract =
      address ? address.getIn().getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>() : nullptr;
  if (!extract || !address->hasOneUse() || !extract->hasOneUse())
    return;
  Value c = extract.getSource();
  std::optional<Epilogue> e = matchEpilogue(c, extract, call);
  if (!e)
    return;
  Location loc = call.getLoc();
  b.setInsertionPoint(e->loop);
  SmallVector<Value> args{call.getOperand(1), call.getOperand(2), addressOf(b, loc, e->bias),
                          addressOf(b, loc, e->out)};
  args.append(call.getOperands().begin() + 4, call.getOperands().end());
  args.push_back(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(e->activation)));
  SmallVector<Type> types(args.size() - 1, b.getI64Type());
  types.push_back(b.getI32Type());
  mlir::sinter::lowering::declareKernel(b, kConvBiasKernel, types);
  func::CallOp::create(b, loc, kConvBiasKernel, TypeRange{}, args);
  e->loop->erase();
  call->erase();
  address->erase();
  extract->erase();
  Operation *alloc = c.getDefiningOp();
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    if (isa<linalg::FillOp>(user))
      user->erase(); // the kernel writes `out` directly
  if (alloc->use_empty())
    alloc->erase();
}

struct OutlineKernelsPass : PassWrapper<OutlineKernelsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OutlineKernelsPass)
  StringRef getArgument() const override { return "sinter-outline-kernels"; }
  StringRef getDescription() const override {
    return "Replace bufferized f32 matmuls by calls to the runtime's kernels";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> matmuls;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) && op.hasPureBufferSemantics() &&
          cast<MemRefType>(op.getDpsInits()[0].getType()).getElementType().isF32() &&
          multiplyAdds(op) >= mlir::sinter::lowering::kMinLibraryWork)
        matmuls.push_back(op);
    });
    OpBuilder b(module.getBodyRegion());
    SmallVector<func::CallOp> convolutions;
    module.walk([&](func::CallOp call) {
      if (call.getCallee() == mlir::sinter::lowering::kConv2DKernel)
        convolutions.push_back(call);
    });
    for (func::CallOp call : convolutions)
      foldConvolutionEpilogue(b, call);
    if (matmuls.empty() || !mlir::sinter::usesLibraryKernels(module))
      return;

    Type i64 = b.getI64Type(), i32 = b.getI32Type();
    for (linalg::LinalgOp op : matmuls) {
      Location loc = op.getLoc();
      std::optional<Epilogue> epilogue = matchEpilogue(op);
      b.setInsertionPoint(epilogue ? epilogue->loop.getOperation() : op.getOperation());
      // The kernel overwrites C, so the zero fill that initialised it is dead — unless
      // something else reads the buffer between the fill and the product (bufferization may
      // copy the zeros elsewhere first, or give a reduction's zero init and a product's the
      // same buffer when CSE merged their fills: the reduction's reads are then inside a
      // loop, in a nested block).
      if (auto alloc = op.getDpsInits()[0].getDefiningOp<memref::AllocOp>()) {
        SmallVector<Operation *> fills;
        bool otherReaderBefore = false;
        for (Operation *user : alloc->getUsers()) {
          if (user == op.getOperation())
            continue;
          Operation *inBlock = op->getBlock()->findAncestorOpInBlock(*user);
          if (!inBlock) {
            otherReaderBefore = true; // somewhere we cannot order against the product
            continue;
          }
          if (op->isBeforeInBlock(inBlock))
            continue;
          if (isa<linalg::FillOp>(user) && inBlock == user)
            fills.push_back(user);
          else
            otherReaderBefore = true;
        }
        if (!otherReaderBefore)
          for (Operation *fill : fills)
            fill->erase();
      }
      Value c = op.getDpsInits()[0], a = op.getDpsInputs()[0];
      int64_t rank = cast<MemRefType>(c.getType()).getRank();
      if (epilogue)
        c = epilogue->out; // the product goes where its epilogue wrote
      // Operands stored transposed show in the indexing maps: the k loop dimension comes
      // first in A's map or last in B's.
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      AffineExpr k = b.getAffineDimExpr(maps[0].getNumDims() - 1);
      bool transA = maps[0].getResult(maps[0].getNumResults() - 2) == k;
      bool transB = maps[1].getResult(maps[1].getNumResults() - 1) == k;
      auto cst = [&](Type t, int64_t v) {
        return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v)).getResult();
      };
      // Sizes as i64 values: constants, or read from the buffer for the batch dimension.
      auto size = [&](Value buffer, int64_t dim) -> Value {
        int64_t s = cast<MemRefType>(buffer.getType()).getDimSize(dim);
        if (!ShapedType::isDynamic(s))
          return cst(i64, s);
        return arith::IndexCastOp::create(b, loc, i64, memref::DimOp::create(b, loc, buffer, dim));
      };
      SmallVector<Value> args{addressOf(b, loc, a), addressOf(b, loc, op.getDpsInputs()[1])};
      if (epilogue)
        args.push_back(addressOf(b, loc, epilogue->bias));
      args.append({addressOf(b, loc, c), rank == 3 ? size(c, 0) : cst(i64, 1), size(c, rank - 2),
                   size(c, rank - 1), size(a, transA ? rank - 2 : rank - 1), cst(i32, transA),
                   cst(i32, transB)});
      if (epilogue) {
        args.push_back(cst(i32, epilogue->activation));
        SmallVector<Type> types(args.size() - 3, i64);
        types.append({i32, i32, i32});
        mlir::sinter::lowering::declareKernel(b, kMatmulBiasKernel, types);
        func::CallOp::create(b, loc, kMatmulBiasKernel, TypeRange{}, args);
        epilogue->loop->erase();
      } else {
        mlir::sinter::lowering::declareKernel(b, kMatmulKernel,
                                              {i64, i64, i64, i64, i64, i64, i64, i32, i32});
        func::CallOp::create(b, loc, kMatmulKernel, TypeRange{}, args);
      }
      op->erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createOutlineKernelsPass() {
  return std::make_unique<OutlineKernelsPass>();
}

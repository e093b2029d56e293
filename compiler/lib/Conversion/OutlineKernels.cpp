// After bufferization: matrix products leave the generated code for the runtime's kernel
// library (oneDNN on CPU), through the C functions of runtime/include/sinter/runtime/Abi.h.
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

constexpr const char *kMatmulKernel = "sinter_kernel_matmul_f32";

/// Below this many multiply-adds a library call (dispatch, threads waking up) costs more than
/// the product: such matmuls stay generated loops, which LLVM vectorizes.
constexpr int64_t kMinKernelWork = 16384;
/// The batch size a dynamic dimension is assumed to have when sizing the work: a program
/// compiled for any batch size is tuned for the batches training and serving use.
constexpr int64_t kAssumedBatch = 32;

int64_t multiplyAdds(linalg::LinalgOp op) {
  int64_t work = 1;
  for (int64_t range : op.getStaticLoopRanges())
    work *= ShapedType::isDynamic(range) ? kAssumedBatch : range;
  return work;
}

/// The address of a dense buffer as an i64 (the kernel ABI passes pointers as 64-bit values).
Value addressOf(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.getLayout().isIdentity()) {
    // A strided view: the kernel takes dense row-major buffers.
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(memref::DimOp::create(b, loc, buffer, i));
    Value dense = memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), type.getElementType()),
                                          dynamicSizes, b.getI64IntegerAttr(64));
    memref::CopyOp::create(b, loc, buffer, dense);
    buffer = dense;
  }
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
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
          multiplyAdds(op) >= kMinKernelWork)
        matmuls.push_back(op);
    });
    if (matmuls.empty())
      return;

    OpBuilder b(module.getBodyRegion());
    Type i64 = b.getI64Type(), i32 = b.getI32Type();
    b.setInsertionPointToStart(module.getBody());
    if (!matmuls.empty() && !module.lookupSymbol(kMatmulKernel)) {
      auto decl = func::FuncOp::create(
          b, module.getLoc(), kMatmulKernel,
          b.getFunctionType({i64, i64, i64, i64, i64, i64, i64, i32, i32}, {}));
      decl.setPrivate();
    }
    for (linalg::LinalgOp op : matmuls) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      // The kernel overwrites C, so the zero fill that initialised it is dead — unless
      // something else reads the buffer between the fill and the product (bufferization may
      // copy the zeros elsewhere first).
      if (auto alloc = op.getDpsInits()[0].getDefiningOp<memref::AllocOp>()) {
        SmallVector<Operation *> fills;
        bool otherReaderBefore = false;
        for (Operation *user : alloc->getUsers()) {
          if (user == op.getOperation() || user->getBlock() != op->getBlock() ||
              op->isBeforeInBlock(user))
            continue;
          if (isa<linalg::FillOp>(user))
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
      SmallVector<Value> args{addressOf(b, loc, a),
                              addressOf(b, loc, op.getDpsInputs()[1]),
                              addressOf(b, loc, c),
                              rank == 3 ? size(c, 0) : cst(i64, 1),
                              size(c, rank - 2),
                              size(c, rank - 1),
                              size(a, transA ? rank - 2 : rank - 1),
                              cst(i32, transA),
                              cst(i32, transB)};
      func::CallOp::create(b, loc, kMatmulKernel, TypeRange{}, args);
      op->erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createOutlineKernelsPass() {
  return std::make_unique<OutlineKernelsPass>();
}

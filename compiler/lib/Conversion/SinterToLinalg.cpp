// Lowers the sinter dialect to linalg/tensor/arith/math on tensors, and each entry function
// to the buffer ABI of the artifact (runtime/include/sinter/runtime/Abi.h): its arguments,
// the variables it uses and its results all become memref arguments.
#include "LoweringUtils.h"

#include "sinter/Compiler/Conversion/Passes.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::lowering;

namespace {

/// c[.., m, n] += a[.., m, k] · b[.., k, n] as a linalg.generic that iterates ([batch,] m, k, n):
/// the reduction in the middle, so the innermost loop walks rows of b and c and vectorizes.
/// For the generated code of a program without library kernels (sinter-compile --standalone,
/// SINTER_GENERATED_ONLY): linalg.matmul's own order (m, n, k) reads b down a column.
Value generatedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init, bool batched,
                      bool transA, bool transB) {
  ArrayAttr maps = matmulMaps(b, batched, transA, transB, /*reductionInMiddle=*/true);
  SmallVector<utils::IteratorType> iters;
  if (batched)
    iters.push_back(utils::IteratorType::parallel);
  iters.append({utils::IteratorType::parallel, utils::IteratorType::reduction,
                utils::IteratorType::parallel});
  bool isFloat = isa<FloatType>(tensorOf(init).getElementType());
  auto product = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
      llvm::to_vector(maps.getAsValueRange<AffineMapAttr>()), iters,
      [isFloat](OpBuilder &nb, Location nl, ValueRange a) {
        Value sum = isFloat
                        ? Value(arith::AddFOp::create(nb, nl, a[2],
                                                      arith::MulFOp::create(nb, nl, a[0], a[1])))
                        : Value(arith::AddIOp::create(nb, nl, a[2],
                                                      arith::MulIOp::create(nb, nl, a[0], a[1])));
        linalg::YieldOp::create(nb, nl, ValueRange{sum});
      });
  product->setAttr(kGeneratedProductAttr, b.getUnitAttr());
  return product.getResult(0);
}

Value lowerMatmul(OpBuilder &b, MatmulOp op) {
  Location loc = op.getLoc();
  auto type = op.getType();
  int64_t rank = type.getRank();
  Value zero = scalarConst(b, loc, type.getElementType(), 0);
  ArrayAttr maps = matmulMaps(b, rank > 2, op.getTransposeA(), op.getTransposeB());
  const bool generated = !usesLibraryKernels(op);
  if (rank == 2) {
    Value init =
        linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{emptyTensor(b, loc, type)})
            .getResult(0);
    if (generated)
      return generatedMatmul(b, loc, op.getLhs(), op.getRhs(), init, false, op.getTransposeA(),
                             op.getTransposeB());
    auto mm = linalg::MatmulOp::create(b, loc, TypeRange{type},
                                       ValueRange{op.getLhs(), op.getRhs()}, ValueRange{init});
    mm.setIndexingMapsAttr(maps);
    return mm.getResult(0);
  }
  // Batch dimensions collapse into one: the kernels take [batch, m, k] x [batch, k, n].
  SmallVector<ReassociationIndices> to3d{{}, {rank - 2}, {rank - 1}};
  for (int64_t i = 0; i < rank - 2; ++i)
    to3d[0].push_back(i);
  auto as3d = [&](Value x) {
    return rank == 3 ? x : Value(tensor::CollapseShapeOp::create(b, loc, x, to3d));
  };
  Value lhs = as3d(op.getLhs()), rhs = as3d(op.getRhs());
  auto type3 = type.clone(
      {tensorOf(lhs).getDimSize(0), type.getDimSize(rank - 2), type.getDimSize(rank - 1)});
  SmallVector<Value> dynamicBatch; // with a `?` among them: batch size × the others
  if (type3.isDynamicDim(0))
    dynamicBatch.push_back(tensor::DimOp::create(b, loc, lhs, 0));
  Value init = linalg::FillOp::create(b, loc, ValueRange{zero},
                                      ValueRange{emptyTensor(b, loc, type3, dynamicBatch)})
                   .getResult(0);
  Value product;
  if (generated) {
    product = generatedMatmul(b, loc, lhs, rhs, init, true, op.getTransposeA(), op.getTransposeB());
  } else {
    auto mm = linalg::BatchMatmulOp::create(b, loc, TypeRange{type3}, ValueRange{lhs, rhs},
                                            ValueRange{init});
    mm.setIndexingMapsAttr(maps);
    product = mm.getResult(0);
  }
  if (rank == 3)
    return product;
  return tensor::ExpandShapeOp::create(b, loc, type, product, to3d, mixedSizes(b, type));
}

Value lowerReduceMean(OpBuilder &b, ReduceMeanOp op) {
  Location loc = op.getLoc();
  auto in = op.getOperand().getType();
  double n = 1;
  bool batched = false;
  for (int64_t a : op.getAxes()) {
    if (in.isDynamicDim(a))
      batched = true;
    else
      n *= in.getDimSize(a);
  }
  Value sum = reduce(b, loc, op.getOperand(), op.getAxes(), ReduceKind::Sum);
  auto st = tensorOf(sum);
  Type et = st.getElementType();
  Value scale = scalarConst(b, loc, et, 1.0 / n);
  if (batched) // 1 / (n · batch size)
    scale = arith::DivFOp::create(
        b, loc, scale,
        scalarCast(b, loc, arith::IndexCastOp::create(b, loc, b.getI64Type(), batchSize(b)), et));
  Value mean = elementwise(b, loc, st, ValueRange{sum},
                           [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                             return arith::MulFOp::create(nb, nl, a[0], scale);
                           });
  return reshapeTensor(b, loc, mean, op.getType());
}

Value lowerBroadcast(OpBuilder &b, BroadcastInDimOp op) {
  Location loc = op.getLoc();
  auto in = op.getOperand().getType();
  auto out = op.getType();
  // Drop the size-1 dimensions that broadcast, then read the rest through a projected map: a
  // generic (not linalg.broadcast), so that elementwise fusion folds the broadcast into its
  // consumer (a bias add reads the bias vector, no [rows, n] copy is made).
  SmallVector<int64_t> keptShape;
  SmallVector<AffineExpr> keptDims;
  for (auto [i, d] : llvm::enumerate(op.getBroadcastDimensions())) {
    if (in.getDimSize(i) == out.getDimSize(d)) {
      keptShape.push_back(in.getDimSize(i));
      keptDims.push_back(b.getAffineDimExpr(d));
    }
  }
  Value squeezed = reshapeTensor(b, loc, op.getOperand(), in.clone(keptShape));
  if (static_cast<int64_t>(keptDims.size()) == out.getRank())
    return squeezed;
  SmallVector<AffineMap> maps{AffineMap::get(out.getRank(), 0, keptDims, b.getContext()),
                              b.getMultiDimIdentityMap(out.getRank())};
  SmallVector<utils::IteratorType> iters(out.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(b, loc, TypeRange{out}, ValueRange{squeezed},
                                   ValueRange{emptyTensor(b, loc, out)}, maps, iters,
                                   [](OpBuilder &nb, Location nl, ValueRange args) {
                                     linalg::YieldOp::create(nb, nl, args[0]);
                                   })
      .getResult(0);
}

/// The scalar op that `Op`'s SinterOps.td entry maps it to (kScalarOps: float, signed and
/// unsigned integer), or empty for ops lowered by hand.
template <class Op> StringRef scalarOpOf(bool isFloatType, bool isUnsigned) {
  if constexpr (requires { Op::kScalarOps; })
    return Op::kScalarOps[isFloatType ? 0 : isUnsigned ? 2 : 1];
  else
    return {};
}

template <class... Ops> StringRef tableScalarOp(Operation *op, bool isFloatType, bool isUnsigned) {
  StringRef name;
  (void)((isa<Ops>(op) ? (name = scalarOpOf<Ops>(isFloatType, isUnsigned), true) : false) || ...);
  return name;
}

/// The one-to-one elementwise lowerings, from the op table.
StringRef tableScalarOp(Operation *op, bool isFloatType, bool isUnsigned) {
  return tableScalarOp<
#define GET_OP_LIST
#include "sinter/Compiler/Dialect/SinterOps.cpp.inc"
      >(op, isFloatType, isUnsigned);
}

Value lowerElementwise(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  bool fl = isFloat(type);
  bool u = isUnsignedOp(op);
  auto ew = [&](ScalarBody body) { return elementwise(b, loc, type, op->getOperands(), body); };
  if (isa<AbsOp>(op) && u)
    return op->getOperand(0); // |x| of an unsigned integer is x
  if (StringRef scalar = tableScalarOp(op, fl, u); !scalar.empty())
    return ew([&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      OperationState state(nl, scalar);
      state.addOperands(a);
      state.addTypes(a[0].getType());
      return nb.create(state)->getResult(0);
    });
  using B = OpBuilder &;
  using L = Location;
  using V = ValueRange;
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](NegOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl)
            return arith::NegFOp::create(nb, nl, a[0]);
          return arith::SubIOp::create(nb, nl, scalarConst(nb, nl, a[0].getType(), 0), a[0]);
        });
      })
      .Case([&](SigmoidOp) {
        return ew([](B nb, L nl, V a) -> Value {
          Type t = a[0].getType();
          Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, a[0]));
          return arith::DivFOp::create(
              nb, nl, scalarConst(nb, nl, t, 1.0),
              arith::AddFOp::create(nb, nl, scalarConst(nb, nl, t, 1.0), e));
        });
      })
      .Case([&](ReluOp) {
        return ew([](B nb, L nl, V a) -> Value {
          return arith::MaximumFOp::create(nb, nl, a[0], scalarConst(nb, nl, a[0].getType(), 0));
        });
      })
      .Case([&](SignOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          Type t = a[0].getType();
          Value zero = scalarConst(nb, nl, t, 0);
          return arith::SelectOp::create(
              nb, nl, scalarCompare(nb, nl, "gt", a[0], zero, u), scalarConst(nb, nl, t, 1),
              arith::SelectOp::create(nb, nl, scalarCompare(nb, nl, "lt", a[0], zero, u),
                                      scalarConst(nb, nl, t, -1), zero));
        });
      })
      .Case([&](IsNanOp) {
        return ew([](B nb, L nl, V a) -> Value {
          return arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO, a[0], a[0]);
        });
      })
      .Case([&](NotOp) {
        return ew([](B nb, L nl, V a) -> Value {
          return arith::XOrIOp::create(nb, nl, a[0],
                                       arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true)));
        });
      })
      .Case([&](FloorDivOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl)
            return math::FloorOp::create(nb, nl, arith::DivFOp::create(nb, nl, a[0], a[1]));
          if (u)
            return arith::DivUIOp::create(nb, nl, a[0], a[1]);
          return arith::FloorDivSIOp::create(nb, nl, a[0], a[1]);
        });
      })
      .Case([&](ModOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl) {
            Value q = math::FloorOp::create(nb, nl, arith::DivFOp::create(nb, nl, a[0], a[1]));
            return arith::SubFOp::create(nb, nl, a[0], arith::MulFOp::create(nb, nl, q, a[1]));
          }
          if (u)
            return arith::RemUIOp::create(nb, nl, a[0], a[1]);
          // The remainder takes the divisor's sign (Python/TensorFlow floor modulo).
          Value r = arith::RemSIOp::create(nb, nl, a[0], a[1]);
          Value zero = scalarConst(nb, nl, a[0].getType(), 0);
          Value fix = arith::AndIOp::create(nb, nl, scalarCompare(nb, nl, "ne", r, zero),
                                            scalarCompare(nb, nl, "ne",
                                                          scalarCompare(nb, nl, "lt", r, zero),
                                                          scalarCompare(nb, nl, "lt", a[1], zero)));
          return arith::SelectOp::create(nb, nl, fix, arith::AddIOp::create(nb, nl, r, a[1]), r);
        });
      })
      .Case([&](PowOp) {
        return ew([&](B nb, L nl, V a) -> Value {
          if (fl)
            return math::PowFOp::create(nb, nl, a[0], a[1]);
          // Integers through float64: exact for every result below 2^53.
          Type f64 = nb.getF64Type(), it = a[0].getType();
          Value p = math::PowFOp::create(nb, nl, scalarCast(nb, nl, a[0], f64, u),
                                         scalarCast(nb, nl, a[1], f64, u));
          return scalarCast(nb, nl, math::RoundEvenOp::create(nb, nl, p), it, false, u);
        });
      })
      .Case([&](CompareOp c) {
        StringRef dir = c.getDirection();
        return ew(
            [&](B nb, L nl, V a) -> Value { return scalarCompare(nb, nl, dir, a[0], a[1], u); });
      })
      .Case([&](SelectOp) {
        return ew([](B nb, L nl, V a) -> Value {
          return arith::SelectOp::create(nb, nl, a[0], a[1], a[2]);
        });
      })
      .Case([&](CastOp) {
        Type to = type.getElementType();
        bool toUnsigned = op->hasAttr(kUnsignedResultAttr);
        return ew(
            [&](B nb, L nl, V a) -> Value { return scalarCast(nb, nl, a[0], to, u, toUnsigned); });
      })
      .Default([](Operation *) { return Value(); });
}

/// Rewrites `func` (tensor arguments and results, sinter.read/assign) to the buffer ABI.
LogicalResult lowerEntryBoundary(func::FuncOp func, ArrayRef<VariableOp> allVariables) {
  MLIRContext *ctx = func.getContext();
  Block &block = func.front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  auto memrefOf = [](Type t) {
    auto tt = cast<RankedTensorType>(t);
    return MemRefType::get(tt.getShape(), tt.getElementType());
  };
  OpBuilder b = OpBuilder::atBlockBegin(&block);
  Location loc = func.getLoc();
  unsigned numOldArgs = block.getNumArguments();

  // With a dynamic batch dimension the entry's first argument is the batch size, and each
  // batch-sized buffer (a bare pointer, typed with one row) is viewed with its actual rows.
  auto batchSized = [](Type t) {
    auto tt = cast<RankedTensorType>(t);
    return tt.getRank() > 0 && tt.isDynamicDim(0);
  };
  bool batched = llvm::any_of(func.getArgumentTypes(), batchSized);
  if (!batched) {
    // A batch-sized value needs the batch size of a batch-sized argument (e.g. a random
    // tensor of shape [-1, n] in an entry that takes no batch).
    WalkResult unsized = func.walk([&](Operation *op) {
      for (Value r : op->getResults())
        if (auto t = dyn_cast<RankedTensorType>(r.getType());
            t && !t.hasStaticShape() && !dynamicRowBound(r)) {
          op->emitError("'") << op->getName() << "' has the batch-sized result " << t
                             << ", but entry '" << func.getSymName()
                             << "' has no batch-sized input to take the batch size from";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (unsized.wasInterrupted())
      return failure();
  }
  Value batch;
  if (batched) {
    batch = block.addArgument(b.getIndexType(), loc);
    func->setAttr(kBatchAttr, b.getUnitAttr());
  }
  auto addBuffer = [&](RankedTensorType type, Location at) -> Value {
    if (type.hasStaticShape())
      return block.addArgument(memrefOf(type), at);
    SmallVector<int64_t> oneRow(type.getShape());
    oneRow[0] = 1;
    Value raw = block.addArgument(MemRefType::get(oneRow, type.getElementType()), at);
    SmallVector<OpFoldResult> sizes{batch}, strides;
    int64_t stride = 1;
    for (int64_t d : llvm::reverse(type.getShape().drop_front())) {
      strides.insert(strides.begin(), b.getIndexAttr(stride));
      stride *= d;
    }
    strides.insert(strides.begin(), b.getIndexAttr(stride));
    for (int64_t d : type.getShape().drop_front())
      sizes.push_back(b.getIndexAttr(d));
    return memref::ReinterpretCastOp::create(b, at, memrefOf(type), raw, b.getIndexAttr(0), sizes,
                                             strides);
  };

  for (unsigned i = 0; i < numOldArgs; ++i) {
    BlockArgument old = block.getArgument(i);
    auto type = cast<RankedTensorType>(old.getType());
    if (llvm::count_if(type.getShape(), ShapedType::isDynamic) > (batchSized(type) ? 1 : 0))
      return func.emitError("argument #")
             << i << " of '" << func.getSymName() << "' has type " << type
             << ": only the leading dimension may be "
                "dynamic (the batch size)";
    Value buffer = addBuffer(type, old.getLoc());
    Value t = bufferization::ToTensorOp::create(b, loc, old.getType(), buffer, b.getUnitAttr());
    old.replaceAllUsesWith(t);
  }

  // Updates are written one after the other into the variables' buffers, and a read is a view
  // of its buffer: an update whose value is (a reshape of) another updated variable's read would
  // see that variable's new value. Such values get a buffer of their own first.
  llvm::StringSet<> assigned;
  func.walk([&](AssignOp a) { assigned.insert(a.getVariable()); });
  func.walk([&](AssignOp a) {
    Value v = a.getValue();
    while (auto reshape = v.getDefiningOp<ReshapeOp>())
      v = reshape.getOperand();
    auto read = v.getDefiningOp<ReadOp>();
    if (!read || read.getVariable() == a.getVariable() || !assigned.contains(read.getVariable()))
      return;
    OpBuilder cb(a);
    Value copy = bufferization::AllocTensorOp::create(
        cb, a.getLoc(), cast<RankedTensorType>(a.getValue().getType()), ValueRange{}, a.getValue());
    a.getValueMutable().assign(copy);
  });

  // Variables this entry touches, in module order; each read becomes a view of its buffer.
  SmallVector<Attribute> used;
  SmallVector<std::pair<Value, Value>> writes; // (value, destination buffer)
  for (VariableOp var : allVariables) {
    SmallVector<ReadOp> reads;
    SmallVector<AssignOp> assigns;
    func.walk([&](ReadOp r) {
      if (r.getVariable() == var.getSymName())
        reads.push_back(r);
    });
    func.walk([&](AssignOp a) {
      if (a.getVariable() == var.getSymName())
        assigns.push_back(a);
    });
    if (reads.empty() && assigns.empty())
      continue;
    used.push_back(FlatSymbolRefAttr::get(ctx, var.getSymName()));
    Value buffer = block.addArgument(memrefOf(var.getType()), var.getLoc());
    if (!reads.empty()) {
      b.setInsertionPointToStart(&block); // (the previous insertion point may be an erased read)
      Value t = bufferization::ToTensorOp::create(b, loc, var.getType(), buffer, b.getUnitAttr());
      for (ReadOp r : reads) {
        r.replaceAllUsesWith(t);
        r.erase();
      }
    }
    for (AssignOp a : assigns) {
      writes.emplace_back(a.getValue(), buffer);
      a.erase();
    }
  }

  // Results first, then the variable updates: every value is computed before any write. A
  // result whose leading dimension is known only at run time goes into a buffer of its largest
  // size, and its row count into an int64 buffer after all results (Abi.h).
  b.setInsertionPoint(ret);
  SmallVector<std::pair<Value, Value>> rowCounts; // (count, buffer)
  for (Value r : ret.getOperands()) {
    auto type = cast<RankedTensorType>(r.getType());
    std::optional<int64_t> bound = dynamicRowBound(r);
    if (type.hasStaticShape() || (batched && !bound && batchSized(type) &&
                                  llvm::count_if(type.getShape(), ShapedType::isDynamic) == 1)) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&block); // a batch-sized view must dominate the whole body
      Value buffer = addBuffer(type, loc);
      b.setInsertionPoint(ret);
      bufferization::MaterializeInDestinationOp::create(b, loc, Type(), r, buffer, true, true);
      continue;
    }
    if (!bound)
      return func.emitError("result of '")
             << func.getSymName() << "' has type " << type
             << ": only the leading dimension may be dynamic (the batch size of the entry's "
                "batch-sized arguments)";
    if (llvm::count_if(type.getShape(), ShapedType::isDynamic) != 1 || !type.isDynamicDim(0))
      return func.emitError("result of '")
             << func.getSymName() << "' has a shape known only at run "
             << "time that is not a where/boolean_mask row count: " << type;
    SmallVector<int64_t> maxShape(type.getShape());
    maxShape[0] = *bound;
    Value buffer = block.addArgument(MemRefType::get(maxShape, type.getElementType()), loc);
    Value rows = tensor::DimOp::create(b, loc, r, 0);
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
        strides(type.getRank(), b.getIndexAttr(1)), sizes{rows};
    for (int64_t d : type.getShape().drop_front())
      sizes.push_back(b.getIndexAttr(d));
    Value view = memref::SubViewOp::create(b, loc, buffer, offsets, sizes, strides);
    bufferization::MaterializeInDestinationOp::create(b, loc, Type(), r, view, true, true);
    rowCounts.emplace_back(rows, Value());
  }
  for (auto &[rows, buffer] : rowCounts) {
    buffer = block.addArgument(MemRefType::get({}, b.getI64Type()), loc);
    memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, b.getI64Type(), rows),
                            buffer, ValueRange{});
  }
  for (auto [value, buffer] : writes)
    bufferization::MaterializeInDestinationOp::create(b, loc, Type(), value, buffer, true, true);
  func::ReturnOp::create(b, loc);
  ret.erase();
  block.eraseArguments(0, numOldArgs); // the batch size, if any, is now the first argument
  func.removeArgAttrsAttr();
  func.removeResAttrsAttr();
  func.setFunctionType(FunctionType::get(ctx, block.getArgumentTypes(), {}));
  func->setAttr("sinter.variables", ArrayAttr::get(ctx, used));
  return success();
}

struct SinterToLinalgPass : PassWrapper<SinterToLinalgPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SinterToLinalgPass)
  StringRef getArgument() const override { return "sinter-to-linalg"; }
  StringRef getDescription() const override {
    return "Lower sinter ops to linalg on tensors and entry functions to the buffer ABI";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, bufferization::BufferizationDialect, linalg::LinalgDialect,
                    math::MathDialect, memref::MemRefDialect, scf::SCFDialect, func::FuncDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<VariableOp> variables(module.getOps<VariableOp>());
    // The lowered code has signless integers only: uint8 is an i8 whose ops know it is unsigned.
    for (VariableOp v : variables) {
      auto type = cast<RankedTensorType>(v.getType());
      if (auto i = dyn_cast<IntegerType>(type.getElementType()); i && i.isUnsigned())
        v.setType(type.clone(IntegerType::get(&getContext(), i.getWidth())));
    }
    for (func::FuncOp func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      eraseSignedness(func);
      if (failed(lowerEntryBoundary(func, variables)) || failed(lowerBody(func)))
        return signalPassFailure();
    }
    for (VariableOp v : variables)
      v.erase();
  }

  LogicalResult lowerBody(func::FuncOp func) {
    OpBuilder b(func.getContext());
    lowerScans(func);
    // A where/boolean_mask row count (unlike the batch size) is not known to the lowering of
    // other ops; checked before any op is lowered, while the values still show their origin.
    WalkResult rows = func.walk([&](Operation *op) {
      if (!isa_and_present<SinterDialect>(op->getDialect()) || isa<GatherNdOp, WhereOp>(op))
        return WalkResult::advance();
      for (Value v : op->getOperands())
        if (dynamicRowBound(v)) {
          op->emitError("'") << op->getName() << "' needs static shapes; " << v.getType()
                             << " has a row count known only at run time (from where / "
                                "boolean_mask), which only gather_nd or an entry's result may take";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (rows.wasInterrupted())
      return failure();
    // The whole-layer recurrent ops have no generated lowering (with library kernels off the
    // layers build a sinter.scan instead), so a generated-only module cannot take them.
    WalkResult library = func.walk([&](Operation *op) {
      if (!isa<LstmOp, LstmGradOp, GruOp, GruGradOp>(op) || usesLibraryKernels(op))
        return WalkResult::advance();
      op->emitError("'") << op->getName()
                         << "' runs only on the library (oneDNN) kernel, which a generated-only "
                            "compile (sinter-compile --standalone) leaves out; build the layer "
                            "with RecurrentOptions::useLibrary = false";
      return WalkResult::interrupt();
    });
    if (library.wasInterrupted())
      return failure();
    const bool checkNumerics = checkNumericsEnabled();
    WalkResult result = func.walk([&](Operation *op) {
      if (op->getDialect() == nullptr || !isa<SinterDialect>(op->getDialect()))
        return WalkResult::advance();
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      Value r =
          llvm::TypeSwitch<Operation *, Value>(op)
              .Case([&](ConstantOp c) -> Value {
                return arith::ConstantOp::create(b, loc, cast<TypedAttr>(c.getValue()));
              })
              .Case([&](RandomOp r) { return lowerRandom(b, r); })
              .Case([&](MatmulOp m) { return lowerMatmul(b, m); })
              .Case([&](ReduceSumOp r) {
                return reshapeTensor(b, loc,
                                     reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Sum),
                                     r.getType());
              })
              .Case([&](ReduceMaxOp r) {
                return reshapeTensor(
                    b, loc,
                    reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Max, isUnsignedOp(r)),
                    r.getType());
              })
              .Case([&](ReduceMinOp r) {
                return reshapeTensor(
                    b, loc,
                    reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Min, isUnsignedOp(r)),
                    r.getType());
              })
              .Case([&](ReduceProdOp r) {
                return reshapeTensor(b, loc,
                                     reduce(b, loc, r.getOperand(), r.getAxes(), ReduceKind::Prod),
                                     r.getType());
              })
              .Case([&](ReduceMeanOp r) { return lowerReduceMean(b, r); })
              .Case([&](DimSizeOp d) -> Value {
                Value size = tensor::DimOp::create(b, loc, d.getOperand(), d.getDimension());
                Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), size);
                return tensor::FromElementsOp::create(
                    b, loc, d.getType(), scalarCast(b, loc, i64, d.getType().getElementType()));
              })
              .Case([&](ReshapeOp r) { return reshapeTensor(b, loc, r.getOperand(), r.getType()); })
              .Case([&](TransposeOp t) -> Value {
                return linalg::TransposeOp::create(b, loc, t.getOperand(),
                                                   emptyTensor(b, loc, t.getType()),
                                                   t.getPermutation())
                    .getResult()[0];
              })
              .Case([&](BroadcastInDimOp bc) { return lowerBroadcast(b, bc); })
              .Case([&](SoftmaxOp sm) -> Value {
                // Kept by sinter-decompose for the row-blocked lowering (sinter-block-rows).
                return linalg::SoftmaxOp::create(b, loc, TypeRange{sm.getType()}, sm.getOperand(),
                                                 emptyTensor(b, loc, sm.getType()),
                                                 static_cast<uint64_t>(sm.getType().getRank() - 1))
                    .getResult()[0];
              })
              .Default([&](Operation *o) {
                if (Value v = lowerDataMovement(b, o))
                  return v;
                if (Value v = lowerConvolution(b, o))
                  return v;
                if (Value v = lowerBatchNorm(b, o))
                  return v;
                if (Value v = lowerRecurrence(b, o))
                  return v;
                if (Value v = lowerCollective(b, o))
                  return v;
                return lowerElementwise(b, o);
              });
      if (!r) {
        op->emitError("sinter-to-linalg: cannot lower '")
            << op->getName() << "' (composites are decomposed and sinter.grad expanded earlier)";
        return WalkResult::interrupt();
      }
      // A where/boolean_mask row count is not the batch size the check loop would take.
      if (checkNumerics && !dynamicRowBound(op->getResult(0)))
        lowering::checkNumerics(b, loc, r, op->getName().stripDialect());
      op->getResult(0).replaceAllUsesWith(r);
      op->erase();
      return WalkResult::skip();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createSinterToLinalgPass() {
  return std::make_unique<SinterToLinalgPass>();
}

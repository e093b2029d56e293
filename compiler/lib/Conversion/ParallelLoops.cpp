// Generated loops on the runtime's thread pool, in two steps around the LLVM lowering:
//
//  1. sinter-outline-parallel-loops (on scf + memref): each outermost scf.parallel with enough
//     work becomes a private function over a range [lo, hi) of the iteration numbers of one
//     parallel dimension, called once over all of them. The program means the same thing,
//     still serially. Every other outermost loop nest becomes a private function of its own
//     too (kept out of line), and functions with the same body are merged: an entry is then
//     a short sequence of calls, and LLVM optimizes each distinct loop nest once instead of
//     one function of tens of thousands of instructions (a 64-layer MLP's training step
//     repeats the same few loop nests for every layer).
//  2. sinter-parallel-calls (on the LLVM dialect): each such call becomes a call to the
//     runtime's sinter_parallel_for (Abi.h) with a task trampoline and a context struct holding
//     the captured values, so the runtime can run chunks of the range on its OpenMP threads —
//     the pool oneDNN uses — or the whole range on the caller's thread.
//
// Captured memrefs travel as their base buffer (a rank-0 memref, one bare pointer) plus the
// offset, sizes and strides their type leaves dynamic, and are rebuilt with
// memref.reinterpret_cast: the bare-pointer calling convention only carries static, dense
// memrefs, and a loop may capture a strided view.
#include "sinter/Compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace {

constexpr const char *kParallelFor = "sinter_parallel_for";
/// Marks an outlined loop body; its value is the grain: the fewest iterations of the outlined
/// dimension worth a thread of their own.
constexpr const char *kGrainAttr = "sinter.parallel_grain";
/// Marks an outlined loop nest that runs on the caller's thread.
constexpr const char *kSerialAttr = "sinter.serial_loop";
/// Marks a function left without loops: calls and buffer bookkeeping only.
constexpr const char *kGlueAttr = "sinter.glue";

/// Below this many operations (roughly: loop iterations × body ops) a chunk of a loop costs
/// less on the calling thread than waking another one up.
constexpr int64_t kMinChunkWork = 1 << 19;

/// Operations executed by `region`, counting each loop with constant bounds as its trip count
/// times its body (unknown bounds count once).
int64_t workOf(Region &region) {
  int64_t work = 0;
  for (Operation &op : region.getOps()) {
    int64_t trips = 1;
    if (auto loop = dyn_cast<LoopLikeOpInterface>(op)) {
      auto lbs = loop.getLoopLowerBounds(), ubs = loop.getLoopUpperBounds(),
           steps = loop.getLoopSteps();
      if (lbs && ubs && steps)
        for (auto [lb, ub, step] : llvm::zip(*lbs, *ubs, *steps)) {
          auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
               s = getConstantIntValue(step);
          if (l && u && s && *s > 0 && *u > *l)
            trips *= (*u - *l + *s - 1) / *s;
        }
    }
    int64_t inner = 1;
    for (Region &r : op.getRegions())
      inner += workOf(r);
    work += trips * inner;
  }
  return work;
}

/// How a captured value is passed to the outlined body.
struct Capture {
  Value value;
  bool rebuild = false; // a memref passed as base buffer + dynamic metadata
};

bool passable(Type type) { return type.isIntOrIndexOrFloat(); }

/// A memref the outlined function can take directly (one bare pointer), or rebuild.
bool passableAsIs(MemRefType type) {
  return type.hasStaticShape() && type.getLayout().isIdentity() && !type.getMemorySpace();
}

struct OutlineParallelLoopsPass : PassWrapper<OutlineParallelLoopsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OutlineParallelLoopsPass)
  StringRef getArgument() const override { return "sinter-outline-parallel-loops"; }
  StringRef getDescription() const override {
    return "Outline large scf.parallel loops into range functions the runtime can run on "
           "several threads";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect, scf::SCFDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> loops;
    module.walk([&](Operation *op) {
      if (isa<scf::ParallelOp, scf::ForOp>(op) && op->getParentOfType<func::FuncOp>() &&
          !op->getParentOfType<scf::ParallelOp>() && !op->getParentOfType<scf::ForOp>())
        loops.push_back(op);
    });
    llvm::DenseMap<Operation *, int> counters;
    SmallVector<func::FuncOp> outlined;
    for (Operation *op : loops)
      if (func::FuncOp fn = outline(op, counters[op->getParentOfType<func::FuncOp>()]))
        outlined.push_back(fn);
    mergeIdentical(module, outlined);
    // An entry whose loops all went out of line is one long basic block of calls, and LLVM's
    // SelectionDAG scheduler takes time quadratic in a block's length (DenseNet121's training
    // step: 113 s of code generation); it is compiled without optimization instead (linear,
    // and nothing in it is worth optimizing).
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && !fn->hasAttr(kGrainAttr) && !fn->hasAttr(kSerialAttr) &&
          !fn.walk([](LoopLikeOpInterface) { return WalkResult::interrupt(); }).wasInterrupted())
        fn->setAttr(kGlueAttr, UnitAttr::get(module.getContext()));
  }

  /// A parallel dimension worth running on several threads.
  struct Range {
    unsigned dim = 0;
    int64_t lower = 0, stride = 1, grain = 1;
    bool dynamic = false;
    int64_t trips = 0;
    Value upper;
  };
  /// The dimension of `op` to split over threads; none when the loop is too small for a
  /// second thread or its bounds are unknown.
  static std::optional<Range> parallelRange(scf::ParallelOp op) {
    // The outlined dimension: the first with more than one iteration. Bounds must be
    // constant, except the upper bound of the outlined dimension, which may be the batch size
    // (then the trip count is known only at run time, where small ranges stay on the caller).
    std::optional<Range> range;
    int64_t otherTrips = 1;
    for (unsigned d = 0; d < op.getNumLoops(); ++d) {
      auto lb = getConstantIntValue(op.getLowerBound()[d]);
      auto ub = getConstantIntValue(op.getUpperBound()[d]);
      auto step = getConstantIntValue(op.getStep()[d]);
      if (!lb || !step || *step <= 0 || (!ub && range))
        return std::nullopt;
      if (!ub) {
        range = Range{d, *lb, *step, 1, true, 0, op.getUpperBound()[d]};
        continue;
      }
      int64_t n = *ub > *lb ? (*ub - *lb + *step - 1) / *step : 0;
      if (!range && n > 1)
        range = Range{d, *lb, *step, 1, false, n, op.getUpperBound()[d]};
      else
        otherTrips *= n;
    }
    if (!range)
      return std::nullopt;
    int64_t perIteration = std::max<int64_t>(1, workOf(op.getRegion()) * otherTrips);
    range->grain = std::max<int64_t>(1, (kMinChunkWork + perIteration - 1) / perIteration);
    if (!range->dynamic && range->trips < 2 * range->grain)
      return std::nullopt;
    return range;
  }

  /// Moves the loop nest `op` into a private function and calls it: over a range of its
  /// parallel dimension when it has enough work for threads, whole otherwise. Returns the
  /// function, or null when the loop stays where it is (it yields values, or captures
  /// something a call cannot pass).
  func::FuncOp outline(Operation *op, int &counter) {
    if (op->getNumResults() != 0)
      return nullptr;
    std::optional<Range> range;
    if (auto parallel = dyn_cast<scf::ParallelOp>(op))
      range = parallelRange(parallel);

    // What the loop uses from above: constants are cloned into the body, the rest passed.
    llvm::SetVector<Value> used;
    for (Region &region : op->getRegions())
      getUsedValuesDefinedAbove(region, used);
    for (Value v : op->getOperands())
      used.insert(v);
    SmallVector<Operation *> constants;
    SmallVector<Capture> captures;
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>() && def->getNumResults() == 1) {
        constants.push_back(def);
        continue;
      }
      if (auto m = dyn_cast<MemRefType>(v.getType())) {
        SmallVector<int64_t> strides;
        int64_t offset;
        if (m.getMemorySpace() || failed(m.getStridesAndOffset(strides, offset)))
          return nullptr;
        captures.push_back({v, !passableAsIs(m)});
      } else if (passable(v.getType())) {
        captures.push_back({v, false});
      } else {
        return nullptr;
      }
    }

    auto parent = op->getParentOfType<func::FuncOp>();
    Location loc = op->getLoc();
    OpBuilder b(op);
    Type index = b.getIndexType();
    // Call-site arguments: for a range function the range of iteration numbers [0, trips) of
    // the outlined dimension; then each capture (a rebuilt memref expands in place).
    SmallVector<Value> callArgs;
    SmallVector<Type> argTypes;
    if (range) {
      Value tripCount;
      if (range->dynamic) // ceil((upper - lower) / stride), at least 0
        tripCount = arith::MaxSIOp::create(
            b, loc, arith::ConstantIndexOp::create(b, loc, 0),
            arith::CeilDivSIOp::create(
                b, loc,
                arith::SubIOp::create(b, loc, range->upper,
                                      arith::ConstantIndexOp::create(b, loc, range->lower)),
                arith::ConstantIndexOp::create(b, loc, range->stride)));
      else
        tripCount = arith::ConstantIndexOp::create(b, loc, range->trips);
      callArgs = {arith::ConstantIndexOp::create(b, loc, 0), tripCount};
      argTypes = {index, index};
    }
    for (const Capture &c : captures) {
      if (!c.rebuild) {
        callArgs.push_back(c.value);
        argTypes.push_back(c.value.getType());
        continue;
      }
      auto type = cast<MemRefType>(c.value.getType());
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, c.value);
      callArgs.push_back(meta.getBaseBuffer());
      argTypes.push_back(meta.getBaseBuffer().getType());
      auto [strides, offset] = type.getStridesAndOffset();
      if (ShapedType::isDynamic(offset)) {
        callArgs.push_back(meta.getOffset());
        argTypes.push_back(index);
      }
      for (unsigned i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i)) {
          callArgs.push_back(meta.getSizes()[i]);
          argTypes.push_back(index);
        }
      for (unsigned i = 0; i < type.getRank(); ++i)
        if (ShapedType::isDynamic(strides[i])) {
          callArgs.push_back(meta.getStrides()[i]);
          argTypes.push_back(index);
        }
    }

    std::string name =
        (parent.getSymName() + (range ? "__parallel" : "__loop") + llvm::Twine(counter++)).str();
    OpBuilder mb(parent);
    mb.setInsertionPointAfter(parent);
    auto body = func::FuncOp::create(mb, loc, name, mb.getFunctionType(argTypes, {}));
    body.setPrivate();
    if (range)
      body->setAttr(kGrainAttr, mb.getI64IntegerAttr(range->grain));
    else
      body->setAttr(kSerialAttr, mb.getUnitAttr());
    Block *block = body.addEntryBlock();
    OpBuilder bb = OpBuilder::atBlockBegin(block);
    IRMapping map;
    for (Operation *c : constants)
      bb.clone(*c, map);
    unsigned next = range ? 2 : 0;
    for (const Capture &c : captures) {
      if (!c.rebuild) {
        map.map(c.value, block->getArgument(next++));
        continue;
      }
      auto type = cast<MemRefType>(c.value.getType());
      Value base = block->getArgument(next++);
      auto [strides, offset] = type.getStridesAndOffset();
      auto staticOr = [&](int64_t v) -> OpFoldResult {
        if (ShapedType::isDynamic(v))
          return block->getArgument(next++);
        return bb.getIndexAttr(v);
      };
      OpFoldResult off = staticOr(offset);
      SmallVector<OpFoldResult> sizes, strideVals;
      for (int64_t s : type.getShape())
        sizes.push_back(staticOr(s));
      for (int64_t s : strides)
        strideVals.push_back(staticOr(s));
      map.map(c.value,
              memref::ReinterpretCastOp::create(bb, loc, type, base, off, sizes, strideVals));
    }
    Operation *loop = bb.clone(*op, map);
    if (range) {
      // Iterations [lo, hi) are the values lower + [lo, hi) * stride, below upper.
      auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(bb, loc, v); };
      bb.setInsertionPoint(loop);
      Value from = arith::AddIOp::create(
          bb, loc, constant(range->lower),
          arith::MulIOp::create(bb, loc, block->getArgument(0), constant(range->stride)));
      Value to = arith::MinSIOp::create(
          bb, loc, map.lookup(range->upper),
          arith::AddIOp::create(
              bb, loc, constant(range->lower),
              arith::MulIOp::create(bb, loc, block->getArgument(1), constant(range->stride))));
      auto parallel = cast<scf::ParallelOp>(loop);
      parallel->setOperand(range->dim, from);
      parallel->setOperand(parallel.getNumLoops() + range->dim, to);
      bb.setInsertionPointAfter(loop);
    }
    func::ReturnOp::create(bb, loc);

    func::CallOp::create(b, loc, body, callArgs);
    op->erase();
    return body;
  }

  /// Calls of outlined functions with the same body (the same loop nest over buffers of the
  /// same types) go to the first of them; the others are erased.
  static void mergeIdentical(ModuleOp module, ArrayRef<func::FuncOp> functions) {
    llvm::StringMap<StringAttr> first;
    llvm::DenseMap<StringAttr, StringAttr> replacement;
    OpPrintingFlags flags;
    flags.useLocalScope();
    for (func::FuncOp fn : functions) {
      StringAttr name = fn.getSymNameAttr();
      std::string key;
      fn.setSymName("outlined"); // the body and signature, not the name, make the key
      {
        llvm::raw_string_ostream os(key);
        fn->print(os, flags);
      }
      fn.setSymNameAttr(name);
      auto [it, inserted] = first.try_emplace(key, name);
      if (!inserted)
        replacement[name] = it->second;
    }
    if (replacement.empty())
      return;
    module.walk([&](func::CallOp call) {
      auto it = replacement.find(call.getCalleeAttr().getAttr());
      if (it != replacement.end())
        call.setCallee(it->second.getValue());
    });
    for (func::FuncOp fn : functions)
      if (replacement.count(fn.getSymNameAttr()))
        fn.erase();
  }
};

/// Builds the context struct of one call and the trampoline that unpacks it.
struct ParallelCallsPass : PassWrapper<ParallelCallsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelCallsPass)
  StringRef getArgument() const override { return "sinter-parallel-calls"; }
  StringRef getDescription() const override {
    return "Turn calls of outlined loop bodies into sinter_parallel_for calls (LLVM dialect)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::CallOp> calls;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
      if (fn->removeAttr(kSerialAttr)) // LLVM would inline a function called once
        fn.setNoInline(true);
      if (fn->removeAttr(kGlueAttr)) {
        fn.setNoInline(true);
        fn.setOptimizeNone(true);
      }
    }
    module.walk([&](LLVM::CallOp call) {
      auto callee = call.getCallee();
      if (!callee)
        return;
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(*callee);
      if (fn && fn->hasAttr(kGrainAttr))
        calls.push_back(call);
    });
    if (calls.empty())
      return;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto runtimeFn = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor);
    if (!runtimeFn) {
      b.setInsertionPointToStart(module.getBody());
      runtimeFn = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kParallelFor,
          LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64, i64, i64}));
    }
    // The trampoline of each function: void task(ptr context, i64 lo, i64 hi); one for all the
    // calls of a function (merged loop nests have several).
    llvm::DenseMap<Operation *, LLVM::LLVMFuncOp> tasks;
    SmallVector<LLVM::LLVMFuncOp> bodies;
    for (LLVM::CallOp call : calls) {
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(*call.getCallee());
      int64_t grain = cast<IntegerAttr>(fn->getAttr(kGrainAttr)).getInt();
      Location loc = call.getLoc();
      ValueRange operands = call.getArgOperands();
      SmallVector<Type> fields(operands.drop_front(2).getTypes());
      auto ctxType =
          LLVM::LLVMStructType::getLiteral(ctx, fields.empty() ? SmallVector<Type>{i64} : fields);

      LLVM::LLVMFuncOp &task = tasks[fn];
      if (!task) {
        bodies.push_back(fn);
        b.setInsertionPointAfter(fn);
        task = LLVM::LLVMFuncOp::create(b, loc, (fn.getName() + "_task").str(),
                                        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64}),
                                        LLVM::Linkage::Internal);
        Block *block = task.addEntryBlock(b);
        b.setInsertionPointToStart(block);
        SmallVector<Value> args{block->getArgument(1), block->getArgument(2)};
        for (auto [i, type] : llvm::enumerate(fields)) {
          Value slot = LLVM::GEPOp::create(b, loc, ptr, ctxType, block->getArgument(0),
                                           ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
          args.push_back(LLVM::LoadOp::create(b, loc, type, slot));
        }
        LLVM::CallOp::create(b, loc, fn, args);
        LLVM::ReturnOp::create(b, loc, ValueRange{});
      }

      // At the call site: the context on the stack (allocated in the entry block), filled here.
      auto parent = call->getParentOfType<LLVM::LLVMFuncOp>();
      b.setInsertionPointToStart(&parent.getBody().front());
      Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
      Value context = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one, /*alignment=*/8);
      b.setInsertionPoint(call);
      for (auto [i, v] : llvm::enumerate(operands.drop_front(2))) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ctxType, context,
                                         ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        LLVM::StoreOp::create(b, loc, v, slot);
      }
      Value taskAddress = LLVM::AddressOfOp::create(b, loc, task);
      Value grainValue = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(grain));
      LLVM::CallOp::create(b, loc, runtimeFn,
                           ValueRange{taskAddress, context, operands[0], operands[1], grainValue});
      call->erase();
    }
    for (LLVM::LLVMFuncOp fn : bodies) {
      fn->removeAttr(kGrainAttr);
      fn.setLinkage(LLVM::Linkage::Internal);
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createOutlineParallelLoopsPass() {
  return std::make_unique<OutlineParallelLoopsPass>();
}

std::unique_ptr<Pass> mlir::sinter::createParallelCallsPass() {
  return std::make_unique<ParallelCallsPass>();
}

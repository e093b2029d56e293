// The compiler's phase list (docs/architecture.md, "The compiler phases").
#include "sinter/Compiler/Pipeline/Pipeline.h"

#include "sinter/Compiler/Conversion/Passes.h"
#include "sinter/Compiler/Dialect/SinterDialect.h"
#include "sinter/Compiler/Transforms/Passes.h"
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/DTypeProto.h"

#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::sinter;
namespace proto = ::sinter::proto;

std::optional<Phase> mlir::sinter::parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("mlir", Phase::Mlir)
      .Case("grad", Phase::Grad)
      .Case("fused", Phase::Fused)
      .Case("linalg", Phase::Linalg)
      .Case("llvm", Phase::Llvm)
      .Default(std::nullopt);
}

void mlir::sinter::registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<SinterDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

namespace {

/// Pass lists on the module, in mlir-opt syntax: the textual form is stable across versions.
const char *kFusePipeline = "sinter-decompose, canonicalize, cse, sinter-schedule-collectives, "
                            "sinter-to-linalg, "
                            "sinter-fuse-elementwise, canonicalize, cse, sinter-block-rows";
const char *kBufferizePipeline =
    "sinter-split-empty-tensors, sinter-results-in-place, "
    "one-shot-bufferize{unknown-type-conversion=identity-layout-map}, "
    "canonicalize, sinter-outline-kernels, buffer-deallocation-pipeline, canonicalize";
const char *kLlvmPipeline =
    "sinter-tile-contractions, sinter-tile-transposes, scf-forall-to-parallel, "
    "convert-linalg-to-parallel-loops, "
    "sinter-outline-parallel-loops, "
    "lower-affine, "
    "sinter-approximate-math, "
    "convert-scf-to-cf, expand-strided-metadata, lower-affine, "
    "convert-vector-to-llvm{vector-transpose-lowering=shuffle16x16}, "
    "finalize-memref-to-llvm{use-generic-functions=1}, "
    "convert-math-to-llvm, convert-arith-to-llvm, convert-index-to-llvm, "
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1}, sinter-parallel-calls, "
    "convert-cf-to-llvm, "
    "reconcile-unrealized-casts, canonicalize";

bool envFlag(const char *name) {
  const char *env = std::getenv(name);
  return env && *env && *env != '0';
}

/// SINTER_COMPILE_TIMING=1 prints the time of every pass (MLIR's pass timing) to stderr;
/// SINTER_PRINT_IR_ON_FAILURE=1 prints the module as the failing pass left it.
void configureTiming(PassManager &pm) {
  if (envFlag("SINTER_COMPILE_TIMING"))
    pm.enableTiming();
  if (envFlag("SINTER_PRINT_IR_ON_FAILURE")) {
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [](Pass *, Operation *) { return true; }, /*printModuleScope=*/true,
                        /*printAfterOnlyOnChange=*/false, /*printAfterOnlyOnFailure=*/true);
  }
}

LogicalResult runTextual(ModuleOp module, const char *pipeline) {
  PassManager pm(module.getContext());
  configureTiming(pm);
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    return failure();
  return pm.run(module);
}

void registerOnce() {
  static bool done = [] {
    registerAllPasses();
    registerSinterPasses();
    return true;
  }();
  (void)done;
}

} // namespace

void mlir::sinter::registerSinterPasses() {
  static bool done = [] {
    registerPass(createAutodiffPass);
    registerPass(createDecomposePass);
    registerPass(createScheduleCollectivesPass);
    registerPass(createSinterToLinalgPass);
    registerPass(createFuseElementwisePass);
    registerPass(createOutlineKernelsPass);
    registerPass(createApproximateMathPass);
    registerPass(createSplitEmptyTensorsPass);
    registerPass(createBlockRowsPass);
    registerPass(createResultsInPlacePass);
    registerPass(createTileContractionsPass);
    registerPass(createTileTransposesPass);
    registerPass(createOutlineParallelLoopsPass);
    registerPass(createParallelCallsPass);
    return true;
  }();
  (void)done;
}

LogicalResult mlir::sinter::runPhases(ModuleOp module, Phase from, Phase to,
                                      proto::Manifest *manifest) {
  registerOnce();
  if (from == Phase::Mlir && to >= Phase::Grad) {
    PassManager pm(module.getContext());
    configureTiming(pm);
    pm.addPass(createAutodiffPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (failed(pm.run(module)))
      return failure();
    from = Phase::Grad;
  }
  if (from == Phase::Grad && manifest)
    *manifest = buildManifest(module);
  if (from == Phase::Grad && to >= Phase::Fused) {
    if (failed(runTextual(module, kFusePipeline)))
      return failure();
    from = Phase::Fused;
  }
  if (from == Phase::Fused && to >= Phase::Linalg) {
    if (failed(runTextual(module, kBufferizePipeline)))
      return failure();
    from = Phase::Linalg;
  }
  if (from == Phase::Linalg && to >= Phase::Llvm) {
    if (failed(runTextual(module, kLlvmPipeline)))
      return failure();
  }
  return success();
}

namespace {

void fillSpec(proto::TensorSpec *spec, llvm::StringRef name, Type type,
              std::optional<int64_t> rowBound = std::nullopt) {
  auto t = cast<RankedTensorType>(type);
  spec->set_name(name.str());
  std::optional<::sinter::runtime::DType> dtype = dtypeOf(t.getElementType());
  spec->set_dtype(dtype ? ::sinter::runtime::toProto(*dtype) : proto::DTYPE_INVALID);
  for (int64_t d : t.getShape())
    spec->add_shape(ShapedType::isDynamic(d) ? -1 : d);
  if (rowBound)
    spec->set_max_leading_dim(*rowBound);
  else if (t.getRank() > 0 && t.isDynamicDim(0))
    spec->set_batch(true);
}

} // namespace

std::optional<::sinter::runtime::DType> mlir::sinter::dtypeOf(Type t) {
  using ::sinter::runtime::DType;
  if (t.isF32())
    return DType::F32;
  if (t.isF64())
    return DType::F64;
  if (t.isF16())
    return DType::F16;
  if (t.isBF16())
    return DType::BF16;
  if (t.isInteger(1))
    return DType::Bool;
  if (t.isUnsignedInteger(8))
    return DType::U8;
  if (t.isInteger(8))
    return DType::I8;
  if (t.isInteger(16))
    return DType::I16;
  if (t.isInteger(32))
    return DType::I32;
  if (t.isInteger(64))
    return DType::I64;
  return std::nullopt;
}

proto::Manifest mlir::sinter::buildManifest(ModuleOp module) {
  proto::Manifest m;
  m.set_abi_version(SINTER_ABI_VERSION);
  if (auto name = module.getSymName())
    m.set_program_name(name->str());
  SmallVector<VariableOp> variables(module.getOps<VariableOp>());
  for (VariableOp v : variables)
    fillSpec(m.add_variables()->mutable_spec(), v.getSymName(), v.getType());
  for (func::FuncOp f : module.getOps<func::FuncOp>()) {
    if (f.isExternal())
      continue;
    proto::EntrySpec *e = m.add_entries();
    e->set_name(f.getSymName().str());
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto name = f.getArgAttrOfType<StringAttr>(i, "sinter.name");
      fillSpec(e->add_args(), name ? name.getValue() : ("arg" + llvm::Twine(i)).str(),
               f.getArgument(i).getType());
      e->set_batched(e->batched() || e->args().rbegin()->batch());
    }
    // The variables the entry reads or assigns, in module order (as the lowering orders them).
    for (auto [index, v] : llvm::enumerate(variables)) {
      bool used = false;
      f.walk([&](Operation *op) {
        if (auto r = dyn_cast<ReadOp>(op); r && r.getVariable() == v.getSymName())
          used = true;
        if (auto a = dyn_cast<AssignOp>(op); a && a.getVariable() == v.getSymName())
          used = true;
      });
      if (used)
        e->add_variables(static_cast<int>(index));
    }
    auto ret = cast<func::ReturnOp>(f.front().getTerminator());
    for (unsigned i = 0; i < f.getNumResults(); ++i) {
      auto name = f.getResultAttrOfType<StringAttr>(i, "sinter.name");
      fillSpec(e->add_results(), name ? name.getValue() : ("output" + llvm::Twine(i)).str(),
               f.getResultTypes()[i], dynamicRowBound(ret.getOperand(i)));
    }
  }
  return m;
}

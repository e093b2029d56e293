// Artifact writer: adds the ABI symbols (entry thunks, manifest, variable data) to a module in
// the LLVM dialect, translates it to LLVM IR, optimizes it for the target CPU and writes a
// native object through the TargetMachine.
#include "sinter/Compiler/Target/Artifact.h"
#include "sinter/runtime/File.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

using namespace mlir;
using namespace mlir::sinter;
namespace proto = ::sinter::proto;

namespace {

void addBytesGlobal(OpBuilder &b, Location loc, llvm::StringRef name, llvm::StringRef bytes) {
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), std::max<size_t>(bytes.size(), 1));
  std::string data = bytes.empty() ? std::string(1, '\0') : bytes.str();
  auto global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true, LLVM::Linkage::External,
                                       name, b.getStringAttr(data), /*alignment=*/64);
  (void)global;
  auto i64 = b.getI64Type();
  LLVM::GlobalOp::create(b, loc, i64, true, LLVM::Linkage::External, (name + "_size").str(),
                         b.getI64IntegerAttr(bytes.size()));
}

/// `void PREFIX_<entry>(void **buffers)`: unpacks the buffer array into the arguments of the
/// lowered entry (one bare pointer per buffer; a batched entry first takes the batch size,
/// which the last buffer holds).
LogicalResult addThunk(OpBuilder &b, ModuleOp module, const proto::EntrySpec &entry,
                       llvm::StringRef prefix) {
  auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.name());
  if (!fn)
    return module.emitError("artifact: lowered entry '") << entry.name() << "' not found";
  fn.setLinkage(LLVM::Linkage::Internal);
  MLIRContext *ctx = module.getContext();
  Location loc = fn.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
  b.setInsertionPointToEnd(module.getBody());
  auto thunk = LLVM::LLVMFuncOp::create(b, loc, (prefix + "_" + entry.name()).str(), type);
  Block *block = thunk.addEntryBlock(b);
  b.setInsertionPointToStart(block);
  auto load = [&](unsigned index) -> Value {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, block->getArgument(0),
                                     ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
    return LLVM::LoadOp::create(b, loc, ptr, slot);
  };
  SmallVector<Value> args;
  unsigned count = fn.getNumArguments();
  unsigned buffers = entry.batched() ? count - 1 : count;
  if (entry.batched())
    args.push_back(LLVM::LoadOp::create(b, loc, b.getI64Type(), load(buffers)));
  for (unsigned i = 0; i < buffers; ++i)
    args.push_back(load(i));
  LLVM::CallOp::create(b, loc, fn, args);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return success();
}

llvm::TargetMachine *targetMachine(const ArtifactOptions &options, std::string &error) {
  static bool init = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)init;
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
  std::string features;
  if (options.cpu.empty()) {
    llvm::SubtargetFeatures f;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    features = f.getString();
  }
  llvm::TargetOptions to;
  return target->createTargetMachine(triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt,
                                     llvm::CodeGenOptLevel::Aggressive);
}

void optimize(llvm::Module &module, llvm::TargetMachine *tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  // No loop unrolling: the vectorizer still vectorizes and interleaves the generated loops,
  // and unrolling their remainders doubled LLVM's time (64-layer training step: 11.0 -> 5.3 s
  // of O3 + code generation) for no run time we could measure (bench_mlp, bench_elementwise).
  tuning.LoopUnrolling = false;
  llvm::PassBuilder pb(tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, mam);
}

} // namespace

namespace {

/// SINTER_COMPILE_TIMING=1 (as for the MLIR passes) prints the time of each LLVM step.
class Laps {
public:
  Laps() {
    const char *env = std::getenv("SINTER_COMPILE_TIMING");
    on_ = env && *env && *env != '0';
  }
  void lap(const char *step) {
    auto now = std::chrono::steady_clock::now();
    if (on_)
      std::fprintf(stderr, "sinter: %-28s %8.4f s\n", step,
                   std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

private:
  bool on_ = false;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/// O3 and code generation of one module into an object; `llvmIr` gets the optimized IR.
bool compileToObject(llvm::Module &module, const ArtifactOptions &options,
                     llvm::SmallVectorImpl<char> &object, std::string &error,
                     std::string *llvmIr = nullptr, Laps *laps = nullptr) {
  std::unique_ptr<llvm::TargetMachine> tm(targetMachine(options, error));
  if (!tm) {
    error = "no target machine: " + error;
    return false;
  }
  module.setDataLayout(tm->createDataLayout());
  module.setTargetTriple(tm->getTargetTriple());
  optimize(module, tm.get());
  if (laps)
    laps->lap("LLVM O3");
  if (llvmIr) {
    llvm::raw_string_ostream os(*llvmIr);
    module.print(os, nullptr);
  }
  object.clear();
  llvm::raw_svector_ostream out(object);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  if (laps)
    laps->lap("LLVM code generation");
  return true;
}

/// The module with the ABI symbols, translated to LLVM IR.
std::unique_ptr<llvm::Module> translate(ModuleOp module, const proto::Manifest &manifest,
                                        llvm::StringRef variableBlob,
                                        const ArtifactOptions &options, llvm::LLVMContext &context,
                                        Laps &laps) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  proto::Manifest withSymbols = manifest;
  for (auto &entry : *withSymbols.mutable_entries()) {
    entry.set_symbol(options.prefix + "_" + entry.name());
    if (failed(addThunk(b, module, entry, options.prefix)))
      return nullptr;
  }
  b.setInsertionPointToEnd(module.getBody());
  addBytesGlobal(b, module.getLoc(), options.prefix + "_manifest", withSymbols.SerializeAsString());
  addBytesGlobal(b, module.getLoc(), options.prefix + "_variable_data", variableBlob);
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    module.emitError("artifact: translation to LLVM IR failed");
  laps.lap("translate to LLVM IR");
  return llvmModule;
}

} // namespace

LogicalResult mlir::sinter::emitObjects(ModuleOp module, const proto::Manifest &manifest,
                                        llvm::StringRef variableBlob,
                                        const ArtifactOptions &options, unsigned threads,
                                        std::vector<llvm::SmallVector<char, 0>> &objects,
                                        std::string *llvmIr) {
  Laps laps;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translate(module, manifest, variableBlob, options, context, laps);
  if (!llvmModule)
    return failure();
  if (threads <= 1) {
    objects.assign(1, {});
    std::string error;
    if (!compileToObject(*llvmModule, options, objects[0], error, llvmIr, &laps))
      return module.emitError("artifact: ") << error;
    return success();
  }
  // Each part travels as bitcode into a context of its own: one LLVMContext is not
  // thread-safe, and O3 and code generation of the parts run on their own threads.
  std::vector<llvm::SmallString<0>> bitcode;
  // SplitModule shares functions out by name, not size: with several parts per thread, taken
  // from a queue, a thread that drew small parts takes more (64-layer training step on two
  // threads: two parts of 29,735 and 17,868 instructions took 6.5 and 3.3 s).
  unsigned parts = 4 * threads;
  llvm::SplitModule(*llvmModule, parts, [&](std::unique_ptr<llvm::Module> part) {
    bitcode.emplace_back();
    llvm::raw_svector_ostream os(bitcode.back());
    llvm::WriteBitcodeToFile(*part, os);
  });
  laps.lap("split into parts");
  objects.assign(bitcode.size(), {});
  std::vector<std::string> errors(bitcode.size());
  auto work = [&](size_t i) {
    llvm::LLVMContext partContext;
    auto part = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(llvm::StringRef(bitcode[i].data(), bitcode[i].size()), "part"),
        partContext);
    if (!part) {
      errors[i] = llvm::toString(part.takeError());
      return;
    }
    compileToObject(**part, options, objects[i], errors[i]);
  };
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < bitcode.size(); i = next++)
      work(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<size_t>(threads, bitcode.size()); ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
  laps.lap("LLVM O3 and code generation");
  for (const std::string &e : errors)
    if (!e.empty())
      return module.emitError("artifact: ") << e;
  return success();
}

LogicalResult mlir::sinter::writeObject(ModuleOp module, const proto::Manifest &manifest,
                                        llvm::StringRef variableBlob,
                                        const ArtifactOptions &options, llvm::StringRef path,
                                        std::string *llvmIr) {
  std::vector<llvm::SmallVector<char, 0>> objects;
  if (failed(emitObjects(module, manifest, variableBlob, options, /*threads=*/1, objects, llvmIr)))
    return failure();
  const llvm::SmallVector<char, 0> &object = objects[0];
  if (path.empty())
    return success();
  std::error_code ec;
  std::string tmp = ::sinter::runtime::temporaryPathFor(path.str());
  {
    llvm::raw_fd_ostream out(tmp, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError("artifact: cannot write '") << tmp << "': " << ec.message();
    out.write(object.data(), object.size());
    out.close();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(tmp);
      return module.emitError("artifact: cannot write '") << tmp << "'";
    }
  }
  if (auto err = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    return module.emitError("artifact: cannot write '") << path << "': " << err.message();
  }
  return success();
}

LogicalResult mlir::sinter::linkSharedObject(llvm::StringRef objectPath, llvm::StringRef soPath,
                                             std::string &error) {
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc) {
    error = "no C compiler driver 'cc' on PATH to link the shared object";
    return failure();
  }
  std::string tmp = ::sinter::runtime::temporaryPathFor(soPath.str());
  llvm::SmallVector<llvm::StringRef> args{*cc, "-shared", "-o", tmp, objectPath};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    llvm::sys::fs::remove(tmp);
    error = "linking '" + soPath.str() + "' failed (cc exit " + std::to_string(rc) + ") " + message;
    return failure();
  }
  if (auto ec = llvm::sys::fs::rename(tmp, soPath)) {
    llvm::sys::fs::remove(tmp);
    error = "cannot write '" + soPath.str() + "': " + ec.message();
    return failure();
  }
  return success();
}

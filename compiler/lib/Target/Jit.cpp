// In-process loading of compiled objects with LLVM's ORC JIT (JITLink): the objects are the
// ones sinter-compile writes for deployment, so both paths run the same code.
#include "sinter/Compiler/Target/Jit.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir::sinter;

struct JitCode::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

JitCode::JitCode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JitCode::~JitCode() = default;

std::shared_ptr<JitCode> JitCode::load(llvm::ArrayRef<llvm::StringRef> objects,
                                       std::string &error) {
  static bool init = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)init;
  auto fail = [&](llvm::Error e) -> std::shared_ptr<JitCode> {
    error = "loading the compiled code failed: " + llvm::toString(std::move(e));
    return nullptr;
  };
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return fail(jit.takeError());
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return fail(process.takeError());
  (*jit)->getMainJITDylib().addGenerator(std::move(*process));
  for (llvm::StringRef object : objects)
    if (auto e = (*jit)->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "program.o")))
      return fail(std::move(e));
  auto impl = std::make_unique<Impl>();
  impl->jit = std::move(*jit);
  return std::shared_ptr<JitCode>(new JitCode(std::move(impl)));
}

void *JitCode::lookup(llvm::StringRef symbol) const {
  auto address = impl_->jit->lookup(symbol);
  if (!address) {
    llvm::consumeError(address.takeError());
    return nullptr;
  }
  return address->toPtr<void *>();
}

// mlir-opt with the sinter dialect and passes: the driver of the lit tests.
#include "sinter/Compiler/Pipeline/Pipeline.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::sinter::registerCompilerDialects(registry);
  mlir::registerAllPasses();
  mlir::sinter::registerSinterPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Sinter optimizer driver\n", registry));
}

#ifndef SINTER_DIALECT_TD
#define SINTER_DIALECT_TD

include "mlir/IR/OpBase.td"

def Sinter_Dialect : Dialect {
  let name = "sinter";
  let summary = "Sinter's tensor graph dialect";
  let description = [{
    Static-shaped tensor ops of a Sinter program. Binary ops take operands of equal shape:
    NumPy broadcasting is made explicit by the frontend with `sinter.broadcast_in_dim`, so a
    broadcast's gradient is a plain reduction. Variables are module-level symbols read with
    `sinter.read` (the value at the start of the call) and written with `sinter.assign` (the
    value after the call).
  }];
  let cppNamespace = "::mlir::sinter";
  // Inherent attributes live in the attribute dictionary: the frontend and the model loader
  // build every op generically from (name, operands, attributes).
  let usePropertiesForAttributes = 0;
  let hasConstantMaterializer = 1;
}

#endif

#ifndef SINTER_DIFFERENTIABLE_OP_INTERFACE_TD
#define SINTER_DIFFERENTIABLE_OP_INTERFACE_TD

include "mlir/IR/OpBase.td"

def DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    An op with a vector-Jacobian product. The VJP is emitted as sinter ops, so the output of
    the autodiff pass can be differentiated again.
  }];
  let cppNamespace = "::mlir::sinter";
  let methods = [
    InterfaceMethod<[{
        Emits, at the builder's insertion point, the gradients of the op's operands given the
        gradients of its results (`resultGrads[i]` has the type of result i). Returns one value
        per operand; a null value for an operand that takes no gradient.
      }],
      "::llvm::SmallVector<::mlir::Value>", "vjp",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ArrayRef<::mlir::Value>":$resultGrads)>,
  ];
}

#endif

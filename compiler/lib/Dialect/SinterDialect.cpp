#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::sinter;

#include "sinter/Compiler/Dialect/DifferentiableOpInterface.cpp.inc"
#include "sinter/Compiler/Dialect/SinterDialect.cpp.inc"

void SinterDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sinter/Compiler/Dialect/SinterOps.cpp.inc"
      >();
}

Operation *SinterDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                              Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

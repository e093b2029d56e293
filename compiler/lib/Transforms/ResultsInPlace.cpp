// Before bufferization: an entry's result is computed in the caller's result buffer. The
// boundary lowering writes each result with materialize_in_destination into its buffer
// argument; the value itself starts as a tensor.empty destination (of a linalg op, or the
// shared outputs of a blocked loop), which bufferization would allocate and then copy into the
// argument: a full extra pass over every result. When the result buffer is used by nothing
// else, the empty tensor is replaced by the buffer itself (or, for a batch-sized result, by
// the view of it with the call's rows). (MLIR's eliminate-empty-tensors
// does this for every destination, variables included, where it broke the read-before-update
// order of variables updated in place.)
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {

/// The tensor.empty at the root of `value`'s chain of destinations, if every link is a
/// destination-style op (or a forall's shared output) and every destination in the chain has
/// no other use. (CSE merges identical zero fills: two products may share one as their
/// destination, and only one of them may then be computed in the result buffer.)
tensor::EmptyOp rootEmpty(Value value) {
  while (auto result = dyn_cast<OpResult>(value)) {
    Operation *def = result.getOwner();
    if (auto empty = dyn_cast<tensor::EmptyOp>(def))
      return empty;
    if (auto forall = dyn_cast<scf::ForallOp>(def))
      value = forall.getOutputs()[result.getResultNumber()];
    else if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
      value = dps.getTiedOpOperand(result)->get();
    else
      return nullptr;
    if (!value.hasOneUse())
      return nullptr;
  }
  return nullptr;
}

struct ResultsInPlacePass : PassWrapper<ResultsInPlacePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ResultsInPlacePass)
  StringRef getArgument() const override { return "sinter-results-in-place"; }
  StringRef getDescription() const override {
    return "Compute entry results directly in their result buffers (before bufferization)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<bufferization::BufferizationDialect>();
  }

  void runOnOperation() override {
    getOperation().walk([](bufferization::MaterializeInDestinationOp store) {
      Value dest = store.getDest();
      auto memref = dyn_cast<MemRefType>(dest.getType());
      // The result buffer: an argument, or (batch-sized) its view with the call's rows.
      Value argument = dest;
      if (auto view = dest.getDefiningOp<memref::ReinterpretCastOp>())
        argument = view.getSource();
      if (!memref || !isa<BlockArgument>(argument) || !argument.hasOneUse() || !dest.hasOneUse() ||
          !memref.getLayout().isIdentity())
        return;
      // The result may be a collapsed view of the computed tensor (rank-changing reshapes).
      Value source = store.getSource();
      auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>();
      if (collapse)
        source = collapse.getSrc();
      tensor::EmptyOp empty = rootEmpty(source);
      auto resultType = cast<RankedTensorType>(store.getSource().getType());
      if (!empty || empty.getType() != source.getType() ||
          resultType.getShape() != memref.getShape() ||
          resultType.getElementType() != memref.getElementType())
        return;
      OpBuilder b(empty);
      Value buffer = bufferization::ToTensorOp::create(b, empty.getLoc(), resultType, dest,
                                                       /*restrict=*/true, /*writable=*/true);
      if (collapse)
        buffer = tensor::ExpandShapeOp::create(b, empty.getLoc(), empty.getType(), buffer,
                                               collapse.getReassociationIndices());
      empty.replaceAllUsesWith(buffer);
      empty.erase();
    });
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createResultsInPlacePass() {
  return std::make_unique<ResultsInPlacePass>();
}

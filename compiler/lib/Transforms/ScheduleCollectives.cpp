// sinter-schedule-collectives: each sinter.all_reduce moves up to just after the last op that
// computes its operand, with the reshapes and concatenation that assemble its bucket (used by
// it alone). The lowering starts the communication there and waits where the result is first
// used (LowerCollectives.cpp), so a bucket of gradients is reduced while the backward pass
// computes the gradients of earlier layers. Every rank compiles the same program, so every
// rank issues the all-reduces in the same (new) order.
#include "sinter/Compiler/Dialect/SinterEmitter.h"
#include "sinter/Compiler/Transforms/Passes.h"

#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {

struct ScheduleCollectivesPass : PassWrapper<ScheduleCollectivesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ScheduleCollectivesPass)
  StringRef getArgument() const override { return "sinter-schedule-collectives"; }
  StringRef getDescription() const override {
    return "Move each all_reduce (and the reshapes and concatenation of its bucket) up to where "
           "its operand is computed, so its communication overlaps the rest of the step";
  }

  void runOnOperation() override {
    SmallVector<AllReduceOp> reduces;
    getOperation().walk([&](AllReduceOp op) { reduces.push_back(op); });
    for (AllReduceOp op : reduces)
      moveUp(op);
  }

  /// A bucket's assembly: data movement that `user` alone reads.
  static bool assembles(Operation *def, Operation *user) {
    return def && isa<ReshapeOp, ConcatenateOp>(def) && def->getBlock() == user->getBlock() &&
           llvm::all_of(def->getUsers(), [&](Operation *u) { return u == user; });
  }

  /// Moves `op` right after the last op of its block that defines one of its operands (the
  /// start of the block if none does), moving its bucket's assembly up first.
  static void moveUp(Operation *op) {
    Block *block = op->getBlock();
    Operation *after = nullptr;
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (assembles(def, op))
        moveUp(def);
      if (def)
        def = block->findAncestorOpInBlock(*def);
      if (def && (!after || after->isBeforeInBlock(def)))
        after = def;
    }
    if (after)
      op->moveAfter(after);
    else
      op->moveBefore(&block->front());
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sinter::createScheduleCollectivesPass() {
  return std::make_unique<ScheduleCollectivesPass>();
}

// scan(): traces the body into a detached block, turns the outside values it reads into
// explicit operands (the scan op is isolated from above) and builds the sinter.scan op.
#include "GraphImpl.h"

#include "sinter/Scan.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"

#include <utility>

using namespace mlir;

namespace sinter {

namespace {

/// The body's block until it moves into the scan op; deleted if an error comes first.
struct OwnedBlock {
  Block *block = new Block();
  ~OwnedBlock() {
    if (!block)
      return;
    for (Operation &op : *block)
      op.dropAllReferences();
    block->dropAllUses();
    while (!block->empty())
      block->back().erase();
    delete block;
  }
  Block *release() { return std::exchange(block, nullptr); }
};

/// While alive, the graph's builder appends to `block` (a scan body being traced).
struct TracingInto {
  Graph::Impl &g;
  TracingInto(Graph::Impl &graph, Block *block) : g(graph) {
    g.scanFrames.push_back({block, g.builder.saveInsertionPoint()});
    g.builder.setInsertionPointToEnd(block);
  }
  ~TracingInto() {
    g.builder.restoreInsertionPoint(g.scanFrames.back().outer);
    g.scanFrames.pop_back();
  }
};

} // namespace

ScanResult scan(const ScanBody &body, const std::vector<Tensor> &init,
                const std::vector<Tensor> &sequences, int64_t axis, bool reverse, Loc srcLoc) {
  std::string where =
      std::string(srcLoc.file_name()) + ":" + std::to_string(srcLoc.line()) + ": scan";
  if (sequences.empty())
    throw Error(where + ": needs at least one sequence to scan over");
  Graph &graph = sequences.front().graph();
  Graph::Impl &g = graph.impl();
  Location loc = g.location(srcLoc);
  auto valueOf = [&](const Tensor &t, const std::string &what) {
    if (!t.valid() || &t.graph() != &graph)
      throw Error(where + ": " + what + " is not a tensor of the sequences' graph");
    if (!g.visible(g.values[t.id()]))
      throw Error(where + ": " + what + " is computed inside another scan body");
    return g.values[t.id()];
  };

  OwnedBlock owned;
  Block *block = owned.block;
  std::vector<Tensor> carryArgs, sliceArgs;
  std::vector<RankedTensorType> carryTypes;
  int64_t length = -1;
  for (size_t i = 0; i < init.size(); ++i) {
    Value v = valueOf(init[i], "initial carry " + std::to_string(i));
    carryTypes.push_back(cast<RankedTensorType>(v.getType()));
    carryArgs.push_back(graph.tensor(g.add(block->addArgument(v.getType(), loc))));
  }
  for (size_t i = 0; i < sequences.size(); ++i) {
    auto type =
        cast<RankedTensorType>(valueOf(sequences[i], "sequence " + std::to_string(i)).getType());
    if (axis < 0 || axis >= type.getRank())
      throw Error(where + ": axis " + std::to_string(axis) + " is out of range for sequence " +
                  std::to_string(i) + " of shape " + shapeString(sequences[i].shape()));
    if (type.isDynamicDim(axis))
      throw Error(where + ": sequence " + std::to_string(i) + " has no static length along axis " +
                  std::to_string(axis) + " (shape " + shapeString(sequences[i].shape()) + ")");
    if (length >= 0 && type.getDimSize(axis) != length)
      throw Error(where + ": sequence " + std::to_string(i) + " has length " +
                  std::to_string(type.getDimSize(axis)) + " along axis " + std::to_string(axis) +
                  ", sequence 0 has " + std::to_string(length));
    length = type.getDimSize(axis);
    sliceArgs.push_back(
        graph.tensor(g.add(block->addArgument(mlir::sinter::sliceType(type, axis), loc))));
  }

  // Trace the body, then check what it returns.
  std::vector<Type> resultTypes;
  {
    TracingInto tracing(g, block);
    ScanStep step = body(carryArgs, sliceArgs);
    std::vector<Value> yielded;
    if (step.carries.size() != init.size())
      throw Error(where + ": the body returns " + std::to_string(step.carries.size()) +
                  " carries, the scan started with " + std::to_string(init.size()));
    for (size_t i = 0; i < step.carries.size(); ++i) {
      Value v = valueOf(step.carries[i], "carry " + std::to_string(i) + " of the body");
      if (v.getType() != carryTypes[i])
        throw Error(where + ": the body returns carry " + std::to_string(i) + " as " +
                    mlir::sinter::typeString(v.getType()) + ", it started as " +
                    mlir::sinter::typeString(carryTypes[i]) +
                    " (a carry keeps its shape and dtype)");
      if (carryTypes[i].getRank() < axis)
        throw Error(where + ": carry " + std::to_string(i) + " has rank " +
                    std::to_string(carryTypes[i].getRank()) + ", below the scan axis " +
                    std::to_string(axis) + " (the gradient stacks carries along it)");
      yielded.push_back(v);
      resultTypes.push_back(v.getType());
    }
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      Value v = valueOf(step.outputs[i], "output " + std::to_string(i) + " of the body");
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() < axis)
        throw Error(where + ": output " + std::to_string(i) + " has rank " +
                    std::to_string(type.getRank()) + ", below the scan axis " +
                    std::to_string(axis));
      yielded.push_back(v);
      resultTypes.push_back(mlir::sinter::stackedType(type, axis, length));
    }
    mlir::sinter::YieldOp::create(g.builder, loc, yielded);
  }

  // What the body reads from outside becomes constants: operands and block arguments.
  auto inside = [&](Operation *op) { return block->findAncestorOpInBlock(*op) != nullptr; };
  llvm::SetVector<Value> captured;
  block->walk([&](Operation *op) {
    for (Value v : op->getOperands()) {
      Block *def = v.getParentBlock();
      if (def != block && !(def->getParentOp() && inside(def->getParentOp())))
        captured.insert(v);
    }
  });
  for (Value v : captured) {
    BlockArgument arg = block->addArgument(v.getType(), v.getLoc());
    v.replaceUsesWithIf(arg, [&](OpOperand &use) { return inside(use.getOwner()); });
  }

  SmallVector<Value> operands;
  for (const Tensor &t : init)
    operands.push_back(g.values[t.id()]);
  for (const Tensor &t : sequences)
    operands.push_back(g.values[t.id()]);
  operands.append(captured.begin(), captured.end());
  DiagnosticCollector diagnostics(g.ctx);
  auto op = mlir::sinter::ScanOp::create(g.builder, loc, resultTypes, operands,
                                         static_cast<int64_t>(init.size()),
                                         static_cast<int64_t>(sequences.size()), axis, reverse);
  op.getBody().push_back(owned.release());
  if (failed(verify(op))) {
    std::string message = diagnostics.take();
    op->erase();
    throw Error(message);
  }
  ScanResult result;
  for (auto [i, r] : llvm::enumerate(op.getResults()))
    (i < init.size() ? result.carries : result.outputs).push_back(graph.tensor(g.add(r)));
  return result;
}

} // namespace sinter

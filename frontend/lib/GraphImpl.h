// The graph behind the public handles: an MLIR module whose function @__graph__ holds every
// op built so far, in program order. Entry points are cut out of it when compiling.
#ifndef SINTER_FRONTEND_GRAPHIMPL_H
#define SINTER_FRONTEND_GRAPHIMPL_H

#include "sinter/Graph.h"
#include "sinter/Program.h"

#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <optional>

namespace sinter {

/// Collects the diagnostics MLIR emits while alive; `take()` gives them as one message.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &ctx);
  ~DiagnosticCollector();
  std::string take();

private:
  mlir::MLIRContext &ctx_;
  mlir::DiagnosticEngine::HandlerID id_;
  std::string messages_;
};

/// "file:line" of a location (or "<unknown>").
std::string locationString(mlir::Location loc);

struct VariableInfo {
  std::string name;
  int readId;
  int initId; // -1: no initial-value expression
  bool trainable;
};

struct Graph::Impl {
  Impl();
  ~Impl() { *alive = false; }
  /// False once the graph is destroyed: programs compiled from it check before reading it
  /// (Program::save).
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  mlir::MLIRContext ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp body;
  mlir::OpBuilder builder;
  std::vector<mlir::Value> values;
  std::vector<VariableInfo> variableInfo;

  mlir::Location location(const Loc &loc);
  /// Builds `name` generically: result types inferred by the op (InferTypeOpInterface) unless
  /// given. Throws Error with the user's file:line and the op's message on failure.
  std::vector<int> build(llvm::StringRef name, llvm::ArrayRef<int> operands,
                         llvm::ArrayRef<mlir::NamedAttribute> attributes, const Loc &loc,
                         std::optional<llvm::ArrayRef<mlir::Type>> resultTypes = std::nullopt);
  /// (With the op's regions, when it has any: a loaded scan's body.)
  std::vector<int> build(llvm::StringRef name, llvm::ArrayRef<int> operands,
                         llvm::ArrayRef<mlir::NamedAttribute> attributes, mlir::Location loc,
                         std::optional<llvm::ArrayRef<mlir::Type>> resultTypes,
                         llvm::MutableArrayRef<std::unique_ptr<mlir::Region>> regions = {});
  int add(mlir::Value v);
  /// The scan bodies being built (Scan.cpp), outermost first: each body's block and where the
  /// builder was when it started, which is where its scan op goes.
  struct ScanFrame {
    mlir::Block *body;
    mlir::OpBuilder::InsertPoint outer;
  };
  std::vector<ScanFrame> scanFrames;
  /// Whether `v` may be read at the builder's insertion point: it is not inside a scan body
  /// other than the ones being built around that point.
  bool visible(mlir::Value v) const;
  /// Throws Error (after `where`) unless value `id` is outside every scan body: what an entry,
  /// an update or Tensor::value() may use.
  void requireTopLevel(int id, const std::string &where) const;
  mlir::RankedTensorType type(int id) const {
    return llvm::cast<mlir::RankedTensorType>(values[id].getType());
  }

  // On-the-spot evaluation (Eval.cpp): the compiled sub-graphs, keyed by the printed MLIR of
  // their one-entry module (graph structure, not source lines), and the eager variable store
  // that Tensor::value() reads (filled lazily from the initial values, set by Graph::assign).
  std::map<std::string, std::shared_ptr<Program::Impl>> evalCache;
  std::map<std::string, HostTensor> eagerValues;
  size_t evalCompiles = 0;
};

/// The name of a sinter op, from its generated class: a misspelt op is a compile error.
template <class Op> const char *opName() { return Op::getOperationName().data(); }

mlir::Type elementType(mlir::MLIRContext &ctx, DType dtype);
DType dtypeOf(mlir::Type elementType);

/// A frontend shape as an MLIR one: a leading -1 (the batch dimension, any size per call)
/// becomes `?` where `allowBatch`; any other negative size throws Error after `where`.
llvm::SmallVector<int64_t> mlirShape(const Shape &shape, const std::string &where,
                                     bool allowBatch = true);
/// Whether the leading dimension is the batch dimension (-1).
inline bool hasBatch(const Shape &shape) { return !shape.empty() && shape[0] == -1; }

} // namespace sinter

#endif

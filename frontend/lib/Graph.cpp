// Graph, Tensor and the generic op builder behind every builder function.
#include "GraphImpl.h"

#include "sinter/Compiler/Pipeline/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace sinter {

DiagnosticCollector::DiagnosticCollector(MLIRContext &ctx) : ctx_(ctx) {
  id_ = ctx.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    if (!messages_.empty())
      messages_ += "\n";
    messages_ += locationString(diag.getLocation()) + ": " + diag.str();
    for (Diagnostic &note : diag.getNotes())
      messages_ += "\n  note: " + note.str();
    return success();
  });
}

DiagnosticCollector::~DiagnosticCollector() { ctx_.getDiagEngine().eraseHandler(id_); }

std::string DiagnosticCollector::take() {
  std::string m = std::move(messages_);
  messages_.clear();
  return m.empty() ? "unknown error" : m;
}

std::string locationString(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return locationString(fused.getLocations().front());
  if (auto named = dyn_cast<NameLoc>(loc))
    return locationString(named.getChildLoc());
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str() + ":" + std::to_string(file.getLine());
  return "<unknown>";
}

Type elementType(MLIRContext &ctx, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return Float32Type::get(&ctx);
  case DType::F64:
    return Float64Type::get(&ctx);
  case DType::F16:
    return Float16Type::get(&ctx);
  case DType::BF16:
    return BFloat16Type::get(&ctx);
  case DType::I32:
    return IntegerType::get(&ctx, 32);
  case DType::I64:
    return IntegerType::get(&ctx, 64);
  case DType::I16:
    return IntegerType::get(&ctx, 16);
  case DType::I8:
    return IntegerType::get(&ctx, 8);
  case DType::U8:
    return IntegerType::get(&ctx, 8, IntegerType::Unsigned);
  case DType::Bool:
    return IntegerType::get(&ctx, 1);
  }
  return {};
}

DType dtypeOf(Type t) {
  // (graph values hold only the element types elementType() makes)
  return mlir::sinter::dtypeOf(t).value_or(DType::I64);
}

Graph::Impl::Impl() : ctx(MLIRContext::Threading::DISABLED), builder(&ctx) {
  DialectRegistry registry;
  mlir::sinter::registerCompilerDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadDialect<mlir::sinter::SinterDialect, func::FuncDialect>();
  ctx.printOpOnDiagnostic(false); // errors name the user's line; the IR dump is noise there
  module = ModuleOp::create(UnknownLoc::get(&ctx));
  builder.setInsertionPointToEnd(module->getBody());
  body = func::FuncOp::create(builder, UnknownLoc::get(&ctx), "__graph__",
                              builder.getFunctionType({}, {}));
  body.setPrivate();
  Block *block = body.addEntryBlock();
  builder.setInsertionPointToEnd(block);
  auto ret = func::ReturnOp::create(builder, UnknownLoc::get(&ctx));
  builder.setInsertionPoint(ret);
}

Location Graph::Impl::location(const Loc &loc) {
  return FileLineColLoc::get(&ctx, loc.file_name(), loc.line(), loc.column());
}

int Graph::Impl::add(Value v) {
  values.push_back(v);
  return static_cast<int>(values.size()) - 1;
}

bool Graph::Impl::visible(Value v) const {
  Block *def = v.getParentBlock();
  for (Block *b = builder.getInsertionBlock(); b;) {
    if (b == def)
      return true;
    if (Operation *parent = b->getParentOp()) {
      b = parent->getBlock();
      continue;
    }
    // A scan body being built: its scan will sit where the builder was before.
    auto frame = llvm::find_if(scanFrames, [&](const ScanFrame &f) { return f.body == b; });
    b = frame == scanFrames.end() ? nullptr : frame->outer.getBlock();
  }
  return false;
}

void Graph::Impl::requireTopLevel(int id, const std::string &where) const {
  Value v = values[id];
  if (v.getParentBlock() != &func::FuncOp(body).front())
    throw Error(where + ": " + locationString(v.getLoc()) +
                ": the value is computed inside a scan body; only the scan's results leave it");
}

std::vector<int> Graph::Impl::build(llvm::StringRef name, llvm::ArrayRef<int> operands,
                                    llvm::ArrayRef<NamedAttribute> attributes, const Loc &loc,
                                    std::optional<llvm::ArrayRef<Type>> resultTypes) {
  return build(name, operands, attributes, location(loc), resultTypes);
}

std::vector<int> Graph::Impl::build(llvm::StringRef name, llvm::ArrayRef<int> operands,
                                    llvm::ArrayRef<NamedAttribute> attributes, Location loc,
                                    std::optional<llvm::ArrayRef<Type>> resultTypes,
                                    llvm::MutableArrayRef<std::unique_ptr<Region>> regions) {
  DiagnosticCollector diagnostics(ctx);
  OperationState state(loc, name);
  for (int id : operands) {
    if (id < 0 || id >= static_cast<int>(values.size()))
      throw Error(locationString(loc) + ": " + name.str() +
                  ": operand is not a tensor of this graph");
    if (!visible(values[id]))
      throw Error(locationString(loc) + ": " + name.str() + ": operand " +
                  std::to_string(state.operands.size()) + " (" +
                  locationString(values[id].getLoc()) +
                  ") is computed inside a scan body; only the scan's results leave it");
    state.addOperands(values[id]);
  }
  state.addAttributes(attributes);
  for (std::unique_ptr<Region> &region : regions)
    state.addRegion(std::move(region));
  auto info = state.name.getRegisteredInfo();
  if (!info)
    throw Error(locationString(loc) + ": unknown op '" + name.str() + "'");
  if (resultTypes) {
    state.addTypes(*resultTypes);
  } else if (auto *infer = info->getInterface<InferTypeOpInterface>()) {
    llvm::SmallVector<Type> types;
    if (failed(infer->inferReturnTypes(&ctx, loc, state.operands,
                                       state.attributes.getDictionary(&ctx),
                                       state.getRawProperties(), state.regions, types)))
      throw Error(diagnostics.take());
    state.addTypes(types);
  }
  Operation *op = builder.create(state);
  if (failed(verify(op))) {
    std::string message = diagnostics.take();
    op->erase();
    throw Error(message);
  }
  std::vector<int> ids;
  for (Value r : op->getResults())
    ids.push_back(add(r));
  return ids;
}

Graph::Graph() : impl_(std::make_unique<Impl>()) {}
Graph::~Graph() = default;

llvm::SmallVector<int64_t> mlirShape(const Shape &shape, const std::string &where,
                                     bool allowBatch) {
  llvm::SmallVector<int64_t> out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0) {
      out.push_back(shape[i]);
      continue;
    }
    if (shape[i] != -1 || i != 0 || !allowBatch) {
      std::string text = "[";
      for (size_t j = 0; j < shape.size(); ++j)
        text += (j ? ", " : "") + std::to_string(shape[j]);
      throw Error(where + ": invalid shape " + text + "]" +
                  (allowBatch
                       ? " (only the leading dimension may be -1, the batch size)"
                       : " (needs a static shape; -1, the batch size, is not allowed here)"));
    }
    out.push_back(ShapedType::kDynamic);
  }
  return out;
}

Tensor Graph::input(const std::string &name, const Shape &shape, DType dtype, Loc loc) {
  Impl &g = *impl_;
  auto type = RankedTensorType::get(
      mlirShape(shape, locationString(g.location(loc)) + ": input '" + name + "'"),
      elementType(g.ctx, dtype));
  int id = g.build(opName<mlir::sinter::InputOp>(), {},
                   {g.builder.getNamedAttr("name", g.builder.getStringAttr(name)),
                    g.builder.getNamedAttr("type", TypeAttr::get(type))},
                   loc)[0];
  return Tensor(this, id);
}

Variable Graph::variable(const std::string &name, const Tensor &initialValue, bool trainable,
                         Loc loc) {
  Impl &g = *impl_;
  if (&initialValue.graph() != this)
    throw Error(locationString(g.location(loc)) + ": variable '" + name +
                "': the initial value belongs to another graph");
  if (g.module->lookupSymbol(name))
    throw Error(locationString(g.location(loc)) + ": variable '" + name + "' already exists");
  g.requireTopLevel(initialValue.id(),
                    locationString(g.location(loc)) + ": variable '" + name +
                        "': its initial value (build it with Graph::outsideScans)");
  RankedTensorType type = g.type(initialValue.id());
  if (!type.hasStaticShape())
    throw Error(locationString(g.location(loc)) + ": variable '" + name +
                "': the initial value has a batch dimension; variables need a static shape");
  {
    OpBuilder::InsertionGuard guard(g.builder);
    g.builder.setInsertionPoint(g.body);
    auto var = mlir::sinter::VariableOp::create(g.builder, g.location(loc), name, type);
    if (trainable)
      var.setTrainable(true);
  }
  OpBuilder::InsertionGuard guard(g.builder);
  if (!g.scanFrames.empty()) // the read goes where the outermost scan will be
    g.builder.restoreInsertionPoint(g.scanFrames.front().outer);
  int read = g.build(opName<mlir::sinter::ReadOp>(), {},
                     {g.builder.getNamedAttr("variable", FlatSymbolRefAttr::get(&g.ctx, name))},
                     loc, llvm::ArrayRef<Type>{type})[0];
  g.variableInfo.push_back({name, read, initialValue.id(), trainable});
  variables_.push_back(Variable(Tensor(this, read), name, trainable));
  return variables_.back();
}

void Graph::outsideScans(const std::function<void()> &build) {
  Impl &g = *impl_;
  if (g.scanFrames.empty())
    return build();
  OpBuilder::InsertionGuard guard(g.builder);
  std::vector<Impl::ScanFrame> frames = std::move(g.scanFrames);
  g.scanFrames.clear();
  g.builder.restoreInsertionPoint(frames.front().outer);
  try {
    build();
  } catch (...) {
    g.scanFrames = std::move(frames);
    throw;
  }
  g.scanFrames = std::move(frames);
}

Variable Graph::adoptVariable(const std::string &name, int readId, int initId, bool trainable) {
  impl_->variableInfo.push_back({name, readId, initId, trainable});
  variables_.push_back(Variable(Tensor(this, readId), name, trainable));
  return variables_.back();
}

const std::vector<Variable> &Graph::variables() const { return variables_; }

std::vector<Variable> Graph::trainableVariables() const {
  std::vector<Variable> out;
  for (const Variable &v : variables_)
    if (v.trainable())
      out.push_back(v);
  return out;
}

const Variable &Graph::variable(const std::string &name) const {
  for (const Variable &v : variables_)
    if (v.name() == name)
      return v;
  throw Error("no variable named '" + name + "' in the graph");
}

std::string Graph::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  impl_->module->print(os);
  return s;
}

Shape Tensor::shape() const {
  auto t = graph_->impl().type(id_);
  Shape shape;
  for (int64_t d : t.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d); // the batch size, or a where row count
  return shape;
}

DType Tensor::dtype() const { return dtypeOf(graph_->impl().type(id_).getElementType()); }

int64_t Tensor::numElements() const {
  auto t = graph_->impl().type(id_);
  if (!t.hasStaticShape())
    throw Error("numElements: the tensor " + str() + " has a dimension known only at run time");
  return t.getNumElements();
}

Graph &Tensor::graph() const {
  if (!graph_)
    throw Error("use of an empty Tensor handle");
  return *graph_;
}

std::string Tensor::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  graph_->impl().values[id_].print(os);
  return s;
}

std::string shapeString(const Shape &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

} // namespace sinter

// .sinter model files (proto/sinter/model.proto): the graph with every op encoded generically
// (name, operand ids, result types and attributes in MLIR's textual syntax), the variables
// with their values, and the entry-point signatures.
#include "sinter/Program.h"

#include "GraphImpl.h"
#include "ProgramImpl.h"

#include "sinter/model.pb.h"
#include "sinter/runtime/DTypeProto.h"
#include "sinter/runtime/File.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mlir;
namespace pb = ::sinter::proto;

namespace sinter {

namespace {

constexpr uint32_t kFormatVersion = 1;

template <class T> std::string printed(T value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  value.print(os);
  return s;
}

using runtime::fromProto;
using runtime::toProto;

Location parseLocation(MLIRContext &ctx, const std::string &text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return UnknownLoc::get(&ctx);
  unsigned line = static_cast<unsigned>(std::atoi(text.c_str() + colon + 1));
  return FileLineColLoc::get(&ctx, text.substr(0, colon), line, 0);
}

/// Writes `op` to `o`, its operands as their numbers in `ids`, and numbers its results next.
/// A region (a scan's body, isolated from above) numbers its own values from 0.
void saveOp(Operation &op, pb::Operation *o, llvm::DenseMap<Value, int> &ids) {
  o->set_name(op.getName().getStringRef().str());
  for (Value v : op.getOperands())
    o->add_operands(ids.lookup(v));
  for (Type t : op.getResultTypes())
    o->add_result_types(printed(t));
  for (NamedAttribute a : op.getAttrs()) {
    pb::NamedAttribute *na = o->add_attributes();
    na->set_name(a.getName().str());
    na->set_value(printed(a.getValue()));
  }
  o->set_location(locationString(op.getLoc()));
  for (Region &region : op.getRegions()) {
    pb::Region *r = o->add_regions();
    llvm::DenseMap<Value, int> inner;
    for (Block &block : region) { // one block (SizedRegion<1>)
      for (BlockArgument arg : block.getArguments()) {
        r->add_argument_types(printed(arg.getType()));
        int next = static_cast<int>(inner.size());
        inner[arg] = next;
      }
      for (Operation &nested : block)
        saveOp(nested, r->add_ops(), inner);
    }
  }
  for (Value r : op.getResults()) {
    int next = static_cast<int>(ids.size());
    ids[r] = next;
  }
}

} // namespace

void Program::save(const std::string &path,
                   const std::map<std::string, std::string> &metadata) const {
  if (!impl_->graphAlive || !*impl_->graphAlive)
    throw Error("Program::save('" + path +
                "'): the Graph this program was compiled from no longer exists (keep it alive "
                "while saving: the file holds the graph)");
  Graph::Impl &g = impl_->graph->impl();
  pb::Model model;
  model.set_format_version(kFormatVersion);
  // The file numbers the graph's top-level values in definition order; the graph's own ids
  // (Tensor::id, which entries and initializers use) also count the values inside scan bodies.
  llvm::DenseMap<Value, int> ids;
  for (Operation &op : g.body.front().without_terminator())
    saveOp(op, model.mutable_graph()->add_ops(), ids);
  auto fileId = [&](int graphId) { return ids.lookup(g.values[graphId]); };
  for (const VariableInfo &v : g.variableInfo) {
    pb::Variable *pv = model.add_variables();
    const HostTensor &value = impl_->session->variable(v.name);
    pb::TensorSpec *spec = pv->mutable_value()->mutable_spec();
    spec->set_name(v.name);
    spec->set_dtype(toProto(value.dtype()));
    for (int64_t d : value.shape())
      spec->add_shape(d);
    pv->mutable_value()->set_data(value.data(), value.byteSize());
    pv->set_trainable(v.trainable);
    pv->set_initializer(v.initId < 0 ? -1 : fileId(v.initId));
  }
  for (const EntryDef &e : entryDefs(*impl_->graph, impl_->entries)) {
    if (e.name == "__init__")
      continue;
    pb::Signature *s = model.add_signatures();
    s->set_name(e.name);
    for (int id : e.inputs)
      s->add_inputs(fileId(id));
    for (int id : e.outputs)
      s->add_outputs(fileId(id));
    for (const std::string &n : e.outputNames)
      s->add_output_names(n);
    for (const auto &[var, id] : e.updates) {
      pb::Update *u = s->add_updates();
      u->set_variable(var);
      u->set_value(fileId(id));
    }
  }
  model.mutable_metadata()->insert(metadata.begin(), metadata.end());
  runtime::writeFileAtomically(path, model.SerializeAsString(), "model file");
}

namespace {

/// MLIR's parser recurses once per nested bracket: text nested deeper than any graph needs is
/// refused before it is parsed (100,000 levels overflowed the stack).
bool nestedTooDeeply(const std::string &text) {
  constexpr int kMaxDepth = 64;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '[' || c == '{' || c == '<')
      ++depth;
    else if (c == ')' || c == ']' || c == '}' || c == '>')
      --depth;
    if (depth > kMaxDepth)
      return true;
  }
  return false;
}

/// An error in the model file at `path`.
Error fileError(const std::string &path, const std::string &what) {
  return Error("model file '" + path + "': " + what);
}

/// Reads ops of a model file into MLIR: the checks and parsing that the graph's ops and the ops
/// of a scan's body share.
struct OpReader {
  MLIRContext &ctx;
  std::string path;

  Error fail(const std::string &what) const { return fileError(path, what); }

  /// Only the ops of the sinter dialect: ops of other dialects would be lowered into native
  /// code as they are (a model from someone else could run their code).
  void requireGraphOp(const pb::Operation &o, const std::string &where) const {
    std::optional<RegisteredOperationName> registered =
        RegisteredOperationName::lookup(o.name(), &ctx);
    if (!registered || registered->getDialectNamespace() != "sinter" ||
        o.name() == mlir::sinter::VariableOp::getOperationName())
      throw fail(where + ": not an op of a Sinter graph (model files hold sinter ops only)");
  }

  /// `what` ("result type", ...) of the op at `where`.
  Type type(const std::string &text, const std::string &where, const std::string &what) const {
    if (nestedTooDeeply(text))
      throw fail(where + ": " + what + " nested too deeply");
    Type type = parseType(text, &ctx);
    if (!type)
      throw fail(where + ": cannot parse " + what + " '" + text + "'");
    return type;
  }

  /// Result types, attributes and regions of `o`.
  struct Parts {
    SmallVector<Type> types;
    SmallVector<NamedAttribute> attrs;
    SmallVector<std::unique_ptr<Region>> regions;
  };
  Parts parts(const pb::Operation &o, const std::string &where) const {
    Parts p;
    for (const std::string &t : o.result_types())
      p.types.push_back(type(t, where, "result type"));
    for (const pb::NamedAttribute &a : o.attributes()) {
      if (nestedTooDeeply(a.value()))
        throw fail(where + ": attribute '" + a.name() + "' nested too deeply");
      Attribute attr = parseAttribute(a.value(), &ctx);
      if (!attr)
        throw fail(where + ": cannot parse attribute '" + a.name() + "'");
      p.attrs.push_back(NamedAttribute(StringAttr::get(&ctx, a.name()), attr));
    }
    for (const pb::Region &r : o.regions())
      p.regions.push_back(region(r, where, parseLocation(ctx, o.location())));
    return p;
  }

  /// A region of one block, its values numbered on their own (model.proto). Its ops are
  /// verified with the op that holds it.
  std::unique_ptr<Region> region(const pb::Region &r, const std::string &where,
                                 Location loc) const {
    auto region = std::make_unique<Region>();
    Block *block = new Block();
    region->push_back(block);
    std::vector<Value> values;
    for (const std::string &t : r.argument_types())
      values.push_back(block->addArgument(type(t, where, "body argument type"), loc));
    OpBuilder builder(&ctx);
    builder.setInsertionPointToEnd(block);
    int index = 0;
    for (const pb::Operation &o : r.ops()) {
      std::string here = where + ", body op #" + std::to_string(index++) + " (" + o.name() + ")";
      requireGraphOp(o, here);
      OperationState state(parseLocation(ctx, o.location()), o.name());
      for (int id : o.operands()) {
        if (id < 0 || id >= static_cast<int>(values.size()))
          throw fail(here + " uses value " + std::to_string(id) +
                     ", which is not defined before it in the body");
        state.addOperands(values[id]);
      }
      Parts p = parts(o, here);
      state.addTypes(p.types);
      state.addAttributes(p.attrs);
      for (std::unique_ptr<Region> &nested : p.regions)
        state.addRegion(std::move(nested));
      for (Value v : builder.create(state)->getResults())
        values.push_back(v);
    }
    return region;
  }
};

} // namespace

SavedModel loadModel(const std::string &path) {
  std::string bytes = runtime::readFile(path, "model file");
  pb::Model model;
  if (!model.ParseFromString(bytes))
    throw fileError(path, "not a Sinter model (corrupt or truncated protobuf)");
  auto fail = [&](const std::string &what) { return fileError(path, what); };
  if (model.format_version() != kFormatVersion)
    throw fail("unsupported format version " + std::to_string(model.format_version()));

  SavedModel result;
  result.graph = std::make_unique<Graph>();
  Graph &graph = *result.graph;
  Graph::Impl &g = graph.impl();
  DiagnosticCollector diagnostics(g.ctx);

  // Variable declarations first: the graph's reads refer to them.
  for (const pb::Variable &v : model.variables()) {
    const pb::TensorSpec &spec = v.value().spec();
    if (spec.name().empty() || g.module->lookupSymbol(spec.name()))
      throw fail("variable name '" + spec.name() + "' is empty or repeated");
    std::optional<DType> dtype = fromProto(spec.dtype());
    if (!dtype)
      throw fail("variable '" + spec.name() + "' has an invalid dtype");
    Type et = elementType(g.ctx, *dtype);
    SmallVector<int64_t> shape(spec.shape().begin(), spec.shape().end());
    for (int64_t d : shape)
      if (d < 0)
        throw fail("variable '" + spec.name() + "' has a negative dimension");
    auto type = RankedTensorType::get(shape, et);
    OpBuilder::InsertionGuard guard(g.builder);
    g.builder.setInsertionPoint(g.body);
    auto var =
        mlir::sinter::VariableOp::create(g.builder, UnknownLoc::get(&g.ctx), spec.name(), type);
    if (v.trainable())
      var.setTrainable(true);
    HostTensor value(dtypeOf(et), std::vector<int64_t>(shape.begin(), shape.end()), spec.name());
    if (v.value().data().size() != value.byteSize())
      throw fail("variable '" + spec.name() + "' holds " + std::to_string(v.value().data().size()) +
                 " bytes of data, expected " + std::to_string(value.byteSize()));
    std::memcpy(value.data(), v.value().data().data(), value.byteSize());
    result.values[spec.name()] = value;
  }

  // The graph, op by op.
  int index = 0;
  OpReader reader{g.ctx, path};
  for (const pb::Operation &o : model.graph().ops()) {
    std::string where = "op #" + std::to_string(index++) + " (" + o.name() + ")";
    reader.requireGraphOp(o, where);
    std::vector<int> operands;
    for (int id : o.operands()) {
      if (id < 0 || id >= static_cast<int>(g.values.size()))
        throw fail(where + " uses value " + std::to_string(id) +
                   ", which is not defined before it");
      operands.push_back(id);
    }
    OpReader::Parts p = reader.parts(o, where);
    try {
      g.build(o.name(), operands, p.attrs, parseLocation(g.ctx, o.location()),
              llvm::ArrayRef<Type>(p.types), p.regions);
    } catch (const Error &e) {
      throw fail(where + ": " + e.what());
    }
  }
  if (failed(verify(*g.module)))
    throw fail("the graph does not verify: " + diagnostics.take());

  // Variable handles: the first read of each variable.
  for (const pb::Variable &v : model.variables()) {
    const std::string &name = v.value().spec().name();
    int read = -1;
    for (size_t id = 0; id < g.values.size() && read < 0; ++id)
      if (auto r = g.values[id].getDefiningOp<mlir::sinter::ReadOp>(); r && r.getVariable() == name)
        read = static_cast<int>(id);
    if (read < 0) {
      auto type = RankedTensorType::get(
          SmallVector<int64_t>(v.value().spec().shape().begin(), v.value().spec().shape().end()),
          elementType(g.ctx, result.values[name].dtype()));
      read = g.build(opName<mlir::sinter::ReadOp>(), {},
                     {g.builder.getNamedAttr("variable", FlatSymbolRefAttr::get(&g.ctx, name))},
                     UnknownLoc::get(&g.ctx), llvm::ArrayRef<Type>{type})[0];
    }
    int init = v.initializer();
    if (init >= static_cast<int>(g.values.size()))
      throw fail("variable '" + name + "' has an undefined initializer value");
    graph.adoptVariable(name, read, init, v.trainable());
  }

  auto tensorAt = [&](int id, const std::string &where) {
    if (id < 0 || id >= static_cast<int>(g.values.size()))
      throw fail(where + " refers to undefined value " + std::to_string(id));
    return graph.tensor(id);
  };
  for (const pb::Signature &s : model.signatures()) {
    Entry e{s.name(), {}, {}, {}, {}};
    for (int id : s.inputs())
      e.inputs.push_back(tensorAt(id, "signature '" + s.name() + "'"));
    for (int id : s.outputs())
      e.outputs.push_back(tensorAt(id, "signature '" + s.name() + "'"));
    e.outputNames.assign(s.output_names().begin(), s.output_names().end());
    for (const pb::Update &u : s.updates()) {
      try {
        e.updates.push_back(
            {graph.variable(u.variable()), tensorAt(u.value(), "signature '" + s.name() + "'")});
      } catch (const Error &err) {
        throw fail("signature '" + s.name() + "': " + err.what());
      }
    }
    result.entries.push_back(std::move(e));
  }
  result.metadata.insert(model.metadata().begin(), model.metadata().end());
  return result;
}

Program SavedModel::compile() {
  Program program = graph->compile(entries);
  for (auto &[name, value] : values) {
    HostTensor &dst = program.variable(name);
    std::memcpy(dst.data(), value.data(), value.byteSize());
  }
  return program;
}

} // namespace sinter

// On-the-spot evaluation (docs/architecture.md, "The layers of the C++ API"): Tensor::value() cuts
// the sub-graph a tensor needs out of the graph into a one-entry module (no inputs, the tensor as
// output), compiles it once per graph structure (the cache key is the module's printed MLIR, which
// carries no source locations, so the same expression written twice compiles once) and runs it.
// Variables read the graph's eager store: their initial value (evaluated lazily, once) until
// Graph::assign.
#include "GraphImpl.h"
#include "ProgramImpl.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <ostream>

using namespace mlir;

namespace sinter {

namespace {

/// The first Graph::input the value `id` depends on, or null.
mlir::sinter::InputOp dependedOnInput(Graph::Impl &g, int id) {
  llvm::DenseSet<Operation *> seen;
  SmallVector<Value> work{g.values[id]};
  while (!work.empty()) {
    Operation *op = work.pop_back_val().getDefiningOp();
    if (!op || !seen.insert(op).second)
      continue;
    if (auto input = dyn_cast<mlir::sinter::InputOp>(op))
      return input;
    for (Value v : op->getOperands())
      work.push_back(v);
  }
  return nullptr;
}

const VariableInfo *variableInfo(const Graph::Impl &g, const std::string &name) {
  for (const VariableInfo &v : g.variableInfo)
    if (v.name == name)
      return &v;
  return nullptr;
}

/// The eager value of variable `name`: its initial value the first time.
HostTensor &eagerValue(Graph &graph, const std::string &name, const HostTensor &fallback) {
  Graph::Impl &g = graph.impl();
  auto it = g.eagerValues.find(name);
  if (it != g.eagerValues.end())
    return it->second;
  const VariableInfo *info = variableInfo(g, name);
  HostTensor initial = info && info->initId >= 0 ? graph.tensor(info->initId).value()
                                                 : fallback.clone(); // no initializer: zeros
  return g.eagerValues.emplace(name, std::move(initial)).first->second;
}

} // namespace

HostTensor Tensor::value() const {
  Graph &graph = this->graph();
  Graph::Impl &g = graph.impl();
  g.requireTopLevel(id_, "Tensor::value()");
  if (auto input = dependedOnInput(g, id_))
    throw Error("Tensor::value(): the tensor depends on the graph input '" + input.getName().str() +
                "' (" + locationString(input.getLoc()) +
                "); only tensors computed from constants and variables can be evaluated on the "
                "spot (compile an entry point that takes the input instead)");

  EntryDef entry{"value", {}, {id_}, {"value"}, {}};
  OwningOpRef<ModuleOp> module = buildProgramModule(g, {entry});
  std::string key;
  {
    llvm::raw_string_ostream os(key);
    module->print(os);
  }
  auto it = g.evalCache.find(key);
  if (it == g.evalCache.end()) {
    std::shared_ptr<Program::Impl> program = compileModule(graph, *module);
    ++g.evalCompiles;
    it = g.evalCache.emplace(std::move(key), std::move(program)).first;
  }
  runtime::Session &session = *it->second->session;
  // The variables start every evaluation at their eager values.
  for (const std::string &name : session.variableNames()) {
    HostTensor &dst = session.variable(name);
    const HostTensor &src = eagerValue(graph, name, dst);
    std::memcpy(dst.data(), src.data(), dst.byteSize());
  }
  try {
    return session.run("value", std::vector<HostTensor>{})[0];
  } catch (const runtime::Error &e) {
    throw Error(std::string("Tensor::value(): ") + e.what());
  }
}

std::string Tensor::toString() const {
  std::string s = value().toString();
  // A variable prints as TensorFlow prints a tf.Variable.
  for (const VariableInfo &v : graph().impl().variableInfo) {
    if (v.readId != id_)
      continue;
    const std::string head = "<tf.Tensor: shape=";
    auto comma = s.find(", dtype=");
    if (s.rfind(head, 0) == 0 && comma != std::string::npos)
      s = "<tf.Variable '" + v.name + ":0' shape=" + s.substr(head.size(), comma - head.size()) +
          " dtype=" + s.substr(comma + 8);
    break;
  }
  return s;
}

std::ostream &operator<<(std::ostream &os, const Tensor &t) { return os << t.toString(); }

void Graph::assign(const Variable &variable, const HostTensor &value, Loc loc) {
  Impl &g = *impl_;
  std::string where =
      locationString(g.location(loc)) + ": assign to variable '" + variable.name() + "'";
  if (!variable.valid() || &variable.graph() != this || !variableInfo(g, variable.name()))
    throw Error(where + ": the variable belongs to another graph");
  if (value.empty())
    throw Error(where + ": the value is an empty HostTensor");
  Shape shape = variable.shape();
  if (value.shape() != shape || value.dtype() != variable.dtype())
    throw Error(where + ": the value has shape " + value.spec().shapeString() + " and dtype " +
                runtime::dtypeName(value.dtype()) + " but the variable has shape " +
                runtime::TensorSpec{"", variable.dtype(), shape}.shapeString() + " and dtype " +
                runtime::dtypeName(variable.dtype()));
  HostTensor copy = value.clone();
  g.eagerValues.insert_or_assign(variable.name(), std::move(copy));
}

size_t Graph::compiledEvalCount() const { return impl_->evalCompiles; }

} // namespace sinter

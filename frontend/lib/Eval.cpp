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
#include <set>

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

/// The variable whose read op is value `id`, or null.
const VariableInfo *variableReadBy(const Graph::Impl &g, int id) {
  for (const VariableInfo &v : g.variableInfo)
    if (v.readId == id)
      return &v;
  return nullptr;
}

std::vector<HostTensor> evaluate(Graph &graph, const std::vector<Tensor> &tensors);

/// Gives each variable in `names` that has no eager value yet its initial value; all the
/// initializers are evaluated in one compiled sub-graph (a model's hundreds of weights would
/// otherwise compile hundreds of modules).
void initializeEagerValues(Graph &graph, const std::vector<std::string> &names) {
  Graph::Impl &g = graph.impl();
  std::vector<std::string> missing;
  std::vector<Tensor> initializers;
  std::set<std::string> seen;
  for (const std::string &name : names) {
    const VariableInfo *info = variableInfo(g, name);
    if (g.eagerValues.count(name) || !info || info->initId < 0 || !seen.insert(name).second)
      continue;
    missing.push_back(name);
    initializers.push_back(graph.tensor(info->initId));
  }
  if (initializers.empty())
    return;
  std::vector<HostTensor> values = evaluate(graph, initializers);
  for (size_t i = 0; i < missing.size(); ++i)
    g.eagerValues.emplace(missing[i], std::move(values[i]));
}

/// Evaluates `tensors` together: variable reads come from the eager store, the rest from one
/// compiled sub-graph with an output per tensor.
std::vector<HostTensor> evaluate(Graph &graph, const std::vector<Tensor> &tensors) {
  Graph::Impl &g = graph.impl();
  std::vector<HostTensor> out(tensors.size());
  std::vector<std::string> reads; // variables read directly
  std::vector<size_t> readAt;     // their positions in `tensors`
  EntryDef entry{"value", {}, {}, {}, {}};
  std::vector<size_t> computed; // positions in `tensors` of the entry's outputs
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor &t = tensors[i];
    if (&t.graph() != &graph)
      throw Error("Graph::values(): tensor " + std::to_string(i) + " belongs to another graph");
    g.requireTopLevel(t.id(), "Tensor::value()");
    if (auto input = dependedOnInput(g, t.id()))
      throw Error("Tensor::value(): the tensor depends on the graph input '" +
                  input.getName().str() + "' (" + locationString(input.getLoc()) +
                  "); only tensors computed from constants and variables can be evaluated on "
                  "the spot (compile an entry point that takes the input instead)");
    if (const VariableInfo *v = variableReadBy(g, t.id())) {
      reads.push_back(v->name);
      readAt.push_back(i);
      continue;
    }
    entry.outputs.push_back(t.id());
    entry.outputNames.push_back("value" + std::to_string(computed.size()));
    computed.push_back(i);
  }
  initializeEagerValues(graph, reads);
  for (size_t r = 0; r < reads.size(); ++r) {
    const Tensor &t = tensors[readAt[r]];
    auto it = g.eagerValues.find(reads[r]);
    out[readAt[r]] =
        it != g.eagerValues.end() ? it->second.clone() : HostTensor(t.dtype(), t.shape()); // zeros
  }
  if (computed.empty())
    return out;

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
  std::vector<std::string> variables = session.variableNames();
  initializeEagerValues(graph, variables);
  for (const std::string &name : variables) {
    auto eager = g.eagerValues.find(name);
    HostTensor &dst = session.variable(name);
    if (eager == g.eagerValues.end()) // no initializer: zeros
      g.eagerValues.emplace(name, dst.clone());
    else
      std::memcpy(dst.data(), eager->second.data(), dst.byteSize());
  }
  std::vector<HostTensor> results;
  try {
    results = session.run("value", std::vector<HostTensor>{});
  } catch (const Error &e) {
    throw Error(std::string("Tensor::value(): ") + e.what());
  }
  for (size_t k = 0; k < computed.size(); ++k)
    out[computed[k]] = std::move(results[k]);
  return out;
}

} // namespace

HostTensor Tensor::value() const { return evaluate(graph(), {*this})[0]; }

std::vector<HostTensor> Graph::values(const std::vector<Tensor> &tensors) {
  return evaluate(*this, tensors);
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

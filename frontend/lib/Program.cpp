// Compiling a graph: each entry point is cut out of the graph (the ops its outputs and updates
// need) into a function of its own, the module goes through the compiler's phases to a native
// object, and the JIT links it into this process for the runtime to call.
#include "sinter/Program.h"

#include "GraphImpl.h"
#include "ProgramImpl.h"

#include "sinter/Compiler/Pipeline/Pipeline.h"
#include "sinter/Compiler/Target/Artifact.h"
#include "sinter/Compiler/Target/Jit.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <chrono>
#include <cstring>
#include <thread>

using namespace mlir;

namespace sinter {

namespace {

bool isIdentifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// The function of one entry point: its inputs become arguments, the ops its outputs and
/// updates need are cloned in graph order.
void addEntryFunction(Graph::Impl &g, ModuleOp module, const EntryDef &entry) {
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  std::string where = "entry '" + entry.name + "'";

  SmallVector<Type> argTypes, resultTypes;
  for (int id : entry.inputs) {
    if (!g.values[id].getDefiningOp<mlir::sinter::InputOp>())
      throw Error(where + ": its inputs must be graph inputs (Graph::input), got " +
                  g.values[id].getDefiningOp()->getName().getStringRef().str());
    argTypes.push_back(g.values[id].getType());
  }
  for (int id : entry.outputs) {
    g.requireTopLevel(id, where + ": an output");
    resultTypes.push_back(g.values[id].getType());
  }
  for (const auto &u : entry.updates)
    g.requireTopLevel(u.second, where + ": the update of '" + u.first + "'");
  auto func = func::FuncOp::create(b, g.body.getLoc(), entry.name,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *block = func.addEntryBlock();

  // Backward closure of what the entry computes.
  llvm::DenseSet<Operation *> needed;
  SmallVector<Value> work;
  for (int id : entry.outputs)
    work.push_back(g.values[id]);
  for (const auto &u : entry.updates)
    work.push_back(g.values[u.second]);
  while (!work.empty()) {
    Operation *op = work.pop_back_val().getDefiningOp();
    if (!op || !needed.insert(op).second)
      continue;
    for (Value v : op->getOperands())
      work.push_back(v);
  }

  IRMapping map;
  for (auto [i, id] : llvm::enumerate(entry.inputs)) {
    map.map(g.values[id], block->getArgument(i));
    auto input = g.values[id].getDefiningOp<mlir::sinter::InputOp>();
    func.setArgAttr(i, "sinter.name", input.getNameAttr());
  }
  b.setInsertionPointToStart(block);
  for (Operation &op : g.body.front().without_terminator()) {
    if (!needed.contains(&op))
      continue;
    if (auto input = dyn_cast<mlir::sinter::InputOp>(op)) {
      if (!map.contains(input.getResult()))
        throw Error(where + " needs the input '" + input.getName().str() + "' (" +
                    locationString(op.getLoc()) + ") but it is not among its inputs");
      continue;
    }
    b.clone(op, map);
  }
  llvm::StringSet<> assigned;
  for (const auto &[name, id] : entry.updates) {
    if (!assigned.insert(name).second)
      throw Error(where + " updates variable '" + name + "' twice");
    auto var = module.lookupSymbol<mlir::sinter::VariableOp>(name);
    if (!var || var.getType() != g.values[id].getType())
      throw Error(where + ": the update of variable '" + name + "' has shape/dtype " + [&] {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << g.values[id].getType();
        return s;
      }() + " but the variable is not of that type");
    mlir::sinter::AssignOp::create(b, g.values[id].getLoc(), name, map.lookup(g.values[id]));
  }
  SmallVector<Value> results;
  for (int id : entry.outputs)
    results.push_back(map.lookup(g.values[id]));
  func::ReturnOp::create(b, func.getLoc(), results);
  for (auto [i, name] : llvm::enumerate(entry.outputNames))
    func.setResultAttr(i, "sinter.name", b.getStringAttr(name));
}

/// Threads to generate code on: one per core, for modules with enough functions to share out.
unsigned codegenThreads(ModuleOp module) {
  size_t functions = 0;
  module.walk([&](Operation *op) {
    if (op->getName().getStringRef() == "llvm.func")
      ++functions;
  });
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return functions >= 16 ? std::min(cores, 4u) : 1;
}

} // namespace

OwningOpRef<ModuleOp> buildProgramModule(Graph::Impl &g, const std::vector<EntryDef> &entries) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(g.body.getLoc(), StringRef("program"));
  OpBuilder b(module->getBodyRegion());
  for (auto var : g.module->getOps<mlir::sinter::VariableOp>())
    b.clone(*var.getOperation());
  llvm::StringSet<> names;
  for (const EntryDef &e : entries) {
    if (!isIdentifier(e.name))
      throw Error("entry name '" + e.name + "' is not an identifier");
    if (!names.insert(e.name).second)
      throw Error("entry '" + e.name + "' is defined twice");
    addEntryFunction(g, *module, e);
  }
  // Only the variables the entries use belong to the program (predict needs no optimizer slots).
  for (auto var : llvm::make_early_inc_range(module->getOps<mlir::sinter::VariableOp>()))
    if (SymbolTable::symbolKnownUseEmpty(var, *module))
      var.erase();
  return module;
}

std::vector<EntryDef> entryDefs(Graph &graph, const std::vector<Entry> &entries) {
  std::vector<EntryDef> defs;
  for (const Entry &e : entries) {
    EntryDef d{e.name, {}, {}, {}, {}};
    for (const Tensor &t : e.inputs)
      d.inputs.push_back(t.id());
    for (size_t i = 0; i < e.outputs.size(); ++i) {
      d.outputs.push_back(e.outputs[i].id());
      d.outputNames.push_back(i < e.outputNames.size() ? e.outputNames[i]
                                                       : "output" + std::to_string(i));
    }
    for (const Update &u : e.updates)
      d.updates.emplace_back(u.variable.name(), u.value.id());
    for (const Tensor &t : e.inputs)
      if (&t.graph() != &graph)
        throw Error("entry '" + e.name + "': an input belongs to another graph");
    defs.push_back(std::move(d));
  }
  // Variables start at their initial-value expressions: a hidden entry computes them.
  EntryDef init{"__init__", {}, {}, {}, {}};
  for (const VariableInfo &v : graph.impl().variableInfo)
    if (v.initId >= 0)
      init.updates.emplace_back(v.name, v.initId);
  if (!init.updates.empty())
    defs.push_back(std::move(init));
  return defs;
}

std::shared_ptr<Program::Impl> compileModule(Graph &graph, ModuleOp module) {
  auto start = std::chrono::steady_clock::now();
  Graph::Impl &g = graph.impl();
  DiagnosticCollector diagnostics(g.ctx);
  ::sinter::proto::Manifest manifest;
  if (failed(verify(module)) ||
      failed(mlir::sinter::runPhases(module, mlir::sinter::Phase::Mlir, mlir::sinter::Phase::Llvm,
                                     &manifest)))
    throw Error("compilation failed: " + diagnostics.take());

  // The code sinter-compile writes, in parts generated on all cores, linked into this process
  // by the JIT.
  mlir::sinter::ArtifactOptions options;
  std::vector<llvm::SmallVector<char, 0>> objects;
  if (failed(mlir::sinter::emitObjects(module, manifest, "", options, codegenThreads(module),
                                       objects)))
    throw Error("code generation failed: " + diagnostics.take());
  std::vector<llvm::StringRef> views;
  for (const auto &object : objects)
    views.emplace_back(object.data(), object.size());
  std::string error;
  std::shared_ptr<mlir::sinter::JitCode> code = mlir::sinter::JitCode::load(views, error);
  if (!code)
    throw Error(error);
  auto symbol = [&](const std::string &name) {
    void *p = code->lookup(options.prefix + "_" + name);
    if (!p)
      throw Error("compiled code: symbol '" + options.prefix + "_" + name + "' missing");
    return static_cast<const uint8_t *>(p);
  };
  auto impl = std::make_shared<Program::Impl>();
  impl->graph = &graph;
  impl->graphAlive = graph.impl().alive;
  impl->artifact = runtime::Artifact::fromSymbols(
      symbol("manifest"), *reinterpret_cast<const uint64_t *>(symbol("manifest_size")),
      symbol("variable_data"), *reinterpret_cast<const uint64_t *>(symbol("variable_data_size")),
      [code](const std::string &s) { return reinterpret_cast<SinterEntryFn>(code->lookup(s)); },
      "<compiled in process>", code);
  impl->session = std::make_unique<runtime::Session>(impl->artifact);
  if (impl->artifact->findEntry("__init__") >= 0)
    impl->session->run("__init__", std::vector<HostTensor>{});
  impl->compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return impl;
}

Program compileProgram(Graph &graph, const std::vector<Entry> &entries) {
  auto start = std::chrono::steady_clock::now();
  std::vector<EntryDef> defs = entryDefs(graph, entries);
  OwningOpRef<ModuleOp> module = buildProgramModule(graph.impl(), defs);
  std::shared_ptr<Program::Impl> impl = compileModule(graph, *module);
  impl->entries = entries;
  impl->compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Program(impl);
}

Program Graph::compile(const std::vector<Entry> &entries) { return compileProgram(*this, entries); }

void debugging::enableCheckNumerics(bool on) { mlir::sinter::setCheckNumerics(on); }

std::vector<HostTensor> Program::run(const std::string &entry,
                                     const std::vector<HostTensor> &inputs) {
  return impl_->session->run(entry, inputs);
}

void Program::call(int entry, const std::vector<const void *> &inputs,
                   const std::vector<void *> &outputs, int64_t batch) {
  impl_->session->call(entry, inputs, outputs, batch);
}

int Program::entryIndex(const std::string &entry) const {
  return impl_->session->entryIndex(entry);
}

HostTensor &Program::variable(const std::string &name) { return impl_->session->variable(name); }
runtime::Session &Program::session() { return *impl_->session; }

runtime::Session Program::newSession() const {
  runtime::Session session(impl_->artifact);
  for (const std::string &name : session.variableNames()) {
    const HostTensor &from = impl_->session->variable(name);
    HostTensor &to = session.variable(name);
    std::memcpy(to.data(), from.data(), to.byteSize());
  }
  return session;
}
double Program::compileSeconds() const { return impl_->compileSeconds; }

} // namespace sinter

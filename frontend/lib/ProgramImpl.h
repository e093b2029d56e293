// Shared between Program.cpp and ModelFile.cpp.
#ifndef SINTER_FRONTEND_PROGRAMIMPL_H
#define SINTER_FRONTEND_PROGRAMIMPL_H

#include "sinter/Program.h"

#include "GraphImpl.h"

namespace sinter {

/// An entry point by value ids (what the model file stores).
struct EntryDef {
  std::string name;
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<std::string> outputNames;
  std::vector<std::pair<std::string, int>> updates; // (variable, value id)
};

struct Program::Impl {
  Graph *graph = nullptr;
  std::shared_ptr<const bool> graphAlive; // Graph::Impl::alive
  std::vector<Entry> entries;
  std::shared_ptr<runtime::Artifact> artifact;
  std::unique_ptr<runtime::Session> session;
  double compileSeconds = 0;
};

std::vector<EntryDef> entryDefs(Graph &graph, const std::vector<Entry> &entries);
mlir::OwningOpRef<mlir::ModuleOp> buildProgramModule(Graph::Impl &g,
                                                     const std::vector<EntryDef> &entries);
Program compileProgram(Graph &graph, const std::vector<Entry> &entries);
/// Verifies, compiles and loads `module` in process (runs its `__init__` entry if it has one).
std::shared_ptr<Program::Impl> compileModule(Graph &graph, mlir::ModuleOp module);

} // namespace sinter

#endif

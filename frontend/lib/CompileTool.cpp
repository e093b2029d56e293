// sinter-compile: ahead-of-time compilation of a saved model's entry points.
#include "sinter/CompileTool.h"
#include "sinter/runtime/File.h"

#include "CommandLine.h"

#include "GraphImpl.h"
#include "ProgramImpl.h"

#include "sinter/Compiler/Pipeline/Pipeline.h"
#include "sinter/Compiler/Target/Header.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace mlir;

namespace sinter {

namespace {

struct Options {
  std::string model, emit, output = "-", prefix = "sinter_model", className = "Model", cpu;
  std::vector<std::string> entries;
  bool standalone = false;
};

/// A text output: standard output for "-", else written atomically (a full disk fails with an
/// error and leaves the previous file).
void writeOutput(const std::string &path, const std::string &text) {
  if (path != "-") {
    runtime::writeFileAtomically(path, text, "output");
    return;
  }
  std::cout << text << std::flush;
  if (!std::cout)
    throw Error("cannot write to standard output");
}

} // namespace

int compileToolMain(int argc, char **argv) {
  CLI::App app{"Compiles the entry points of a saved model (.sinter) ahead of time: the IR after "
               "a phase, LLVM IR, a native object or shared library, or the C++ header of an "
               "object.",
               "sinter-compile"};
  Options o;
  static const std::vector<std::string> kEmits = {"mlir", "grad", "fused", "linalg",
                                                  "llvm", "obj",  "so",    "header"};
  app.add_option("model", o.model, "the model file (MODEL.sinter)");
  app.add_option("--emit", o.emit,
                 "mlir, grad, fused, linalg: the IR after that phase; llvm: LLVM IR; obj: a "
                 "native object; so: a shared library; header: the C++ header for obj")
      ->check(CLI::IsMember(kEmits));
  app.add_option("--entry", o.entries,
                 "an entry point to compile (repeatable; default: every entry)");
  app.add_option("-o,--output", o.output, "the output file (- for standard output)")
      ->capture_default_str();
  app.add_option("--prefix", o.prefix, "the symbol prefix of the artifact")->capture_default_str();
  app.add_option("--class-name", o.className, "the class of the generated header")
      ->capture_default_str();
  app.add_option("--cpu", o.cpu, "the target CPU (default: the host's)");
  app.add_flag("--standalone", o.standalone,
               "compile every op as generated code (no oneDNN calls) and, with --emit=header, "
               "write a header that needs no runtime library: the object, the header and "
               "libsinter_standalone.a make a self-contained program");
  if (int rc = cli::parseCommandLine(app, argc, argv); rc >= 0)
    return rc;
  if (o.model.empty())
    return cli::usageError(app, "no model file given");
  if (o.emit.empty())
    return cli::usageError(app, "--emit is required");
  if ((o.emit == "obj" || o.emit == "so") && o.output == "-")
    return cli::usageError(app, "--emit=" + o.emit + " needs -o OUT");

  try {
    SavedModel model = loadModel(o.model);
    Graph &graph = *model.graph;
    std::vector<Entry> entries;
    for (const Entry &e : model.entries)
      if (o.entries.empty() || std::count(o.entries.begin(), o.entries.end(), e.name))
        entries.push_back(e);
    for (const std::string &name : o.entries)
      if (std::none_of(entries.begin(), entries.end(),
                       [&](const Entry &e) { return e.name == name; }))
        throw Error("model '" + o.model + "' has no entry '" + name + "'");
    std::vector<EntryDef> defs = entryDefs(graph, entries);
    // The saved values are the variables' initial values: no __init__ entry.
    defs.erase(std::remove_if(defs.begin(), defs.end(),
                              [](const EntryDef &d) { return d.name == "__init__"; }),
               defs.end());
    Graph::Impl &g = graph.impl();
    OwningOpRef<ModuleOp> module = buildProgramModule(g, defs);
    if (o.standalone)
      (*module)->setAttr(mlir::sinter::kGeneratedOnlyAttr, UnitAttr::get(module->getContext()));
    DiagnosticCollector diagnostics(g.ctx);
    if (failed(verify(*module)))
      throw Error(diagnostics.take());

    using mlir::sinter::Phase;
    auto print = [&] {
      std::string s;
      llvm::raw_string_ostream os(s);
      module->print(os);
      return s;
    };
    if (o.emit != "mlir" && o.emit != "header" && o.emit != "obj" && o.emit != "so" &&
        o.emit != "llvm") {
      if (failed(mlir::sinter::runPhases(*module, Phase::Mlir, *mlir::sinter::parsePhase(o.emit))))
        throw Error(diagnostics.take());
    }
    if (o.emit == "mlir" || o.emit == "grad" || o.emit == "fused" || o.emit == "linalg") {
      writeOutput(o.output, print());
      return 0;
    }

    ::sinter::proto::Manifest manifest;
    if (failed(mlir::sinter::runPhases(*module, Phase::Mlir,
                                       o.emit == "header" ? Phase::Grad : Phase::Llvm, &manifest)))
      throw Error(diagnostics.take());
    mlir::sinter::ArtifactOptions options{o.prefix, o.cpu};
    // The variable blob: the saved values, in manifest order.
    std::string blob;
    for (auto &v : *manifest.mutable_variables()) {
      const HostTensor &value = model.values.at(v.spec().name());
      blob.resize((blob.size() + 63) / 64 * 64);
      v.set_data_offset(blob.size());
      v.set_has_initial_value(true);
      blob.append(static_cast<const char *>(value.data()), value.byteSize());
    }
    if (o.emit == "header") {
      writeOutput(o.output, o.standalone
                                ? mlir::sinter::emitStandaloneHeader(manifest, options, o.className)
                                : mlir::sinter::emitHeader(manifest, options, o.className));
      return 0;
    }
    if (o.emit == "llvm") {
      std::string ir;
      if (failed(mlir::sinter::writeObject(*module, manifest, blob, options, "", &ir)))
        throw Error(diagnostics.take());
      writeOutput(o.output, ir);
      return 0;
    }
    std::string obj = o.emit == "obj" ? o.output : o.output + ".o";
    if (failed(mlir::sinter::writeObject(*module, manifest, blob, options, obj)))
      throw Error(diagnostics.take());
    if (o.emit == "so") {
      std::string error;
      if (failed(mlir::sinter::linkSharedObject(obj, o.output, error)))
        throw Error(error);
      std::filesystem::remove(obj);
    }
  } catch (const std::exception &e) {
    std::cerr << "sinter-compile: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

} // namespace sinter

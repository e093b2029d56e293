// sinter-compile: ahead-of-time compilation of a saved model's entry points.
#include "sinter/CompileTool.h"
#include "sinter/runtime/File.h"

#include "GraphImpl.h"
#include "ProgramImpl.h"

#include "sinter/Compiler/Pipeline/Pipeline.h"
#include "sinter/Compiler/Target/Header.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace mlir;

namespace sinter {

namespace {

const char *kUsage =
    "usage: sinter-compile MODEL.sinter [--entry NAME]... "
    "--emit=mlir|grad|fused|linalg|llvm|obj|so|header [-o OUT] [--prefix P] "
    "[--class-name NAME] [--cpu CPU]\n"
    "  Compiles the model's entry points (all of them unless --entry is given).\n"
    "  mlir, grad, fused, linalg: the IR after that phase; llvm: LLVM IR;\n"
    "  obj: a native object; so: a shared library; header: the C++ header for obj.\n";

struct Options {
  std::string model, emit, output = "-", prefix = "sinter_model", className = "Model", cpu;
  std::vector<std::string> entries;
};

int usageError(const std::string &message) {
  std::cerr << "sinter-compile: " << message << "\n" << kUsage;
  return 2;
}

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
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string &flag) -> std::optional<std::string> {
      if (arg.rfind(flag + "=", 0) == 0)
        return arg.substr(flag.size() + 1);
      if (arg == flag) {
        if (i + 1 >= argc)
          return std::nullopt;
        return std::string(argv[++i]);
      }
      return std::string("\x01");
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    bool matched = false;
    for (auto [flag, target] : {std::pair{"--emit", &o.emit},
                                {"-o", &o.output},
                                {"--prefix", &o.prefix},
                                {"--class-name", &o.className},
                                {"--cpu", &o.cpu},
                                {"--entry", static_cast<std::string *>(nullptr)}}) {
      auto v = value(flag);
      if (v && *v == "\x01")
        continue;
      if (!v)
        return usageError(std::string("flag '") + flag + "' needs a value");
      matched = true;
      if (target)
        *target = *v;
      else
        o.entries.push_back(*v);
      break;
    }
    if (matched)
      continue;
    if (arg.rfind("-", 0) == 0)
      return usageError("unknown flag '" + arg + "'");
    if (!o.model.empty())
      return usageError("more than one model file given");
    o.model = arg;
  }
  if (o.model.empty())
    return usageError("no model file given");
  static const char *kEmits[] = {"mlir", "grad", "fused", "linalg", "llvm", "obj", "so", "header"};
  if (std::find_if(std::begin(kEmits), std::end(kEmits),
                   [&](const char *e) { return o.emit == e; }) == std::end(kEmits))
    return usageError(o.emit.empty() ? "--emit is required" : "unknown --emit '" + o.emit + "'");
  if ((o.emit == "obj" || o.emit == "so") && o.output == "-")
    return usageError("--emit=" + o.emit + " needs -o OUT");

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
      writeOutput(o.output, mlir::sinter::emitHeader(manifest, options, o.className));
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

// A compiled program: one native artifact with several entry points sharing variables, loaded
// by the runtime. Also the model file (.sinter) API.
#ifndef SINTER_PROGRAM_H
#define SINTER_PROGRAM_H

#include "sinter/Graph.h"

#include <map>
#include <memory>

namespace sinter {

class Program {
public:
  /// Runs an entry point: inputs in the entry's order; returns its outputs. Variables are
  /// updated in place.
  std::vector<HostTensor> run(const std::string &entry, const std::vector<HostTensor> &inputs);
  /// The fast path: raw buffers, no allocation (see runtime::Session::call); `batch` is the
  /// batch size of an entry with a dynamic batch dimension.
  void call(int entry, const std::vector<const void *> &inputs, const std::vector<void *> &outputs,
            int64_t batch = -1);
  int entryIndex(const std::string &entry) const;

  HostTensor &variable(const std::string &name);
  /// The program's own session (its variables). Like every Session, one thread at a time.
  runtime::Session &session();
  /// A further session over the same compiled code, starting from a copy of the program's
  /// current variable values: one per thread to run the program on several threads at once
  /// (see "Threads" in docs/architecture.md).
  runtime::Session newSession() const;
  /// Seconds spent compiling (all phases, object emission, loading in process).
  double compileSeconds() const;

  /// Saves the graph, the entry points and the current variable values (.sinter, atomic), with
  /// `metadata` (SavedModel::metadata).
  void save(const std::string &path, const std::map<std::string, std::string> &metadata = {}) const;

  struct Impl;
  explicit Program(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

private:
  std::shared_ptr<Impl> impl_;
};

namespace debugging {
/// tf.debugging.enable_check_numerics: programs compiled after this call check the result of
/// every float op for NaN and ±inf, and a call raises an Error naming the entry, the op and the
/// user's file:line of the first one (after the call: its updates are applied). Off by default
/// and free when off; SINTER_CHECK_NUMERICS=1 in the environment turns it on for a whole run.
/// Programs compiled before keep what they were compiled with.
void enableCheckNumerics(bool on = true);
} // namespace debugging

/// A model file loaded back: the graph, its entry points and the saved variable values.
struct SavedModel {
  std::unique_ptr<Graph> graph;
  std::vector<Entry> entries;
  std::map<std::string, HostTensor> values;
  /// Strings by key saved with the program (nn::Model::save keeps what Model::load needs here).
  std::map<std::string, std::string> metadata;
  /// Compiles all entries; the variables start at the saved values.
  Program compile();
};

/// Loads a .sinter file; throws Error naming the file and the problem if it is missing,
/// truncated or corrupt.
SavedModel loadModel(const std::string &path);

} // namespace sinter

#endif

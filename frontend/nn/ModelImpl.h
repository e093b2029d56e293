// The state behind nn::Model (private to frontend/nn): the traced entries, the compiled program,
// host buffers per batch size, and the small helpers Model's files share. Model's code is split
// by concern: Model.cpp (construction, functional replay, summary, weights, Sequential),
// ModelEntries.cpp (compile: tracing the entry points into one program), ModelFit.cpp (fit,
// evaluate, predict).
#ifndef SINTER_NN_MODELIMPL_H
#define SINTER_NN_MODELIMPL_H

#include "sinter/nn/Model.h"

#include "FunctionalTrace.h"

#include <cstring>
#include <set>

namespace sinter::nn {

/// Keras' "(None, 28, 28, 1)": the batch dimension, whatever it is, as None.
inline std::string shapeTuple(Shape s) {
  if (!s.empty())
    s[0] = -1;
  return runtime::shapeString(s);
}

inline std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n), out;
  int count = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    out.insert(out.begin(), digits[i]);
    if (++count % 3 == 0 && i > 0 && digits[i - 1] != '-')
      out.insert(out.begin(), ',');
  }
  return out;
}

inline double scalarValue(const HostTensor &t) {
  switch (t.dtype()) {
  case DType::F32:
    return t.as<float>()[0];
  case DType::F64:
    return t.as<double>()[0];
  default:
    throw Error("nn: expected a float loss, got " + std::string(runtime::dtypeName(t.dtype())));
  }
}

/// Rows [start, start + count) of `src` in the order of `index` (nullptr: in order) into `dst`.
inline void gatherRows(const HostTensor &src, const std::vector<int64_t> *index, int64_t start,
                       int64_t count, HostTensor &dst) {
  size_t rowBytes = src.byteSize() / static_cast<size_t>(src.shape()[0]);
  auto *from = static_cast<const std::byte *>(src.data());
  auto *to = static_cast<std::byte *>(dst.data());
  for (int64_t i = 0; i < count; ++i) {
    int64_t row = index ? (*index)[static_cast<size_t>(start + i)] : start + i;
    std::memcpy(to + static_cast<size_t>(i) * rowBytes, from + static_cast<size_t>(row) * rowBytes,
                rowBytes);
  }
}

inline HostTensor sliceRows(const HostTensor &src, int64_t start, int64_t count) {
  Shape s = src.shape();
  s[0] = count;
  HostTensor out(src.dtype(), s);
  gatherRows(src, nullptr, start, count, out);
  return out;
}

inline Shape features(const HostTensor &t) { return Shape(t.shape().begin() + 1, t.shape().end()); }

inline void copyInto(HostTensor &dst, const HostTensor &src, const std::string &name) {
  if (dst.dtype() != src.dtype() || dst.shape() != src.shape())
    throw Error("nn: weight '" + name + "' is " + runtime::dtypeName(dst.dtype()) + " " +
                shapeString(dst.shape()) + ", got " + runtime::dtypeName(src.dtype()) + " " +
                shapeString(src.shape()));
  std::memcpy(dst.data(), src.data(), src.byteSize());
}

/// The names of `program`'s variables (none without a program).
inline std::set<std::string> variableNames(Program *program) {
  if (!program)
    return {};
  std::vector<std::string> names = program->session().variableNames();
  return {names.begin(), names.end()};
}

/// A metric by its Keras name, the accuracy's kind chosen by `sparse` / `binary` labels;
/// nullptr for a name that is not one.
std::shared_ptr<metrics::Metric> metricByName(const std::string &name, bool sparse, bool binary);

struct Model::Impl {
  std::unique_ptr<Graph> ownedGraph;
  /// Functional models: the trace and the nodes from its input to `output`, in order.
  std::shared_ptr<detail::FunctionalTrace> trace;
  std::vector<int> nodes;
  int output = -1;
  std::shared_ptr<optim::Optimizer> optimizer;
  std::optional<losses::Loss> loss;
  /// Set by distribute(): data-parallel training across the job's ranks.
  std::optional<DataParallel> dataParallel;
  /// Whether this process shows progress and runs the callbacks that write files: always,
  /// except on the ranks other than 0 of data-parallel training.
  bool chief() const { return !dataParallel || distributed::rank() == 0; }
  Loc compileLoc = Loc::current(); // where compile() was called: loss errors point there
  std::vector<MetricSpec> metricSpecs;
  /// Resolved metrics (display name, object); resolved on the first fit/evaluate.
  std::vector<std::pair<std::string, std::shared_ptr<metrics::Metric>>> metrics;
  bool metricsResolved = false;

  struct Traced {
    Entry entry;
    Shape predShape, lossShape;
    DType predType = DType::F32, lossType = DType::F32;
  };
  std::map<std::string, Traced> traced;
  std::vector<std::string> tracedOrder;
  std::optional<Program> program;
  /// A model used as a layer: the program of the latest model compiled with it, where its
  /// weights live (getWeights, setWeights and saveWeights read and write them there).
  std::optional<Program> hostProgram;
  /// The program holding this model's variables: its own, else its host's, else none.
  Program *liveProgram() { return program ? &*program : hostProgram ? &*hostProgram : nullptr; }
  std::set<std::string> programEntries;
  std::map<std::string, HostTensor> pending;
  bool haveX = false, haveY = false;
  Shape xFeat, yFeat;
  DType xType = DType::F32, yType = DType::F32;
  int64_t trainSteps = 0;
  int compilations = 0;
  /// Model::load: the file the model came from (empty otherwise). Its entries are the saved
  /// ones, and it has no layers to trace others from.
  std::string loadedFrom;
  std::vector<std::string> loadedWeights; // the names of its weights
  std::string loadedSummary;
  bool loaded() const { return !loadedFrom.empty(); }
  /// The Error for what a loaded model cannot do.
  Error loadedCannot(const std::string &model, const std::string &what) const {
    return Error("model '" + model + "' was loaded from '" + loadedFrom + "' and runs its saved " +
                 "entries: it cannot " + what +
                 " (build the model in code and loadWeights a checkpoint for that)");
  }

  /// Host buffers of one entry for one batch size.
  struct Buffers {
    int index = -1;
    HostTensor x, y, loss, pred;
  };
  std::map<std::pair<std::string, int64_t>, Buffers> buffers;
  Buffers &buffersFor(const std::string &entry, int64_t batch);
  static std::string entryName(Kind kind);
  /// fit compiles the three entries at once: adding one later compiles the whole program again
  /// (a DenseNet121 in about a minute), and evaluate, predict and save usually follow fit.
  static const std::vector<Kind> &fitEntries() {
    static const std::vector<Kind> kinds{Kind::Train, Kind::Test, Kind::Predict};
    return kinds;
  }
};

} // namespace sinter::nn

#endif

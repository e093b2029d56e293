// The graph-building API: a Graph owns a symbolic program; Tensors are handles to its values.
// Every builder call records the caller's file:line, so shape errors point at the user's code.
// No MLIR header is included here (docs/architecture.md, "The layers of the C++ API"): the graph
// lives behind a pimpl.
#ifndef SINTER_GRAPH_H
#define SINTER_GRAPH_H

#include "sinter/runtime/Runtime.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

namespace sinter {

using runtime::DType;
using runtime::HostTensor;
using Shape = std::vector<int64_t>;
using Loc = std::source_location;

/// Every error of Sinter — frontend, compiler and runtime share one type: the message names
/// the user's file:line and the op, or the file, entry or argument at fault.
using runtime::Error;

class Graph;

/// A symbolic value of a Graph: cheap to copy.
class Tensor {
public:
  Tensor() = default;
  Shape shape() const;
  DType dtype() const;
  int64_t rank() const { return static_cast<int64_t>(shape().size()); }
  /// Throws Error when a dimension is known only at run time (the batch dimension).
  int64_t numElements() const;
  Graph &graph() const;
  int id() const { return id_; }
  bool valid() const { return graph_ != nullptr; }
  /// The op that produced it, as the MLIR text of that op (for debugging).
  std::string str() const;

  /// On-the-spot evaluation: compiles (once per graph structure, cached in the Graph) and runs
  /// the sub-graph this tensor needs, and returns its value. Variables read their eager value
  /// (the initial value until Graph::assign sets another; independent of compiled Programs).
  /// Throws Error naming the Graph::input the tensor depends on, if any.
  HostTensor value() const;
  /// The value printed like TensorFlow:
  ///   <tf.Tensor: shape=(2, 3), dtype=float32, numpy=
  ///   array([[1., 2., 3.],
  ///          [4., 5., 6.]], dtype=float32)>
  std::string toString() const;
  /// NumPy indexing, x[::2, ..., 1:] as x(S(_, _, 2), ellipsis, S(1, _)) (TensorLanguage.h).
  template <class... I> Tensor operator()(I &&...items) const;

private:
  friend class Graph;
  Tensor(Graph *graph, int id) : graph_(graph), id_(id) {}
  Graph *graph_ = nullptr;
  int id_ = -1;
};

/// A variable of the graph; as a Tensor it is the variable's value at the start of a call.
class Variable : public Tensor {
public:
  Variable() = default;
  const std::string &name() const { return name_; }
  bool trainable() const { return trainable_; }

private:
  friend class Graph;
  Variable(Tensor read, std::string name, bool trainable)
      : Tensor(read), name_(std::move(name)), trainable_(trainable) {}
  std::string name_;
  bool trainable_ = true;
};

/// The new value of a variable after an entry point runs.
struct Update {
  Variable variable;
  Tensor value;
};

/// An entry point of a program: named inputs, outputs and variable updates.
struct Entry {
  std::string name;
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  std::vector<Update> updates = {};
  std::vector<std::string> outputNames = {}; // default: output0, output1, ...
};

class Program;

class Graph {
public:
  Graph();
  ~Graph();
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  /// A value fed by the caller of an entry point. A leading dimension of -1 is the batch
  /// dimension: the compiled entry takes any batch size (Keras' None); all of an entry's -1
  /// dimensions are the same size in a call.
  Tensor input(const std::string &name, const Shape &shape, DType dtype = DType::F32,
               Loc loc = Loc::current());
  /// A variable whose initial value is `initialValue` (a graph expression, e.g. a random op).
  Variable variable(const std::string &name, const Tensor &initialValue, bool trainable = true,
                    Loc loc = Loc::current());
  const std::vector<Variable> &variables() const;
  std::vector<Variable> trainableVariables() const;
  const Variable &variable(const std::string &name) const;

  /// Compiles entry points into one program (one artifact) that shares the variables. The
  /// variables start at their initial values (an `__init__` entry computes them).
  Program compile(const std::vector<Entry> &entries);

  /// Runs `build` with the ops it creates placed outside the scan bodies being built (scan(),
  /// Scan.h): a layer first called inside a loop body creates its weights there.
  void outsideScans(const std::function<void()> &build);

  /// Sets the eager value of a variable (what Tensor::value() reads; compiled Programs keep
  /// their own copies). Throws Error when the shape or dtype differs from the variable's.
  void assign(const Variable &variable, const HostTensor &value, Loc loc = Loc::current());
  /// Tensor::value() of several tensors at once, compiling one sub-graph for all of them (and
  /// one for the initial values of the variables they read), as a TensorFlow 1 session runs a
  /// list of fetches.
  std::vector<HostTensor> values(const std::vector<Tensor> &tensors);
  /// How many sub-graphs Tensor::value() has compiled so far (the rest came from its cache).
  size_t compiledEvalCount() const;

  /// The graph as MLIR text (the sinter dialect).
  std::string str() const;

  /// The handle of value `id` (for the frontend's own builder functions).
  Tensor tensor(int id) { return Tensor(this, id); }
  /// Registers a variable whose declaration and read already are in the graph (model loading).
  Variable adoptVariable(const std::string &name, int readId, int initId, bool trainable);

  struct Impl;
  Impl &impl() { return *impl_; }
  const Impl &impl() const { return *impl_; }

private:
  friend class Tensor;
  std::unique_ptr<Impl> impl_;
  std::vector<Variable> variables_;
};

/// Prints Tensor::toString() (evaluates the tensor).
std::ostream &operator<<(std::ostream &os, const Tensor &t);

/// "[2, 3]" (a dynamic batch dimension shows as -1): shapes in error messages.
std::string shapeString(const Shape &shape);

} // namespace sinter

#endif

// The record behind SymbolicTensor: one trace per nn::Input, holding every layer call made on
// tensors derived from it, in call order (so node order is a topological order).
#ifndef SINTER_NN_FUNCTIONALTRACE_H
#define SINTER_NN_FUNCTIONALTRACE_H

#include "sinter/nn/Layers.h"

namespace sinter::nn::detail {

struct FunctionalTrace {
  struct Node {
    std::shared_ptr<Layer> layer; // node 0: the InputLayer
    std::vector<int> inputs;      // producing nodes
    Tensor value;                 // invalid until the input is bound to a graph
  };
  Shape inputShape; // batch first
  DType inputType = DType::F32;
  std::vector<Node> nodes;
  Graph *graph = nullptr;
  std::shared_ptr<Graph> ownedGraph; // when no pre-built layer chose the graph

  /// Binds the input to a graph (once): `first`'s graph if it is built, else a new one.
  void bind(const Layer &first);
  /// The nodes `output` depends on, in order (node 0 first).
  std::vector<int> ancestors(int output) const;
};

} // namespace sinter::nn::detail

#endif

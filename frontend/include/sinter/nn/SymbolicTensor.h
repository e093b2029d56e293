// The Keras functional API's symbolic tensors:
//   nn::SymbolicTensor inputs = nn::Input({28, 28, 1});
//   nn::SymbolicTensor x = nn::Conv2D(6, {5, 5})(inputs);
//   ...
//   auto model = std::make_shared<nn::Model>(inputs, outputs);
// Calling a layer on a symbolic tensor builds the layer (its weights are created then, as in
// Keras) and records the call; Model(inputs, outputs) replays the recorded calls for each
// entry point it compiles, with the `training` flag of that entry.
#ifndef SINTER_NN_SYMBOLICTENSOR_H
#define SINTER_NN_SYMBOLICTENSOR_H

#include "sinter/Graph.h"

#include <memory>
#include <string>

namespace sinter::nn {

namespace detail {
struct FunctionalTrace;
}

/// A tensor of a model under construction: the output of nn::Input or of a layer called on
/// one. Copies refer to the same tensor.
class SymbolicTensor {
public:
  SymbolicTensor() = default;
  /// The shape, batch dimension first (−1 = any batch size, Keras' None).
  Shape shape() const;
  DType dtype() const;
  /// The name of the layer that produced it ("input_1", "conv2d", ...).
  const std::string &name() const;

private:
  friend class Layer;
  friend class Model;
  friend SymbolicTensor Input(const Shape &, DType, std::string, int64_t);
  SymbolicTensor(std::shared_ptr<detail::FunctionalTrace> trace, int node)
      : trace_(std::move(trace)), node_(node) {}
  std::shared_ptr<detail::FunctionalTrace> trace_;
  int node_ = -1;
};

/// The input of a functional model: `shape` without the batch dimension (Keras' Input). The
/// tensor joins a graph at the first layer call on it: the graph that layer was built in if it
/// is already built (a pre-trained model reused as a part), else a new graph of its own.
SymbolicTensor Input(const Shape &shape, DType dtype = DType::F32, std::string name = "",
                     int64_t batchSize = -1);

} // namespace sinter::nn

#endif

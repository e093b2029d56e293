// The functional API's recording side: nn::Input, layer calls on symbolic tensors, and the
// trace Model(inputs, outputs) replays (see Model.cpp).
#include "FunctionalTrace.h"

#include <set>

namespace sinter::nn {

namespace detail {

void FunctionalTrace::bind(const Layer &first) {
  if (graph)
    return;
  if (first.graph()) {
    graph = first.graph();
  } else {
    ownedGraph = std::make_shared<Graph>();
    graph = ownedGraph.get();
  }
  Node &input = nodes.front();
  input.value = (*input.layer)(graph->input(input.layer->name(), inputShape, inputType));
}

std::vector<int> FunctionalTrace::ancestors(int output) const {
  std::set<int> seen{output};
  std::vector<int> work{output};
  while (!work.empty()) {
    int n = work.back();
    work.pop_back();
    for (int i : nodes[n].inputs)
      if (seen.insert(i).second)
        work.push_back(i);
  }
  return {seen.begin(), seen.end()};
}

} // namespace detail

Shape SymbolicTensor::shape() const {
  if (!trace_)
    throw Error("an empty SymbolicTensor has no shape");
  const auto &node = trace_->nodes[node_];
  return node.value.valid() ? node.value.shape() : trace_->inputShape;
}

DType SymbolicTensor::dtype() const {
  if (!trace_)
    throw Error("an empty SymbolicTensor has no dtype");
  const auto &node = trace_->nodes[node_];
  return node.value.valid() ? node.value.dtype() : trace_->inputType;
}

const std::string &SymbolicTensor::name() const {
  if (!trace_)
    throw Error("an empty SymbolicTensor has no name");
  return trace_->nodes[node_].layer->name();
}

SymbolicTensor Input(const Shape &shape, DType dtype, std::string name, int64_t batchSize) {
  for (int64_t d : shape)
    if (d <= 0)
      throw Error("Input: dimensions must be positive, got " + runtime::shapeString(shape) +
                  " (the batch dimension is not part of the shape)");
  auto trace = std::make_shared<detail::FunctionalTrace>();
  trace->inputShape = {batchSize > 0 ? batchSize : -1};
  trace->inputShape.insert(trace->inputShape.end(), shape.begin(), shape.end());
  trace->inputType = dtype;
  trace->nodes.push_back({std::make_shared<InputLayer>(std::move(name)), {}, Tensor()});
  return SymbolicTensor(trace, 0);
}

SymbolicTensor Layer::operator()(const SymbolicTensor &x) {
  return (*this)(std::vector<SymbolicTensor>{x});
}

SymbolicTensor Layer::operator()(const std::vector<SymbolicTensor> &inputs) {
  if (inputs.empty())
    throw Error("layer '" + name() + "': called on an empty list of inputs");
  std::shared_ptr<detail::FunctionalTrace> trace = inputs.front().trace_;
  for (const SymbolicTensor &x : inputs) {
    if (!x.trace_)
      throw Error("layer '" + name() + "': called on an empty SymbolicTensor");
    if (x.trace_ != trace)
      throw Error("layer '" + name() +
                  "': its inputs come from different nn::Input tensors (a functional model "
                  "has one input)");
  }
  trace->bind(*this);
  std::vector<Tensor> values;
  std::vector<int> ids;
  for (const SymbolicTensor &x : inputs) {
    values.push_back(trace->nodes[x.node_].value);
    ids.push_back(x.node_);
  }
  Tensor y = (*this)(values, /*training=*/false);
  std::shared_ptr<Layer> self = weak_from_this().lock();
  if (!self)
    self = clone();
  trace->nodes.push_back({std::move(self), std::move(ids), y});
  return SymbolicTensor(trace, static_cast<int>(trace->nodes.size()) - 1);
}

} // namespace sinter::nn

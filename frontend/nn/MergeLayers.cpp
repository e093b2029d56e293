// Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.
#include "sinter/nn/MergeLayers.h"

namespace sinter::nn {

namespace {

/// Sizes agree when equal or either is the dynamic batch size (−1).
bool sameSize(int64_t a, int64_t b) { return a == b || a < 0 || b < 0; }

std::string shapesText(const std::vector<Tensor> &inputs) {
  std::string out;
  for (const Tensor &t : inputs)
    out += (out.empty() ? "" : ", ") + runtime::shapeString(t.shape());
  return out;
}

} // namespace

Merge::Merge(Kind kind, std::string typeName, std::string name)
    : Layer(std::move(typeName), std::move(name)), kind_(kind) {}

Tensor Merge::call(const Tensor &x, bool training) { return callInputs({x}, training); }

Tensor Merge::callInputs(const std::vector<Tensor> &inputs, bool) {
  std::string where = "layer '" + name() + "' (" + typeName() + ")";
  if (kind_ == Kind::Subtract ? inputs.size() != 2 : inputs.size() < 2)
    throw Error(where + ": needs " + (kind_ == Kind::Subtract ? "exactly" : "at least") +
                " two inputs, got " + std::to_string(inputs.size()));
  const Shape &s = inputs.front().shape();
  for (const Tensor &t : inputs)
    if (t.rank() != static_cast<int64_t>(s.size()) ||
        !std::equal(s.begin(), s.end(), t.shape().begin(), sameSize))
      throw Error(where + ": inputs of different shapes " + shapesText(inputs));
  Tensor y = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Tensor &x = inputs[i];
    switch (kind_) {
    case Kind::Add:
    case Kind::Average:
      y = add(y, x);
      break;
    case Kind::Subtract:
      y = sub(y, x);
      break;
    case Kind::Multiply:
      y = mul(y, x);
      break;
    case Kind::Maximum:
      y = maximum(y, x);
      break;
    case Kind::Minimum:
      y = minimum(y, x);
      break;
    }
  }
  if (kind_ == Kind::Average)
    y = y * (1.0 / static_cast<double>(inputs.size()));
  return y;
}

Concatenate::Concatenate(int64_t axis, std::string name)
    : Layer("Concatenate", std::move(name)), axis_(axis) {}

Tensor Concatenate::call(const Tensor &x, bool training) { return callInputs({x}, training); }

Tensor Concatenate::callInputs(const std::vector<Tensor> &inputs, bool) {
  std::string where = "layer '" + name() + "' (Concatenate)";
  if (inputs.size() < 2)
    throw Error(where + ": needs at least two inputs, got " + std::to_string(inputs.size()));
  int64_t rank = inputs.front().rank();
  int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 0 || axis >= rank)
    throw Error(where + ": axis " + std::to_string(axis_) + " is out of range for rank " +
                std::to_string(rank));
  const Shape &s = inputs.front().shape();
  for (const Tensor &t : inputs) {
    bool ok = t.rank() == rank;
    for (int64_t d = 0; ok && d < rank; ++d)
      ok = d == axis || sameSize(s[d], t.shape()[d]);
    if (!ok)
      throw Error(where + ": inputs " + shapesText(inputs) + " differ on an axis other than " +
                  std::to_string(axis_));
  }
  return concat(inputs, axis);
}

} // namespace sinter::nn

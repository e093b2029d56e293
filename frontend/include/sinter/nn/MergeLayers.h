// Layers that combine several tensors (Keras' merge layers), called on a list:
//   nn::SymbolicTensor y = nn::Add()({x, shortcut});
//   Tensor z = concatenate({a, b}, training);        // a Concatenate layer on graph tensors
#ifndef SINTER_NN_MERGELAYERS_H
#define SINTER_NN_MERGELAYERS_H

#include "sinter/nn/Layers.h"

namespace sinter::nn {

/// Elementwise merges: the inputs (two or more; Subtract exactly two) must have one shape.
class Merge : public Layer {
public:
  enum class Kind { Add, Subtract, Multiply, Average, Maximum, Minimum };
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Merge>(*this); }

protected:
  Merge(Kind kind, std::string typeName, std::string name);
  Tensor call(const Tensor &x, bool training) override;
  Tensor callInputs(const std::vector<Tensor> &inputs, bool training) override;

private:
  Kind kind_;
};

/// x₁ + x₂ + ...
class Add : public Merge {
public:
  explicit Add(std::string name = "") : Merge(Kind::Add, "Add", std::move(name)) {}
};
/// x₁ − x₂
class Subtract : public Merge {
public:
  explicit Subtract(std::string name = "") : Merge(Kind::Subtract, "Subtract", std::move(name)) {}
};
/// x₁ · x₂ · ...
class Multiply : public Merge {
public:
  explicit Multiply(std::string name = "") : Merge(Kind::Multiply, "Multiply", std::move(name)) {}
};
/// (x₁ + x₂ + ...) / n
class Average : public Merge {
public:
  explicit Average(std::string name = "") : Merge(Kind::Average, "Average", std::move(name)) {}
};
/// The elementwise maximum.
class Maximum : public Merge {
public:
  explicit Maximum(std::string name = "") : Merge(Kind::Maximum, "Maximum", std::move(name)) {}
};
/// The elementwise minimum.
class Minimum : public Merge {
public:
  explicit Minimum(std::string name = "") : Merge(Kind::Minimum, "Minimum", std::move(name)) {}
};

/// Joins the inputs along `axis` (default the last: the channels); every other size must
/// agree.
class Concatenate : public Layer {
public:
  explicit Concatenate(int64_t axis = -1, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Concatenate>(*this); }

protected:
  Tensor call(const Tensor &x, bool training) override;
  Tensor callInputs(const std::vector<Tensor> &inputs, bool training) override;

private:
  int64_t axis_;
};

} // namespace sinter::nn

#endif

// Weight initialisers: graph expressions of the initial value (counter-based RNG, so a seed
// gives the same weights on every run).
#ifndef SINTER_NN_INITIALIZERS_H
#define SINTER_NN_INITIALIZERS_H

#include "sinter/Ops.h"

#include <functional>

namespace sinter::initializers {

/// shape → initial value; fanIn/fanOut are taken from the shape as Keras does (last two dims).
using Initializer = std::function<Tensor(Graph &g, const Shape &shape, int64_t seed, DType dtype)>;

Initializer zeros();
Initializer ones();
Initializer constant(double value);
/// gain · the identity matrix (2-D weights only, as Keras' Identity).
Initializer identity(double gain = 1.0);
Initializer randomNormal(double mean = 0, double stddev = 0.05);
Initializer randomUniform(double minval = -0.05, double maxval = 0.05);
Initializer truncatedNormal(double mean = 0, double stddev = 0.05);
Initializer glorotUniform();
Initializer glorotNormal();
Initializer heNormal();
Initializer heUniform();
/// A (semi-)orthogonal matrix times `gain` (Keras' Orthogonal; recurrent kernels): the weight
/// reshaped to [product of the leading dims, last dim] has orthonormal rows or columns.
Initializer orthogonal(double gain = 1.0);

} // namespace sinter::initializers

namespace sinter::regularizers {
/// A penalty added to the loss for one weight tensor.
using Regularizer = std::function<Tensor(const Tensor &weight)>;
Regularizer l1(double lambda);
Regularizer l2(double lambda);
Regularizer l1l2(double l1, double l2);
} // namespace sinter::regularizers

namespace sinter::activations {
/// Named activations as functions (the layers in nn/Layers.h wrap them).
using Activation = std::function<Tensor(const Tensor &x)>;
Tensor leakyRelu(const Tensor &x, double alpha = 0.2, Loc loc = Loc::current());
Tensor elu(const Tensor &x, double alpha = 1.0, Loc loc = Loc::current());
/// softmax along `axis` (any axis; the op itself works on the last one).
Tensor softmax(const Tensor &x, int64_t axis = -1, Loc loc = Loc::current());
/// "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "elu"; Error otherwise.
Activation byName(const std::string &name);
} // namespace sinter::activations

#endif

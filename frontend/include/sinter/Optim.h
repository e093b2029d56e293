// Optimizers as graph updates: minimize() returns the variable updates of one training step
// (gradients from the autodiff pass), to be compiled into a train_step entry point.
#ifndef SINTER_OPTIM_H
#define SINTER_OPTIM_H

#include "sinter/Ops.h"

namespace sinter::optim {

class SGD {
public:
  explicit SGD(double learningRate) : learningRate_(learningRate) {}
  std::vector<Update> minimize(const Tensor &loss, const std::vector<Variable> &vars,
                               Loc loc = Loc::current());

private:
  double learningRate_;
};

/// Adam (Kingma & Ba), with the bias correction of TensorFlow's implementation. Its slots
/// (m, v, step) are variables of the graph, named <var>/adam_m, <var>/adam_v, adam/step.
class Adam {
public:
  explicit Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-7)
      : learningRate_(learningRate), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {}
  std::vector<Update> minimize(const Tensor &loss, const std::vector<Variable> &vars,
                               Loc loc = Loc::current());

private:
  double learningRate_, beta1_, beta2_, epsilon_;
};

} // namespace sinter::optim

#endif

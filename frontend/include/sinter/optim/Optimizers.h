// Optimizers as graph updates: minimize() returns the variable updates of one training step
// (gradients from the autodiff pass, optional clipping, the rule, slot variables), to be
// compiled into a train_step entry point. Slots and the step counter are graph variables, so
// checkpoints carry them and a resumed run continues exactly.
#ifndef SINTER_OPTIM_OPTIMIZERS_H
#define SINTER_OPTIM_OPTIMIZERS_H

#include "sinter/Ops.h"

#include <functional>
#include <memory>

namespace sinter::optim {

/// The learning rate as a function of the (float32 scalar) step counter, in the graph: the number
/// of updates done before the current one (0 for the first update), as Keras.
using Schedule = std::function<Tensor(const Tensor &step)>;
namespace schedules {
Schedule constant(double rate);
/// rate · decay^(step / decaySteps) (floored when `staircase`), as Keras ExponentialDecay.
Schedule exponentialDecay(double rate, double decaySteps, double decay, bool staircase = false);
/// values[i] while step ≤ boundaries[i] (values has one more entry), as Keras
/// PiecewiseConstantDecay.
Schedule piecewiseConstant(std::vector<double> boundaries, std::vector<double> values);
} // namespace schedules

class Optimizer {
public:
  virtual ~Optimizer() = default;
  /// The updates of one step minimizing `loss` over `vars`: the variables' new values, the
  /// slots', and the step counter's (a non-trainable variable "<name>/step", one per optimizer:
  /// a second optimizer of the same graph is renamed "<name>_1", and so on).
  std::vector<Update> minimize(const Tensor &loss, const std::vector<Variable> &vars,
                               Loc loc = Loc::current());
  /// Same, from gradients computed elsewhere (one per variable).
  std::vector<Update> applyGradients(const std::vector<Tensor> &grads,
                                     const std::vector<Variable> &vars, Loc loc = Loc::current());
  /// Gradient clipping before the rule (Keras' clipnorm / clipvalue / global_clipnorm); 0 = off.
  Optimizer &clipNorm(double c) {
    clipNorm_ = c;
    return *this;
  }
  Optimizer &clipValue(double c) {
    clipValue_ = c;
    return *this;
  }
  Optimizer &globalClipNorm(double c) {
    globalClipNorm_ = c;
    return *this;
  }
  const std::string &name() const { return name_; }

protected:
  Optimizer(std::string name, Schedule lr) : name_(std::move(name)), lr_(std::move(lr)) {}
  /// The rule: new values of `var` (and its slots) given its gradient and the learning rate
  /// at this step; `step` is the float32 step count starting at 1.
  virtual void applyRule(const Variable &var, const Tensor &grad, const Tensor &lr,
                         const Tensor &step, std::vector<Update> &updates, Loc loc) = 0;
  /// A zero-initialised slot variable "<var>/<slot>" (shared with checkpoints).
  Variable slot(const Variable &var, const std::string &slotName, Loc loc);
  /// This optimizer's step counter in `g`, created on first use.
  Variable stepCounter(Graph &g, Loc loc);

  std::string name_;
  Schedule lr_;
  Variable step_;
  double clipNorm_ = 0, clipValue_ = 0, globalClipNorm_ = 0;
};

/// Plain, momentum and Nesterov SGD (Keras' formulas).
class SGD : public Optimizer {
public:
  explicit SGD(double learningRate = 0.01, double momentum = 0, bool nesterov = false);
  SGD(Schedule learningRate, double momentum = 0, bool nesterov = false);

protected:
  void applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &step,
                 std::vector<Update> &updates, Loc loc) override;

private:
  double momentum_;
  bool nesterov_;
};

/// RMSprop (Keras: rho 0.9, epsilon 1e-7, optional momentum).
class RMSprop : public Optimizer {
public:
  explicit RMSprop(double learningRate = 0.001, double rho = 0.9, double momentum = 0,
                   double epsilon = 1e-7);
  RMSprop(Schedule learningRate, double rho = 0.9, double momentum = 0, double epsilon = 1e-7);

protected:
  void applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &step,
                 std::vector<Update> &updates, Loc loc) override;

private:
  double rho_, momentum_, epsilon_;
};

/// Adam (Kingma & Ba) with the bias correction of Keras' implementation.
class Adam : public Optimizer {
public:
  explicit Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-7);
  Adam(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7);

protected:
  void applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &step,
                 std::vector<Update> &updates, Loc loc) override;

private:
  double beta1_, beta2_, epsilon_;
};

} // namespace sinter::optim

#endif

// Optimizers as graph updates: clipping, then each rule's slot updates (Keras' formulas).
#include "sinter/optim/Optimizers.h"

#include <cmath>

namespace sinter::optim {

namespace schedules {
Schedule constant(double rate) {
  return [rate](const Tensor &step) { return scalar(step.graph(), rate); };
}
Schedule exponentialDecay(double rate, double decaySteps, double decay, bool staircase) {
  return [=](const Tensor &step) {
    Tensor p = step / decaySteps;
    if (staircase)
      p = floor(p);
    return rate * pow(scalar(step.graph(), decay), p);
  };
}
Schedule piecewiseConstant(std::vector<double> boundaries, std::vector<double> values) {
  if (values.size() != boundaries.size() + 1)
    throw Error("piecewiseConstant: needs one more value than boundaries");
  return [=](const Tensor &step) {
    Tensor lr = scalar(step.graph(), values.back());
    for (size_t i = boundaries.size(); i-- > 0;)
      lr = where(step <= boundaries[i], scalar(step.graph(), values[i]), lr);
    return lr;
  };
}
} // namespace schedules

namespace {
/// The variable `name` of `g` if it exists (a second train entry, e.g. for the last partial
/// batch, shares the first one's slots and step counter), else a new one.
Variable existingOrNew(Graph &g, const std::string &name, const Tensor &initial, Loc loc) {
  for (const Variable &v : g.variables())
    if (v.name() == name)
      return v;
  return g.variable(name, initial, false, loc);
}
} // namespace

Variable Optimizer::stepCounter(Graph &g, Loc loc) {
  if (step_.valid() && &step_.graph() == &g)
    return step_;
  // Another optimizer of the graph has the name (a GAN's two Adams): this one takes "adam_1".
  auto taken = [&](const std::string &name) {
    for (const Variable &v : g.variables())
      if (v.name() == name + "/step")
        return true;
    return false;
  };
  std::string base = name_;
  for (int k = 1; taken(name_); ++k)
    name_ = base + "_" + std::to_string(k);
  step_ = g.variable(name_ + "/step", zeros(g, {}, DType::F32, loc), false, loc);
  return step_;
}

Variable Optimizer::slot(const Variable &var, const std::string &slotName, Loc loc) {
  return existingOrNew(var.graph(), var.name() + "/" + slotName, zerosLike(var, loc), loc);
}

std::vector<Update> Optimizer::minimize(const Tensor &loss, const std::vector<Variable> &vars,
                                        Loc loc) {
  return applyGradients(gradients(loss, vars, loc), vars, loc);
}

std::vector<Update> Optimizer::applyGradients(const std::vector<Tensor> &grads,
                                              const std::vector<Variable> &vars, Loc loc) {
  if (grads.size() != vars.size())
    throw Error(name_ + ": " + std::to_string(grads.size()) + " gradients for " +
                std::to_string(vars.size()) + " variables");
  if (vars.empty())
    return {};
  Graph &g = vars.front().graph();
  Variable step = stepCounter(g, loc);
  Tensor t = step + 1.0;
  std::vector<Update> updates{{step, t}};
  std::vector<Tensor> clipped = grads;
  if (clipValue_ > 0)
    for (Tensor &gr : clipped)
      gr = minimum(maximum(gr, scalar(g, -clipValue_, gr.dtype(), loc), loc),
                   scalar(g, clipValue_, gr.dtype(), loc), loc);
  if (clipNorm_ > 0)
    for (Tensor &gr : clipped) {
      Tensor norm = sqrt(reduceSum(square(gr, loc), {}, false, loc), loc);
      gr = gr * (clipNorm_ / maximum(norm, scalar(g, clipNorm_, gr.dtype(), loc), loc));
    }
  if (globalClipNorm_ > 0) {
    // The global norm in float32 (the gradients may mix float types).
    Tensor total = scalar(g, 0.0, DType::F32, loc);
    for (const Tensor &gr : clipped) {
      Tensor sq = reduceSum(square(gr, loc), {}, false, loc);
      total = total + (sq.dtype() == DType::F32 ? sq : cast(sq, DType::F32, loc));
    }
    Tensor scale = globalClipNorm_ / maximum(sqrt(total, loc), scalar(g, globalClipNorm_), loc);
    for (Tensor &gr : clipped)
      gr = gr * (gr.dtype() == DType::F32 ? scale : cast(scale, gr.dtype(), loc));
  }
  // As Keras: the learning rate of this update is the schedule at the number of updates
  // done before it (0 for the first one); the rules' bias corrections use t = that + 1.
  Tensor lr = lr_(step);
  for (size_t i = 0; i < vars.size(); ++i) {
    // The rule computes in the variable's type (a float64 variable gets a float64 rate).
    DType dt = vars[i].dtype();
    Tensor lrI = lr.dtype() == dt ? lr : cast(lr, dt, loc);
    Tensor tI = t.dtype() == dt ? t : cast(t, dt, loc);
    applyRule(vars[i], clipped[i], lrI, tI, updates, loc);
  }
  return updates;
}

SGD::SGD(double learningRate, double momentum, bool nesterov)
    : SGD(schedules::constant(learningRate), momentum, nesterov) {}
SGD::SGD(Schedule learningRate, double momentum, bool nesterov)
    : Optimizer("sgd", std::move(learningRate)), momentum_(momentum), nesterov_(nesterov) {}

void SGD::applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &,
                    std::vector<Update> &updates, Loc loc) {
  if (momentum_ == 0) {
    updates.push_back({var, sub(var, mul(lr, grad, loc), loc)});
    return;
  }
  // Keras: v = momentum·v − lr·g; w += v (Nesterov: w += momentum·v − lr·g).
  Variable v = slot(var, "momentum", loc);
  Tensor vNew = momentum_ * v - lr * grad;
  updates.push_back({v, vNew});
  updates.push_back({var, nesterov_ ? var + (momentum_ * vNew - lr * grad) : var + vNew});
}

RMSprop::RMSprop(double learningRate, double rho, double momentum, double epsilon)
    : RMSprop(schedules::constant(learningRate), rho, momentum, epsilon) {}
RMSprop::RMSprop(Schedule learningRate, double rho, double momentum, double epsilon)
    : Optimizer("rmsprop", std::move(learningRate)), rho_(rho), momentum_(momentum),
      epsilon_(epsilon) {}

void RMSprop::applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &,
                        std::vector<Update> &updates, Loc loc) {
  // Keras: ms = rho·ms + (1 − rho)·g²; Δ = lr·g / sqrt(ms + ε).
  Variable ms = slot(var, "rms", loc);
  Tensor msNew = rho_ * ms + (1.0 - rho_) * square(grad, loc);
  updates.push_back({ms, msNew});
  Tensor delta = lr * grad / sqrt(msNew + epsilon_, loc);
  if (momentum_ == 0) {
    updates.push_back({var, var - delta});
    return;
  }
  Variable mom = slot(var, "momentum", loc);
  Tensor momNew = momentum_ * mom + delta;
  updates.push_back({mom, momNew});
  updates.push_back({var, var - momNew});
}

Adam::Adam(double learningRate, double beta1, double beta2, double epsilon)
    : Adam(schedules::constant(learningRate), beta1, beta2, epsilon) {}
Adam::Adam(Schedule learningRate, double beta1, double beta2, double epsilon)
    : Optimizer("adam", std::move(learningRate)), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {}

void Adam::applyRule(const Variable &var, const Tensor &grad, const Tensor &lr, const Tensor &step,
                     std::vector<Update> &updates, Loc loc) {
  Graph &g = var.graph();
  // lr_t = lr·sqrt(1 − β2^t)/(1 − β1^t); w −= lr_t·m / (sqrt(v) + ε̂), as Keras computes it.
  Tensor b1t = pow(scalar(g, beta1_, step.dtype(), loc), step, loc);
  Tensor b2t = pow(scalar(g, beta2_, step.dtype(), loc), step, loc);
  Tensor lrT = lr * (sqrt(1.0 - b2t, loc) / (1.0 - b1t));
  Variable m = slot(var, "m", loc), v = slot(var, "v", loc);
  Tensor mNew = beta1_ * m + (1.0 - beta1_) * grad;
  Tensor vNew = beta2_ * v + (1.0 - beta2_) * square(grad, loc);
  updates.push_back({m, mNew});
  updates.push_back({v, vNew});
  updates.push_back({var, var - lrT * mNew / (sqrt(vNew, loc) + epsilon_)});
}

} // namespace sinter::optim

// SGD and Adam as graph updates.
#include "sinter/Optim.h"

namespace sinter::optim {

std::vector<Update> SGD::minimize(const Tensor &loss, const std::vector<Variable> &vars, Loc loc) {
  std::vector<Tensor> grads = gradients(loss, vars, loc);
  std::vector<Update> updates;
  for (size_t i = 0; i < vars.size(); ++i)
    updates.push_back({vars[i], sub(vars[i], mul(scalar(vars[i].graph(), learningRate_,
                                                        vars[i].dtype(), loc),
                                                 grads[i], loc),
                                    loc)});
  return updates;
}

std::vector<Update> Adam::minimize(const Tensor &loss, const std::vector<Variable> &vars, Loc loc) {
  if (vars.empty())
    return {};
  Graph &g = vars.front().graph();
  std::vector<Tensor> grads = gradients(loss, vars, loc);
  std::vector<Update> updates;
  Variable step = g.variable("adam/step", zeros(g, {}, DType::F32, loc), false, loc);
  Tensor t = step + 1.0;
  updates.push_back({step, t});
  // lr_t = lr·sqrt(1 − β2^t)/(1 − β1^t), as tf.keras.optimizers.Adam computes it.
  Tensor b1t = pow(scalar(g, beta1_, DType::F32, loc), t, loc);
  Tensor b2t = pow(scalar(g, beta2_, DType::F32, loc), t, loc);
  Tensor lrT = learningRate_ * (sqrt(1.0 - b2t, loc) / (1.0 - b1t));
  for (size_t i = 0; i < vars.size(); ++i) {
    const Variable &v = vars[i];
    Variable m = g.variable(v.name() + "/adam_m", zerosLike(v, loc), false, loc);
    Variable s = g.variable(v.name() + "/adam_v", zerosLike(v, loc), false, loc);
    Tensor mNew = beta1_ * m + (1.0 - beta1_) * grads[i];
    Tensor sNew = beta2_ * s + (1.0 - beta2_) * square(grads[i], loc);
    updates.push_back({m, mNew});
    updates.push_back({s, sNew});
    updates.push_back({v, v - lrT * mNew / (sqrt(sNew, loc) + epsilon_)});
  }
  return updates;
}

} // namespace sinter::optim

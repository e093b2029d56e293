// Graph pieces of the policy and value losses the book writes out by hand (chapter 14).
#ifndef SINTER_RL_LOSSES_H
#define SINTER_RL_LOSSES_H

#include "sinter/Ops.h"

namespace sinter::rl {

/// The entry of each row of `values` [b, C] at the column `actions` [b, 1] (int32) names:
/// Q(s, a) or π(a|s) → [b, 1], by gather_nd on (row, action) pairs as the book builds them.
/// `b` must be static (gather_nd's gradient needs a static result).
Tensor pickActions(const Tensor &values, const Tensor &actions, Loc loc = Loc::current());

/// PPO's clipped surrogate (14.3.5): −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A)) with the ratio
/// r = π(a|s) / π_old(a|s); all arguments [b, 1]. `advantage` should not carry gradient
/// (stopGradient).
Tensor clippedSurrogateLoss(const Tensor &probability, const Tensor &oldProbability,
                            const Tensor &advantage, double epsilon, Loc loc = Loc::current());

} // namespace sinter::rl

#endif

// Moving weights between models, as RL needs: a target network that copies the online
// network's variables (DQN: dest.assign(src)), and a worker that pulls the global model's
// values (A3C: client.set_weights(server.get_weights())). Gradients computed by one model and
// applied to another's variables (A3C's push) are optim::Optimizer::applyGradients on gradient
// inputs: see models/ch14_a3c.
#ifndef SINTER_RL_WEIGHTS_H
#define SINTER_RL_WEIGHTS_H

#include "sinter/Graph.h"

#include <string>
#include <vector>

namespace sinter::rl {

/// In the graph: the updates that set each of `targets` to the matching `sources` value (an
/// entry with them copies one network into the other in one call). The lists pair up in
/// order; a count, shape or dtype mismatch is an Error naming both variables.
std::vector<Update> assignUpdates(const std::vector<Variable> &targets,
                                  const std::vector<Variable> &sources, Loc loc = Loc::current());

/// Between sessions (of one program or of two): copies variable `sourceNames[i]` of `from` into
/// `targetNames[i]` of `to`. Shapes and dtypes must match (Error otherwise, nothing copied). The
/// sessions must not be running a call (the caller's lock, see "Threads" in
/// docs/architecture.md).
void copyVariables(const runtime::Session &from, const std::vector<std::string> &sourceNames,
                   runtime::Session &to, const std::vector<std::string> &targetNames);
/// Same names on both sides.
void copyVariables(const runtime::Session &from, runtime::Session &to,
                   const std::vector<std::string> &names);

/// The names of `vars` (for copyVariables).
std::vector<std::string> variableNames(const std::vector<Variable> &vars);

} // namespace sinter::rl

#endif

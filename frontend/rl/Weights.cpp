#include "sinter/rl/Weights.h"

#include <cstring>

namespace sinter::rl {

namespace {

std::string specText(DType dtype, const Shape &shape) {
  return std::string(runtime::dtypeName(dtype)) + " " + shapeString(shape);
}

} // namespace

std::vector<Update> assignUpdates(const std::vector<Variable> &targets,
                                  const std::vector<Variable> &sources, Loc loc) {
  std::string where =
      std::string(loc.file_name()) + ":" + std::to_string(loc.line()) + ": rl::assignUpdates: ";
  if (targets.size() != sources.size())
    throw Error(where + std::to_string(targets.size()) + " targets but " +
                std::to_string(sources.size()) + " sources");
  std::vector<Update> updates;
  for (size_t i = 0; i < targets.size(); ++i) {
    const Variable &t = targets[i], &s = sources[i];
    if (t.shape() != s.shape() || t.dtype() != s.dtype())
      throw Error(where + "'" + t.name() + "' is " + specText(t.dtype(), t.shape()) + " but '" +
                  s.name() + "' is " + specText(s.dtype(), s.shape()));
    updates.push_back({t, s});
  }
  return updates;
}

void copyVariables(const runtime::Session &from, const std::vector<std::string> &sourceNames,
                   runtime::Session &to, const std::vector<std::string> &targetNames) {
  if (sourceNames.size() != targetNames.size())
    throw Error("rl::copyVariables: " + std::to_string(sourceNames.size()) + " sources but " +
                std::to_string(targetNames.size()) + " targets");
  // Check every pair before copying any, so a mismatch leaves `to` as it was.
  std::vector<std::pair<const HostTensor *, HostTensor *>> pairs;
  for (size_t i = 0; i < sourceNames.size(); ++i) {
    const HostTensor &s = from.variable(sourceNames[i]);
    HostTensor &t = to.variable(targetNames[i]);
    if (s.shape() != t.shape() || s.dtype() != t.dtype())
      throw Error("rl::copyVariables: '" + sourceNames[i] + "' is " +
                  specText(s.dtype(), s.shape()) + " but '" + targetNames[i] + "' is " +
                  specText(t.dtype(), t.shape()));
    pairs.push_back({&s, &t});
  }
  for (auto [s, t] : pairs)
    std::memcpy(t->data(), s->data(), s->byteSize());
}

void copyVariables(const runtime::Session &from, runtime::Session &to,
                   const std::vector<std::string> &names) {
  copyVariables(from, names, to, names);
}

std::vector<std::string> variableNames(const std::vector<Variable> &vars) {
  std::vector<std::string> names;
  for (const Variable &v : vars)
    names.push_back(v.name());
  return names;
}

} // namespace sinter::rl

#include "sinter/rl/Losses.h"

#include "sinter/TensorLanguage.h"

namespace sinter::rl {

Tensor pickActions(const Tensor &values, const Tensor &actions, Loc loc) {
  if (values.rank() != 2 || actions.shape() != Shape{values.shape()[0], 1} || values.shape()[0] < 0)
    throw Error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) +
                ": rl::pickActions: needs values [b, C] and actions [b, 1] with a static b, got " +
                shapeString(values.shape()) + " and " + shapeString(actions.shape()));
  Tensor rows = expandDims(
      range(values.graph(), static_cast<double>(values.shape()[0]), actions.dtype(), loc), 1, loc);
  return expandDims(gatherNd(values, concat({rows, actions}, 1, loc), loc), 1, loc);
}

Tensor clippedSurrogateLoss(const Tensor &probability, const Tensor &oldProbability,
                            const Tensor &advantage, double epsilon, Loc loc) {
  Tensor ratio = div(probability, oldProbability, loc);
  Tensor clipped = clipByValue(ratio, 1 - epsilon, 1 + epsilon, loc);
  return neg(reduceMean(minimum(mul(ratio, advantage, loc), mul(clipped, advantage, loc), loc), {},
                        false, loc),
             loc);
}

} // namespace sinter::rl

// The save → nn::Model::load round trip the Keras-style MNIST programs end with (ch08, ch10):
// the loaded model must predict what the trained one does.
#ifndef SINTER_MODELS_COMMON_SAVELOAD_H
#define SINTER_MODELS_COMMON_SAVELOAD_H

#include "sinter/nn/Model.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace sinter::models {

/// Saves `model` at `path` ("-": a temporary file, removed afterwards), loads it back with
/// nn::Model::load and returns the largest |difference| between its predictions of `x` (in
/// batches of `batch`) and `expected` — the trained model's. NaN propagates.
inline double saveLoadMaxDiff(nn::Model &model, std::string path, const HostTensor &x,
                              const HostTensor &expected, int64_t batch) {
  bool keep = path != "-";
  if (!keep)
    path = "/tmp/sinter_" + model.name() + "_" + std::to_string(::getpid()) + ".sinter";
  model.save(path);
  const HostTensor after = nn::Model::load(path)->predict(x, batch);
  if (keep)
    std::printf("saved %s\n", path.c_str());
  else
    std::remove(path.c_str());
  double worst = 0;
  auto a = expected.as<float>(), b = after.as<float>();
  for (size_t i = 0; i < a.size(); ++i) {
    double d = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    if (!(d <= worst))
      worst = d;
  }
  return worst;
}

} // namespace sinter::models

#endif

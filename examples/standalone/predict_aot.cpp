// The linear model of train_graph, its `predict` compiled ahead of time at build time
// (sinter_compile_model in CMakeLists.txt) and linked into this program: the typed class of
// the generated header, on Sinter's runtime alone. Prints predictions for x = -1, 0, 1.
// predict_standalone builds it against the model compiled STANDALONE, whose header
// LINEAR_MODEL_HEADER names: the same class, no runtime library.
#ifndef LINEAR_MODEL_HEADER
#define LINEAR_MODEL_HEADER "linear_model.h"
#endif
#include LINEAR_MODEL_HEADER

#include <cmath>
#include <cstdio>

int main() try {
  LinearModel model;
  auto predict = model.predict();
  predict.setBatch(3);
  float *x = static_cast<float *>(predict.arg(0));
  x[0] = -1.0f;
  x[1] = 0.0f;
  x[2] = 1.0f;
  predict.run();
  const float *y = static_cast<const float *>(predict.result(0));
  bool right = true;
  for (int i = 0; i < 3; ++i) {
    float expected = 1.477f * x[i] + 0.089f;
    std::printf("x = %+.1f  y = %.4f  (1.477 x + 0.089 = %.4f)\n", x[i], y[i], expected);
    right = right && std::fabs(y[i] - expected) < 0.05f;
  }
  return right ? 0 : 1;
} catch (const std::exception &e) {
  std::fprintf(stderr, "predict_aot: %s\n", e.what());
  return 1;
}

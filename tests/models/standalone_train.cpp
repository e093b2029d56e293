// One training entry of LeNet-5 (convolutions, max pooling and their gradients, Adam) compiled
// ahead of time, built both ways by standalone_train.sh: the same program links either the
// runtime (oneDNN) or libsinter_standalone (generated code and plain loops only). It runs 30
// steps on one fixed batch and prints each step's loss; it fails if the loss does not fall.
#include TRAIN_HEADER

#include <cmath>
#include <cstdio>

int main() try {
  LenetModel model;
  auto step = model.train_step();
  const int64_t batch = 32;
  step.setBatch(batch);
  for (int64_t i = 0; i < batch; ++i) {
    int64_t label = i % 10;
    // Each class a different pattern of stripes: learnable within a few steps.
    for (int64_t p = 0; p < 28 * 28; ++p) {
      int64_t row = p / 28, col = p % 28;
      step.arg_x()[i * 784 + p] =
          ((row + label * col) % (label + 2) == 0 ? 1.0f : 0.0f) + 0.01f * float((i * 7 + p) % 5);
    }
    for (int64_t c = 0; c < 10; ++c)
      step.arg_y()[i * 10 + c] = c == label ? 1.0f : 0.0f;
  }
  float first = 0, last = 0;
  for (int s = 0; s < 30; ++s) {
    step.run();
    last = *step.result_loss();
    if (s == 0)
      first = last;
    std::printf("step %d loss %.6f\n", s, last);
  }
  if (!std::isfinite(last) || !(last < 0.5f * first)) {
    std::fprintf(stderr, "standalone_train: the loss went from %f to %f\n", first, last);
    return 1;
  }
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "standalone_train: %s\n", e.what());
  return 1;
}

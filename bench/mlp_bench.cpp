// Sinter side of the MLP benchmark (bench/run.sh; the PyTorch peer is bench/pytorch_mlp.py):
// the 784-256-128-10 ReLU MLP with softmax cross-entropy and SGD (lr 0.01), built with the
// public graph API and compiled into one program with three entry points:
//   train_step    x [128, 784], y one-hot [128, 10] -> loss; updates the weights in place
//   predict_b1    x [1, 784]   -> logits [1, 10]
//   predict_b128  x [128, 784] -> logits [128, 10]
// Each is timed through Program::call (raw buffers, no allocation): the median (BENCH_STAT=mean:
// the mean, bench/Timing.h) over about --seconds seconds after a warm-up. Prints, like
// pytorch_mlp.py,
//   mlp_train_b128 steps_per_s=...
//   mlp_infer_b1 us=...
//   mlp_infer_b128 us=...
// and then compile_seconds=... (all phases, object emission and linking of the program).
#include "sinter/sinter.h"

#include "Timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace sinter;
using bench::measure;
using bench::perCall;

namespace {

/// Dense layer weights with Glorot-uniform initialisation, zero bias.
struct Dense {
  Variable w, b;
  Dense(Graph &g, const std::string &name, int64_t in, int64_t out, int64_t seed) {
    double limit = std::sqrt(6.0 / double(in + out));
    w = g.variable(name + "/w", random::uniform(g, {in, out}, -limit, limit, seed));
    b = g.variable(name + "/b", zeros(g, {out}));
  }
  Tensor operator()(const Tensor &x) const { return matmul(x, w) + b; }
};

void usage(const char *argv0) {
  std::fprintf(stderr, "usage: %s [--seconds S]   (measuring time per workload, default 2.5)\n",
               argv0);
}

} // namespace

int main(int argc, char **argv) try {
  double seconds = 2.5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      usage(argv[0]);
      return 2;
    }
  }

  // The model and its three entry points.
  Graph g;
  Dense l1(g, "dense1", 784, 256, 1), l2(g, "dense2", 256, 128, 2), l3(g, "dense3", 128, 10, 3);
  auto forward = [&](const Tensor &x) { return l3(relu(l2(relu(l1(x))))); };

  Tensor x = g.input("x", {128, 784});
  Tensor y = g.input("y", {128, 10});
  Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, forward(x)));
  std::vector<Update> updates = optim::SGD(0.01).minimize(loss, g.trainableVariables());
  Tensor x1 = g.input("x_b1", {1, 784});
  Tensor x128 = g.input("x_b128", {128, 784});

  Program program = g.compile({
      Entry{"train_step", {x, y}, {loss}, updates, {"loss"}},
      Entry{"predict_b1", {x1}, {forward(x1)}, {}, {"logits"}},
      Entry{"predict_b128", {x128}, {forward(x128)}, {}, {"logits"}},
  });

  // Inputs as in pytorch_mlp.py: uniform [0, 1) pixels, random labels (one-hot here).
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::uniform_int_distribution<int> label(0, 9);
  HostTensor xs(DType::F32, {128, 784}), ys(DType::F32, {128, 10}), lossOut(DType::F32, {});
  HostTensor xb1(DType::F32, {1, 784}), out1(DType::F32, {1, 10}), out128(DType::F32, {128, 10});
  for (float &v : xs.as<float>())
    v = pixel(rng);
  for (float &v : xb1.as<float>())
    v = pixel(rng);
  std::fill(ys.as<float>().begin(), ys.as<float>().end(), 0.0f);
  for (int64_t i = 0; i < 128; ++i)
    ys.as<float>()[i * 10 + label(rng)] = 1.0f;

  // (1) training step, batch 128.
  int train = program.entryIndex("train_step");
  float firstLoss = NAN;
  auto step = [&] { program.call(train, {xs.data(), ys.data()}, {lossOut.data()}); };
  step();
  firstLoss = lossOut.as<float>()[0];
  std::vector<double> t = measure(step, seconds);
  float lastLoss = lossOut.as<float>()[0];
  std::printf("mlp_train_b128 steps_per_s=%.1f\n", 1.0 / perCall(t));
  std::fflush(stdout);
  if (!std::isfinite(lastLoss) || !(lastLoss < firstLoss)) {
    std::fprintf(stderr, "bench_mlp: training did not reduce the loss (%g -> %g)\n", firstLoss,
                 lastLoss);
    return 1;
  }

  // (2), (3) inference latency, batch 1 and 128.
  int p1 = program.entryIndex("predict_b1"), p128 = program.entryIndex("predict_b128");
  t = measure([&] { program.call(p1, {xb1.data()}, {out1.data()}); }, seconds, 50);
  std::printf("mlp_infer_b1 us=%.1f\n", perCall(t) * 1e6);
  std::fflush(stdout);
  t = measure([&] { program.call(p128, {xs.data()}, {out128.data()}); }, seconds, 50);
  std::printf("mlp_infer_b128 us=%.1f\n", perCall(t) * 1e6);
  std::printf("compile_seconds=%.2f\n", program.compileSeconds());
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_mlp: error: %s\n", e.what());
  return 1;
}

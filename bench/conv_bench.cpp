// Sinter side of the convolution benchmark (bench/run.sh; the PyTorch peer is
// bench/pytorch_conv.py):
//   lenet5_train_b128  the book's LeNet-5 (10.4) training step on [128, 28, 28, 1] images:
//                      softmax cross-entropy, Adam(1e-3), weights updated in place (steps/s)
//   lenet5_infer_b100  its inference on a batch of 100 (microseconds per image)
//   conv3x3_step       one 3x3 convolution [32, 32, 32, 64] -> 64 channels, "same": forward,
//                      and the input and filter gradients of a loss Σ y·dy, in one compiled
//                      entry, against the same three oneDNN primitives called alone on the
//                      same shapes (weights already in the primitives' layouts: the ideal)
// Each is the median over about --seconds seconds after a warm-up. Prints
//   WORKLOAD steps_per_s=... | us=... | us=... onednn_us=... fraction=...
// and compile_seconds=... of the LeNet-5 program. With --resnet18 instead (a process of its
// own, so that its peak memory is its own):
//   resnet18_train_b32 steps_per_s=... compile_seconds=... peak_rss_mb=...
// the book's ResNet-18 (models/common/ResNet.h) training step on [32, 32, 32, 3], softmax
// cross-entropy, Adam(1e-4).
#include "sinter/nn/Model.h"

#include "Timing.h"

#include "../models/common/ResNet.h"

#include <sys/resource.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unordered_map>

using namespace sinter;
using bench::measure;
using bench::median;

namespace {

void usage(const char *argv0) {
  std::fprintf(
      stderr, "usage: %s [--seconds S] [--resnet18]   (measuring time per workload, default 2.5)\n",
      argv0);
}

void fillUniform(HostTensor &t, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float &v : t.as<float>())
    v = u(rng);
}

/// The three primitives of a 3x3 "same" convolution on NHWC data, run by oneDNN alone: the
/// microseconds of forward + backward data + backward weights.
double onednnConvStep(int64_t n, int64_t hw, int64_t c, int64_t k, double seconds) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::desc src({n, c, hw, hw}, dt::f32, tag::nhwc), dst({n, k, hw, hw}, dt::f32, tag::nhwc);
  memory::desc anyWeights({k, c, 3, 3}, dt::f32, tag::any);
  memory::dims strides{1, 1}, pad{1, 1};
  convolution_forward::primitive_desc fwd(
      convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src,
                                anyWeights, dst, strides, pad, pad),
      eng);
  convolution_backward_data::primitive_desc bwdData(
      convolution_backward_data::desc(algorithm::convolution_direct, src, anyWeights, dst, strides,
                                      pad, pad),
      eng, fwd);
  convolution_backward_weights::primitive_desc bwdWeights(
      convolution_backward_weights::desc(algorithm::convolution_direct, src, anyWeights, dst,
                                         strides, pad, pad),
      eng, fwd);
  memory x(src, eng), y(dst, eng), dy(dst, eng), dx(src, eng);
  memory w(fwd.weights_desc(), eng), wData(bwdData.weights_desc(), eng),
      dw(bwdWeights.diff_weights_desc(), eng);
  for (memory *m : {&x, &y, &dy, &dx, &w, &wData, &dw})
    std::memset(m->get_data_handle(), 0, m->get_desc().get_size());
  convolution_forward f(fwd);
  convolution_backward_data bd(bwdData);
  convolution_backward_weights bw(bwdWeights);
  auto step = [&] {
    f.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}});
    bd.execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, wData}, {DNNL_ARG_DIFF_SRC, dx}});
    bw.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
    s.wait();
  };
  return median(measure(step, seconds)) * 1e6;
}

/// The ResNet-18 training step: steps/s, compile time and the process's peak resident memory.
void resnet18(double seconds) {
  Graph g;
  models::ResNet net;
  Tensor x = g.input("x", {32, 32, 32, 3}), y = g.input("y", {32, 10});
  Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, net(x, true)));
  std::vector<Update> updates = optim::Adam(1e-4).minimize(loss, net.trainableVariables());
  for (const Update &u : net.updates())
    updates.push_back(u);
  Program program = g.compile({Entry{"train_step", {x, y}, {loss}, updates, {"loss"}}});
  HostTensor xs(DType::F32, {32, 32, 32, 3}), ys(DType::F32, {32, 10}), lossOut(DType::F32, {});
  fillUniform(xs, 0, 1, 5);
  std::fill(ys.as<float>().begin(), ys.as<float>().end(), 0.0f);
  for (int64_t i = 0; i < 32; ++i)
    ys.as<float>()[i * 10 + i % 10] = 1.0f;
  int train = program.entryIndex("train_step");
  auto step = [&] { program.call(train, {xs.data(), ys.data()}, {lossOut.data()}); };
  double perStep = median(measure(step, seconds, /*warmup=*/2, /*minReps=*/5));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("resnet18_train_b32 steps_per_s=%.2f compile_seconds=%.1f peak_rss_mb=%.0f\n",
              1.0 / perStep, program.compileSeconds(), usage.ru_maxrss / 1024.0);
}

} // namespace

int main(int argc, char **argv) try {
  double seconds = 2.5;
  bool resnet = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--resnet18")) {
      resnet = true;
    } else {
      usage(argv[0]);
      return 2;
    }
  }

  if (resnet) {
    resnet18(seconds);
    return 0;
  }

  // (1), (2) LeNet-5: a training step of batch 128, inference of batch 100.
  Graph g;
  nn::Sequential lenet({nn::Conv2D(6, {3, 3}), nn::MaxPool2D({2, 2}, Size2{2, 2}), nn::ReLU(),
                        nn::Conv2D(16, {3, 3}), nn::MaxPool2D({2, 2}, Size2{2, 2}), nn::ReLU(),
                        nn::Flatten(), nn::Dense(120, "relu"), nn::Dense(84, "relu"),
                        nn::Dense(10)});
  Tensor x = g.input("x", {128, 28, 28, 1}), y = g.input("y", {128, 10});
  Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, lenet(x, true)));
  std::vector<Update> updates = optim::Adam(1e-3).minimize(loss, lenet.trainableVariables());
  Tensor x100 = g.input("x_b100", {100, 28, 28, 1});
  Program program = g.compile({Entry{"train_step", {x, y}, {loss}, updates, {"loss"}},
                               Entry{"predict", {x100}, {lenet(x100)}, {}, {"logits"}}});

  HostTensor xs(DType::F32, {128, 28, 28, 1}), ys(DType::F32, {128, 10}), lossOut(DType::F32, {});
  fillUniform(xs, 0, 1, 0);
  std::fill(ys.as<float>().begin(), ys.as<float>().end(), 0.0f);
  for (int64_t i = 0; i < 128; ++i)
    ys.as<float>()[i * 10 + i % 10] = 1.0f;
  int train = program.entryIndex("train_step");
  auto step = [&] { program.call(train, {xs.data(), ys.data()}, {lossOut.data()}); };
  step();
  float firstLoss = lossOut.as<float>()[0];
  std::printf("lenet5_train_b128 steps_per_s=%.1f\n", 1.0 / median(measure(step, seconds)));
  std::fflush(stdout);
  if (!(lossOut.as<float>()[0] < firstLoss)) {
    std::fprintf(stderr, "bench_conv: training did not reduce the loss\n");
    return 1;
  }
  HostTensor xb(DType::F32, {100, 28, 28, 1}), logits(DType::F32, {100, 10});
  fillUniform(xb, 0, 1, 1);
  int predict = program.entryIndex("predict");
  double us =
      median(measure([&] { program.call(predict, {xb.data()}, {logits.data()}); }, seconds)) * 1e6;
  std::printf("lenet5_infer_b100 us_per_image=%.2f\n", us / 100);
  std::fflush(stdout);

  // (3) One 3x3 convolution's forward and backward in a compiled entry, against oneDNN alone.
  const int64_t n = 32, hw = 32, c = 64, k = 64;
  Graph cg;
  Tensor cx = cg.input("x", {n, hw, hw, c}), cw = cg.input("w", {3, 3, c, k});
  Tensor cdy = cg.input("dy", {n, hw, hw, k});
  Tensor cy = conv2d(cx, cw, {1, 1}, "same");
  std::vector<Tensor> grads = gradients(reduceSum(cy * cdy), {cx, cw});
  Program conv = cg.compile({Entry{"step", {cx, cw, cdy}, {cy, grads[0], grads[1]}}});
  HostTensor hx(DType::F32, {n, hw, hw, c}), hw3(DType::F32, {3, 3, c, k}),
      hdy(DType::F32, {n, hw, hw, k}), oy(DType::F32, {n, hw, hw, k}),
      odx(DType::F32, {n, hw, hw, c}), odw(DType::F32, {3, 3, c, k});
  fillUniform(hx, -1, 1, 2);
  fillUniform(hw3, -0.1f, 0.1f, 3);
  fillUniform(hdy, -1, 1, 4);
  int convStep = conv.entryIndex("step");
  double sinterUs = median(measure(
                        [&] {
                          conv.call(convStep, {hx.data(), hw3.data(), hdy.data()},
                                    {oy.data(), odx.data(), odw.data()});
                        },
                        seconds)) *
                    1e6;
  double onednnUs = onednnConvStep(n, hw, c, k, seconds);
  std::printf("conv3x3_step us=%.0f onednn_us=%.0f fraction=%.2f\n", sinterUs, onednnUs,
              onednnUs / sinterUs);
  std::printf("compile_seconds=%.2f\n", program.compileSeconds());
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_conv: error: %s\n", e.what());
  return 1;
}

// Sinter side of the elementwise benchmark (bench/run.sh; the PyTorch peer is
// bench/pytorch_elementwise.py), where operator fusion should show:
//   ew_chain_4m        a chain of 10 elementwise ops on 4M (4,194,304) floats:
//                        t = max((x*1.5 + 0.5)*x - 0.25, -1);  u = exp(tanh(t)*0.5) - x;  y = u*u
//                      (mul add mul sub max tanh mul exp sub mul; the same formula as the peer)
//   softmax_4096x1000  softmax over the last axis of a [4096, 1000] tensor (the softmax composite)
//   softmax_generated_4096x1000  the same written with primitives (max, sub, exp, sum, div):
//                      generated loops end to end
//   reduce_rows_4096x1000      sum over the last axis of a [4096, 1000] tensor
//   transpose_4096x1000        a [4096, 1000] tensor transposed to [1000, 4096]
// Each is one compiled entry point timed through Program::call (raw buffers, no allocation):
// the median (BENCH_STAT=mean: the mean, bench/Timing.h) over about --seconds seconds after a
// warm-up. Prints
//   ew_chain_4m us=...
//   softmax_4096x1000 us=...   (and one line per further workload)
//   compile_seconds=...
// and checks a few outputs against a scalar reference on the host.
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
#include <vector>

using namespace sinter;
using bench::measure;
using bench::perCall;

namespace {

constexpr int64_t kN = 4 * 1024 * 1024, kRows = 4096, kCols = 1000;

float chainReference(float x) {
  float t = std::max((x * 1.5f + 0.5f) * x - 0.25f, -1.0f);
  float u = std::exp(std::tanh(t) * 0.5f) - x;
  return u * u;
}

} // namespace

int main(int argc, char **argv) try {
  const double seconds = bench::secondsFlag(argc, argv);

  Graph g;
  Tensor x = g.input("x", {kN});
  Tensor t = maximum((x * 1.5 + 0.5) * x - 0.25, scalar(g, -1.0));
  Tensor u = exp(tanh(t) * 0.5) - x;
  Tensor chain = u * u;
  Tensor logits = g.input("logits", {kRows, kCols});
  Tensor shifted = logits - reduceMax(logits, {1}, /*keepdims=*/true);
  Tensor e = exp(shifted);
  Tensor generatedSoftmax = e / reduceSum(e, {1}, /*keepdims=*/true);
  Program program = g.compile({{"ew_chain", {x}, {chain}, {}, {"y"}},
                               {"softmax", {logits}, {softmax(logits)}, {}, {"probs"}},
                               {"softmax_generated", {logits}, {generatedSoftmax}, {}, {"probs"}},
                               {"reduce_rows", {logits}, {reduceSum(logits, {1})}, {}, {"sums"}},
                               {"transpose", {logits}, {transpose(logits, {1, 0})}, {}, {"t"}}});

  // Inputs as in pytorch_elementwise.py: uniform [-1, 1) and standard normal.
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  HostTensor xs(DType::F32, {kN}), ys(DType::F32, {kN});
  HostTensor ls(DType::F32, {kRows, kCols}), ps(DType::F32, {kRows, kCols});
  for (float &v : xs.as<float>())
    v = uni(rng);
  for (float &v : ls.as<float>())
    v = normal(rng);

  HostTensor gs(DType::F32, {kRows, kCols}), sums(DType::F32, {kRows});
  HostTensor ts(DType::F32, {kCols, kRows});
  int ew = program.entryIndex("ew_chain"), sm = program.entryIndex("softmax"),
      smg = program.entryIndex("softmax_generated"), rr = program.entryIndex("reduce_rows"),
      tr = program.entryIndex("transpose");
  auto runChain = [&] { program.call(ew, {xs.data()}, {ys.data()}); };
  auto runSoftmax = [&] { program.call(sm, {ls.data()}, {ps.data()}); };
  auto runGenerated = [&] { program.call(smg, {ls.data()}, {gs.data()}); };
  auto runReduce = [&] { program.call(rr, {ls.data()}, {sums.data()}); };
  auto runTranspose = [&] { program.call(tr, {ls.data()}, {ts.data()}); };

  // Correctness first (a fast wrong answer is no benchmark).
  runChain();
  runSoftmax();
  runGenerated();
  runReduce();
  runTranspose();
  for (int64_t r : {int64_t(0), int64_t(1234), kRows - 1}) {
    double sum = 0;
    for (int64_t c = 0; c < kCols; ++c) {
      float v = ls.as<float>()[r * kCols + c];
      sum += v;
      bool ok = ts.as<float>()[c * kRows + r] == v &&
                std::fabs(gs.as<float>()[r * kCols + c] - ps.as<float>()[r * kCols + c]) < 1e-5f;
      if (!ok) {
        std::fprintf(stderr,
                     "bench_elementwise: transpose or generated softmax wrong at (%lld, %lld)\n",
                     (long long)r, (long long)c);
        return 1;
      }
    }
    if (std::fabs(sums.as<float>()[r] - sum) > 1e-3 * (1 + std::fabs(sum))) {
      std::fprintf(stderr, "bench_elementwise: row sum %lld = %g, expected %g\n", (long long)r,
                   sums.as<float>()[r], sum);
      return 1;
    }
  }
  for (int64_t i : {int64_t(0), int64_t(12345), kN - 1}) {
    float want = chainReference(xs.as<float>()[i]), got = ys.as<float>()[i];
    if (!(std::fabs(got - want) <= 1e-5f + 1e-4f * std::fabs(want))) {
      std::fprintf(stderr, "bench_elementwise: chain[%lld] = %g, expected %g\n", (long long)i, got,
                   want);
      return 1;
    }
  }
  for (int64_t r : {int64_t(0), kRows - 1}) {
    double sum = 0;
    for (int64_t c = 0; c < kCols; ++c)
      sum += ps.as<float>()[r * kCols + c];
    if (std::fabs(sum - 1.0) > 1e-4) {
      std::fprintf(stderr, "bench_elementwise: softmax row %lld sums to %g\n", (long long)r, sum);
      return 1;
    }
  }

  std::printf("ew_chain_4m us=%.1f\n", perCall(measure(runChain, seconds, 5, 10)) * 1e6);
  std::fflush(stdout);
  std::printf("softmax_4096x1000 us=%.1f\n", perCall(measure(runSoftmax, seconds, 5, 10)) * 1e6);
  std::fflush(stdout);
  std::printf("softmax_generated_4096x1000 us=%.1f\n",
              perCall(measure(runGenerated, seconds, 5, 10)) * 1e6);
  std::fflush(stdout);
  std::printf("reduce_rows_4096x1000 us=%.1f\n", perCall(measure(runReduce, seconds, 5, 10)) * 1e6);
  std::fflush(stdout);
  std::printf("transpose_4096x1000 us=%.1f\n",
              perCall(measure(runTranspose, seconds, 5, 10)) * 1e6);
  std::printf("compile_seconds=%.2f\n", program.compileSeconds());
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_elementwise: error: %s\n", e.what());
  return 1;
}

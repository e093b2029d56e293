// Book chapter 11.6: vanishing and exploding gradients. The powers of the book's 2×2 matrices
// W = ones and W = 0.4·ones (their eigenvalues, 0 and 2 or 0.8, decide whether ‖Wⁿ‖ grows or
// vanishes), then gradient clipping: clip_by_value, clip_by_norm (a tensor of norm 5.380655
// clipped to 5.0, the book's example) and clip_by_global_norm (two tensors of global norm
// 4.1547523 clipped to 2.0), and clipping by global norm between the gradients and the update
// inside a compiled training step (11.6.1). Prints each check; the last line is
//   checks=N failed=F
// and the exit status is 1 when a check fails.
#include "sinter/sinter.h"

#include "../common/Checks.h"
#include "../common/Cli.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace sinter;
using models::checkShape;
using models::report;

namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", v);
  return text;
}

double scalarOf(const Tensor &t) { return t.value().as<float>()[0]; }

bool near(double a, double b, double tol = 1e-5) {
  return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

/// Eigenvalues of the symmetric 2×2 matrix [[a, b], [b, d]] in increasing order (tf.linalg.eigh).
std::pair<double, double> eigenvalues2x2(double a, double b, double d) {
  double mean = (a + d) / 2, radius = std::sqrt((a - d) * (a - d) / 4 + b * b);
  return {mean - radius, mean + radius};
}

/// ‖Wⁿ‖ for n = 1 … 11 (the book multiplies W into x eleven times and plots the norm).
std::vector<double> powerNorms(Graph &g, double scale) {
  Tensor w = fill(g, {2, 2}, scale), x = w;
  std::vector<Tensor> norms{norm(x)};
  for (int n = 2; n <= 11; ++n) {
    x = matmul(x, w);
    norms.push_back(norm(x));
  }
  std::vector<double> out;
  for (const Tensor &t : norms)
    out.push_back(scalarOf(t));
  return out;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv, {}, "");
  try {
    Graph g;
    // 11.6: W = ones([2, 2]) has eigenvalues [0, 2]: ‖Wⁿ‖ = 2ⁿ explodes; 0.4·W has [0, 0.8]:
    // ‖Wⁿ‖ = 2·0.8ⁿ vanishes.
    for (double scale : {1.0, 0.4}) {
      auto [lo, hi] = eigenvalues2x2(scale, scale, scale);
      report("eigenvalues of " + number(scale) + "·ones([2,2]) = [0, " + number(2 * scale) + "]",
             near(lo, 0) && near(hi, 2 * scale), "[" + number(lo) + ", " + number(hi) + "]");
      std::vector<double> norms = powerNorms(g, scale);
      bool ok = true;
      std::string shown;
      for (size_t n = 1; n <= norms.size(); ++n) {
        ok = ok && near(norms[n - 1], std::pow(hi, static_cast<double>(n)), 1e-4);
        if (n == 1 || n == 5 || n == 11)
          shown += (shown.empty() ? "" : ", ") +
                   ("n=" + std::to_string(n) + ": " + number(norms[n - 1]));
      }
      report("‖Wⁿ‖ = " + number(hi) + "ⁿ for n = 1..11 (" + (hi > 1 ? "explodes" : "vanishes") +
                 ")",
             ok, shown);
    }

    // 11.6.1: clip_by_value(a, 0.4, 0.6) on uniform [2, 2].
    Tensor a = random::uniform(g, {2, 2}, 0, 1, 11);
    HostTensor clipped = clipByValue(a, 0.4, 0.6).value();
    bool inRange = true;
    for (float v : clipped.as<float>())
      inRange = inRange && v >= 0.4f && v <= 0.6f;
    report("clip_by_value(uniform [2,2], 0.4, 0.6) lies in [0.4, 0.6]", inRange, "");

    // clip_by_norm: a [2, 2] tensor scaled to the book's norm 5.380655, clipped to 5.
    Tensor r = random::normal(g, {2, 2}, 0, 1, 12);
    Tensor w = r * (5.380655 / scalarOf(norm(r)));
    double before = scalarOf(norm(w)), after = scalarOf(norm(clipByNorm(w, 5)));
    report("clip_by_norm(a, 5): norm 5.380655 -> 5.0", near(before, 5.380655) && near(after, 5.0),
           number(before) + " -> " + number(after));
    // A norm under the threshold is left alone.
    report("clip_by_norm(a, 6) leaves a norm of 5.380655 alone",
           near(scalarOf(norm(clipByNorm(w, 6))), 5.380655), "");

    // clip_by_global_norm([w1, w2], 2): global norm 4.1547523 -> 2.0, directions kept.
    Tensor w1 = random::normal(g, {3, 3}, 0, 1, 13), w2 = random::normal(g, {3}, 0, 1, 14);
    Tensor global = sqrt(square(norm(w1)) + square(norm(w2)));
    double k = 4.1547523 / scalarOf(global);
    w1 = w1 * k;
    w2 = w2 * k;
    ClippedTensors c = clipByGlobalNorm({w1, w2}, 2);
    double globalBefore = scalarOf(c.globalNorm);
    double globalAfter = scalarOf(sqrt(square(norm(c.tensors[0])) + square(norm(c.tensors[1]))));
    double ratio = scalarOf(c.tensors[0](0, 0)) / scalarOf(w1(0, 0));
    report("clip_by_global_norm([w1, w2], 2): 4.1547523 -> 2.0",
           near(globalBefore, 4.1547523) && near(globalAfter, 2.0),
           number(globalBefore) + " -> " + number(globalAfter));
    report("each tensor scaled by 2 / 4.1547523", near(ratio, 2 / 4.1547523), number(ratio));

    // In a compiled training step: gradients, clip by global norm 25, SGD update. The
    // loss is scaled so that the raw gradients are large (their global norm is printed).
    Graph step;
    Tensor x = step.input("x", {8, 4});
    Variable v1 = step.variable("w1", random::normal(step, {4, 16}, 0, 1, 21));
    Variable v2 = step.variable("w2", random::normal(step, {16, 1}, 0, 1, 22));
    Tensor loss = 100.0 * reduceMean(square(matmul(tanh(matmul(x, v1)), v2) - 3.0));
    std::vector<Tensor> grads = gradients(loss, {v1, v2});
    ClippedTensors gc = clipByGlobalNorm(grads, 25);
    Tensor clippedNorm = sqrt(square(norm(gc.tensors[0])) + square(norm(gc.tensors[1])));
    Program p =
        step.compile({{"train",
                       {x},
                       {loss, gc.globalNorm, clippedNorm},
                       {{v1, v1 - 0.01 * gc.tensors[0]}, {v2, v2 - 0.01 * gc.tensors[1]}}}});
    HostTensor xv(DType::F32, {8, 4});
    for (int64_t i = 0; i < 32; ++i)
      xv.as<float>()[i] = static_cast<float>(std::sin(0.7 * i));
    auto out = p.run("train", {xv});
    double raw = out[1].as<float>()[0], kept = out[2].as<float>()[0];
    report("compiled step: clip_by_global_norm(grads, 25) between gradient and update",
           raw > 25 && near(kept, 25, 1e-4), "global norm " + number(raw) + " -> " + number(kept));
    auto second = p.run("train", {xv});
    report("the clipped update lowers the loss", second[0].as<float>()[0] < out[0].as<float>()[0],
           number(out[0].as<float>()[0]) + " -> " + number(second[0].as<float>()[0]));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return models::finishChecks();
}

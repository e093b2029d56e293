// Book section 7.8: gradient descent on Himmelblau's function
// f(x, y) = (x² + y − 11)² + (x + y² − 7)² from four starting points (lr 0.01, 200 steps).
// The four minima the book lists come out: (3.58, −1.84), (3, 2), (−3.77, −3.28), (−2.80, 3.13).
// All four descents run at once: one compiled step updates a [4, 2] variable of points.
#include "sinter/sinter.h"

#include "../common/Cli.h"

#include <cmath>
#include <cstdio>

int main(int argc, char **argv) {
  using namespace sinter;
  models::Cli cli(argc, argv, {{"--epochs", "200"}, {"--quick", ""}}, "[--epochs STEPS] [--quick]");
  long steps = cli.on("--quick") ? 200 : cli.integer("--epochs"); // 200 steps are already quick
  try {
    Graph g;
    Variable p =
        g.variable("points", constant(g, {{4., 0.}, {1., 0.}, {-4., 0.}, {-2., 2.}}, DType::F64));
    Tensor x = p(S(_, _), 0), y = p(S(_, _), 1);
    Tensor f = square(square(x) + y - 11.0) + square(x + square(y) - 7.0); // one f per point
    Tensor grad = gradients(reduceSum(f), {p})[0]; // the points are independent
    Program program = g.compile({{"step", {}, {f}, {{p, p - 0.01 * grad}}, {"f"}}});

    HostTensor lastF;
    for (long s = 0; s < steps; ++s) {
      lastF = program.run("step", {})[0];
      if (s % 20 == 19)
        std::printf("step %ld: f = [%.3g %.3g %.3g %.3g]\n", s, lastF.as<double>()[0],
                    lastF.as<double>()[1], lastF.as<double>()[2], lastF.as<double>()[3]);
    }
    auto pts = program.variable("points").as<double>();
    const char *starts[] = {"(4,0)", "(1,0)", "(-4,0)", "(-2,2)"};
    double worst = 0;
    for (int i = 0; i < 4; ++i) {
      std::printf("start %-7s -> minimum (%.6f, %.6f)\n", starts[i], pts[2 * i], pts[2 * i + 1]);
      worst = std::max(worst, std::abs(lastF.as<double>()[i]));
    }
    std::printf("min1=%.4f,%.4f min2=%.4f,%.4f min3=%.4f,%.4f min4=%.4f,%.4f max_f=%.3g\n", pts[0],
                pts[1], pts[2], pts[3], pts[4], pts[5], pts[6], pts[7], worst);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Book 14.4: the optimal values of the 3x4 maze by value iteration, as a compiled step. States
// s(x, y) with x = 1…4 (columns) and y = 1…3 (rows); s(2, 2) is a wall; s(4, 3) (+10) and s(4, 2)
// (−10) end the episode and are worth their reward; every move costs −1 and a move into a wall
// or off the grid stays put; γ = 0.9. One call of "sweep" computes
//   Q(s, a) = −1 + γ·V(next(s, a))   (next as one-hot transition matrices, one matmul per action)
//   V(s) ← max_a Q(s, a)             (terminal states keep their reward)
// and the host calls it until V stops changing. The book's numbers: V*(s(3,3)) = 8,
// V*(s(2,1)) = 3.122, Q*(s(2,1), right) = 3.122, Q*(s(2,1), left) = 0.629.
#include "sinter/Program.h"
#include "sinter/TensorLanguage.h"

#include "../common/Cli.h"

#include <cmath>
#include <cstdio>

using namespace sinter;
using namespace sinter::models;

namespace {

constexpr int kWidth = 4, kHeight = 3, kStates = kWidth * kHeight, kActions = 4;
const char *const kActionNames[kActions] = {"up", "down", "left", "right"};

int index(int x, int y) { return (y - 1) * kWidth + (x - 1); }
bool wall(int x, int y) { return x == 2 && y == 2; }
bool terminal(int x, int y) { return x == 4 && (y == 3 || y == 2); }
double terminalValue(int x, int y) { return y == 3 ? 10 : -10; }

} // namespace

int main(int argc, char **argv) {
  Cli cli(argc, argv, {{"--gamma", "0.9"}, {"--max-sweeps", "1000"}},
          "[--gamma G] [--max-sweeps N]");
  try {
    const double gamma = cli.real("--gamma");
    const long maxSweeps = cli.integer("--max-sweeps");
    if (!(gamma >= 0 && gamma < 1) || maxSweeps < 1)
      throw Error("--gamma must be in [0, 1) and --max-sweeps positive");
    // next[a][s][s'] = 1 where action a leads from s to s'; fixed[s] = 1 for walls and exits.
    std::vector<float> next(kActions * kStates * kStates, 0.0f), fixed(kStates, 0.0f),
        fixedValue(kStates, 0.0f);
    const int dx[kActions] = {0, 0, -1, 1}, dy[kActions] = {1, -1, 0, 0};
    for (int y = 1; y <= kHeight; ++y)
      for (int x = 1; x <= kWidth; ++x) {
        int s = index(x, y);
        if (wall(x, y) || terminal(x, y)) {
          fixed[s] = 1;
          fixedValue[s] = terminal(x, y) ? static_cast<float>(terminalValue(x, y)) : 0.0f;
        }
        for (int a = 0; a < kActions; ++a) {
          int nx = x + dx[a], ny = y + dy[a];
          if (nx < 1 || nx > kWidth || ny < 1 || ny > kHeight || wall(nx, ny))
            nx = x, ny = y;
          next[(a * kStates + s) * kStates + index(nx, ny)] = 1;
        }
      }

    Graph g;
    Variable v = g.variable("v", constant(g, fixedValue, {kStates, 1}), false);
    Tensor transitions = constant(g, next, {kActions, kStates, kStates});
    Tensor isFixed = constant(g, fixed, {kStates, 1}),
           fixedV = constant(g, fixedValue, {kStates, 1});
    // q [actions, states, 1]: one matmul per action, batched.
    Tensor vs = broadcastTo(reshape(v, {1, kStates, 1}), {kActions, kStates, 1});
    Tensor q = -1.0 + gamma * matmul(transitions, vs);
    Tensor best = reduceMax(q, {0});
    Tensor updated = isFixed * fixedV + (1.0 - isFixed) * best;
    Tensor change = reduceMax(abs(updated - v));
    Program program = g.compile({{"sweep", {}, {change}, {{v, updated}}, {"change"}},
                                 {"q", {}, {reshape(q, {kActions, kStates})}, {}, {"q"}}});

    long sweeps = 0;
    for (double delta = 1; delta > 1e-7 && sweeps < maxSweeps; ++sweeps)
      delta = program.run("sweep", {})[0].as<float>()[0];
    HostTensor values = program.variable("v").clone();
    HostTensor qValues = program.run("q", {})[0];
    auto V = [&](int x, int y) { return values.as<float>()[index(x, y)]; };
    auto Q = [&](int x, int y, int a) { return qValues.as<float>()[a * kStates + index(x, y)]; };

    std::printf("V* after %ld sweeps (rows y = 3 … 1, columns x = 1 … 4; the wall shows 0):\n",
                sweeps);
    for (int y = kHeight; y >= 1; --y) {
      for (int x = 1; x <= kWidth; ++x)
        std::printf(" %8.3f", V(x, y));
      std::printf("\n");
    }
    for (int a = 0; a < kActions; ++a)
      std::printf("Q*(s(2,1), %s) = %.3f\n", kActionNames[a], Q(2, 1, a));
    std::printf("sweeps=%ld V(3,3)=%.3f V(2,1)=%.3f Q(2,1,right)=%.3f Q(2,1,left)=%.3f\n", sweeps,
                V(3, 3), V(2, 1), Q(2, 1, 3), Q(2, 1, 2));
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

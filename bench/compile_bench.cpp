// Compile time against graph size (bench/run.sh): an MLP of N hidden layers of width 256
// (784 -> 256 x N -> 10, ReLU, softmax cross-entropy) compiled as one program with an Adam
// train step (batch 128) and predict. Compile time should grow linearly with N. Prints
//   compile_mlp_N seconds=...
// for each N of --layers (default 2,8,32,64); the best of --repeats compilations.
#include "sinter/sinter.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace sinter;

namespace {

double compileMlp(int layers) {
  Graph g;
  Tensor x = g.input("x", {128, 784});
  Tensor y = g.input("y", {128, 10});
  std::vector<Variable> vars;
  Tensor h = x;
  int64_t width = 784;
  for (int i = 0; i <= layers; ++i) {
    int64_t out = i == layers ? 10 : 256;
    std::string name = "dense_" + std::to_string(i);
    Variable w = g.variable(name + "/w", random::normal(g, {width, out}, 0.0, 0.05, i + 1));
    Variable b = g.variable(name + "/b", zeros(g, {out}));
    vars.push_back(w);
    vars.push_back(b);
    h = matmul(h, w) + b;
    if (i < layers)
      h = relu(h);
    width = out;
  }
  Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, h));
  Program p = g.compile({{"train_step", {x, y}, {loss}, optim::Adam(1e-3).minimize(loss, vars)},
                         {"predict", {x}, {h}}});
  return p.compileSeconds();
}

} // namespace

int main(int argc, char **argv) try {
  std::vector<int> layers{2, 8, 32, 64};
  int repeats = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--layers") && i + 1 < argc) {
      layers.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');)
        layers.push_back(std::atoi(item.c_str()));
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--layers N,N,...] [--repeats R]\n", argv[0]);
      return 2;
    }
  }
  for (int n : layers) {
    double best = 1e30;
    for (int r = 0; r < repeats; ++r)
      best = std::min(best, compileMlp(n));
    std::printf("compile_mlp_%d seconds=%.3f\n", n, best);
    std::fflush(stdout);
  }
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_compile: error: %s\n", e.what());
  return 1;
}

// The helper of the crash-safety test (kill_writer.sh). `crash_writer write DIR` rewrites a
// checkpoint and a model file in DIR round after round, every value of round k equal to k, and
// creates DIR/ready after the first round; `crash_writer verify DIR` loads both files and checks
// that each is whole: one round's values throughout (and the checkpoint's step is that round).
#include "sinter/io/Checkpoint.h"
#include "sinter/sinter.h"

#include <cstdio>
#include <fstream>
#include <string>

using namespace sinter;

namespace {

// A 1 MiB variable, so that a write takes long enough to be interrupted in the middle.
Program build(Graph &g) {
  Variable w = g.variable("w", zeros(g, {512, 512}));
  Tensor x = g.input("x", {1, 512});
  return g.compile({{"f", {x}, {matmul(x, w)}}});
}

/// The one value every element of `t` holds, or -1 if they differ.
double uniformValue(const HostTensor &t) {
  auto v = t.as<float>();
  for (float e : v)
    if (e != v[0])
      return -1;
  return v.empty() ? -1 : v[0];
}

int write(const std::string &dir) {
  Graph g;
  Program p = build(g);
  for (int64_t round = 1;; ++round) {
    for (float &e : p.variable("w").as<float>())
      e = static_cast<float>(round);
    io::saveCheckpoint(p, dir + "/ckpt", round);
    p.save(dir + "/model.sinter");
    if (round == 1)
      std::ofstream(dir + "/ready") << "1\n";
  }
}

int verify(const std::string &dir) {
  Graph g;
  Program p = build(g);
  int64_t step = io::loadCheckpoint(p, dir + "/ckpt");
  double checkpointValue = uniformValue(p.variable("w"));
  if (checkpointValue != static_cast<double>(step)) {
    std::fprintf(stderr, "the checkpoint of step %lld holds %g: torn\n",
                 static_cast<long long>(step), checkpointValue);
    return 1;
  }
  SavedModel model = loadModel(dir + "/model.sinter");
  double modelValue = uniformValue(model.values.at("w"));
  if (modelValue < 1) {
    std::fprintf(stderr, "the model file's values are torn\n");
    return 1;
  }
  std::printf("checkpoint_round=%lld model_round=%g\n", static_cast<long long>(step), modelValue);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3 || (std::string(argv[1]) != "write" && std::string(argv[1]) != "verify")) {
    std::fprintf(stderr, "usage: %s write|verify DIR\n", argv[0]);
    return 2;
  }
  try {
    return std::string(argv[1]) == "write" ? write(argv[2]) : verify(argv[2]);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

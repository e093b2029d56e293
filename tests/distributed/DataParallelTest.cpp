// Data-parallel training under `mpirun -np 2` (tests/distributed/CMakeLists.txt): every rank
// also trains a single-process reference on the whole global batch, and the two must agree.
//   equivalence  the raw graph API and the Keras API: 2 ranks × half of each batch give the
//                losses and weights of one process on the whole batch (uneven halves too),
//                with the all-reduces overlapping the step on the communication thread
//                (SINTER_ASYNC_COLLECTIVES=1) or run where they start (=0)
//   mismatch     rank 1 builds a different model: an error on every rank
//   die          rank 1 is killed in the middle of training: the job ends
//   keras        distribute() and fit (for the check that it refuses to start outside mpirun)
//   resume DIR   3 epochs with backups in DIR (nn::BackupAndRestore); with "kill", rank 1 is
//                killed after the second epoch; without, the job resumes from the backup and
//                must end with the weights of 3 uninterrupted epochs in one process
#include "sinter/Distributed.h"
#include "sinter/nn/Model.h"

#include "../common/TestUtil.h"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace sinter;

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  if (!ok) {
    std::fprintf(stderr, "rank %d: FAILED: %s\n", distributed::rank(), what.c_str());
    ++failures;
  }
}

/// |a − b| within 1e-5 + 1e-4·|b| for every element.
void checkClose(const HostTensor &a, const HostTensor &b, const std::string &what) {
  auto x = a.as<float>(), y = b.as<float>();
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double d = std::fabs(double(x[i]) - double(y[i])) / (1e-5 + 1e-4 * std::fabs(double(y[i])));
    if (!(d <= worst))
      worst = d;
  }
  check(x.size() == y.size() && worst <= 1,
        what + " (worst error " + std::to_string(worst) + " of the tolerance)");
}

HostTensor rows(const HostTensor &t, int64_t begin, int64_t end) {
  Shape shape = t.shape();
  int64_t cols = t.numElements() / shape[0];
  shape[0] = end - begin;
  HostTensor out(DType::F32, shape);
  std::copy_n(t.as<float>().data() + begin * cols, (end - begin) * cols, out.as<float>().data());
  return out;
}

/// A two-layer regression network with the graph API: the single-process step (minimize) or
/// the data-parallel one (batch share, bucketed gradient reduction).
struct RawNet {
  Graph g;
  Program program;
  RawNet(bool dataParallel, uint64_t seed) : program(build(dataParallel, seed)) {}
  Program build(bool dataParallel, uint64_t seed) {
    Tensor x = g.input("x", {-1, 16}), y = g.input("y", {-1, 3});
    std::vector<Variable> vars = {
        g.variable("w1", random::normal(g, {16, 32}, 0.0, 0.3, int64_t(seed))),
        g.variable("b1", zeros(g, {32})),
        g.variable("w2", random::normal(g, {32, 3}, 0.0, 0.3, int64_t(seed + 1))),
        g.variable("b2", zeros(g, {3}))};
    Tensor h = tanh(matmul(x, vars[0]) + vars[1]);
    Tensor loss = reduceMean(square(matmul(h, vars[2]) + vars[3] - y));
    optim::Adam adam(0.01);
    if (!dataParallel)
      return g.compile({{"train_step", {x, y}, {loss}, adam.minimize(loss, vars)}});
    Tensor weighted = loss * distributed::batchShare(x);
    // 1 KiB buckets: w1 (2 KiB) alone, b2, w2 and b1 concatenated into one.
    auto grads = distributed::allReduceGradients(gradients(weighted, vars),
                                                 distributed::Reduction::Sum, 1024);
    return g.compile({{"train_step",
                       {x, y},
                       {distributed::allReduce(weighted)},
                       adam.applyGradients(grads, vars)}});
  }
};

void rawEquivalence() {
  RawNet reference(false, 7);
  // Each rank starts from other weights: the broadcast must give every rank rank 0's.
  RawNet parallel(true, 7 + 100 * uint64_t(distributed::rank()));
  distributed::broadcastVariables(parallel.program.session());
  HostTensor x = testing::randomTensor({128 * 4 + 91, 16}, 11),
             y = testing::randomTensor({128 * 4 + 91, 3}, 12);
  for (int64_t start = 0, step = 0; start < x.shape()[0]; start += 128, ++step) {
    int64_t end = std::min<int64_t>(start + 128, x.shape()[0]);
    double want = reference.program.run("train_step", {rows(x, start, end), rows(y, start, end)})[0]
                      .as<float>()[0];
    auto [b, e] = distributed::shard(end - start);
    double got =
        parallel.program
            .run("train_step", {rows(x, start + b, start + e), rows(y, start + b, start + e)})[0]
            .as<float>()[0];
    check(std::fabs(got - want) <= 1e-5 * (1 + std::fabs(want)),
          "raw step " + std::to_string(step) + ": loss " + std::to_string(got) + " vs " +
              std::to_string(want));
  }
  for (const char *name : {"w1", "b1", "w2", "b2"})
    checkClose(parallel.program.variable(name), reference.program.variable(name),
               std::string("raw: weight ") + name);
}

/// A classifier of 16 features into 3 classes with `hidden` units, compiled.
struct KerasNet : nn::Sequential {
  explicit KerasNet(int64_t hidden) : nn::Sequential({nn::Dense(hidden, "relu"), nn::Dense(3)}) {
    build({-1, 16});
    compile(optim::Adam(0.01), losses::categoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
  }
};

/// 600 samples of 3 classes (the class of the largest of three projections), one-hot.
std::pair<HostTensor, HostTensor> classification() {
  HostTensor x = testing::randomTensor({600, 16}, 21), y(DType::F32, {600, 3});
  auto xv = x.as<float>();
  auto yv = y.as<float>();
  for (int64_t i = 0; i < 600; ++i) {
    float s[3] = {xv[i * 16] + xv[i * 16 + 1], xv[i * 16 + 2] - xv[i * 16 + 3], xv[i * 16 + 4]};
    yv[i * 3 + (std::max_element(s, s + 3) - s)] = 1;
  }
  return {x, y};
}

/// `weights` under the names of `model`'s weights, matched in order (the two models' layers
/// have different names: dense, dense_1 and dense_2, dense_3).
std::map<std::string, HostTensor> renamed(const std::map<std::string, HostTensor> &weights,
                                          nn::Model &model) {
  std::map<std::string, HostTensor> out;
  auto it = weights.begin();
  for (const auto &[name, value] : model.getWeights())
    out[name] = (it++)->second;
  return out;
}

void kerasEquivalence() {
  auto [x, y] = classification();
  KerasNet parallel(32), reference(32);
  parallel.distribute();
  std::map<std::string, HostTensor> start = parallel.getWeights();
  for (auto &[name, value] : start) // rank 0's initial weights, on every rank
    distributed::broadcast(value.data(), value.byteSize());
  reference.setWeights(renamed(start, reference));
  if (distributed::rank() == 1) { // other weights here: fit must start from rank 0's
    for (auto &[name, value] : start)
      value = testing::randomTensor(value.shape(), 99);
    parallel.setWeights(start);
  }
  // 600 rows in batches of 128: the last batch of 88 rows is 44 per rank; validation 200 rows
  // (128 + 72).
  nn::FitOptions options{.batchSize = 128,
                         .epochs = 3,
                         .verbose = 0,
                         .validationData = std::make_pair(rows(x, 0, 200), rows(y, 0, 200)),
                         .seed = 5};
  nn::History a = parallel.fit(x, y, options), b = reference.fit(x, y, options);
  for (const char *key : {"loss", "accuracy", "val_loss", "val_accuracy"})
    for (size_t e = 0; e < b.history[key].size(); ++e)
      check(std::fabs(a.history[key][e] - b.history[key][e]) <= 1e-5,
            std::string("keras: ") + key + " of epoch " + std::to_string(e + 1) + ": " +
                std::to_string(a.history[key][e]) + " vs " + std::to_string(b.history[key][e]));
  std::map<std::string, HostTensor> wa = renamed(parallel.getWeights(), reference),
                                    wb = reference.getWeights();
  for (const auto &[name, value] : wb)
    checkClose(wa.at(name), value, "keras: weight " + name);
  nn::Logs ea = parallel.evaluate(x, y, {.batchSize = 100}),
           eb = reference.evaluate(x, y, {.batchSize = 100});
  check(std::fabs(ea.at("loss") - eb.at("loss")) <= 1e-5 &&
            std::fabs(ea.at("accuracy") - eb.at("accuracy")) <= 1e-6,
        "keras: evaluate " + std::to_string(ea.at("loss")) + " vs " +
            std::to_string(eb.at("loss")));
  // The same over a Dataset of global batches (each rank slices its rows out of them).
  data::Dataset batches = data::Dataset::fromTensors({x, y}).batch(128);
  nn::History c = parallel.fit(batches, {.epochs = 1, .verbose = 0}),
              d = reference.fit(batches, {.epochs = 1, .verbose = 0});
  check(std::fabs(c.history["loss"][0] - d.history["loss"][0]) <= 1e-5,
        "keras dataset: loss " + std::to_string(c.history["loss"][0]) + " vs " +
            std::to_string(d.history["loss"][0]));
  wa = renamed(parallel.getWeights(), reference);
  for (const auto &[name, value] : reference.getWeights())
    checkClose(wa.at(name), value, "keras dataset: weight " + name);
  if (distributed::rank() == 0)
    std::printf("keras: epoch losses %.6f %.6f %.6f, final accuracy %.4f (both ways)\n",
                a.history["loss"][0], a.history["loss"][1], a.history["loss"][2],
                a.history["accuracy"].back());
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "equivalence") {
      distributed::initialize();
      check(distributed::size() == 2, "the job has 2 ranks");
      rawEquivalence();
      kerasEquivalence();
      distributed::Stats stats = distributed::stats();
      // SINTER_ASYNC_COLLECTIVES=1 / 0 (tests/distributed/CMakeLists.txt): the compiled
      // all-reduces ran on the communication thread / where they started.
      if (const char *async = std::getenv("SINTER_ASYNC_COLLECTIVES")) {
        bool expectBackground = std::string(async) != "0";
        check((stats.backgroundSeconds > 0) == expectBackground,
              std::string("the compiled all-reduces ran ") +
                  (expectBackground ? "on the communication thread" : "where they started"));
      }
      std::printf("rank %d: %s; %lld collectives, %lld bytes, %.3f ms waited, %.3f ms in flight "
                  "on the communication thread\n",
                  distributed::rank(), failures ? "FAILED" : "passed",
                  static_cast<long long>(stats.calls), static_cast<long long>(stats.bytes),
                  stats.seconds * 1e3, stats.backgroundSeconds * 1e3);
    } else if (mode == "mismatch" || mode == "keras" || mode == "die") {
      auto [x, y] = classification();
      if (mode != "keras") // "keras" leaves it to distribute()
        distributed::initialize();
      KerasNet model(mode == "mismatch" ? 32 + distributed::rank() : 32);
      model.distribute();
      auto die = std::make_shared<nn::LambdaCallback>();
      die->batchEnd = [&](int batch, const nn::Logs &) {
        if (mode == "die" && distributed::rank() == 1 && batch == 2)
          std::raise(SIGKILL);
      };
      model.fit(x, y, {.batchSize = 128, .epochs = 2, .verbose = 0, .callbacks = {die}});
    } else if (mode == "resume" && argc > 2) {
      distributed::initialize();
      bool kill = argc > 3 && std::string(argv[3]) == "kill";
      auto [x, y] = classification();
      KerasNet parallel(32), reference(32);
      parallel.distribute();
      reference.setWeights(renamed(parallel.getWeights(), reference)); // the initial weights
      int epochsRun = 0;
      auto watch = std::make_shared<nn::LambdaCallback>();
      watch->epochEnd = [&](int epoch, const nn::Logs &) {
        ++epochsRun;
        if (kill && epoch == 1 && distributed::rank() == 1)
          std::raise(SIGKILL);
      };
      nn::FitOptions options{.batchSize = 128, .epochs = 3, .verbose = 0, .shuffle = false};
      options.callbacks = {std::make_shared<nn::BackupAndRestore>(argv[2]), watch};
      parallel.fit(x, y, options);
      options.callbacks = {};
      reference.fit(x, y, options);
      std::map<std::string, HostTensor> wa = renamed(parallel.getWeights(), reference);
      for (const auto &[name, value] : reference.getWeights())
        checkClose(wa.at(name), value, "resumed: weight " + name);
      check(epochsRun < 3, "the job resumed (it ran " + std::to_string(epochsRun) + " epochs)");
      check(nn::BackupAndRestore(argv[2]).latestEpoch() == -1, "fit removed its backups");
      std::printf("rank %d: resumed, ran %d of 3 epochs; %s\n", distributed::rank(), epochsRun,
                  failures ? "FAILED" : "weights as 3 uninterrupted epochs");
    } else {
      std::fprintf(stderr, "usage: %s equivalence|mismatch|die|keras|resume DIR [kill]\n", argv[0]);
      return 2;
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "rank %d: error: %s\n", distributed::rank(), e.what());
    return 1;
  }
  distributed::finalize();
  return failures ? 1 : 0;
}

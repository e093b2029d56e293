// Sinter side of the recurrent benchmark (bench/run.sh; the PyTorch peer is
// bench/pytorch_rnn.py):
//   lstm_train_b128  the chapter-11 sentiment network's training step: Embedding(10000, 100)
//                    over [128, 80] token ids → LSTM(64) → Dense(1) → sigmoid, binary
//                    cross-entropy, Adam(1e-3), weights updated in place (steps/s, median over
//                    about --seconds seconds after a warm-up)
// and how compile time grows with the sequence length (the LSTM is one scan, so the program is
// the same size for 80 and 800 steps):
//   lstm_train_b128 steps_per_s=... compile_seconds=... compile_seconds_seq800=...
#include "sinter/nn/Model.h"

#include "Timing.h"

#include <cstdio>
#include <cstring>
#include <random>

using namespace sinter;
using bench::measure;
using bench::median;

namespace {

constexpr int64_t kBatch = 128, kVocab = 10000;

/// Builds and compiles the training step for sequences of `length` tokens.
Program compileStep(Graph &g, int64_t length) {
  Tensor x = g.input("x", {kBatch, length}, DType::I32), y = g.input("y", {kBatch, 1});
  nn::Sequential net({nn::Embedding(kVocab, 100), nn::LSTM(64), nn::Dense(1, "sigmoid")});
  Tensor loss = reduceMean(losses::binaryCrossentropy()(y, net(x, true)));
  std::vector<Update> updates = optim::Adam(1e-3).minimize(loss, net.trainableVariables());
  return g.compile({Entry{"train_step", {x, y}, {loss}, updates, {"loss"}}});
}

} // namespace

int main(int argc, char **argv) {
  const double seconds = bench::secondsFlag(argc, argv);
  try {
    Graph g80, g800;
    Program program = compileStep(g80, 80);
    HostTensor xs(DType::I32, {kBatch, 80}), ys(DType::F32, {kBatch, 1}), lossOut(DType::F32, {});
    std::mt19937 rng(1);
    for (int32_t &v : xs.as<int32_t>())
      v = static_cast<int32_t>(rng() % kVocab);
    for (int64_t i = 0; i < kBatch; ++i)
      ys.as<float>()[i] = static_cast<float>(i % 2);
    int train = program.entryIndex("train_step");
    auto run = [&] { program.call(train, {xs.data(), ys.data()}, {lossOut.data()}); };
    double perStep = median(measure(run, seconds, /*warmup=*/3, /*minReps=*/10));
    double compile80 = program.compileSeconds();
    double compile800 = compileStep(g800, 800).compileSeconds();
    std::printf(
        "lstm_train_b128 steps_per_s=%.2f compile_seconds=%.2f compile_seconds_seq800=%.2f\n",
        1.0 / perStep, compile80, compile800);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Sinter side of the recurrent benchmark (bench/run.sh; the PyTorch peer is
// bench/pytorch_rnn.py):
//   lstm_train_b128  the chapter-11 sentiment network's training step: Embedding(10000, 100)
//                    over [128, 80] token ids → LSTM(64) → Dense(1) → sigmoid, binary
//                    cross-entropy, Adam(1e-3), weights updated in place (steps/s, median over
//                    about --seconds seconds after a warm-up)
//   lstm_infer_b128  its forward pass (µs per batch)
// each with the LSTM as a scan (the layer's default) and on oneDNN's RNN primitives
// (`_onednn`, RecurrentOptions::useLibrary = true), and how compile time grows with the
// sequence length (neither path unrolls, so the program is the same size for 80 and 800 steps):
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

/// Builds and compiles the training step and the forward pass for sequences of `length` tokens.
Program compileSteps(Graph &g, int64_t length, bool useLibrary) {
  Tensor x = g.input("x", {kBatch, length}, DType::I32), y = g.input("y", {kBatch, 1});
  nn::Sequential net({nn::Embedding(kVocab, 100), nn::LSTM(64, {.useLibrary = useLibrary}),
                      nn::Dense(1, "sigmoid")});
  Tensor loss = reduceMean(losses::binaryCrossentropy()(y, net(x, true)));
  std::vector<Update> updates = optim::Adam(1e-3).minimize(loss, net.trainableVariables());
  return g.compile({Entry{"train_step", {x, y}, {loss}, updates, {"loss"}},
                    Entry{"predict", {x}, {net(x, false)}, {}, {"p"}}});
}

} // namespace

int main(int argc, char **argv) {
  const double seconds = bench::secondsFlag(argc, argv);
  try {
    HostTensor xs(DType::I32, {kBatch, 80}), ys(DType::F32, {kBatch, 1}), lossOut(DType::F32, {}),
        pOut(DType::F32, {kBatch, 1});
    std::mt19937 rng(1);
    for (int32_t &v : xs.as<int32_t>())
      v = static_cast<int32_t>(rng() % kVocab);
    for (int64_t i = 0; i < kBatch; ++i)
      ys.as<float>()[i] = static_cast<float>(i % 2);
    for (bool useLibrary : {false, true}) {
      Graph g80, g800;
      Program program = compileSteps(g80, 80, useLibrary);
      int train = program.entryIndex("train_step"), predict = program.entryIndex("predict");
      double perStep = median(
          measure([&] { program.call(train, {xs.data(), ys.data()}, {lossOut.data()}); }, seconds,
                  /*warmup=*/3, /*minReps=*/10));
      double perForward = median(
          measure([&] { program.call(predict, {xs.data()}, {pOut.data()}); }, seconds, 3, 10));
      double compile80 = program.compileSeconds();
      double compile800 = compileSteps(g800, 800, useLibrary).compileSeconds();
      const char *suffix = useLibrary ? "_onednn" : "";
      std::printf("lstm_train_b128%s steps_per_s=%.2f compile_seconds=%.2f "
                  "compile_seconds_seq800=%.2f\n",
                  suffix, 1.0 / perStep, compile80, compile800);
      std::printf("lstm_infer_b128%s us=%.1f\n", suffix, perForward * 1e6);
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

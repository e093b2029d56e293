// Sinter side of the fit() benchmark (bench/run.sh; the PyTorch peer is bench/pytorch_fit.py):
// Keras-style training of the book's chapter-8 network on Fashion-MNIST through nn::Model::fit,
//   Sequential Dense 256-128-64-32 (relu) -> Dense 10 (logits) on 784 inputs,
//   compile(Adam(0.01), sparse categorical cross-entropy from logits, {"accuracy"}),
//   fit(x [60000, 784], y int32 [60000], batch 128, shuffled each epoch, silent).
// 60,000 = 468·128 + 96, so each epoch is 468 full batches and one of 96 (as in Keras).
//
// A warm-up fit on 224 rows (one batch of 128, one of 96) compiles the train entry (any batch
// size) first, so the measured fit() runs only compiled steps, the shuffling and the
// batch copies, the running loss/metric, and the callbacks machinery. Prints
//   fit_ch08_fashion samples_per_s=...   (samples trained / wall seconds of the measured fit)
// then the final epoch's loss and accuracy, and compile_seconds=... of the program.
#include "sinter/data/ImageDatasets.h"
#include "sinter/nn/Model.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace sinter;

namespace {

void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s [--epochs N] [--data-dir DIR]   (measured epochs, default 2; "
               "Fashion-MNIST IDX files, default %s)\n",
               argv0, data::kFashionMnistDir);
}

} // namespace

int main(int argc, char **argv) try {
  int epochs = 2;
  std::string dir = data::kFashionMnistDir;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--epochs") && i + 1 < argc) {
      epochs = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--data-dir") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      usage(argv[0]);
      return 2;
    }
  }
  if (epochs < 1) {
    usage(argv[0]);
    return 2;
  }

  data::ImageDataset train = data::loadFashionMnist(dir).train;
  const int64_t n = train.n, pixels = train.imageSize();
  HostTensor x(DType::F32, {n, pixels}), y(DType::I32, {n});
  std::copy(train.images.begin(), train.images.end(), x.as<float>().begin());
  std::copy(train.labels.begin(), train.labels.end(), y.as<int32_t>().begin());

  nn::Sequential model({nn::Dense(256, "relu"), nn::Dense(128, "relu"), nn::Dense(64, "relu"),
                        nn::Dense(32, "relu"), nn::Dense(10)});
  model.compile(optim::Adam(0.01), losses::sparseCategoricalCrossentropy(/*fromLogits=*/true),
                {"accuracy"});

  // Warm-up: compiles train_step, and runs it on the sizes of the measured epochs.
  const int64_t batch = 128, last = n % batch, warm = batch + (last ? last : 0);
  HostTensor wx(DType::F32, {warm, pixels}), wy(DType::I32, {warm});
  std::copy_n(x.as<float>().data(), warm * pixels, wx.as<float>().data());
  std::copy_n(y.as<int32_t>().data(), warm, wy.as<int32_t>().data());
  model.fit(wx, wy, {.batchSize = batch, .epochs = 1, .verbose = 0});
  int compilations = model.compilations();

  auto t0 = std::chrono::steady_clock::now();
  nn::History h = model.fit(x, y, {.batchSize = batch, .epochs = epochs, .verbose = 0, .seed = 1});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (model.compilations() != compilations) {
    std::fprintf(stderr, "bench_fit: the measured fit compiled again\n");
    return 1;
  }
  double loss = h["loss"].back(), accuracy = h["accuracy"].back();
  std::printf("fit_ch08_fashion samples_per_s=%.0f\n", static_cast<double>(n) * epochs / seconds);
  std::printf("fit_ch08_fashion_detail epochs=%d samples=%lld seconds=%.2f loss=%.4f "
              "accuracy=%.4f\n",
              epochs, static_cast<long long>(n) * epochs, seconds, loss, accuracy);
  std::printf("compile_seconds=%.2f\n", model.program().compileSeconds());
  std::fflush(stdout);
  if (!std::isfinite(loss) || !(accuracy > 0.7)) {
    std::fprintf(stderr, "bench_fit: training did not learn (loss %g, accuracy %g)\n", loss,
                 accuracy);
    return 1;
  }
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_fit: error: %s\n", e.what());
  return 1;
}

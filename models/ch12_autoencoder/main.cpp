// Book chapter 12.2: an autoencoder on Fashion-MNIST. The book's subclassed model: an encoder
// 784 → Dense(256, relu) → Dense(128, relu) → Dense(20) and a mirrored decoder 20 → 128 → 256 →
// 784 logits, trained to reproduce its input with the sigmoid cross-entropy on the logits (the
// mean over pixels, tf.nn.sigmoid_cross_entropy_with_logits + reduce_mean), Adam(1e-3) on
// batches of 512 for 100 epochs. The book reports no number, only reconstruction grids at
// epochs 1, 10 and 100: here the grids (50 test images above their 50 reconstructions, 10x10 of
// 28x28 as the book's save_images) go to --out-dir, and the last line gives the test
// reconstruction loss. --denoise (12.3) corrupts the input with Gaussian noise of --noise
// stddev during training (a GaussianNoise layer before the encoder, fresh noise each step).
#include "sinter/nn/Model.h"

#include "../common/Autoencoders.h"
#include "../common/Mnist.h"

#include <cmath>
#include <cstdio>

using namespace sinter;

namespace {

constexpr int64_t kCode = 20, kBatch = 512, kShown = 50;
using models::kPixels;

class Autoencoder : public nn::Model {
public:
  explicit Autoencoder(double noise) : nn::Model("autoencoder", "AE") {
    if (noise > 0)
      noise_ = track(std::make_shared<nn::GaussianNoise>(noise));
    encoder_ = track(std::make_shared<nn::Sequential>(
        std::initializer_list<nn::Sequential::LayerRef>{nn::Dense(256, "relu"),
                                                        nn::Dense(128, "relu"), nn::Dense(kCode)},
        "encoder"));
    decoder_ = track(std::make_shared<nn::Sequential>(
        std::initializer_list<nn::Sequential::LayerRef>{nn::Dense(128, "relu"),
                                                        nn::Dense(256, "relu"), nn::Dense(kPixels)},
        "decoder"));
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    Tensor in = noise_ ? (*noise_)(x, training) : x;
    return (*decoder_)((*encoder_)(in, training), training);
  }

private:
  std::shared_ptr<nn::GaussianNoise> noise_;
  std::shared_ptr<nn::Sequential> encoder_, decoder_;
};

/// The first kShown test images above their reconstructions (sigmoid of the logits).
void writeReconstructions(Autoencoder &model, const HostTensor &shown, const std::string &path) {
  HostTensor reconstructed = model.predict(shown, kShown);
  for (float &v : reconstructed.as<float>())
    v = 1.0f / (1.0f + std::exp(-v));
  models::writeRowsGrid(path, {shown, reconstructed});
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli = models::autoencoderCli(argc, argv, "ch12_autoencoder_out",
                                           {{"--denoise", ""}, {"--noise", "0.2"}},
                                           " [--denoise] [--noise STDDEV]");
  try {
    models::AutoencoderRun run = models::autoencoderRun(cli);
    double noise = cli.on("--denoise") ? cli.real("--noise") : 0.0;
    if (!(noise >= 0))
      throw Error("--noise must be non-negative");
    HostTensor xTrain = models::imageRows(run.data.train, run.nTrain);
    HostTensor xTest = models::imageRows(run.data.test, run.nTest);
    HostTensor shown = models::imageRows(run.data.test, kShown);

    Autoencoder model(noise);
    model.build({4, kPixels});
    model.summary();
    model.compile(optim::Adam(cli.real("--lr")), losses::binaryCrossentropy(/*fromLogits=*/true));
    auto grids = std::make_shared<nn::LambdaCallback>();
    grids->epochEnd = [&](int epoch, const nn::Logs &) {
      int e = epoch + 1;
      if (models::isGridEpoch(e, run.epochs))
        writeReconstructions(model, shown,
                             run.outDir + "/reconstruction_epoch_" + std::to_string(e) + ".png");
    };
    nn::History h = model.fit(xTrain, xTrain,
                              {.batchSize = kBatch,
                               .epochs = static_cast<int>(run.epochs),
                               .verbose = 2,
                               .callbacks = {grids},
                               .seed = 7});
    nn::Logs test = model.evaluate(xTest, xTest, {.batchSize = kBatch});
    std::printf("dataset=fashion_mnist epochs=%ld train_size=%lld denoise_stddev=%.2f "
                "params=%lld train_loss=%.4f test_reconstruction_loss=%.4f\n",
                run.epochs, static_cast<long long>(run.nTrain), noise,
                static_cast<long long>(model.countParams()), h["loss"].back(), test.at("loss"));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

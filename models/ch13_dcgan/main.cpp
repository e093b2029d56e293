// Book chapter 13.3: a DCGAN. The book trains on 51,223 anime faces at 64x64x3, which this
// machine does not have; here the images are Fashion-MNIST resized to 32x32x1 in [−1, 1], and
// the networks are the book's with one up/down-sampling stage fewer for the smaller images
// (widths scale with --width, 64 in the book):
//   G: z[100] → relu → ConvT(4w, 4, 1, valid) 4x4 → ConvT(2w, 4, 2, same) 8x8 →
//      ConvT(w, 4, 2, same) 16x16 (each + BN + relu) → ConvT(1, 4, 2, same) 32x32 → tanh;
//   D: Conv(w, 4, 2, valid) 15x15 → Conv(2w, 4, 2, valid) 6x6 → Conv(4w, 3, 1, valid) 4x4
//      (each + BN + leaky relu 0.2) → global average pooling → Dense(1) logits;
// convolutions without bias; BN in training mode in both steps. d_loss = BCE(1, D(x)) +
// BCE(0, D(G(z))), g_loss = BCE(1, D(G(z))); two Adams (--lr, β₁ 0.5), one per network, each
// updating only its own weights, in two compiled entries (d_step, g_step) over one graph, and a
// third (generate: G in inference mode). --d-steps discriminator steps per generator step (the
// book's printed loop alternates 1:1). Every --sample-every steps a 10x10 grid of samples from
// fixed z goes to --out-dir, with the quality numbers of models/common/ImageQuality.h on 1,000
// samples (LeNet-5 Fréchet distance, confident share) — also for real images and the untrained
// generator, for scale.
#include "sinter/io/Image.h"
#include "sinter/nn/Model.h"

#include "../common/Cli.h"
#include "../common/ImageQuality.h"

#include <cstdio>
#include <filesystem>
#include <random>

using namespace sinter;

namespace {

constexpr int64_t kLatent = 100, kSide = 32, kBatch = 64, kScored = 1000;

nn::ConvOptions convOptions(Size2 strides, const char *padding) {
  return {.strides = strides, .padding = padding, .useBias = false};
}

struct Generator {
  explicit Generator(int64_t w)
      : c1(4 * w, {4, 4}, convOptions({1, 1}, "valid")),
        c2(2 * w, {4, 4}, convOptions({2, 2}, "same")), c3(w, {4, 4}, convOptions({2, 2}, "same")),
        c4(1, {4, 4}, convOptions({2, 2}, "same")) {}
  Tensor operator()(const Tensor &z, bool training) {
    Tensor x = reshape(relu(z), {z.shape()[0], 1, 1, kLatent});
    x = relu(b1(c1(x), training));
    x = relu(b2(c2(x), training));
    x = relu(b3(c3(x), training));
    return tanh(c4(x));
  }
  std::vector<nn::Layer *> layers() { return {&c1, &b1, &c2, &b2, &c3, &b3, &c4}; }
  nn::Conv2DTranspose c1, c2, c3, c4;
  nn::BatchNormalization b1, b2, b3;
};

struct Discriminator {
  explicit Discriminator(int64_t w)
      : c1(w, {4, 4}, convOptions({2, 2}, "valid")),
        c2(2 * w, {4, 4}, convOptions({2, 2}, "valid")),
        c3(4 * w, {3, 3}, convOptions({1, 1}, "valid")), out(1) {}
  Tensor operator()(const Tensor &x, bool training) {
    Tensor h = activations::leakyRelu(b1(c1(x), training), 0.2);
    h = activations::leakyRelu(b2(c2(h), training), 0.2);
    h = activations::leakyRelu(b3(c3(h), training), 0.2);
    return out(pool(h));
  }
  std::vector<nn::Layer *> layers() { return {&c1, &b1, &c2, &b2, &c3, &b3, &pool, &out}; }
  nn::Conv2D c1, c2, c3;
  nn::BatchNormalization b1, b2, b3;
  nn::GlobalAveragePooling2D pool;
  nn::Dense out;
};

std::vector<Variable> trainable(const std::vector<nn::Layer *> &layers) {
  std::vector<Variable> out;
  for (nn::Layer *l : layers)
    for (const Variable &v : l->trainableVariables())
      out.push_back(v);
  return out;
}

int64_t countParams(const std::vector<nn::Layer *> &layers) {
  int64_t n = 0;
  for (nn::Layer *l : layers)
    n += l->countParams();
  return n;
}

/// The moving-statistics updates of the latest (training) calls.
void addLayerUpdates(const std::vector<nn::Layer *> &layers, std::vector<Update> &updates) {
  for (nn::Layer *l : layers)
    for (const Update &u : l->updates())
      updates.push_back(u);
}

Tensor bceWithLogits(const Tensor &logits, double label) {
  Tensor labels = label == 1 ? onesLike(logits) : zerosLike(logits);
  return reduceMean(sigmoidCrossEntropyWithLogits(labels, logits));
}

/// [n, 32, 32, 1] in [−1, 1] → [n, 28, 28, 1] in [0, 1], what the scorer takes.
HostTensor forScoring(const HostTensor &images) {
  HostTensor small = data::image::resize(images, 28, 28);
  for (float &v : small.as<float>())
    v = std::clamp((v + 1) / 2, 0.0f, 1.0f);
  return small;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv,
                  {{"--steps", "3000"},
                   {"--quick", ""},
                   {"--lr", "0.0002"},
                   {"--width", "32"},
                   {"--d-steps", "1"},
                   {"--sample-every", "500"},
                   {"--seed", "0"},
                   {"--out-dir", "ch13_dcgan_out"}},
                  "[--steps N] [--quick] [--lr RATE] [--width W] [--d-steps K] "
                  "[--sample-every N] [--seed N] [--out-dir DIR]");
  try {
    long steps = cli.integer("--steps"), dSteps = cli.integer("--d-steps");
    long sampleEvery = cli.integer("--sample-every"), width = cli.integer("--width");
    if (steps < 1 || dSteps < 1 || sampleEvery < 1 || width < 1)
      throw Error("--steps, --d-steps, --sample-every and --width must be positive");
    bool quick = cli.on("--quick");
    if (quick) {
      steps = 20;
      sampleEvery = 10;
    }
    std::string dir = cli.str("--out-dir");
    std::filesystem::create_directories(dir);
    data::TrainTest data = data::loadFashionMnist();
    int64_t nTrain = quick ? 6000 : data.train.n;
    models::ImageScorer scorer(data, quick ? 1 : 5, nTrain);
    std::printf("quality classifier: LeNet-5, test accuracy %.4f\n",
                scorer.testAccuracy(data.test));
    HostTensor real =
        data::image::resize(models::ImageScorer::images(data.train, nTrain), kSide, kSide);
    for (float &v : real.as<float>())
      v = v * 2 - 1;
    // Real images through the same resizing as the generated ones.
    HostTensor realScored(DType::F32, {kScored, kSide, kSide, 1});
    std::copy_n(real.as<float>().data(), realScored.numElements(), realScored.as<float>().data());
    models::Quality realQuality = scorer.score(forScoring(realScored));
    std::printf("real images (1000 training images): frechet=%.2f confident=%.3f\n",
                realQuality.frechet, realQuality.confident);

    Graph g;
    Generator G(width);
    Discriminator D(width);
    Tensor x = g.input("x", {-1, kSide, kSide, 1}), z = g.input("z", {-1, kLatent});
    // Discriminator step: real images towards 1, generated ones towards 0; only D's weights.
    Tensor dLoss = bceWithLogits(D(x, true), 1) + bceWithLogits(D(G(z, true), true), 0);
    optim::Adam dAdam(cli.real("--lr"), 0.5);
    std::vector<Update> dUpdates = dAdam.minimize(dLoss, trainable(D.layers()));
    addLayerUpdates(D.layers(), dUpdates);
    addLayerUpdates(G.layers(), dUpdates);
    // Generator step: D should take G's images for real; only G's weights.
    Tensor gLoss = bceWithLogits(D(G(z, true), true), 1);
    optim::Adam gAdam(cli.real("--lr"), 0.5);
    std::vector<Update> gUpdates = gAdam.minimize(gLoss, trainable(G.layers()));
    addLayerUpdates(G.layers(), gUpdates);
    addLayerUpdates(D.layers(), gUpdates);
    Program program = g.compile({{"d_step", {x, z}, {dLoss}, dUpdates, {"d_loss"}},
                                 {"g_step", {z}, {gLoss}, gUpdates, {"g_loss"}},
                                 {"generate", {z}, {G(z, false)}, {}, {"images"}}});
    std::printf("compile_seconds=%.2f g_params=%lld d_params=%lld\n", program.compileSeconds(),
                static_cast<long long>(countParams(G.layers())),
                static_cast<long long>(countParams(D.layers())));

    std::mt19937_64 rng(static_cast<uint64_t>(cli.integer("--seed")));
    std::normal_distribution<float> normal(0, 1);
    std::uniform_int_distribution<int64_t> pick(0, nTrain - 1);
    auto latent = [&](int64_t n) {
      HostTensor t(DType::F32, {n, kLatent});
      for (float &v : t.as<float>())
        v = normal(rng);
      return t;
    };
    HostTensor fixedZ = latent(100), scoreZ = latent(kScored);
    HostTensor batch(DType::F32, {kBatch, kSide, kSide, 1});
    const int64_t pixels = kSide * kSide;
    auto sample = [&](long step) {
      HostTensor images = program.run("generate", {fixedZ})[0];
      for (float &v : images.as<float>())
        v = (v + 1) / 2;
      std::string path = dir + "/samples_step_" + std::to_string(step) + ".png";
      io::writeImageGrid(path, images);
      models::Quality q = scorer.score(forScoring(program.run("generate", {scoreZ})[0]));
      std::printf("step %ld: frechet=%.2f confident=%.3f wrote %s\n", step, q.frechet, q.confident,
                  path.c_str());
      return q;
    };
    models::Quality untrained = sample(0), trained;
    double dLast = 0, gLast = 0;
    for (long step = 1; step <= steps; ++step) {
      for (long k = 0; k < dSteps; ++k) {
        for (int64_t i = 0; i < kBatch; ++i)
          std::copy_n(real.as<float>().data() + pick(rng) * pixels, pixels,
                      batch.as<float>().data() + i * pixels);
        dLast = program.run("d_step", {batch, latent(kBatch)})[0].as<float>()[0];
      }
      gLast = program.run("g_step", {latent(kBatch)})[0].as<float>()[0];
      if (step % sampleEvery == 0 || step == steps) {
        std::printf("step %ld: d_loss=%.4f g_loss=%.4f\n", step, dLast, gLast);
        trained = sample(step);
      }
    }
    std::printf("dataset=fashion_mnist_32x32 steps=%ld d_loss=%.4f g_loss=%.4f "
                "real_frechet=%.2f untrained_frechet=%.2f trained_frechet=%.2f "
                "real_confident=%.3f untrained_confident=%.3f trained_confident=%.3f\n",
                steps, dLast, gLast, realQuality.frechet, untrained.frechet, trained.frechet,
                realQuality.confident, untrained.confident, trained.confident);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

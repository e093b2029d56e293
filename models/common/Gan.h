// The chapter-13 GANs' shared parts: the book's DCGAN generator and discriminator (13.3, one
// up/down-sampling stage fewer for 32x32 images) and the training driver both programs use —
// data, two Adams over one graph (d_step, g_step, generate), sample grids and the quality
// numbers of ImageQuality.h. A program supplies only its losses (GanLosses).
#ifndef SINTER_MODELS_COMMON_GAN_H
#define SINTER_MODELS_COMMON_GAN_H

#include "sinter/io/Image.h"
#include "sinter/nn/Model.h"

#include "Cli.h"
#include "ImageQuality.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>

namespace sinter::models::gan {

constexpr int64_t kLatent = 100, kSide = 32, kBatch = 64, kScored = 1000;

inline nn::ConvOptions convOptions(Size2 strides, const char *padding) {
  return {.strides = strides, .padding = padding, .useBias = false};
}

/// z[100] → relu → ConvT(4w, 4, 1, valid) 4x4 → ConvT(2w, 4, 2, same) 8x8 → ConvT(w, 4, 2, same)
/// 16x16 (each + BN + relu) → ConvT(channels, 4, 2, same) 32x32 → tanh; no biases.
struct Generator {
  Generator(int64_t w, int64_t channels)
      : c1(4 * w, {4, 4}, convOptions({1, 1}, "valid")),
        c2(2 * w, {4, 4}, convOptions({2, 2}, "same")), c3(w, {4, 4}, convOptions({2, 2}, "same")),
        c4(channels, {4, 4}, convOptions({2, 2}, "same")) {}
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

/// Conv(w, 4, 2, valid) 15x15 → Conv(2w, 4, 2, valid) 6x6 → Conv(4w, 3, 1, valid) 4x4 (each +
/// BN + leaky relu 0.2) → global average pooling → Dense(1): a logit (DCGAN) or a score (WGAN).
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

inline std::vector<Variable> trainable(const std::vector<nn::Layer *> &layers) {
  std::vector<Variable> out;
  for (nn::Layer *l : layers)
    for (const Variable &v : l->trainableVariables())
      out.push_back(v);
  return out;
}

inline int64_t countParams(const std::vector<nn::Layer *> &layers) {
  int64_t n = 0;
  for (nn::Layer *l : layers)
    n += l->countParams();
  return n;
}

/// The moving-statistics updates of the latest (training) calls.
inline void addLayerUpdates(const std::vector<nn::Layer *> &layers, std::vector<Update> &updates) {
  for (nn::Layer *l : layers)
    for (const Update &u : l->updates())
      updates.push_back(u);
}

/// [n, 32, 32, 1] in [−1, 1] → [n, 28, 28, 1] in [0, 1], what the scorer takes.
inline HostTensor forScoring(const HostTensor &images) {
  HostTensor small = data::image::resize(images, 28, 28);
  for (float &v : small.as<float>())
    v = std::clamp((v + 1) / 2, 0.0f, 1.0f);
  return small;
}

/// Every PNG and JPEG file of `dir` (sorted by name), resized to 32x32 RGB in [−1, 1] — a
/// user's own images (the book's anime faces) in place of Fashion-MNIST.
inline HostTensor imageFolder(const std::string &dir) {
  std::vector<std::string> paths;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg"))
      paths.push_back(entry.path().string());
  }
  if (paths.empty())
    throw Error("--images '" + dir + "': no .png, .jpg or .jpeg files");
  std::sort(paths.begin(), paths.end());
  HostTensor out(DType::F32, {static_cast<int64_t>(paths.size()), kSide, kSide, 3});
  for (size_t i = 0; i < paths.size(); ++i) {
    io::Image image = io::readImage(paths[i]);
    HostTensor one(DType::F32, {1, image.height, image.width, 3});
    std::transform(image.pixels.begin(), image.pixels.end(), one.as<float>().begin(),
                   [](uint8_t v) { return v / 127.5f - 1; });
    HostTensor small = data::image::resize(one, kSide, kSide);
    std::copy_n(small.as<float>().data(), small.numElements(),
                out.as<float>().data() + i * small.numElements());
  }
  return out;
}

/// What makes one GAN: its losses, built from the networks (called in training mode) on real
/// images `x` [b, 32, 32, 1] and latent vectors `z` [b, 100], and its defaults.
struct Recipe {
  std::string name; // "dcgan": the default output folder is ch13_<name>_out
  std::function<Tensor(Generator &, Discriminator &, const Tensor &x, const Tensor &z)>
      discriminatorLoss;
  std::function<Tensor(Generator &, Discriminator &, const Tensor &z)> generatorLoss;
  long dSteps = 1;            // discriminator steps per generator step
  double learningRate = 2e-4; // both Adams, β₁ 0.5
};

inline int run(int argc, char **argv, const Recipe &recipe) {
  Cli cli(argc, argv,
          {{"--steps", "3000"},
           {"--quick", ""},
           {"--lr", std::to_string(recipe.learningRate)},
           {"--width", "32"},
           {"--d-steps", std::to_string(recipe.dSteps)},
           {"--sample-every", "500"},
           {"--seed", "0"},
           {"--out-dir", "ch13_" + recipe.name + "_out"},
           {"--images", "-"}},
          "[--steps N] [--quick] [--lr RATE] [--width W] [--d-steps K] "
          "[--sample-every N] [--seed N] [--out-dir DIR] [--images DIR]");
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
    // Fashion-MNIST at 32x32 in [−1, 1] with the quality numbers, or a folder of images.
    std::optional<ImageScorer> scorer;
    HostTensor real;
    std::string dataset = "fashion_mnist_32x32";
    Quality realQuality;
    if (cli.str("--images") != "-") {
      real = imageFolder(cli.str("--images"));
      dataset = "images:" + cli.str("--images");
      std::printf("%lld images from %s (no quality numbers: the scorer knows Fashion-MNIST)\n",
                  static_cast<long long>(real.shape()[0]), cli.str("--images").c_str());
    } else {
      data::TrainTest data = data::loadFashionMnist();
      int64_t n = quick ? 6000 : data.train.n;
      scorer.emplace(data, quick ? 1 : 5, n);
      std::printf("quality classifier: LeNet-5, test accuracy %.4f\n",
                  scorer->testAccuracy(data.test));
      real = data::image::resize(ImageScorer::images(data.train, n), kSide, kSide);
      for (float &v : real.as<float>())
        v = v * 2 - 1;
      // Real images through the same resizing as the generated ones.
      HostTensor realScored(DType::F32, {kScored, kSide, kSide, 1});
      std::copy_n(real.as<float>().data(), realScored.numElements(), realScored.as<float>().data());
      realQuality = scorer->score(forScoring(realScored));
      std::printf("real images (1000 training images): frechet=%.2f confident=%.3f\n",
                  realQuality.frechet, realQuality.confident);
    }
    const int64_t nTrain = real.shape()[0], channels = real.shape()[3];

    Graph g;
    Generator G(width, channels);
    Discriminator D(width);
    Tensor x = g.input("x", {-1, kSide, kSide, channels}), z = g.input("z", {-1, kLatent});
    // Each step updates only its own network's weights, with its own Adam, plus the moving
    // statistics of the batch normalisations its training-mode calls used.
    Tensor dLoss = recipe.discriminatorLoss(G, D, x, z);
    optim::Adam dAdam(cli.real("--lr"), 0.5);
    std::vector<Update> dUpdates = dAdam.minimize(dLoss, trainable(D.layers()));
    addLayerUpdates(D.layers(), dUpdates);
    addLayerUpdates(G.layers(), dUpdates);
    // A loss that draws in the step (WGAN-GP's interpolation) advances the step counter.
    nn::addRngStepUpdate(g, dUpdates);
    Tensor gLoss = recipe.generatorLoss(G, D, z);
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
    HostTensor batch(DType::F32, {kBatch, kSide, kSide, channels});
    const int64_t pixels = kSide * kSide * channels;
    auto sample = [&](long step) {
      HostTensor images = program.run("generate", {fixedZ})[0];
      for (float &v : images.as<float>())
        v = (v + 1) / 2;
      std::string path = dir + "/samples_step_" + std::to_string(step) + ".png";
      io::writeImageGrid(path, images);
      Quality q;
      if (scorer) {
        q = scorer->score(forScoring(program.run("generate", {scoreZ})[0]));
        std::printf("step %ld: frechet=%.2f confident=%.3f ", step, q.frechet, q.confident);
      }
      std::printf("wrote %s\n", path.c_str());
      return q;
    };
    Quality untrained = sample(0), trained;
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
    std::printf("model=%s dataset=%s steps=%ld d_loss=%.4f g_loss=%.4f", recipe.name.c_str(),
                dataset.c_str(), steps, dLast, gLast);
    if (scorer)
      std::printf(" real_frechet=%.2f untrained_frechet=%.2f trained_frechet=%.2f "
                  "real_confident=%.3f untrained_confident=%.3f trained_confident=%.3f",
                  realQuality.frechet, untrained.frechet, trained.frechet, realQuality.confident,
                  untrained.confident, trained.confident);
    std::printf("\n");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

} // namespace sinter::models::gan

#endif

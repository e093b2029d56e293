// Book chapter 10.13: a small DenseNet. The book describes the dense block (each layer's input
// is the channel concatenation of every earlier feature map) without code or sizes; here:
// a 3x3 stem of 24 filters, three dense blocks of 4 layers (BN → ReLU → Conv 3x3, growth 12),
// each but the last followed by a transition (BN → ReLU → Conv 1x1 halving the channels →
// 2x2 average pooling), then BN → ReLU → global average pooling → Dense(10). DenseBlock and
// Transition are custom layers. On CIFAR-10 with --data-dir, otherwise the Fashion-MNIST
// stand-in (named in the output); Adam(--lr) on batches of --batch, as the other CIFAR programs.
#include "sinter/nn/Model.h"

#include "../common/Cifar.h"

#include <cstdio>
#include <memory>
#include <vector>

using namespace sinter;

namespace {

constexpr int64_t kGrowth = 12, kLayersPerBlock = 4;

/// BN → ReLU → Conv 3x3 (growth filters), concatenated to its input, kLayersPerBlock times.
class DenseBlock : public nn::Layer {
public:
  DenseBlock() : nn::Layer("DenseBlock") {
    for (int64_t i = 0; i < kLayersPerBlock; ++i) {
      norms_.push_back(track(std::make_shared<nn::BatchNormalization>()));
      convs_.push_back(track(std::make_shared<nn::Conv2D>(
          kGrowth, Size2{3, 3}, nn::ConvOptions{.padding = "same", .useBias = false})));
    }
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    Tensor features = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      Tensor added = (*convs_[i])(relu((*norms_[i])(features, training)));
      features = concat({features, added}, 3);
    }
    return features;
  }

private:
  std::vector<std::shared_ptr<nn::BatchNormalization>> norms_;
  std::vector<std::shared_ptr<nn::Conv2D>> convs_;
};

/// BN → ReLU → Conv 1x1 (`filters`) → 2x2 average pooling.
class Transition : public nn::Layer {
public:
  explicit Transition(int64_t filters)
      : nn::Layer("Transition"), conv_(filters, {1, 1}, {.useBias = false}) {
    track(norm_);
    track(conv_);
    track(pool_);
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    return pool_(conv_(relu(norm_(x, training))));
  }

private:
  nn::BatchNormalization norm_;
  nn::Conv2D conv_;
  nn::AveragePooling2D pool_;
};

} // namespace

int main(int argc, char **argv) {
  try {
    models::CifarRun run = models::cifarRun(argc, argv);
    nn::Sequential model("densenet");
    model.add(nn::Conv2D(24, {3, 3}, {.padding = "same", .useBias = false}));
    int64_t channels = 24;
    for (int block = 0; block < 3; ++block) {
      model.add(std::make_shared<DenseBlock>());
      channels += kLayersPerBlock * kGrowth;
      if (block < 2) {
        channels /= 2;
        model.add(std::make_shared<Transition>(channels));
      }
    }
    model.add(nn::BatchNormalization());
    model.add(nn::ReLU());
    model.add(nn::GlobalAveragePooling2D());
    model.add(nn::Dense(10));
    model.build({-1, models::kCifarSide, models::kCifarSide, 3});
    model.summary(std::cout);
    model.compile(optim::Adam(run.learningRate),
                  losses::sparseCategoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    nn::History h = model.fit(
        run.xTrain, run.yTrain,
        {.batchSize = run.batch, .epochs = static_cast<int>(run.epochs), .verbose = 2, .seed = 7});
    nn::Logs test = model.evaluate(run.xTest, run.yTest, {.batchSize = 100});
    std::printf("dataset=%s epochs=%ld train_size=%lld params=%lld final_channels=%lld "
                "compile_seconds=%.1f train_loss=%.4f train_accuracy=%.4f test_loss=%.4f "
                "test_accuracy=%.4f\n",
                run.dataset.c_str(), run.epochs, static_cast<long long>(run.data.train.n),
                static_cast<long long>(model.countParams()), static_cast<long long>(channels),
                model.program().compileSeconds(), h["loss"].back(), h["accuracy"].back(),
                test.at("loss"), test.at("accuracy"));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

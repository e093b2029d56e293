// Book chapter 10.13: a small DenseNet. The book describes the dense block (each layer's input
// is the channel concatenation of every earlier feature map) without code or sizes; here:
// a 3x3 stem of 24 filters, three dense blocks of 4 layers (BN → ReLU → Conv 3x3, growth 12),
// each but the last followed by a transition (BN → ReLU → Conv 1x1 halving the channels →
// 2x2 average pooling), then BN → ReLU → global average pooling → Dense(10). Built with the
// functional API, as Keras' own DenseNets are: each layer of a block is a Concatenate of the
// block's features so far and the new ones. On CIFAR-10 with --data-dir, otherwise the
// Fashion-MNIST stand-in (named in the output); Adam(--lr) on batches of --batch, as the other
// CIFAR programs.
#include "sinter/nn/Model.h"

#include "../common/Cifar.h"

#include <cstdio>
#include <memory>
#include <vector>

using namespace sinter;

namespace {

constexpr int64_t kGrowth = 12, kLayersPerBlock = 4;

nn::SymbolicTensor bnRelu(const nn::SymbolicTensor &x) {
  return nn::ReLU()(nn::BatchNormalization()(x));
}

/// BN → ReLU → Conv 3x3 (growth filters), concatenated to its input, kLayersPerBlock times.
nn::SymbolicTensor denseBlock(nn::SymbolicTensor features) {
  for (int64_t i = 0; i < kLayersPerBlock; ++i) {
    nn::SymbolicTensor added =
        nn::Conv2D(kGrowth, {3, 3}, {.padding = "same", .useBias = false})(bnRelu(features));
    features = nn::Concatenate()({features, added});
  }
  return features;
}

/// BN → ReLU → Conv 1x1 (`filters`) → 2x2 average pooling.
nn::SymbolicTensor transition(const nn::SymbolicTensor &x, int64_t filters) {
  return nn::AveragePooling2D()(nn::Conv2D(filters, {1, 1}, {.useBias = false})(bnRelu(x)));
}

} // namespace

int main(int argc, char **argv) {
  try {
    models::CifarRun run = models::cifarRun(argc, argv);
    nn::SymbolicTensor inputs = nn::Input({models::kCifarSide, models::kCifarSide, 3});
    nn::SymbolicTensor x = nn::Conv2D(24, {3, 3}, {.padding = "same", .useBias = false})(inputs);
    for (int block = 0; block < 3; ++block) {
      x = denseBlock(x);
      if (block < 2)
        x = transition(x, x.shape().back() / 2);
    }
    int64_t channels = x.shape().back();
    nn::SymbolicTensor outputs = nn::Dense(10)(nn::GlobalAveragePooling2D()(bnRelu(x)));
    nn::Model model(inputs, outputs, "densenet");
    models::trainAndReport(model, run,
                           "params=" + std::to_string(model.countParams()) +
                               " final_channels=" + std::to_string(channels));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

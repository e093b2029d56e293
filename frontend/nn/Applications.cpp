// The model zoo (sinter/nn/Applications.h): Keras' architectures, layer for layer.
#include "sinter/nn/Applications.h"

namespace sinter::nn::applications {

namespace {

// Keras' DenseNets use this epsilon in every BatchNormalization.
constexpr double kBnEpsilon = 1.001e-5;
constexpr int64_t kGrowthRate = 32;

SymbolicTensor bnRelu(const SymbolicTensor &x, const std::string &prefix) {
  SymbolicTensor y = BatchNormalization(0.99, kBnEpsilon, true, true, prefix + "_bn")(x);
  return Activation("relu", prefix + "_relu")(y);
}

/// BN → ReLU → Conv 1x1 (4·growth) → BN → ReLU → Conv 3x3 (growth), concatenated to x.
SymbolicTensor convBlock(const SymbolicTensor &x, const std::string &name) {
  SymbolicTensor y = bnRelu(x, name + "_0");
  y = Conv2D(4 * kGrowthRate, {1, 1}, {.useBias = false}, name + "_1_conv")(y);
  y = bnRelu(y, name + "_1");
  y = Conv2D(kGrowthRate, {3, 3}, {.padding = "same", .useBias = false}, name + "_2_conv")(y);
  return Concatenate(-1, name + "_concat")({x, y});
}

SymbolicTensor denseBlock(SymbolicTensor x, int64_t blocks, const std::string &name) {
  for (int64_t i = 1; i <= blocks; ++i)
    x = convBlock(x, name + "_block" + std::to_string(i));
  return x;
}

/// BN → ReLU → Conv 1x1 (half the channels) → 2x2 average pooling.
SymbolicTensor transitionBlock(const SymbolicTensor &x, const std::string &name) {
  SymbolicTensor y = bnRelu(x, name);
  y = Conv2D(x.shape().back() / 2, {1, 1}, {.useBias = false}, name + "_conv")(y);
  return AveragePooling2D({2, 2}, Size2{2, 2}, "valid", name + "_pool")(y);
}

void checkOptions(const ApplicationOptions &options, const std::string &name) {
  auto fail = [&](const std::string &what) { return Error("applications::" + name + ": " + what); };
  const Shape &s = options.inputShape;
  if (s.size() != 3 || s[0] < 32 || s[1] < 32 || s[2] < 1)
    throw fail("inputShape must be [height, width, channels] with height and width at least 32, "
               "got " +
               shapeString(s));
  if (options.pooling != "" && options.pooling != "avg" && options.pooling != "max")
    throw fail("pooling must be \"\", \"avg\" or \"max\", got \"" + options.pooling + "\"");
  if (options.includeTop && options.classes < 1)
    throw fail("classes must be at least 1, got " + std::to_string(options.classes));
  if (options.weights == "imagenet")
    throw fail("no ImageNet weights ship with Sinter (nothing can be downloaded here): give \"\" "
               "or a weights file saved by Model::saveWeights, e.g. a backbone pretrained by "
               "ch15_pretrain_backbone");
}

} // namespace

std::shared_ptr<Model> DenseNet(const std::vector<int64_t> &blocks,
                                const ApplicationOptions &options, const std::string &name) {
  checkOptions(options, name);
  if (blocks.size() != 4)
    throw Error("applications::DenseNet: 4 dense blocks expected, got " +
                std::to_string(blocks.size()));
  SymbolicTensor input = Input(options.inputShape, DType::F32, "input_1");
  SymbolicTensor x = ZeroPadding2D({3, 3}, {3, 3})(input);
  x = Conv2D(64, {7, 7}, {.strides = {2, 2}, .useBias = false}, "conv1/conv")(x);
  x = BatchNormalization(0.99, kBnEpsilon, true, true, "conv1/bn")(x);
  x = Activation("relu", "conv1/relu")(x);
  x = ZeroPadding2D({1, 1}, {1, 1})(x);
  x = MaxPool2D({3, 3}, Size2{2, 2}, "valid", "pool1")(x);
  for (size_t i = 0; i < blocks.size(); ++i) {
    x = denseBlock(x, blocks[i], "conv" + std::to_string(i + 2));
    if (i + 1 < blocks.size())
      x = transitionBlock(x, "pool" + std::to_string(i + 2));
  }
  x = BatchNormalization(0.99, kBnEpsilon, true, true, "bn")(x);
  x = Activation("relu", "relu")(x);
  if (options.includeTop) {
    x = GlobalAveragePooling2D("avg_pool")(x);
    x = Dense(options.classes, options.classifierActivation, true, initializers::glorotUniform(),
              initializers::zeros(), nullptr, nullptr, "predictions")(x);
  } else if (options.pooling == "avg") {
    x = GlobalAveragePooling2D("avg_pool")(x);
  } else if (options.pooling == "max") {
    x = GlobalMaxPooling2D("max_pool")(x);
  }
  auto model = std::make_shared<Model>(input, x, name);
  if (!options.weights.empty())
    model->loadWeights(options.weights);
  return model;
}

std::shared_ptr<Model> DenseNet121(const ApplicationOptions &options) {
  return DenseNet({6, 12, 24, 16}, options, "densenet121");
}

std::shared_ptr<Model> DenseNet169(const ApplicationOptions &options) {
  return DenseNet({6, 12, 32, 32}, options, "densenet169");
}

std::shared_ptr<Model> DenseNet201(const ApplicationOptions &options) {
  return DenseNet({6, 12, 48, 32}, options, "densenet201");
}

} // namespace sinter::nn::applications

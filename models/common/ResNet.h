// The book's ResNet-18 for 32x32 images (10.12, 10.14): BasicBlock as a custom layer, the
// network as a subclassed model. Shared by models/ch10_resnet18 and bench/conv_bench.cpp.
#ifndef SINTER_MODELS_COMMON_RESNET_H
#define SINTER_MODELS_COMMON_RESNET_H

#include "sinter/nn/Model.h"

#include <memory>
#include <optional>
#include <vector>

namespace sinter::models {

/// conv 3x3 (stride) → BN → ReLU → conv 3x3 → BN, plus the input (through a 1x1 convolution
/// when the stride changes the size), then ReLU.
class BasicBlock : public nn::Layer {
public:
  explicit BasicBlock(int64_t filters, int64_t stride = 1)
      : nn::Layer("BasicBlock"),
        conv1_(filters, {3, 3}, {.strides = {stride, stride}, .padding = "same"}),
        conv2_(filters, {3, 3}, {.padding = "same"}) {
    track(conv1_);
    track(bn1_);
    track(conv2_);
    track(bn2_);
    if (stride != 1)
      track(
          downsample_.emplace(filters, Size2{1, 1}, nn::ConvOptions{.strides = {stride, stride}}));
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    Tensor out = relu(bn1_(conv1_(x), training));
    out = bn2_(conv2_(out), training);
    Tensor identity = downsample_ ? (*downsample_)(x) : x;
    return relu(out + identity);
  }

private:
  nn::Conv2D conv1_;
  nn::BatchNormalization bn1_;
  nn::Conv2D conv2_;
  nn::BatchNormalization bn2_;
  std::optional<nn::Conv2D> downsample_;
};

/// Stem (conv 3x3 64 → BN → ReLU → max pool 2x2 stride 1 "same"), four stages of
/// `blocks[i]` BasicBlocks of 64, 128, 256, 512 filters (stride 2 from the second stage),
/// global average pooling, Dense(classes) logits. blocks {2, 2, 2, 2} is ResNet-18.
class ResNet : public nn::Model {
public:
  explicit ResNet(std::vector<int> blocks = {2, 2, 2, 2}, int64_t classes = 10)
      : nn::Model("resnet18", "ResNet"), stemConv_(64, {3, 3}), fc_(classes) {
    track(stemConv_);
    track(stemBn_);
    track(stemPool_);
    const int64_t filters[] = {64, 128, 256, 512};
    for (size_t stage = 0; stage < blocks.size() && stage < 4; ++stage)
      for (int b = 0; b < blocks[stage]; ++b)
        blocks_.push_back(
            track(std::make_shared<BasicBlock>(filters[stage], stage > 0 && b == 0 ? 2 : 1)));
    track(pool_);
    track(fc_);
  }

protected:
  Tensor call(const Tensor &x, bool training) override {
    Tensor h = stemPool_(relu(stemBn_(stemConv_(x), training)));
    for (auto &block : blocks_)
      h = (*block)(h, training);
    return fc_(pool_(h));
  }

private:
  nn::Conv2D stemConv_;
  nn::BatchNormalization stemBn_;
  nn::MaxPool2D stemPool_{{2, 2}, Size2{1, 1}, "same"};
  std::vector<std::shared_ptr<BasicBlock>> blocks_;
  nn::GlobalAveragePooling2D pool_;
  nn::Dense fc_;
};

} // namespace sinter::models

#endif

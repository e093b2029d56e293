// Keras' model zoo (tf.keras.applications): standard architectures with Keras' layer
// structure and names, built with the functional API, returned in a std::shared_ptr so that
// they can be used as a layer of another model (transfer learning):
//
//   auto base = nn::applications::DenseNet121(
//       {.includeTop = false, .weights = "backbone.ckpt", .inputShape = {64, 64, 3},
//        .pooling = "avg"});
//   base->setTrainable(false);              // frozen: BatchNormalization in inference mode
//   nn::SymbolicTensor in = nn::Input({64, 64, 3});
//   nn::Model model(in, nn::Dense(5)((*base)(in)));
//
// No pretrained weights ship with Sinter (no download is possible where it is built): `weights`
// is "" (Keras' None, a random initialisation) or a weights file saved by Model::saveWeights,
// e.g. of a backbone pretrained by the project's own programs (models/ch15_pretrain_backbone).
#ifndef SINTER_NN_APPLICATIONS_H
#define SINTER_NN_APPLICATIONS_H

#include "sinter/nn/Model.h"

#include <memory>
#include <string>
#include <vector>

namespace sinter::nn::applications {

struct ApplicationOptions {
  /// The classifier on top (global average pooling, Dense(classes)).
  bool includeTop = true;
  /// "" or a weights file whose names, shapes and dtypes match the model exactly (Model::
  /// loadWeights; a mismatch is an Error listing every mismatched weight).
  std::string weights;
  /// [height, width, channels] of the input; at least 32x32.
  Shape inputShape = {224, 224, 3};
  /// Without the top: "" (the last feature map, [batch, h, w, c]), "avg" or "max" (global
  /// pooling to [batch, c]).
  std::string pooling;
  /// The top's classes and activation.
  int64_t classes = 1000;
  ActivationFn classifierActivation = "softmax";
};

/// DenseNet (Huang et al., 2017) as Keras builds it: a 7x7/2 convolution stem and 3x3/2 max
/// pooling, four dense blocks of `blocks[i]` conv blocks (BN → ReLU → Conv 1x1, 128 filters →
/// BN → ReLU → Conv 3x3, 32 filters, concatenated to the block's input), transitions halving
/// the channels and the size between them, and BN → ReLU at the end. Layer names as Keras'
/// ("conv1/conv", "conv2_block1_0_bn", "pool2_conv", "bn", "avg_pool", "predictions"), so weight
/// names read "conv3_block5_2_conv/kernel".
std::shared_ptr<Model> DenseNet(const std::vector<int64_t> &blocks,
                                const ApplicationOptions &options, const std::string &name);
/// Blocks {6, 12, 24, 16}: 8,062,504 parameters with the top (1000 classes), 7,037,504 without.
std::shared_ptr<Model> DenseNet121(const ApplicationOptions &options = {});
/// Blocks {6, 12, 32, 32}.
std::shared_ptr<Model> DenseNet169(const ApplicationOptions &options = {});
/// Blocks {6, 12, 48, 32}.
std::shared_ptr<Model> DenseNet201(const ApplicationOptions &options = {});

} // namespace sinter::nn::applications

#endif

// Keras-style convolutional layers (chapter 10) over NHWC images [batch, height, width,
// channels]: convolutions, pooling, and the image-shape layers. Sizes are {height, width}.
#ifndef SINTER_NN_CONVLAYERS_H
#define SINTER_NN_CONVLAYERS_H

#include "sinter/nn/Layers.h"

#include <array>
#include <optional>

namespace sinter::nn {

/// The options every convolution layer shares.
struct ConvOptions {
  Size2 strides{1, 1};
  Padding padding = "valid";
  ActivationFn activation;
  Size2 dilation{1, 1};
  bool useBias = true;
  initializers::Initializer kernelInitializer = initializers::glorotUniform();
  initializers::Initializer biasInitializer = initializers::zeros();
  regularizers::Regularizer kernelRegularizer = nullptr;
  regularizers::Regularizer biasRegularizer = nullptr;
};

/// What the convolution layers share: the kernel size and options, the (first) kernel, the
/// optional bias, and y = activation(convolution + bias).
class ConvLayer : public Layer {
public:
  const Variable &kernel() const { return kernel_; }
  const Variable &bias() const { return bias_; }

protected:
  ConvLayer(std::string typeName, std::string name, int64_t filters, Size2 kernelSize,
            ConvOptions options);
  /// A kernel [kh, kw, inner[0], inner[1]] with the options' initializer and regularizer.
  Variable addKernel(Graph &g, const std::string &name, std::array<int64_t, 2> inner);
  /// The bias [units] when the options use one.
  void addBias(Graph &g, int64_t units);
  /// activation(y + bias).
  Tensor finish(Tensor y) const;

  int64_t filters_; // output channels (0: as many as the depthwise kernel gives)
  Size2 kernelSize_;
  ConvOptions options_;
  Variable kernel_, bias_;
};

/// y = activation(conv2d(x, kernel) + bias); kernel [kh, kw, in_channels, filters].
///   Conv2D(6, {3, 3})                                     // Keras' Conv2D(6, kernel_size=3)
///   Conv2D(64, {3, 3}, {.padding = "same", .activation = "relu"})
class Conv2D : public ConvLayer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv2D>(*this); }
  Conv2D(int64_t filters, Size2 kernelSize, ConvOptions options = {}, std::string name = "");

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;
};

/// The transposed convolution (tf.keras.layers.Conv2DTranspose): kernel [kh, kw, filters,
/// in_channels]; output size (size − 1)·stride + kernel for "valid", size·stride for "same".
class Conv2DTranspose : public ConvLayer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Conv2DTranspose>(*this); }
  Conv2DTranspose(int64_t filters, Size2 kernelSize, ConvOptions options = {},
                  std::string name = "");

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;
};

/// One filter per input channel (times `depthMultiplier`): depthwise kernel
/// [kh, kw, in_channels, depthMultiplier].
class DepthwiseConv2D : public ConvLayer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<DepthwiseConv2D>(*this); }
  explicit DepthwiseConv2D(Size2 kernelSize, int64_t depthMultiplier = 1, ConvOptions options = {},
                           std::string name = "");

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;

private:
  int64_t multiplier_;
};

/// A depthwise convolution then a 1x1 (pointwise) one: depthwise_kernel (kernel())
/// [kh, kw, in, multiplier], pointwise_kernel [1, 1, in·multiplier, filters], bias [filters].
class SeparableConv2D : public ConvLayer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SeparableConv2D>(*this); }
  SeparableConv2D(int64_t filters, Size2 kernelSize, ConvOptions options = {},
                  int64_t depthMultiplier = 1, std::string name = "");

protected:
  void build(Graph &g, const Shape &inputShape) override;
  Tensor call(const Tensor &x, bool training) override;

private:
  int64_t multiplier_;
  Variable pointwise_;
};

/// Max or mean pooling over each window; strides default to the pool size (Keras).
class Pool2D : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Pool2D>(*this); }
  using PoolFn = Tensor (*)(const Tensor &, Size2, Size2, const Padding &, Loc);

protected:
  Pool2D(std::string typeName, PoolFn pool, Size2 poolSize, std::optional<Size2> strides,
         Padding padding, std::string name);
  Tensor call(const Tensor &x, bool training) override;

private:
  PoolFn pool_;
  Size2 size_, strides_;
  Padding padding_;
};

/// Max over each window.
class MaxPool2D : public Pool2D {
public:
  explicit MaxPool2D(Size2 poolSize = {2, 2}, std::optional<Size2> strides = std::nullopt,
                     Padding padding = "valid", std::string name = "")
      : Pool2D("MaxPooling2D", maxPool2d, poolSize, strides, std::move(padding), std::move(name)) {}
};
using MaxPooling2D = MaxPool2D;

/// Mean over each window (padding not counted).
class AveragePooling2D : public Pool2D {
public:
  explicit AveragePooling2D(Size2 poolSize = {2, 2}, std::optional<Size2> strides = std::nullopt,
                            Padding padding = "valid", std::string name = "")
      : Pool2D("AveragePooling2D", avgPool2d, poolSize, strides, std::move(padding),
               std::move(name)) {}
};

/// [b, h, w, c] -> [b, c]: the mean over height and width.
class GlobalAveragePooling2D : public Layer {
public:
  std::shared_ptr<Layer> clone() const override {
    return std::make_shared<GlobalAveragePooling2D>(*this);
  }
  explicit GlobalAveragePooling2D(std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;
};

/// [b, h, w, c] -> [b, c]: the maximum over height and width.
class GlobalMaxPooling2D : public Layer {
public:
  std::shared_ptr<Layer> clone() const override {
    return std::make_shared<GlobalMaxPooling2D>(*this);
  }
  explicit GlobalMaxPooling2D(std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;
};

/// Zero rows and columns around the image: {top, bottom} and {left, right}.
class ZeroPadding2D : public Layer {
public:
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ZeroPadding2D>(*this); }
  explicit ZeroPadding2D(Size2 rows = {1, 1}, Size2 columns = {1, 1}, std::string name = "");

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  Size2 rows_, columns_;
};

/// Enlarges images `size` times: "nearest" repeats each row and column, "bilinear"
/// interpolates (image::resize).
class UpSampling2D : public Layer {
public:
  explicit UpSampling2D(Size2 size = {2, 2}, std::string interpolation = "nearest",
                        std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<UpSampling2D>(*this); }

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  Size2 size_;
  std::string interpolation_;
};

/// Resizes images to {height, width} (Keras' Resizing): "bilinear" or "nearest".
class Resizing : public Layer {
public:
  explicit Resizing(Size2 size, std::string interpolation = "bilinear", std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Resizing>(*this); }

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  Size2 size_;
  std::string interpolation_;
};

} // namespace sinter::nn

#endif

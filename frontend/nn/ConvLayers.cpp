// The convolutional layers of chapter 10 (ConvLayers.h).
#include "sinter/nn/ConvLayers.h"

#include "sinter/Image.h"

namespace sinter::nn {

namespace {

/// The channel count of an NHWC input, or an Error naming the layer.
int64_t imageChannels(const Layer &layer, const Shape &inputShape) {
  if (inputShape.size() != 4)
    throw Error("layer '" + layer.name() + "' (" + layer.typeName() + "): expects images " +
                "[batch, height, width, channels], got shape " + runtime::shapeString(inputShape));
  return inputShape[3];
}

void requirePositive(const char *layer, const char *what, int64_t v) {
  if (v <= 0)
    throw Error(std::string(layer) + ": " + what + " must be positive, got " + std::to_string(v));
}

void requireInterpolation(const char *layer, const std::string &method) {
  if (method != "nearest" && method != "bilinear")
    throw Error(std::string(layer) + ": interpolation must be \"nearest\" or \"bilinear\", got \"" +
                method + "\"");
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Convolutions

ConvLayer::ConvLayer(std::string typeName, std::string name, int64_t filters, Size2 kernelSize,
                     ConvOptions options)
    : Layer(std::move(typeName), std::move(name)), filters_(filters), kernelSize_(kernelSize),
      options_(std::move(options)) {
  requirePositive(this->typeName().c_str(), "kernel height", kernelSize[0]);
  requirePositive(this->typeName().c_str(), "kernel width", kernelSize[1]);
}

Variable ConvLayer::addKernel(Graph &g, const std::string &name, std::array<int64_t, 2> inner) {
  return addWeight(g, name, {kernelSize_[0], kernelSize_[1], inner[0], inner[1]},
                   options_.kernelInitializer, true, options_.kernelRegularizer);
}

void ConvLayer::addBias(Graph &g, int64_t units) {
  if (options_.useBias)
    bias_ = addWeight(g, "bias", {units}, options_.biasInitializer, true, options_.biasRegularizer);
}

Tensor ConvLayer::finish(Tensor y) const {
  if (options_.useBias)
    y = y + bias_;
  return options_.activation(y);
}

Conv2D::Conv2D(int64_t filters, Size2 kernelSize, ConvOptions options, std::string name)
    : ConvLayer("Conv2D", std::move(name), filters, kernelSize, std::move(options)) {
  requirePositive("Conv2D", "filters", filters);
}

void Conv2D::build(Graph &g, const Shape &inputShape) {
  kernel_ = addKernel(g, "kernel", {imageChannels(*this, inputShape), filters_});
  addBias(g, filters_);
}

Tensor Conv2D::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return finish(conv2d(x, kernel_, options_.strides, options_.padding, options_.dilation));
}

Conv2DTranspose::Conv2DTranspose(int64_t filters, Size2 kernelSize, ConvOptions options,
                                 std::string name)
    : ConvLayer("Conv2DTranspose", std::move(name), filters, kernelSize, std::move(options)) {
  requirePositive("Conv2DTranspose", "filters", filters);
}

void Conv2DTranspose::build(Graph &g, const Shape &inputShape) {
  kernel_ = addKernel(g, "kernel", {filters_, imageChannels(*this, inputShape)});
  addBias(g, filters_);
}

Tensor Conv2DTranspose::call(const Tensor &x, bool) {
  const Shape &s = x.shape();
  imageChannels(*this, s);
  Shape out{s[0], 0, 0, filters_};
  for (int i = 0; i < 2; ++i)
    out[1 + i] = conv2dTransposeSize(s[1 + i], kernelSize_[i], options_.strides[i],
                                     options_.padding, options_.dilation[i]);
  return finish(
      conv2dTranspose(x, kernel_, out, options_.strides, options_.padding, options_.dilation));
}

DepthwiseConv2D::DepthwiseConv2D(Size2 kernelSize, int64_t depthMultiplier, ConvOptions options,
                                 std::string name)
    : ConvLayer("DepthwiseConv2D", std::move(name), 0, kernelSize, std::move(options)),
      multiplier_(depthMultiplier) {
  requirePositive("DepthwiseConv2D", "depth multiplier", depthMultiplier);
}

void DepthwiseConv2D::build(Graph &g, const Shape &inputShape) {
  int64_t c = imageChannels(*this, inputShape);
  kernel_ = addKernel(g, "depthwise_kernel", {c, multiplier_});
  addBias(g, c * multiplier_);
}

Tensor DepthwiseConv2D::call(const Tensor &x, bool) {
  return finish(depthwiseConv2d(x, kernel_, options_.strides, options_.padding, options_.dilation));
}

SeparableConv2D::SeparableConv2D(int64_t filters, Size2 kernelSize, ConvOptions options,
                                 int64_t depthMultiplier, std::string name)
    : ConvLayer("SeparableConv2D", std::move(name), filters, kernelSize, std::move(options)),
      multiplier_(depthMultiplier) {
  requirePositive("SeparableConv2D", "filters", filters);
  requirePositive("SeparableConv2D", "depth multiplier", depthMultiplier);
}

void SeparableConv2D::build(Graph &g, const Shape &inputShape) {
  int64_t c = imageChannels(*this, inputShape);
  kernel_ = addKernel(g, "depthwise_kernel", {c, multiplier_});
  pointwise_ = addWeight(g, "pointwise_kernel", {1, 1, c * multiplier_, filters_},
                         options_.kernelInitializer, true, options_.kernelRegularizer);
  addBias(g, filters_);
}

Tensor SeparableConv2D::call(const Tensor &x, bool) {
  Tensor y = depthwiseConv2d(x, kernel_, options_.strides, options_.padding, options_.dilation);
  return finish(conv2d(y, pointwise_));
}

// ---------------------------------------------------------------------------------------------
// Pooling

Pool2D::Pool2D(std::string typeName, PoolFn pool, Size2 poolSize, std::optional<Size2> strides,
               Padding padding, std::string name)
    : Layer(std::move(typeName), std::move(name)), pool_(pool), size_(poolSize),
      strides_(strides.value_or(poolSize)), padding_(std::move(padding)) {}

Tensor Pool2D::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return pool_(x, size_, strides_, padding_, Loc::current());
}

GlobalAveragePooling2D::GlobalAveragePooling2D(std::string name)
    : Layer("GlobalAveragePooling2D", std::move(name)) {}

Tensor GlobalAveragePooling2D::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return reduceMean(x, {1, 2});
}

GlobalMaxPooling2D::GlobalMaxPooling2D(std::string name)
    : Layer("GlobalMaxPooling2D", std::move(name)) {}

Tensor GlobalMaxPooling2D::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return reduceMax(x, {1, 2});
}

// ---------------------------------------------------------------------------------------------
// Image shapes

ZeroPadding2D::ZeroPadding2D(Size2 rows, Size2 columns, std::string name)
    : Layer("ZeroPadding2D", std::move(name)), rows_(rows), columns_(columns) {}

Tensor ZeroPadding2D::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return pad(x, {{0, 0}, {rows_[0], rows_[1]}, {columns_[0], columns_[1]}, {0, 0}});
}

UpSampling2D::UpSampling2D(Size2 size, std::string interpolation, std::string name)
    : Layer("UpSampling2D", std::move(name)), size_(size),
      interpolation_(std::move(interpolation)) {
  requirePositive("UpSampling2D", "size", std::min(size[0], size[1]));
  requireInterpolation("UpSampling2D", interpolation_);
}

Tensor UpSampling2D::call(const Tensor &x, bool) {
  const Shape &s = x.shape();
  imageChannels(*this, s);
  if (interpolation_ == "bilinear")
    return image::resize(x, {s[1] * size_[0], s[2] * size_[1]}, "bilinear");
  // [b, h, 1, w, 1, c] broadcast to [b, h, sh, w, sw, c]: each pixel repeated.
  Tensor wide = broadcastTo(reshape(x, {s[0], s[1], 1, s[2], 1, s[3]}),
                            {s[0], s[1], size_[0], s[2], size_[1], s[3]});
  return reshape(wide, {s[0], s[1] * size_[0], s[2] * size_[1], s[3]});
}

Resizing::Resizing(Size2 size, std::string interpolation, std::string name)
    : Layer("Resizing", std::move(name)), size_(size), interpolation_(std::move(interpolation)) {
  requirePositive("Resizing", "size", std::min(size[0], size[1]));
  requireInterpolation("Resizing", interpolation_);
}

Tensor Resizing::call(const Tensor &x, bool) {
  imageChannels(*this, x.shape());
  return image::resize(x, size_, interpolation_);
}

} // namespace sinter::nn

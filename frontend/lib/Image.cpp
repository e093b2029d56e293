// tf.image ops as composites of transposes and 1x1 convolutions.
#include "sinter/Image.h"

#include "sinter/runtime/ResizeTaps.h"

namespace sinter::image {

namespace {

/// The interpolation matrix taking an axis from inSize to outSize samples, transposed and
/// shaped as a 1x1 convolution filter [1, 1, inSize, outSize].
Tensor resampling(Graph &g, int64_t inSize, int64_t outSize, bool bilinear, DType dtype, Loc loc) {
  std::vector<float> m(static_cast<size_t>(inSize * outSize), 0.0f);
  for (int64_t d = 0; d < outSize; ++d) {
    if (bilinear) {
      runtime::ResizeTap tap = runtime::bilinearTap(d, inSize, outSize);
      m[tap.lo * outSize + d] += static_cast<float>(1 - tap.t);
      m[tap.hi * outSize + d] += static_cast<float>(tap.t);
    } else {
      m[runtime::nearestTap(d, inSize, outSize) * outSize + d] = 1.0f;
    }
  }
  Tensor t = constant(g, m, {1, 1, inSize, outSize}, loc);
  return dtype == DType::F32 ? t : cast(t, dtype, loc);
}

/// Resamples axis 1 of x [b, n, m, c] to `size` samples: the axis moves to the channels and a
/// 1x1 convolution applies the matrix (a matrix product that keeps the batch dimension whole,
/// as a dynamic batch requires, and runs on the convolution kernels).
Tensor resizeAxis1(const Tensor &x, int64_t size, bool bilinear, Loc loc) {
  Tensor m = resampling(x.graph(), x.shape()[1], size, bilinear, x.dtype(), loc);
  Tensor resampled = conv2d(transpose(x, {0, 2, 3, 1}, loc), m, {1, 1}, "valid", {1, 1}, 1, loc);
  return transpose(resampled, {0, 3, 1, 2}, loc);
}

} // namespace

Tensor resize(const Tensor &images, Size2 size, const std::string &method, Loc loc) {
  std::string where =
      std::string(loc.file_name()) + ":" + std::to_string(loc.line()) + ": image::resize";
  if (method != "bilinear" && method != "nearest")
    throw Error(where + ": method must be \"bilinear\" or \"nearest\", got \"" + method + "\"");
  if (size[0] < 1 || size[1] < 1)
    throw Error(where + ": the size must be positive, got " + std::to_string(size[0]) + "x" +
                std::to_string(size[1]));
  if (images.rank() == 3) {
    Shape s = images.shape();
    Tensor batch = reshape(images, {1, s[0], s[1], s[2]}, loc);
    return reshape(resize(batch, size, method, loc), {size[0], size[1], s[2]}, loc);
  }
  if (images.rank() != 4)
    throw Error(where +
                ": images must be [batch, height, width, channels] or [height, width, "
                "channels], got shape " +
                runtime::shapeString(images.shape()));
  DType t = images.dtype();
  if (t != DType::F32 && t != DType::F64)
    throw Error(where + ": images must be float32 or float64, got " + runtime::dtypeName(t));
  bool bilinear = method == "bilinear";
  Tensor x = images;
  if (x.shape()[1] != size[0])
    x = resizeAxis1(x, size[0], bilinear, loc);
  if (x.shape()[2] != size[1]) // the same with height and width swapped
    x = transpose(resizeAxis1(transpose(x, {0, 2, 1, 3}, loc), size[1], bilinear, loc),
                  {0, 2, 1, 3}, loc);
  return x;
}

} // namespace sinter::image

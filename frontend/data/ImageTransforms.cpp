// tf.image-style transforms on host images (ImageTransforms.h).
#include "sinter/data/ImageTransforms.h"

#include "sinter/data/ImageDatasets.h"
#include "sinter/runtime/ResizeTaps.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace sinter::data::image {
namespace {

/// The geometry of an image or a batch of images.
struct Layout {
  int64_t n, h, w, c;
  bool batched;
};

Layout layoutOf(const HostTensor &t, const char *op) {
  const auto &s = t.shape();
  if (t.dtype() != DType::F32 || (s.size() != 3 && s.size() != 4))
    throw DataError(std::string("sinter::data::image::") + op +
                    ": expects float32 images [height, width, channels] or [n, height, width, "
                    "channels], got " +
                    runtime::shapeString(s));
  bool batched = s.size() == 4;
  return {batched ? s[0] : 1, s[s.size() - 3], s[s.size() - 2], s[s.size() - 1], batched};
}

HostTensor make(const Layout &in, int64_t h, int64_t w) {
  if (in.batched)
    return HostTensor(DType::F32, {in.n, h, w, in.c});
  return HostTensor(DType::F32, {h, w, in.c});
}

/// out[b, i, j] = in[b, source(i, j)] for every channel; source returns (row, column).
template <class Source>
HostTensor remap(const HostTensor &images, const Layout &l, int64_t h, int64_t w, Source source) {
  HostTensor out = make(l, h, w);
  const float *in = images.as<float>().data();
  float *o = out.as<float>().data();
  for (int64_t b = 0; b < l.n; ++b)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        auto [r, col] = source(i, j);
        const float *px = in + ((b * l.h + r) * l.w + col) * l.c;
        std::copy(px, px + l.c, o + ((b * h + i) * w + j) * l.c);
      }
  return out;
}

/// A transform of the first component of every element, with a generator of its own.
std::function<Element(Element)>
randomMap(uint64_t seed, std::function<HostTensor(const HostTensor &, std::mt19937_64 &)> fn) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng, fn](Element e) {
    if (e.empty())
      throw DataError("sinter::data::image: a random transform needs an element with an image");
    e[0] = fn(e[0], *rng);
    return e;
  };
}

} // namespace

HostTensor flipLeftRight(const HostTensor &images) {
  Layout l = layoutOf(images, "flipLeftRight");
  return remap(images, l, l.h, l.w,
               [&](int64_t i, int64_t j) { return std::pair{i, l.w - 1 - j}; });
}

HostTensor flipUpDown(const HostTensor &images) {
  Layout l = layoutOf(images, "flipUpDown");
  return remap(images, l, l.h, l.w,
               [&](int64_t i, int64_t j) { return std::pair{l.h - 1 - i, j}; });
}

HostTensor rot90(const HostTensor &images, int k) {
  Layout l = layoutOf(images, "rot90");
  k = ((k % 4) + 4) % 4;
  if (k == 0)
    return images.clone();
  if (k == 2)
    return remap(images, l, l.h, l.w,
                 [&](int64_t i, int64_t j) { return std::pair{l.h - 1 - i, l.w - 1 - j}; });
  // Counter-clockwise: output (i, j) of a k = 1 turn shows input (j, w − 1 − i).
  if (k == 1)
    return remap(images, l, l.w, l.h,
                 [&](int64_t i, int64_t j) { return std::pair{j, l.w - 1 - i}; });
  return remap(images, l, l.w, l.h,
               [&](int64_t i, int64_t j) { return std::pair{l.h - 1 - j, i}; });
}

HostTensor resize(const HostTensor &images, int64_t height, int64_t width, Interpolation method) {
  Layout l = layoutOf(images, "resize");
  if (height < 1 || width < 1)
    throw DataError("sinter::data::image::resize: the size must be positive, got " +
                    std::to_string(height) + "x" + std::to_string(width));
  if (method == Interpolation::Nearest)
    return remap(images, l, height, width, [&](int64_t i, int64_t j) {
      return std::pair{runtime::nearestTap(i, l.h, height), runtime::nearestTap(j, l.w, width)};
    });
  HostTensor out = make(l, height, width);
  const float *in = images.as<float>().data();
  float *o = out.as<float>().data();
  for (int64_t b = 0; b < l.n; ++b)
    for (int64_t i = 0; i < height; ++i) {
      runtime::ResizeTap y = runtime::bilinearTap(i, l.h, height);
      for (int64_t j = 0; j < width; ++j) {
        runtime::ResizeTap x = runtime::bilinearTap(j, l.w, width);
        auto at = [&](int64_t r, int64_t c, int64_t ch) {
          return in[((b * l.h + r) * l.w + c) * l.c + ch];
        };
        for (int64_t ch = 0; ch < l.c; ++ch) {
          double top = at(y.lo, x.lo, ch) * (1 - x.t) + at(y.lo, x.hi, ch) * x.t;
          double bottom = at(y.hi, x.lo, ch) * (1 - x.t) + at(y.hi, x.hi, ch) * x.t;
          o[((b * height + i) * width + j) * l.c + ch] = float(top * (1 - y.t) + bottom * y.t);
        }
      }
    }
  return out;
}

HostTensor crop(const HostTensor &images, int64_t top, int64_t left, int64_t height, int64_t width,
                int64_t padding) {
  Layout l = layoutOf(images, "crop");
  if (padding < 0 || height < 1 || width < 1 || top < 0 || left < 0 ||
      top + height > l.h + 2 * padding || left + width > l.w + 2 * padding)
    throw DataError("sinter::data::image::crop: the window " + std::to_string(height) + "x" +
                    std::to_string(width) + " at (" + std::to_string(top) + ", " +
                    std::to_string(left) + ") does not fit the image " + std::to_string(l.h) + "x" +
                    std::to_string(l.w) + " padded by " + std::to_string(padding));
  HostTensor out = make(l, height, width);
  const float *in = images.as<float>().data();
  float *o = out.as<float>().data();
  std::fill(o, o + out.numElements(), 0.0f);
  for (int64_t b = 0; b < l.n; ++b)
    for (int64_t i = 0; i < height; ++i)
      for (int64_t j = 0; j < width; ++j) {
        int64_t r = top + i - padding, c = left + j - padding;
        if (r < 0 || r >= l.h || c < 0 || c >= l.w)
          continue;
        const float *px = in + ((b * l.h + r) * l.w + c) * l.c;
        std::copy(px, px + l.c, o + ((b * height + i) * width + j) * l.c);
      }
  return out;
}

std::function<Element(Element)> randomFlipLeftRight(uint64_t seed) {
  return randomMap(seed, [](const HostTensor &img, std::mt19937_64 &rng) {
    return std::bernoulli_distribution(0.5)(rng) ? flipLeftRight(img) : img;
  });
}

std::function<Element(Element)> randomCropWithPadding(int64_t padding, uint64_t seed) {
  return randomMap(seed, [padding](const HostTensor &img, std::mt19937_64 &rng) {
    Layout l = layoutOf(img, "randomCropWithPadding");
    std::uniform_int_distribution<int64_t> offset(0, 2 * padding);
    return crop(img, offset(rng), offset(rng), l.h, l.w, padding);
  });
}

std::function<Element(Element)> randomCrop(int64_t height, int64_t width, uint64_t seed) {
  return randomMap(seed, [height, width](const HostTensor &img, std::mt19937_64 &rng) {
    Layout l = layoutOf(img, "randomCrop");
    if (height < 1 || width < 1 || height > l.h || width > l.w)
      throw DataError("randomCrop: cannot cut " + std::to_string(height) + "x" +
                      std::to_string(width) + " out of a " + std::to_string(l.h) + "x" +
                      std::to_string(l.w) + " image");
    std::uniform_int_distribution<int64_t> top(0, l.h - height), left(0, l.w - width);
    int64_t t = top(rng);
    return crop(img, t, left(rng), height, width);
  });
}

std::function<Element(Element)> randomRot90(uint64_t seed) {
  return randomMap(seed, [](const HostTensor &img, std::mt19937_64 &rng) {
    return rot90(img, std::uniform_int_distribution<int>(0, 3)(rng));
  });
}

} // namespace sinter::data::image

// 8-bit images (grey, RGB or RGBA), PNG files (through libpng), JPEG files (through libjpeg) and
// GIF files (first frame, through giflib), and their preprocessing into network inputs.
// Library sinter_image: it needs only the runtime, so a deployed image classifier links it
// without the compiler.
#ifndef SINTER_IO_IMAGE_H
#define SINTER_IO_IMAGE_H

#include "sinter/runtime/Runtime.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sinter::io {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb &) const = default;
};

/// Row-major pixels, `channels` bytes each: 1 grey, 3 RGB (the default, and what the PNG and JPEG
/// decoders produce) or 4 RGBA (non-premultiplied alpha, 255 opaque; a GIF with a transparent
/// colour decodes to it).
struct Image {
  int width = 0, height = 0;
  int channels = 3;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int width, int height, Rgb fill = {255, 255, 255});
  /// The colour at (x, y): grey is repeated in r, g and b; alpha is ignored.
  Rgb at(int x, int y) const;
  /// Sets (x, y) to `c` (grey: its rounded luma, ITU-R BT.601; RGBA: opaque); ignores pixels
  /// outside the image.
  void set(int x, int y, Rgb c);
};

/// `image` with `channels` (1, 3 or 4) channels: grey → RGB repeats the value; RGB → grey is the
/// rounded luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert("L")); RGBA → RGB or
/// grey composites onto `background` (c·a + b·(255 − a), over 255, rounded); anything → RGBA adds
/// an opaque alpha. Throws Error for another channel count or an inconsistent image.
Image convertChannels(const Image &image, int channels, Rgb background = {255, 255, 255});

/// PNG bytes of an 8-bit grey, RGB or RGBA image.
std::string encodePng(const Image &image);
/// Decodes a PNG (any colour type/depth libpng can convert) to RGB (libpng composites an alpha
/// channel onto the white buffer). Throws Error when invalid.
Image decodePng(const std::string &png);
/// Writes `image` as a PNG file, atomically. Throws Error naming the path on failure.
void writePng(const std::string &path, const Image &image);
Image readPng(const std::string &path);
/// Decodes a JPEG (baseline or progressive, any colour space libjpeg converts) to RGB. Throws
/// Error when invalid or truncated.
Image decodeJpeg(const std::string &jpeg);
/// JPEG bytes of a grey or RGB image; quality 1..100. (RGBA: convertChannels first.)
std::string encodeJpeg(const Image &image, int quality = 90);
/// Decodes the first frame of a GIF (87a or 89a, through giflib), composited onto the logical
/// screen: RGBA when the frame has a transparent colour (that colour, and the screen outside the
/// frame, get alpha 0), RGB otherwise (the screen outside the frame has the global colour map's
/// background colour, or black without one). Throws Error with giflib's message when truncated or
/// corrupt.
Image decodeGif(const std::string &gif);
/// A PNG, JPEG or GIF file (told apart by its first bytes: "\x89PNG", FF D8 FF, "GIF87a" or
/// "GIF89a"), decoded as above: RGB, except RGBA for a GIF with a transparent colour (use
/// convertChannels for a fixed channel count). Errors name the path.
Image readImage(const std::string &path);

/// ImageNet's per-channel statistics (the book's defaults).
inline constexpr std::array<float, 3> kImageNetMean = {0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kImageNetStd = {0.229f, 0.224f, 0.225f};

/// An image as a network's float32 input [height, width, 3]: convertChannels to RGB (alpha
/// composited onto `background`), scaled to [0, 1], resized bilinearly (data::image::resize,
/// half-pixel centres, as tf.image.resize), then (x − mean[c]) / std[c] per channel. The one
/// preprocessing of the image-folder data set and of a deployed image classifier.
runtime::HostTensor imageTensor(const Image &image, int64_t height, int64_t width,
                                const std::array<float, 3> &mean = kImageNetMean,
                                const std::array<float, 3> &std = kImageNetStd,
                                Rgb background = {255, 255, 255});

/// (x − mean[c]) / std[c] and its inverse x · std[c] + mean[c] on float32 [..., 3] images.
runtime::HostTensor normalize(const runtime::HostTensor &images,
                              const std::array<float, 3> &mean = kImageNetMean,
                              const std::array<float, 3> &std = kImageNetStd);
runtime::HostTensor denormalize(const runtime::HostTensor &images,
                                const std::array<float, 3> &mean = kImageNetMean,
                                const std::array<float, 3> &std = kImageNetStd);

/// The book's save_images: float images [n, h, w] or [n, h, w, c] (c = 1 grey, 3 RGB) with
/// values in [0, 1] (clipped), tiled `columns` per row in order, edge to edge — 100 images of
/// 28x28 with 10 columns make the book's 280x280 grid. Throws Error on other shapes.
Image imageGrid(const runtime::HostTensor &images, int columns = 10);
/// imageGrid written as a PNG file.
void writeImageGrid(const std::string &path, const runtime::HostTensor &images, int columns = 10);

} // namespace sinter::io

#endif

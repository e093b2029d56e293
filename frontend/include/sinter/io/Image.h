// RGB images, PNG files (through libpng) and JPEG files (through libjpeg).
#ifndef SINTER_IO_IMAGE_H
#define SINTER_IO_IMAGE_H

#include "sinter/runtime/Runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sinter::io {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb &) const = default;
};

/// Row-major RGB pixels, 3 bytes each.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int width, int height, Rgb fill = {255, 255, 255});
  Rgb at(int x, int y) const;
  void set(int x, int y, Rgb c); ///< ignores pixels outside the image
};

/// PNG bytes of an RGB image (8 bits per channel).
std::string encodePng(const Image &image);
/// Decodes a PNG (any colour type/depth libpng can convert) to RGB. Throws Error when invalid.
Image decodePng(const std::string &png);
/// Writes `image` as a PNG file, atomically. Throws Error naming the path on failure.
void writePng(const std::string &path, const Image &image);
Image readPng(const std::string &path);
/// Decodes a JPEG (baseline or progressive, any colour space libjpeg converts) to RGB. Throws
/// Error when invalid or truncated.
Image decodeJpeg(const std::string &jpeg);
/// JPEG bytes of an RGB image; quality 1..100.
std::string encodeJpeg(const Image &image, int quality = 90);
/// A PNG or JPEG file (told apart by its first bytes) as RGB; Errors name the path.
Image readImage(const std::string &path);

/// The book's save_images: float images [n, h, w] or [n, h, w, c] (c = 1 grey, 3 RGB) with
/// values in [0, 1] (clipped), tiled `columns` per row in order, edge to edge — 100 images of
/// 28x28 with 10 columns make the book's 280x280 grid. Throws Error on other shapes.
Image imageGrid(const runtime::HostTensor &images, int columns = 10);
/// imageGrid written as a PNG file.
void writeImageGrid(const std::string &path, const runtime::HostTensor &images, int columns = 10);

} // namespace sinter::io

#endif

// RGB images and PNG through libpng's simplified API (png_image, libpng >= 1.6).
#include "sinter/io/Image.h"

#include "sinter/Graph.h"
#include "sinter/io/Checkpoint.h"

#include <png.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace sinter::io {

Image::Image(int w, int h, Rgb fill) : width(w), height(h) {
  if (w < 0 || h < 0)
    throw Error("image: negative size " + std::to_string(w) + "x" + std::to_string(h));
  pixels.resize(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
  for (size_t i = 0; i < pixels.size(); i += 3) {
    pixels[i] = fill.r;
    pixels[i + 1] = fill.g;
    pixels[i + 2] = fill.b;
  }
}

Rgb Image::at(int x, int y) const {
  size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
  return {pixels[i], pixels[i + 1], pixels[i + 2]};
}

void Image::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= width || y >= height)
    return;
  size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
  pixels[i] = c.r;
  pixels[i + 1] = c.g;
  pixels[i + 2] = c.b;
}

std::string encodePng(const Image &image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("PNG: the image must be non-empty RGB with width*height*3 bytes (" +
                std::to_string(image.width) + "x" + std::to_string(image.height) + ", " +
                std::to_string(image.pixels.size()) + " bytes)");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr))
    throw Error(std::string("PNG: encoding failed: ") + png.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr))
    throw Error(std::string("PNG: encoding failed: ") + png.message);
  out.resize(size);
  return out;
}

Image decodePng(const std::string &bytes) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    throw Error(std::string("PNG: cannot decode: ") + png.message);
  png.format = PNG_FORMAT_RGB;
  Image image(static_cast<int>(png.width), static_cast<int>(png.height));
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    std::string message = png.message;
    png_image_free(&png);
    throw Error("PNG: cannot decode: " + message);
  }
  return image;
}

void writePng(const std::string &path, const Image &image) {
  writeFileAtomically(path, encodePng(image), "PNG file");
}

Image readPng(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error("PNG file '" + path + "': not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("PNG file '" + path + "': cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return decodePng(bytes);
  } catch (const Error &e) {
    throw Error("PNG file '" + path + "': " + e.what());
  }
}

} // namespace sinter::io

// RGB images; PNG through libpng's simplified API (png_image, libpng >= 1.6), JPEG through
// libjpeg(-turbo).
#include "sinter/io/Image.h"

#include "sinter/Graph.h"
#include "sinter/io/Checkpoint.h"

#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <cstdio>
#include <jpeglib.h>

#include <csetjmp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace sinter::io {

namespace {

/// libjpeg reports errors through error_exit, which must not return: it jumps back to the
/// decoder's setjmp. Warnings (a truncated file is one: "Premature end of JPEG file") are
/// kept, and count as errors.
struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool warned;
};

void jpegErrorExit(j_common_ptr info) {
  auto *errors = reinterpret_cast<JpegErrors *>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

void jpegEmitMessage(j_common_ptr info, int level) {
  auto *errors = reinterpret_cast<JpegErrors *>(info->err);
  if (level < 0 && !errors->warned) {
    (*info->err->format_message)(info, errors->message);
    errors->warned = true;
  }
}

/// Decodes into `pixels` (constructed by the caller, so nothing with a destructor is skipped
/// by the longjmp); false with errors->message on failure.
bool decodeJpegInto(const std::string &bytes, JpegErrors *errors, std::vector<uint8_t> *pixels,
                    int *width, int *height) {
  jpeg_decompress_struct info;
  info.err = jpeg_std_error(&errors->manager);
  errors->manager.error_exit = jpegErrorExit;
  errors->manager.emit_message = jpegEmitMessage;
  errors->warned = false;
  if (setjmp(errors->jump)) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char *>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  *width = static_cast<int>(info.output_width);
  *height = static_cast<int>(info.output_height);
  pixels->resize(static_cast<size_t>(*width) * static_cast<size_t>(*height) * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels->data() + static_cast<size_t>(info.output_scanline) * *width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return !errors->warned;
}

std::string readBytes(const std::string &path, const char *what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error(std::string(what) + " '" + path +
                "': not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(std::string(what) + " '" + path + "': cannot open");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

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
  std::string bytes = readBytes(path, "PNG file");
  try {
    return decodePng(bytes);
  } catch (const Error &e) {
    throw Error("PNG file '" + path + "': " + e.what());
  }
}

Image decodeJpeg(const std::string &bytes) {
  JpegErrors errors{};
  std::vector<uint8_t> pixels;
  int width = 0, height = 0;
  if (!decodeJpegInto(bytes, &errors, &pixels, &width, &height))
    throw Error(std::string("JPEG: cannot decode: ") + errors.message);
  Image image;
  image.width = width;
  image.height = height;
  image.pixels = std::move(pixels);
  return image;
}

std::string encodeJpeg(const Image &image, int quality) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("JPEG: the image must be non-empty RGB with width*height*3 bytes");
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors); // encoding valid RGB in memory does not fail
  jpeg_create_compress(&info);
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(image.width);
  info.image_height = static_cast<JDIMENSION>(image.height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, std::clamp(quality, 1, 100), TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t *>(image.pixels.data()) +
                   static_cast<size_t>(info.next_scanline) * image.width * 3;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string out(reinterpret_cast<char *>(buffer), size);
  std::free(buffer);
  return out;
}

Image readImage(const std::string &path) {
  std::string bytes = readBytes(path, "image file");
  bool png = bytes.rfind("\x89PNG", 0) == 0;
  bool jpeg = bytes.size() >= 3 && static_cast<uint8_t>(bytes[0]) == 0xFF &&
              static_cast<uint8_t>(bytes[1]) == 0xD8 && static_cast<uint8_t>(bytes[2]) == 0xFF;
  if (!png && !jpeg)
    throw Error("image file '" + path + "': neither PNG nor JPEG");
  try {
    return png ? decodePng(bytes) : decodeJpeg(bytes);
  } catch (const Error &e) {
    throw Error("image file '" + path + "': " + e.what());
  }
}

Image imageGrid(const runtime::HostTensor &images, int columns) {
  const std::vector<int64_t> &s = images.shape();
  int64_t channels = s.size() == 4 ? s[3] : 1;
  if ((s.size() != 3 && s.size() != 4) || (channels != 1 && channels != 3) ||
      images.dtype() != runtime::DType::F32)
    throw Error(
        std::string("imageGrid: images must be float32 [n, h, w] or [n, h, w, 1 or 3], got ") +
        runtime::dtypeName(images.dtype()) + " " + runtime::shapeString(s));
  if (columns < 1)
    throw Error("imageGrid: columns must be positive, got " + std::to_string(columns));
  int64_t n = s[0], h = s[1], w = s[2];
  int64_t rows = (n + columns - 1) / columns;
  Image grid(static_cast<int>(std::min<int64_t>(n, columns) * w), static_cast<int>(rows * h),
             Rgb{0, 0, 0});
  auto byte = [](float v) {
    return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  };
  auto px = images.as<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const float *p = px.data() + ((i * h + y) * w + x) * channels;
        Rgb c = channels == 1 ? Rgb{byte(p[0]), byte(p[0]), byte(p[0])}
                              : Rgb{byte(p[0]), byte(p[1]), byte(p[2])};
        grid.set(static_cast<int>((i % columns) * w + x), static_cast<int>((i / columns) * h + y),
                 c);
      }
  return grid;
}

void writeImageGrid(const std::string &path, const runtime::HostTensor &images, int columns) {
  writePng(path, imageGrid(images, columns));
}

} // namespace sinter::io

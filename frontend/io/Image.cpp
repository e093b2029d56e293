// 8-bit grey/RGB/RGBA images; PNG through libpng's simplified API (png_image, libpng >= 1.6),
// JPEG through libjpeg(-turbo), GIF (first frame) through giflib 5.
#include "sinter/io/Image.h"

#include "sinter/Graph.h"
#include "sinter/data/ImageDatasets.h"
#include "sinter/data/ImageTransforms.h"
#include "sinter/runtime/File.h"

#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <cstdio>
#include <jpeglib.h>

#include <gif_lib.h>

#include <csetjmp>
#include <cstring>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

namespace sinter::io {

using data::DataError;

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

/// Throws unless `image` has 1, 3 or 4 channels and width*height*channels bytes (and, when
/// `nonEmpty`, a positive size).
void checkImage(const Image &image, const char *what, bool nonEmpty) {
  bool ok = (image.channels == 1 || image.channels == 3 || image.channels == 4) &&
            image.width >= 0 && image.height >= 0 &&
            image.pixels.size() == static_cast<size_t>(image.width) *
                                       static_cast<size_t>(image.height) *
                                       static_cast<size_t>(image.channels) &&
            (!nonEmpty || (image.width > 0 && image.height > 0));
  if (!ok)
    throw Error(std::string(what) + ": the image must be " + (nonEmpty ? "non-empty " : "") +
                "with 1, 3 or 4 channels and width*height*channels bytes (" +
                std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                std::to_string(image.channels) + ", " + std::to_string(image.pixels.size()) +
                " bytes)");
}

uint8_t luma(int r, int g, int b) {
  return static_cast<uint8_t>(std::lround(0.299 * r + 0.587 * g + 0.114 * b));
}

/// giflib reads through this callback from a byte string.
struct GifSource {
  const std::string *bytes;
  size_t offset;
};

int gifRead(GifFileType *gif, GifByteType *out, int size) {
  auto *source = static_cast<GifSource *>(gif->UserData);
  size_t n =
      std::min(static_cast<size_t>(std::max(size, 0)), source->bytes->size() - source->offset);
  std::memcpy(out, source->bytes->data() + source->offset, n);
  source->offset += n;
  return static_cast<int>(n);
}

std::string gifError(int code) {
  const char *message = GifErrorString(code);
  return message ? message : "unknown giflib error " + std::to_string(code);
}

bool isGif(const std::string &bytes) {
  return bytes.rfind("GIF87a", 0) == 0 || bytes.rfind("GIF89a", 0) == 0;
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
  size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
             static_cast<size_t>(channels);
  if (channels == 1)
    return {pixels[i], pixels[i], pixels[i]};
  return {pixels[i], pixels[i + 1], pixels[i + 2]};
}

void Image::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= width || y >= height)
    return;
  size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
             static_cast<size_t>(channels);
  if (channels == 1) {
    pixels[i] = luma(c.r, c.g, c.b);
    return;
  }
  pixels[i] = c.r;
  pixels[i + 1] = c.g;
  pixels[i + 2] = c.b;
  if (channels == 4)
    pixels[i + 3] = 255;
}

Image convertChannels(const Image &image, int channels, Rgb background) {
  checkImage(image, "convertChannels", false);
  if (channels != 1 && channels != 3 && channels != 4)
    throw Error("convertChannels: channels must be 1, 3 or 4, got " + std::to_string(channels));
  if (channels == image.channels)
    return image;
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  size_t n = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  out.pixels.resize(n * static_cast<size_t>(channels));
  const int from = image.channels;
  for (size_t p = 0; p < n; ++p) {
    const uint8_t *in = image.pixels.data() + p * from;
    int r = in[0], g = from == 1 ? in[0] : in[1], b = from == 1 ? in[0] : in[2];
    if (from == 4 && channels != 4) { // composite onto the background
      int a = in[3];
      auto over = [a](int c, int bg) { return (c * a + bg * (255 - a) + 127) / 255; };
      r = over(r, background.r);
      g = over(g, background.g);
      b = over(b, background.b);
    }
    uint8_t *o = out.pixels.data() + p * channels;
    if (channels == 1) {
      o[0] = from == 1 ? in[0] : luma(r, g, b);
      continue;
    }
    o[0] = static_cast<uint8_t>(r);
    o[1] = static_cast<uint8_t>(g);
    o[2] = static_cast<uint8_t>(b);
    if (channels == 4)
      o[3] = 255; // from grey or RGB: opaque
  }
  return out;
}

std::string encodePng(const Image &image) {
  checkImage(image, "PNG", true);
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 1   ? PNG_FORMAT_GRAY
               : image.channels == 4 ? PNG_FORMAT_RGBA
                                     : PNG_FORMAT_RGB;
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
  runtime::writeFileAtomically(path, encodePng(image), "PNG file");
}

Image readPng(const std::string &path) {
  std::string bytes = runtime::readFile(path, "PNG file");
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
  checkImage(image, "JPEG", true);
  if (image.channels == 4)
    throw Error(
        "JPEG: no alpha channel in JPEG; convert the RGBA image with convertChannels first");
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors); // encoding valid RGB in memory does not fail
  jpeg_create_compress(&info);
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(image.width);
  info.image_height = static_cast<JDIMENSION>(image.height);
  info.input_components = image.channels;
  info.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, std::clamp(quality, 1, 100), TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t *>(image.pixels.data()) +
                   static_cast<size_t>(info.next_scanline) * image.width * image.channels;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string out(reinterpret_cast<char *>(buffer), size);
  std::free(buffer);
  return out;
}

using GifFile = std::unique_ptr<GifFileType, void (*)(GifFileType *)>;

/// Opens a GIF held in memory (`source` must outlive the result); closing it frees everything
/// DGifSlurp read.
static GifFile openGif(GifSource &source) {
  int error = 0;
  GifFileType *gif = DGifOpen(&source, gifRead, &error);
  if (!gif)
    throw Error("GIF: cannot decode: " + gifError(error));
  return GifFile(gif, [](GifFileType *g) {
    int ignored = 0;
    DGifCloseFile(g, &ignored);
  });
}

/// DGifSlurp allocates every frame at the size its descriptor claims: a pre-pass over the
/// records (skipping the compressed data) refuses a frame that the file's bytes cannot encode —
/// an LZW code (12 bits at most) stands for at most 4,096 pixels — before anything is allocated.
static void checkGifSizes(const std::string &bytes) {
  GifSource source{&bytes, 0};
  GifFile file = openGif(source);
  GifFileType *gif = file.get();
  double limit = static_cast<double>(bytes.size()) * 8 / 12 * 4096;
  GifRecordType record;
  do {
    if (DGifGetRecordType(gif, &record) != GIF_OK)
      return; // DGifSlurp reports the error
    if (record == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(gif) != GIF_OK)
        return;
      double pixels = static_cast<double>(gif->Image.Width) * gif->Image.Height;
      if (pixels > limit)
        throw Error("GIF: cannot decode: a " + std::to_string(gif->Image.Width) + "x" +
                    std::to_string(gif->Image.Height) + " frame cannot be held in " +
                    std::to_string(bytes.size()) + " bytes");
      int codeSize = 0;
      GifByteType *block = nullptr;
      if (DGifGetCode(gif, &codeSize, &block) != GIF_OK)
        return;
      while (block)
        if (DGifGetCodeNext(gif, &block) != GIF_OK)
          return;
    } else if (record == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType *block = nullptr;
      if (DGifGetExtension(gif, &code, &block) != GIF_OK)
        return;
      while (block)
        if (DGifGetExtensionNext(gif, &block) != GIF_OK)
          return;
    }
  } while (record != TERMINATE_RECORD_TYPE);
}

Image decodeGif(const std::string &bytes) {
  if (!isGif(bytes))
    throw Error("GIF: cannot decode: not a GIF file (no GIF87a or GIF89a signature)");
  checkGifSizes(bytes);
  GifSource source{&bytes, 0};
  GifFile file = openGif(source);
  GifFileType *gif = file.get();
  if (DGifSlurp(gif) != GIF_OK)
    throw Error("GIF: cannot decode: " + gifError(gif->Error));
  if (gif->ImageCount < 1)
    throw Error("GIF: cannot decode: the file has no image");
  const SavedImage &frame = gif->SavedImages[0];
  const GifImageDesc &desc = frame.ImageDesc;
  const ColorMapObject *colors = desc.ColorMap ? desc.ColorMap : gif->SColorMap;
  if (!colors || !colors->Colors)
    throw Error("GIF: cannot decode: the first frame has no colour map (" +
                gifError(D_GIF_ERR_NO_COLOR_MAP) + ")");
  GraphicsControlBlock gcb{};
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  if (DGifSavedExtensionToGCB(gif, 0, &gcb) != GIF_OK)
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  const bool transparent = gcb.TransparentColor != NO_TRANSPARENT_COLOR;
  const int width = gif->SWidth, height = gif->SHeight;
  if (width <= 0 || height <= 0)
    throw Error("GIF: cannot decode: empty logical screen " + std::to_string(width) + "x" +
                std::to_string(height));
  Image image;
  image.width = width;
  image.height = height;
  image.channels = transparent ? 4 : 3;
  image.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * image.channels, 0);
  if (!transparent) { // the screen's background colour where the frame does not cover it
    Rgb bg{0, 0, 0};
    if (gif->SColorMap && gif->SBackGroundColor >= 0 &&
        gif->SBackGroundColor < gif->SColorMap->ColorCount) {
      const GifColorType &c = gif->SColorMap->Colors[gif->SBackGroundColor];
      bg = {c.Red, c.Green, c.Blue};
    }
    for (size_t i = 0; i < image.pixels.size(); i += 3) {
      image.pixels[i] = bg.r;
      image.pixels[i + 1] = bg.g;
      image.pixels[i + 2] = bg.b;
    }
  }
  if (!frame.RasterBits)
    throw Error("GIF: cannot decode: the first frame has no pixels");
  for (int y = 0; y < desc.Height; ++y) {
    int sy = desc.Top + y;
    if (sy < 0 || sy >= height)
      continue;
    for (int x = 0; x < desc.Width; ++x) {
      int sx = desc.Left + x;
      if (sx < 0 || sx >= width)
        continue;
      int index = frame.RasterBits[static_cast<size_t>(y) * desc.Width + x];
      if (transparent && index == gcb.TransparentColor)
        continue; // stays alpha 0
      if (index >= colors->ColorCount)
        throw Error("GIF: cannot decode: colour index " + std::to_string(index) +
                    " outside the colour map of " + std::to_string(colors->ColorCount) +
                    " colours (" + gifError(D_GIF_ERR_IMAGE_DEFECT) + ")");
      const GifColorType &c = colors->Colors[index];
      uint8_t *o = image.pixels.data() +
                   (static_cast<size_t>(sy) * width + static_cast<size_t>(sx)) * image.channels;
      o[0] = c.Red;
      o[1] = c.Green;
      o[2] = c.Blue;
      if (transparent)
        o[3] = 255;
    }
  }
  return image;
}

Image readImage(const std::string &path) {
  std::string bytes = runtime::readFile(path, "image file");
  bool png = bytes.rfind("\x89PNG", 0) == 0;
  bool jpeg = bytes.size() >= 3 && static_cast<uint8_t>(bytes[0]) == 0xFF &&
              static_cast<uint8_t>(bytes[1]) == 0xD8 && static_cast<uint8_t>(bytes[2]) == 0xFF;
  bool gif = isGif(bytes);
  if (!png && !jpeg && !gif)
    throw Error("image file '" + path + "': neither PNG nor JPEG nor GIF (unknown first bytes)");
  try {
    return png ? decodePng(bytes) : jpeg ? decodeJpeg(bytes) : decodeGif(bytes);
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

runtime::HostTensor imageTensor(const Image &image, int64_t height, int64_t width,
                                const std::array<float, 3> &mean, const std::array<float, 3> &std,
                                Rgb background) {
  if (height <= 0 || width <= 0)
    throw Error("imageTensor: the target size must be positive, got " + std::to_string(height) +
                "x" + std::to_string(width));
  Image rgb = convertChannels(image, 3, background);
  runtime::HostTensor raw(runtime::DType::F32, {rgb.height, rgb.width, 3});
  std::span<float> px = raw.as<float>();
  for (size_t i = 0; i < rgb.pixels.size(); ++i)
    px[i] = static_cast<float>(rgb.pixels[i]) / 255.0f;
  runtime::HostTensor sized =
      rgb.height == height && rgb.width == width
          ? raw
          : data::image::resize(raw, height, width, data::image::Interpolation::Bilinear);
  return normalize(sized, mean, std);
}

static void checkImages(const runtime::HostTensor &images, const char *what) {
  if (images.dtype() != runtime::DType::F32 || images.shape().empty() || images.shape().back() != 3)
    throw DataError(std::string(what) + ": images must be float32 [..., 3], got " +
                    runtime::dtypeName(images.dtype()) + " " +
                    runtime::shapeString(images.shape()));
}

runtime::HostTensor normalize(const runtime::HostTensor &images, const std::array<float, 3> &mean,
                              const std::array<float, 3> &std) {
  checkImages(images, "normalize");
  for (float s : std)
    if (!(s != 0.0f))
      throw DataError("normalize: the standard deviations must be non-zero");
  runtime::HostTensor out(runtime::DType::F32, images.shape());
  std::span<const float> in = images.as<float>();
  std::span<float> o = out.as<float>();
  for (size_t i = 0; i < in.size(); ++i)
    o[i] = (in[i] - mean[i % 3]) / std[i % 3];
  return out;
}

runtime::HostTensor denormalize(const runtime::HostTensor &images, const std::array<float, 3> &mean,
                                const std::array<float, 3> &std) {
  checkImages(images, "denormalize");
  runtime::HostTensor out(runtime::DType::F32, images.shape());
  std::span<const float> in = images.as<float>();
  std::span<float> o = out.as<float>();
  for (size_t i = 0; i < in.size(); ++i)
    o[i] = in[i] * std[i % 3] + mean[i % 3];
  return out;
}

} // namespace sinter::io

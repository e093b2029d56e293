// Writes small GIF files in memory with giflib's encoder (EGifOpen and a write callback), for the
// decoder tests; the tests link GIF::GIF themselves.
#ifndef SINTER_TESTS_IO_GIF_TEST_UTIL_H
#define SINTER_TESTS_IO_GIF_TEST_UTIL_H

#include "sinter/io/Image.h"

#include <catch2/catch.hpp>

#include <gif_lib.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace giftest {

/// The first (only) frame: its place on the logical screen and its colour indices, row-major.
struct Frame {
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<uint8_t> indices;
  bool interlace = false; ///< rows are then written in the four interlaced passes
  bool localColorMap = false;
};

struct GifSpec {
  int screenWidth = 0, screenHeight = 0;
  std::vector<sinter::io::Rgb> palette; ///< padded to a power of two with black
  int background = 0;
  int transparent = -1; ///< >= 0: a graphics control block with this transparent index
  Frame frame;
};

inline int gifWrite(GifFileType *gif, const GifByteType *bytes, int size) {
  static_cast<std::string *>(gif->UserData)
      ->append(reinterpret_cast<const char *>(bytes), static_cast<size_t>(size));
  return size;
}

inline ColorMapObject *makeMap(const std::vector<sinter::io::Rgb> &palette) {
  int count = 2;
  while (count < static_cast<int>(palette.size()))
    count *= 2;
  std::vector<GifColorType> colors(static_cast<size_t>(count), GifColorType{0, 0, 0});
  for (size_t i = 0; i < palette.size(); ++i)
    colors[i] = {palette[i].r, palette[i].g, palette[i].b};
  return GifMakeMapObject(count, colors.data());
}

/// GIF bytes for `spec` (one frame); throws std::runtime_error when giflib fails.
inline std::string encodeGif(const GifSpec &spec) {
  std::string out;
  int error = 0;
  GifFileType *gif = EGifOpen(&out, gifWrite, &error);
  if (!gif)
    throw std::runtime_error(std::string("EGifOpen: ") + GifErrorString(error));
  auto check = [&](int rc, const char *what) {
    if (rc != GIF_OK) {
      std::string message = std::string(what) + ": " + GifErrorString(gif->Error);
      EGifCloseFile(gif, &error);
      throw std::runtime_error(message);
    }
  };
  EGifSetGifVersion(gif, true);
  ColorMapObject *map = makeMap(spec.palette);
  const Frame &f = spec.frame;
  check(EGifPutScreenDesc(gif, spec.screenWidth, spec.screenHeight, 8, spec.background,
                          f.localColorMap ? nullptr : map),
        "EGifPutScreenDesc");
  if (spec.transparent >= 0) {
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSAL_UNSPECIFIED;
    gcb.DelayTime = 0;
    gcb.TransparentColor = spec.transparent;
    GifByteType block[4];
    size_t n = EGifGCBToExtension(&gcb, block);
    check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), block),
          "EGifPutExtension");
  }
  check(EGifPutImageDesc(gif, f.left, f.top, f.width, f.height, f.interlace,
                         f.localColorMap ? map : nullptr),
        "EGifPutImageDesc");
  GifFreeMapObject(map);
  std::vector<int> rows;
  if (f.interlace) {
    const int offsets[] = {0, 4, 2, 1}, jumps[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass)
      for (int y = offsets[pass]; y < f.height; y += jumps[pass])
        rows.push_back(y);
  } else {
    for (int y = 0; y < f.height; ++y)
      rows.push_back(y);
  }
  for (int y : rows) {
    std::vector<GifPixelType> line(f.indices.begin() + static_cast<std::ptrdiff_t>(y) * f.width,
                                   f.indices.begin() +
                                       static_cast<std::ptrdiff_t>(y + 1) * f.width);
    check(EGifPutLine(gif, line.data(), f.width), "EGifPutLine");
  }
  if (EGifCloseFile(gif, &error) != GIF_OK)
    throw std::runtime_error(std::string("EGifCloseFile: ") + GifErrorString(error));
  return out;
}

/// An RGB image with at most 256 distinct colours as a full-screen GIF (palette in order of
/// first appearance).
inline std::string encodeGif(const sinter::io::Image &image) {
  REQUIRE(image.channels == 3);
  GifSpec spec;
  spec.screenWidth = image.width;
  spec.screenHeight = image.height;
  spec.frame = {0, 0, image.width, image.height, {}, false, false};
  std::map<uint32_t, int> index; // 0xRRGGBB → palette index
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      sinter::io::Rgb c = image.at(x, y);
      auto [it, fresh] = index.emplace(uint32_t(c.r) << 16 | uint32_t(c.g) << 8 | c.b,
                                       static_cast<int>(spec.palette.size()));
      if (fresh)
        spec.palette.push_back(c);
      spec.frame.indices.push_back(static_cast<uint8_t>(it->second));
    }
  REQUIRE(spec.palette.size() <= 256);
  return encodeGif(spec);
}

} // namespace giftest

#endif

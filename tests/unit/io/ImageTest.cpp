// GIF decoding through giflib (first frame on the logical screen, transparency, interlacing,
// local colour maps, damaged files), readImage's format detection, channel conversions and
// grey/RGBA PNG and grey JPEG encoding. The GIFs are written with giflib's encoder.
#include "sinter/io/Image.h"

#include "sinter/Graph.h"

#include "GifTestUtil.h"
#include "IoTestUtil.h"

#include <random>

using namespace sinter;
using namespace sinter::io;
using namespace iotest;
using giftest::Frame;
using giftest::GifSpec;

namespace {

const std::vector<Rgb> kPalette = {{0, 0, 0},    {255, 0, 0},    {0, 255, 0}, {0, 0, 255},
                                   {10, 20, 30}, {200, 100, 50}, {7, 7, 7},   {255, 255, 255}};

/// Indices (x + 2y) mod 8 for a w x h frame.
std::vector<uint8_t> pattern(int w, int h) {
  std::vector<uint8_t> out;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      out.push_back(static_cast<uint8_t>((x + 2 * y) % 8));
  return out;
}

std::vector<uint8_t> rgba(Rgb c, uint8_t a) { return {c.r, c.g, c.b, a}; }

std::vector<uint8_t> pixelOf(const Image &img, int x, int y) {
  size_t i = (static_cast<size_t>(y) * img.width + x) * img.channels;
  return {img.pixels.begin() + static_cast<std::ptrdiff_t>(i),
          img.pixels.begin() + static_cast<std::ptrdiff_t>(i + img.channels)};
}

} // namespace

TEST_CASE("GIF: a full-screen frame decodes to its palette's RGB colours", "[gif]") {
  GifSpec spec;
  spec.screenWidth = 7;
  spec.screenHeight = 5;
  spec.palette = kPalette;
  spec.frame = {0, 0, 7, 5, pattern(7, 5), false, false};
  std::string gif = giftest::encodeGif(spec);
  CHECK(gif.substr(0, 6) == "GIF89a");
  Image img = decodeGif(gif);
  REQUIRE(img.width == 7);
  REQUIRE(img.height == 5);
  REQUIRE(img.channels == 3);
  REQUIRE(img.pixels.size() == 7u * 5u * 3u);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x)
      CHECK(img.at(x, y) == kPalette[(x + 2 * y) % 8]);
}

TEST_CASE("GIF: an interlaced frame with a local colour map", "[gif]") {
  GifSpec spec;
  spec.screenWidth = 3;
  spec.screenHeight = 11; // all four interlace passes
  spec.palette = kPalette;
  spec.frame = {0, 0, 3, 11, pattern(3, 11), true, true};
  Image img = decodeGif(giftest::encodeGif(spec));
  REQUIRE(img.channels == 3);
  for (int y = 0; y < 11; ++y)
    for (int x = 0; x < 3; ++x)
      CHECK(img.at(x, y) == kPalette[(x + 2 * y) % 8]);
}

TEST_CASE("GIF: a frame smaller than the screen is placed on it; transparency gives RGBA",
          "[gif]") {
  GifSpec spec;
  spec.screenWidth = 6;
  spec.screenHeight = 4;
  spec.palette = kPalette;
  spec.background = 5;
  spec.frame = {2, 1, 3, 2, pattern(3, 2), false, false};

  SECTION("opaque: the rest of the screen has the background colour") {
    Image img = decodeGif(giftest::encodeGif(spec));
    REQUIRE(img.channels == 3);
    REQUIRE(img.width == 6);
    REQUIRE(img.height == 4);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x) {
        bool inside = x >= 2 && x < 5 && y >= 1 && y < 3;
        CHECK(img.at(x, y) == (inside ? kPalette[((x - 2) + 2 * (y - 1)) % 8] : kPalette[5]));
      }
  }
  SECTION("transparent index 1: RGBA, alpha 0 there and off the frame") {
    spec.transparent = 1;
    Image img = decodeGif(giftest::encodeGif(spec));
    REQUIRE(img.channels == 4);
    REQUIRE(img.pixels.size() == 6u * 4u * 4u);
    int clear = 0;
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x) {
        bool inside = x >= 2 && x < 5 && y >= 1 && y < 3;
        int index = inside ? ((x - 2) + 2 * (y - 1)) % 8 : -1;
        if (!inside || index == 1) {
          CHECK(pixelOf(img, x, y)[3] == 0);
          ++clear;
        } else {
          CHECK(pixelOf(img, x, y) == rgba(kPalette[index], 255));
        }
      }
    CHECK(clear == 6 * 4 - 6 + 1); // 18 off the frame, one index-1 pixel (x=3, y=1)
    // Composited onto a colour, the transparent pixels take it.
    Image rgb = convertChannels(img, 3, Rgb{1, 2, 3});
    CHECK(rgb.channels == 3);
    CHECK(rgb.at(0, 0) == Rgb{1, 2, 3});
    CHECK(rgb.at(3, 1) == Rgb{1, 2, 3});
    CHECK(rgb.at(2, 1) == kPalette[0]);
  }
}

TEST_CASE("GIF through readImage; truncated, corrupt and non-image files", "[gif]") {
  GifSpec spec;
  spec.screenWidth = 16;
  spec.screenHeight = 16;
  spec.palette = kPalette;
  std::mt19937 rng(7);
  for (int i = 0; i < 256; ++i)
    spec.frame.indices.push_back(static_cast<uint8_t>(rng() % 8));
  spec.frame.width = spec.frame.height = 16;
  std::string gif = giftest::encodeGif(spec);

  TempDir dir;
  writeFile(dir.file("a.gif"), gif);
  Image img = readImage(dir.file("a.gif"));
  REQUIRE(img.width == 16);
  for (int i = 0; i < 256; ++i)
    CHECK(img.at(i % 16, i / 16) == kPalette[spec.frame.indices[i]]);
  // GIF87a signature too (the 87a and 89a data streams agree without extensions).
  std::string gif87 = gif;
  gif87.replace(0, 6, "GIF87a");
  writeFile(dir.file("old.GIF"), gif87);
  CHECK(readImage(dir.file("old.GIF")).pixels == img.pixels);

  writeFile(dir.file("cut.gif"), gif.substr(0, gif.size() / 2));
  std::string cut = errorOf([&] { readImage(dir.file("cut.gif")); });
  CHECK_THAT(cut, Catch::Contains("cut.gif"));
  CHECK_THAT(cut, Catch::Contains("GIF: cannot decode"));
  INFO(cut);
  CHECK(cut.size() > std::string("image file '" + dir.file("cut.gif") + "': GIF: cannot decode: ")
                         .size()); // giflib's reason follows

  writeFile(dir.file("header.gif"), gif.substr(0, 8)); // the signature, then nothing
  CHECK_THAT(errorOf([&] { readImage(dir.file("header.gif")); }),
             Catch::Contains("header.gif") && Catch::Contains("GIF"));
  writeFile(dir.file("junk.gif"), std::string("GIF89a") + std::string(40, '\xAB'));
  CHECK_THAT(errorOf([&] { readImage(dir.file("junk.gif")); }), Catch::Contains("junk.gif"));
  writeFile(dir.file("notes.gif"), "just some text, not an image");
  CHECK_THAT(errorOf([&] { readImage(dir.file("notes.gif")); }),
             Catch::Contains("notes.gif") && Catch::Contains("neither PNG nor JPEG nor GIF"));
  CHECK_THAT(errorOf([&] { decodeGif("\x89PNG\r\n\x1a\n"); }), Catch::Contains("not a GIF"));
}

TEST_CASE("convertChannels between grey, RGB and RGBA", "[image]") {
  Image rgb(2, 1);
  rgb.set(0, 0, Rgb{255, 0, 0});
  rgb.set(1, 0, Rgb{10, 200, 30});
  Image grey = convertChannels(rgb, 1);
  REQUIRE(grey.channels == 1);
  CHECK(grey.pixels == std::vector<uint8_t>{76, 124}); // round(0.299*255), round(123.81)
  Image back = convertChannels(grey, 3);
  CHECK(back.pixels == std::vector<uint8_t>{76, 76, 76, 124, 124, 124});
  CHECK(grey.at(1, 0) == Rgb{124, 124, 124});

  Image withAlpha = convertChannels(rgb, 4);
  CHECK(withAlpha.pixels == std::vector<uint8_t>{255, 0, 0, 255, 10, 200, 30, 255});
  withAlpha.pixels[3] = 0;   // first pixel fully transparent
  withAlpha.pixels[7] = 128; // second half covered
  Image over = convertChannels(withAlpha, 3, Rgb{0, 0, 100});
  // (c*a + bg*(255-a) + 127) / 255
  CHECK(over.pixels == std::vector<uint8_t>{0, 0, 100, 5, 100, (30 * 128 + 100 * 127 + 127) / 255});
  CHECK(convertChannels(withAlpha, 1, Rgb{0, 0, 0}).pixels[0] == 0);

  CHECK(convertChannels(rgb, 3).pixels == rgb.pixels);
  CHECK_THAT(errorOf([&] { convertChannels(rgb, 2); }), Catch::Contains("1, 3 or 4"));
  Image broken = rgb;
  broken.channels = 4;
  CHECK_THAT(errorOf([&] { convertChannels(broken, 3); }), Catch::Contains("width*height"));
}

TEST_CASE("PNG of grey and RGBA images, JPEG of grey images", "[image]") {
  Image grey;
  grey.width = 3;
  grey.height = 2;
  grey.channels = 1;
  grey.pixels = {0, 50, 100, 150, 200, 250};
  Image fromGrey = decodePng(encodePng(grey));
  CHECK(fromGrey.channels == 3);
  CHECK(convertChannels(fromGrey, 1).pixels == grey.pixels);

  Image rgba = convertChannels(Image(2, 1, Rgb{10, 20, 30}), 4);
  rgba.pixels[3] = 0; // transparent: libpng composites onto the white buffer
  Image decoded = decodePng(encodePng(rgba));
  CHECK(decoded.at(0, 0) == Rgb{255, 255, 255});
  CHECK(decoded.at(1, 0) == Rgb{10, 20, 30});

  Image jpeg = decodeJpeg(encodeJpeg(grey, 100));
  CHECK(jpeg.width == 3);
  CHECK(jpeg.channels == 3);
  for (int i = 0; i < 6; ++i)
    CHECK(std::abs(int(jpeg.at(i % 3, i / 3).r) - int(grey.pixels[i])) <= 3);
  CHECK_THAT(errorOf([&] { encodeJpeg(rgba); }), Catch::Contains("convertChannels"));
}

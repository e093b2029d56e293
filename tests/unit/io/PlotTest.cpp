// PNG encode/decode (libpng) and the plots: training curves and decision-boundary scatter
// plots are valid PNGs with the series' colours where the data says, text drawn, legends.
// Set SINTER_PLOT_SAMPLES=<dir> to keep the pictures for a person to look at.
#include "sinter/io/Plot.h"

#include "sinter/Graph.h"

#include "IoTestUtil.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <random>

using namespace sinter;
using namespace sinter::io;
using namespace iotest;

namespace {

/// Where to write the pictures: $SINTER_PLOT_SAMPLES if set, else the temporary directory.
std::string outDir(const TempDir &dir) {
  const char *env = std::getenv("SINTER_PLOT_SAMPLES");
  if (env && *env) {
    fs::create_directories(env);
    return env;
  }
  return dir.path.string();
}

size_t countColor(const Image &img, Rgb c, int x0 = 0, int y0 = 0, int x1 = -1, int y1 = -1) {
  if (x1 < 0)
    x1 = img.width;
  if (y1 < 0)
    y1 = img.height;
  size_t n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      n += img.at(x, y) == c;
  return n;
}

const Rgb kBlue{31, 119, 180}, kOrange{255, 127, 14};

} // namespace

TEST_CASE("PNG round trip through libpng", "[png]") {
  Image img(17, 9);
  std::mt19937 rng(3);
  for (uint8_t &p : img.pixels)
    p = static_cast<uint8_t>(rng());
  std::string png = encodePng(img);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  Image back = decodePng(png);
  CHECK(back.width == 17);
  CHECK(back.height == 9);
  CHECK(back.pixels == img.pixels);

  TempDir dir;
  writePng(dir.file("x.png"), img);
  CHECK(readPng(dir.file("x.png")).pixels == img.pixels);

  CHECK_THAT(errorOf([&] { decodePng("not a png"); }), Catch::Contains("PNG"));
  CHECK_THAT(errorOf([&] { encodePng(Image()); }), Catch::Contains("non-empty"));
  writeFile(dir.file("cut.png"), png.substr(0, png.size() / 2));
  CHECK_THAT(errorOf([&] { readPng(dir.file("cut.png")); }), Catch::Contains("cut.png"));
}

TEST_CASE("JPEG through libjpeg: round trip, readImage tells PNG from JPEG, damaged files",
          "[jpeg]") {
  Image img(16, 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 16; ++x)
      img.set(x, y, Rgb{static_cast<uint8_t>(x * 16), static_cast<uint8_t>(y * 32), 200});
  std::string jpeg = encodeJpeg(img, 95);
  Image back = decodeJpeg(jpeg);
  REQUIRE(back.width == 16);
  REQUIRE(back.height == 8);
  int worst = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i)
    worst = std::max(worst, std::abs(int(img.pixels[i]) - int(back.pixels[i])));
  CHECK(worst <= 24); // lossy (chroma subsampled), but close at quality 95

  TempDir dir;
  writeFile(dir.file("a.jpg"), jpeg);
  writePng(dir.file("b.png"), img);
  CHECK(readImage(dir.file("a.jpg")).pixels == back.pixels);
  CHECK(readImage(dir.file("b.png")).pixels == img.pixels);
  writeFile(dir.file("cut.jpg"), jpeg.substr(0, jpeg.size() / 2));
  std::string cut = errorOf([&] { readImage(dir.file("cut.jpg")); });
  CHECK_THAT(cut, Catch::Contains("cut.jpg"));
  CHECK_THAT(cut, Catch::Contains("JPEG"));
  writeFile(dir.file("junk.jpg"), "\xFF\xD8\xFF not really");
  CHECK_THAT(errorOf([&] { readImage(dir.file("junk.jpg")); }), Catch::Contains("junk.jpg"));
  writeFile(dir.file("text.png"), "hello");
  CHECK_THAT(errorOf([&] { readImage(dir.file("text.png")); }),
             Catch::Contains("neither PNG nor JPEG"));
  CHECK_THAT(errorOf([&] { readImage(dir.file("missing.jpg")); }),
             Catch::Contains("missing.jpg") && Catch::Contains("no such file"));
}

TEST_CASE("the bitmap font draws every printable character", "[plot]") {
  for (char c = 32; c < 127; ++c) {
    Image img(12, 20);
    drawText(img, 1, 1, std::string(1, c), {0, 0, 0}, 2);
    size_t ink = countColor(img, {0, 0, 0});
    INFO("character '" << c << "'");
    if (c == ' ')
      CHECK(ink == 0);
    else
      CHECK(ink > 0);
  }
  CHECK(textWidth("abc", 2) == (3 * 6 - 1) * 2);
  // Distinct glyphs for letters and digits (no accidental duplicates).
  std::map<std::vector<uint8_t>, char> seen;
  for (char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) {
    Image img(6, 10);
    drawText(img, 0, 0, std::string(1, c), {0, 0, 0}, 1);
    auto [it, fresh] = seen.emplace(img.pixels, c);
    INFO("'" << c << "' looks like '" << it->second << "'");
    CHECK(fresh);
  }
}

TEST_CASE("training curves: a PNG with both series, axes and legend", "[plot]") {
  TempDir dir;
  std::string path = outDir(dir) + "/curves.png";
  std::vector<double> loss, valLoss;
  for (int e = 0; e < 30; ++e) {
    loss.push_back(1.5 * std::exp(-0.12 * e) + 0.05);
    valLoss.push_back(1.4 * std::exp(-0.1 * e) + 0.15 + 0.004 * e);
  }
  plotCurves(path, "Training and validation loss", {{"loss", loss}, {"val_loss", valLoss}},
             "epoch");
  Image img = readPng(path);
  CHECK(img.width == 800);
  CHECK(img.height == 500);
  CHECK(countColor(img, kBlue) > 200);        // the first series' line and markers
  CHECK(countColor(img, kOrange) > 200);      // the second's
  CHECK(countColor(img, {0, 0, 0}) > 1000);   // axes box and ticks
  CHECK(countColor(img, {40, 40, 40}) > 500); // text
  // The loss falls: the blue pixels of the left part lie higher (smaller y) than the right part's.
  auto meanY = [&](Rgb c, int x0, int x1) {
    double sum = 0;
    size_t n = 0;
    for (int y = 60; y < img.height - 80; ++y)
      for (int x = x0; x < x1; ++x)
        if (img.at(x, y) == c)
          sum += y, ++n;
    return n ? sum / static_cast<double>(n) : -1.0;
  };
  double leftY = meanY(kBlue, 100, 250), rightY = meanY(kBlue, 600, 780);
  REQUIRE(leftY > 0);
  REQUIRE(rightY > 0);
  CHECK(leftY < rightY);

  // More series, NaN gaps, explicit x, a log axis, and accuracies.
  std::vector<double> acc = {0.5, 0.7, NAN, 0.85, 0.9};
  PlotOptions opts;
  opts.yLabel = "accuracy";
  opts.width = 640;
  opts.height = 400;
  Image a = renderCurves(
      "Accuracy", {{"acc", acc}, {"val_acc", {0.45, 0.6, 0.7, 0.75, 0.8}}, {"test", {0.8}, {5}}},
      opts);
  CHECK(a.width == 640);
  CHECK(countColor(a, {44, 160, 44}) > 10); // third series: one marker
  opts.logY = true;
  Image l = renderCurves("log", {{"loss", loss}}, opts);
  CHECK(countColor(l, kBlue) > 100);
  writePng(outDir(dir) + "/accuracy.png", a);

  CHECK_THAT(errorOf([&] { plotCurves(dir.file("x.jpg"), "t", {{"a", {1, 2}}}); }),
             Catch::Contains("PNG"));
  CHECK_THAT(errorOf([&] { renderCurves("t", {{"a", {1, 2}, {1}}}); }),
             Catch::Contains("series 'a'"));
  // Nothing to draw still gives a picture (empty frame).
  CHECK(renderCurves("empty", {}).width == 800);
}

TEST_CASE("scatter plot with a decision-boundary background", "[plot]") {
  TempDir dir;
  std::string path = outDir(dir) + "/decision.png";
  // Two noisy moons-like clusters and a circular decision rule.
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 0.2);
  std::vector<Point2> points;
  std::vector<int> labels;
  for (int i = 0; i < 200; ++i) {
    double t = M_PI * (i % 100) / 100.0;
    if (i < 100)
      points.push_back({std::cos(t) + noise(rng), std::sin(t) + noise(rng)}), labels.push_back(0);
    else
      points.push_back({1 - std::cos(t) + noise(rng), 0.5 - std::sin(t) + noise(rng)}),
          labels.push_back(1);
  }
  DecisionGrid grid{-1.5, 2.5, -1.0, 1.5, 120, 80, {}};
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) {
      double x = grid.xMin + i * (grid.xMax - grid.xMin) / (grid.nx - 1);
      double y = grid.yMin + j * (grid.yMax - grid.yMin) / (grid.ny - 1);
      grid.classes.push_back(y > 0.25 - 0.3 * (x - 0.5) * (x - 0.5) + 0.0 ? 0 : 1);
    }
  ScatterOptions opts;
  opts.title = "Decision boundary";
  scatter2d(path, points, labels, grid, opts);
  Image img = readPng(path);
  CHECK(img.width == 640);
  CHECK(img.height == 560);
  CHECK(countColor(img, kBlue) > 500);   // class-0 points
  CHECK(countColor(img, kOrange) > 500); // class-1 points
  // The pale class backgrounds: class 0 at the top of the plot, class 1 at the bottom.
  auto pale = [](Rgb c) {
    auto ch = [](uint8_t v) { return static_cast<uint8_t>(std::lround(255 + (v - 255.0) * 0.28)); };
    return Rgb{ch(c.r), ch(c.g), ch(c.b)};
  };
  CHECK(countColor(img, pale(kBlue), 0, 0, img.width, img.height / 3) > 5000);
  CHECK(countColor(img, pale(kOrange), 0, 2 * img.height / 3, img.width, img.height) > 5000);

  // Without a grid; mismatched sizes are errors.
  Image plain = renderScatter(points, labels);
  CHECK(countColor(plain, pale(kBlue)) == 0);
  CHECK_THAT(errorOf([&] { renderScatter(points, {0, 1}); }), Catch::Contains("labels"));
  DecisionGrid badGrid = grid;
  badGrid.classes.pop_back();
  CHECK_THAT(errorOf([&] { renderScatter(points, labels, badGrid); }), Catch::Contains("grid"));
}

TEST_CASE("image grids: the book's save_images layout, grey and RGB", "[png][grid]") {
  // Three 2x3 grey images with values i/10 at pixel (y, x) = image i's constant, 2 columns.
  runtime::HostTensor grey(runtime::DType::F32, {3, 2, 3});
  auto g = grey.as<float>();
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 6; ++k)
      g[i * 6 + k] = 0.4f * static_cast<float>(i); // 0, 0.4, 0.8
  g[5] = 2.0f;                                     // clipped to white
  Image grid = imageGrid(grey, 2);
  CHECK(grid.width == 6);
  CHECK(grid.height == 4);
  CHECK(grid.at(0, 0) == Rgb{0, 0, 0});
  CHECK(grid.at(2, 1) == Rgb{255, 255, 255}); // image 0, last pixel
  CHECK(grid.at(3, 0) == Rgb{102, 102, 102}); // image 1: round(0.4·255)
  CHECK(grid.at(1, 3) == Rgb{204, 204, 204}); // image 2, second row of the grid
  CHECK(grid.at(4, 3) == Rgb{0, 0, 0});       // no fourth image: black
  runtime::HostTensor rgb(runtime::DType::F32, {1, 1, 1, 3});
  rgb.as<float>()[0] = 1.0f;
  rgb.as<float>()[2] = 0.5f;
  CHECK(imageGrid(rgb).at(0, 0) == Rgb{255, 0, 128});
  TempDir dir;
  writeImageGrid(dir.file("grid.png"), grey, 2);
  CHECK(readPng(dir.file("grid.png")).pixels == grid.pixels);
  CHECK_THAT(errorOf([] { imageGrid(runtime::HostTensor(runtime::DType::F32, {2, 3})); }),
             Catch::Contains("[n, h, w]"));
  CHECK_THAT(errorOf([&] { imageGrid(grey, 0); }), Catch::Contains("columns"));
}

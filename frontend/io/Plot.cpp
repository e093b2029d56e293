// Line charts and decision-boundary scatter plots rendered into an RGB Image: anti-aliased
// lines and discs, "nice" axis ticks (1, 2, 5 × 10^k), and a built-in 5×7 bitmap font.
#include "sinter/io/Plot.h"

#include "sinter/Graph.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>

namespace sinter::io {

namespace {

// ---- Font ------------------------------------------------------------------------------

constexpr int kGlyphW = 5, kGlyphRows = 9, kAdvance = 6, kLineHeight = 9;

struct GlyphDef {
  char c;
  std::array<const char *, kGlyphRows> rows;
};

const GlyphDef kFont[] = {
#include "Font.inc"
};

const GlyphDef &glyph(char c) {
  static const std::map<char, const GlyphDef *> index = [] {
    std::map<char, const GlyphDef *> m;
    for (const GlyphDef &g : kFont)
      m[g.c] = &g;
    return m;
  }();
  auto it = index.find(c);
  if (it == index.end())
    it = index.find(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : '?');
  if (it == index.end())
    it = index.find('?');
  return *it->second;
}

// ---- Drawing ---------------------------------------------------------------------------

Rgb mix(Rgb a, Rgb b, double t) {
  auto ch = [t](uint8_t x, uint8_t y) {
    return static_cast<uint8_t>(std::lround(x + (static_cast<double>(y) - x) * t));
  };
  return {ch(a.r, b.r), ch(a.g, b.g), ch(a.b, b.b)};
}

void blend(Image &img, int x, int y, Rgb c, double alpha) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height || alpha <= 0)
    return;
  img.set(x, y, mix(img.at(x, y), c, std::min(alpha, 1.0)));
}

void fillRect(Image &img, int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x)
      img.set(x, y, c);
}

void hline(Image &img, int x0, int x1, int y, Rgb c) { fillRect(img, x0, y, x1 + 1, y + 1, c); }
void vline(Image &img, int x, int y0, int y1, Rgb c) { fillRect(img, x, y0, x + 1, y1 + 1, c); }

/// Coverage of the pixel centred at (px, py) by a capsule (segment with radius r).
double capsuleCoverage(double px, double py, double ax, double ay, double bx, double by, double r) {
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0) : 0.0;
  double d = std::hypot(px - (ax + t * dx), py - (ay + t * dy));
  return std::clamp(r + 0.5 - d, 0.0, 1.0);
}

/// An anti-aliased polyline of width 2r, clipped to [clip]; composited once per pixel.
void polyline(Image &img, const std::vector<std::pair<double, double>> &pts, double r, Rgb c,
              std::array<int, 4> clip) {
  if (pts.empty())
    return;
  int w = clip[2] - clip[0], h = clip[3] - clip[1];
  std::vector<float> cover(static_cast<size_t>(w) * h, 0.f);
  auto stroke = [&](double ax, double ay, double bx, double by) {
    int x0 = std::max(clip[0], static_cast<int>(std::floor(std::min(ax, bx) - r - 1)));
    int x1 = std::min(clip[2] - 1, static_cast<int>(std::ceil(std::max(ax, bx) + r + 1)));
    int y0 = std::max(clip[1], static_cast<int>(std::floor(std::min(ay, by) - r - 1)));
    int y1 = std::min(clip[3] - 1, static_cast<int>(std::ceil(std::max(ay, by) + r + 1)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        float &cv = cover[static_cast<size_t>(y - clip[1]) * w + (x - clip[0])];
        cv = std::max(cv, static_cast<float>(capsuleCoverage(x + 0.5, y + 0.5, ax, ay, bx, by, r)));
      }
  };
  if (pts.size() == 1)
    stroke(pts[0].first, pts[0].second, pts[0].first, pts[0].second);
  for (size_t i = 1; i < pts.size(); ++i)
    stroke(pts[i - 1].first, pts[i - 1].second, pts[i].first, pts[i].second);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      blend(img, clip[0] + x, clip[1] + y, c, cover[static_cast<size_t>(y) * w + x]);
}

void disc(Image &img, double cx, double cy, double r, Rgb c) {
  for (int y = static_cast<int>(cy - r - 1); y <= static_cast<int>(cy + r + 1); ++y)
    for (int x = static_cast<int>(cx - r - 1); x <= static_cast<int>(cx + r + 1); ++x)
      blend(img, x, y, c, std::clamp(r + 0.5 - std::hypot(x + 0.5 - cx, y + 0.5 - cy), 0.0, 1.0));
}

/// Text rotated 90° counter-clockwise (reads bottom to top); (x, y) is the bottom-left corner.
void drawTextUp(Image &img, int x, int y, const std::string &text, Rgb color, int scale) {
  int pen = 0;
  for (char ch : text) {
    const GlyphDef &g = glyph(ch);
    for (int row = 0; row < kGlyphRows && g.rows[row]; ++row)
      for (int col = 0; col < kGlyphW; ++col)
        if (g.rows[row][col] == '#')
          fillRect(img, x + row * scale, y - (pen + col + 1) * scale, x + (row + 1) * scale,
                   y - (pen + col) * scale, color);
    pen += kAdvance;
  }
}

// ---- Axes ------------------------------------------------------------------------------

const Rgb kBlack{0, 0, 0}, kGrid{225, 225, 225}, kText{40, 40, 40}, kWhite{255, 255, 255};

Rgb seriesColor(size_t i) {
  static const Rgb palette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};
  return palette[i % std::size(palette)];
}

struct Ticks {
  double lo, hi, step;
  std::vector<double> values;
};

double niceStep(double raw) {
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= raw * 0.999)
      return m * p;
  return 10 * p;
}

/// About `target` ticks covering [lo, hi]; the range is widened to whole steps.
Ticks niceTicks(double lo, double hi, int target, bool integers = false) {
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  double step = niceStep((hi - lo) / std::max(1, target));
  if (integers)
    step = std::max(1.0, std::round(step));
  Ticks t{std::floor(lo / step + 1e-9) * step, std::ceil(hi / step - 1e-9) * step, step, {}};
  for (double v = t.lo; v <= t.hi + step * 1e-6; v += step)
    t.values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

std::string tickLabel(double v, double step) {
  char buf[48];
  double a = std::abs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-4 || step < 1e-4))
    std::snprintf(buf, sizeof buf, "%.3g", v);
  else {
    int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    if (std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) >
        1e-6)
      ++decimals; // 2.5, 0.25
    std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 6), v);
  }
  return buf;
}

/// Plot area and the mapping from data to pixels.
struct Frame {
  int left, top, right, bottom; // pixel rectangle [left, right) × [top, bottom)
  double x0, x1, y0, y1;
  bool logY = false;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
  double fy(double y) const { return logY ? std::log10(y) : y; }
  double py(double y) const { return bottom - (fy(y) - y0) / (y1 - y0) * (bottom - top); }
};

constexpr int kScale = 2; // font scale of labels; titles use kScale + 1

/// Title, axes box, grid, ticks and axis labels.
void drawAxes(Image &img, Frame &f, const std::string &title, const std::string &xLabel,
              const std::string &yLabel, const Ticks &xt, const Ticks &yt) {
  int ch = kLineHeight * kScale;
  if (!title.empty())
    drawText(img, (img.width - textWidth(title, kScale + 1)) / 2, 12, title, kText, kScale + 1);
  for (double v : xt.values) {
    int x = static_cast<int>(std::lround(f.px(v)));
    vline(img, x, f.top, f.bottom, kGrid);
    vline(img, x, f.bottom, f.bottom + 5, kBlack);
    std::string s = tickLabel(v, xt.step);
    drawText(img, x - textWidth(s, kScale) / 2, f.bottom + 9, s, kText, kScale);
  }
  for (double v : yt.values) {
    double shown = f.logY ? std::pow(10.0, v) : v;
    int y =
        static_cast<int>(std::lround(f.bottom - (v - f.y0) / (f.y1 - f.y0) * (f.bottom - f.top)));
    hline(img, f.left, f.right, y, kGrid);
    hline(img, f.left - 5, f.left, y, kBlack);
    std::string s = f.logY ? tickLabel(shown, shown) : tickLabel(v, yt.step);
    drawText(img, f.left - 9 - textWidth(s, kScale), y - 7 * kScale / 2, s, kText, kScale);
  }
  hline(img, f.left, f.right, f.top, kBlack);
  hline(img, f.left, f.right, f.bottom, kBlack);
  vline(img, f.left, f.top, f.bottom, kBlack);
  vline(img, f.right, f.top, f.bottom, kBlack);
  if (!xLabel.empty())
    drawText(img, (f.left + f.right - textWidth(xLabel, kScale)) / 2, f.bottom + 15 + ch, xLabel,
             kText, kScale);
  if (!yLabel.empty())
    drawTextUp(img, 8, (f.top + f.bottom + textWidth(yLabel, kScale)) / 2, yLabel, kText, kScale);
}

/// A legend box in a corner of the plot, where it covers the fewest of `data` (pixel positions).
void drawLegend(Image &img, const Frame &f, const std::vector<std::pair<std::string, Rgb>> &items,
                bool markers, const std::vector<std::pair<double, double>> &data) {
  if (items.empty())
    return;
  int ch = kLineHeight * kScale, sample = 28, pad = 8;
  int wText = 0;
  for (const auto &[name, c] : items)
    wText = std::max(wText, textWidth(name, kScale));
  int w = pad * 3 + sample + wText, h = pad * 2 + static_cast<int>(items.size()) * (ch + 4) - 4;
  // The corner that hides the fewest data points (top right first on ties).
  int x = f.right - 10 - w, y = f.top + 10;
  size_t best = SIZE_MAX;
  for (auto [cx, cy] : {std::pair{f.right - 10 - w, f.top + 10},
                        {f.left + 10, f.top + 10},
                        {f.right - 10 - w, f.bottom - 10 - h},
                        {f.left + 10, f.bottom - 10 - h}}) {
    size_t hidden = 0;
    for (auto [px, py] : data)
      hidden += px >= cx - 4 && px <= cx + w + 4 && py >= cy - 4 && py <= cy + h + 4;
    if (hidden < best)
      best = hidden, x = cx, y = cy;
  }
  fillRect(img, x, y, x + w, y + h, kWhite);
  hline(img, x, x + w, y, {160, 160, 160});
  hline(img, x, x + w, y + h, {160, 160, 160});
  vline(img, x, y, y + h, {160, 160, 160});
  vline(img, x + w, y, y + h, {160, 160, 160});
  for (size_t i = 0; i < items.size(); ++i) {
    int row = y + pad + static_cast<int>(i) * (ch + 4);
    double mid = row + 7 * kScale / 2.0;
    if (markers)
      disc(img, x + pad + sample / 2.0, mid, 5, items[i].second);
    else
      polyline(img, {{x + pad, mid}, {x + pad + sample, mid}}, 1.25, items[i].second,
               {0, 0, img.width, img.height});
    drawText(img, x + pad * 2 + sample, row, items[i].first, kText, kScale);
  }
}

std::string ext(const std::string &path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(dot);
}

void checkPng(const std::string &path) {
  std::string e = ext(path);
  if (e != ".png" && e != ".PNG")
    throw Error("plot '" + path + "': only PNG output is supported (use a .png file name)");
}

} // namespace

// ---- Public ----------------------------------------------------------------------------

int textWidth(const std::string &text, int scale) {
  return text.empty() ? 0 : (static_cast<int>(text.size()) * kAdvance - 1) * scale;
}

void drawText(Image &img, int x, int y, const std::string &text, Rgb color, int scale) {
  int pen = x;
  for (char ch : text) {
    const GlyphDef &g = glyph(ch);
    for (int row = 0; row < kGlyphRows && g.rows[row]; ++row)
      for (int col = 0; col < kGlyphW; ++col)
        if (g.rows[row][col] == '#')
          fillRect(img, pen + col * scale, y + row * scale, pen + (col + 1) * scale,
                   y + (row + 1) * scale, color);
    pen += kAdvance * scale;
  }
}

Image renderCurves(const std::string &title, const std::vector<Series> &series,
                   const PlotOptions &options) {
  if (options.width < 200 || options.height < 150)
    throw Error("plot '" + title + "': the image must be at least 200x150 pixels");
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  size_t maxPoints = 0;
  auto xOf = [](const Series &s, size_t i) {
    return s.x.empty() ? static_cast<double>(i + 1) : s.x[i];
  };
  for (const Series &s : series) {
    if (!s.x.empty() && s.x.size() != s.values.size())
      throw Error("plot '" + title + "': series '" + s.name + "' has " +
                  std::to_string(s.values.size()) + " values but " + std::to_string(s.x.size()) +
                  " x positions");
    maxPoints = std::max(maxPoints, s.values.size());
    for (size_t i = 0; i < s.values.size(); ++i) {
      double v = s.values[i];
      if (!std::isfinite(v) || (options.logY && v <= 0))
        continue;
      v = options.logY ? std::log10(v) : v;
      xmin = std::min(xmin, xOf(s, i));
      xmax = std::max(xmax, xOf(s, i));
      ymin = std::min(ymin, v);
      ymax = std::max(ymax, v);
    }
  }
  if (!std::isfinite(xmin)) { // nothing to draw: an empty frame
    xmin = 1, xmax = 2, ymin = 0, ymax = 1;
  }
  bool integerX = true;
  for (const Series &s : series)
    for (double x : s.x)
      integerX &= x == std::round(x);
  Image img(options.width, options.height);
  int ch = kLineHeight * kScale;
  double ypad = (ymax - ymin) * 0.03; // points on the extremes stay off the frame
  Ticks yt = niceTicks(ymin - ypad, ymax + ypad, 6);
  if (options.logY) { // whole decades
    yt = niceTicks(std::floor(ymin), std::ceil(ymax), 6, true);
  }
  int yLabelW = 0;
  for (double v : yt.values)
    yLabelW =
        std::max(yLabelW, textWidth(options.logY ? tickLabel(std::pow(10.0, v), std::pow(10.0, v))
                                                 : tickLabel(v, yt.step),
                                    kScale));
  Frame f{(options.yLabel.empty() ? 14 : 14 + ch + 6) + yLabelW + 10,
          title.empty() ? 16 : 20 + 3 * 9 + 10,
          options.width - 24,
          options.height - (options.xLabel.empty() ? 24 + ch : 34 + 2 * ch),
          0,
          1,
          yt.lo,
          yt.hi,
          options.logY};
  int targetX = std::max(2, (f.right - f.left) / 90);
  Ticks xt = niceTicks(xmin, xmax, targetX, integerX);
  f.x0 = xmin == xmax ? xt.lo : xmin;
  f.x1 = xmin == xmax ? xt.hi : xmax;
  // Keep ticks inside the data range on x (epochs 1..n), with a small margin.
  double margin = (f.x1 - f.x0) * 0.02;
  f.x0 -= margin;
  f.x1 += margin;
  std::vector<double> inside;
  for (double v : xt.values)
    if (v >= f.x0 && v <= f.x1)
      inside.push_back(v);
  xt.values = inside;
  drawAxes(img, f, title, options.xLabel, options.yLabel, xt, yt);

  std::vector<std::pair<std::string, Rgb>> legend;
  std::vector<std::pair<double, double>> drawn;
  std::array<int, 4> clip{f.left + 1, f.top + 1, f.right, f.bottom};
  for (size_t k = 0; k < series.size(); ++k) {
    const Series &s = series[k];
    Rgb c = seriesColor(k);
    std::vector<std::pair<double, double>> run;
    auto flush = [&] {
      polyline(img, run, 1.25, c, clip);
      run.clear();
    };
    for (size_t i = 0; i < s.values.size(); ++i) {
      double v = s.values[i];
      if (!std::isfinite(v) || (options.logY && v <= 0)) {
        flush(); // a gap where values are missing
        continue;
      }
      run.emplace_back(f.px(xOf(s, i)), f.py(v));
      drawn.push_back(run.back());
      if (run.size() > 1) // points along the segment, so the legend avoids lines too
        for (double t : {0.25, 0.5, 0.75})
          drawn.emplace_back(
              run[run.size() - 2].first + t * (run.back().first - run[run.size() - 2].first),
              run[run.size() - 2].second + t * (run.back().second - run[run.size() - 2].second));
    }
    flush();
    if (maxPoints <= 40)
      for (size_t i = 0; i < s.values.size(); ++i)
        if (std::isfinite(s.values[i]) && !(options.logY && s.values[i] <= 0))
          disc(img, f.px(xOf(s, i)), f.py(s.values[i]), 3.2, c);
    legend.emplace_back(s.name, c);
  }
  drawLegend(img, f, legend, false, drawn);
  return img;
}

void plotCurves(const std::string &path, const std::string &title,
                const std::vector<Series> &series, const PlotOptions &options) {
  checkPng(path);
  writePng(path, renderCurves(title, series, options));
}

void plotCurves(const std::string &path, const std::string &title,
                const std::vector<Series> &series, const std::string &xLabel) {
  PlotOptions options;
  options.xLabel = xLabel;
  plotCurves(path, title, series, options);
}

Image renderScatter(const std::vector<Point2> &points, const std::vector<int> &labels,
                    const std::optional<DecisionGrid> &grid, const ScatterOptions &options) {
  if (points.size() != labels.size())
    throw Error("scatter plot: " + std::to_string(points.size()) + " points but " +
                std::to_string(labels.size()) + " labels");
  if (grid && (grid->nx < 2 || grid->ny < 2 ||
               grid->classes.size() != static_cast<size_t>(grid->nx) * grid->ny ||
               !(grid->xMax > grid->xMin) || !(grid->yMax > grid->yMin)))
    throw Error("scatter plot: the decision grid needs nx, ny >= 2, nx*ny classes and a "
                "non-empty range");
  if (options.width < 200 || options.height < 150)
    throw Error("scatter plot: the image must be at least 200x150 pixels");
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const Point2 &p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y))
      continue;
    xmin = std::min(xmin, p.x), xmax = std::max(xmax, p.x);
    ymin = std::min(ymin, p.y), ymax = std::max(ymax, p.y);
  }
  if (std::isfinite(xmin)) { // some air around the points
    double px = (xmax - xmin) * 0.04, py = (ymax - ymin) * 0.04;
    xmin -= px, xmax += px, ymin -= py, ymax += py;
  }
  if (grid) { // the grid's extent, and beyond it where points lie outside
    xmin = std::isfinite(xmin) && xmin < grid->xMin ? xmin : grid->xMin;
    xmax = std::isfinite(xmax) && xmax > grid->xMax ? xmax : grid->xMax;
    ymin = std::isfinite(ymin) && ymin < grid->yMin ? ymin : grid->yMin;
    ymax = std::isfinite(ymax) && ymax > grid->yMax ? ymax : grid->yMax;
  }
  if (!std::isfinite(xmin))
    xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  Image img(options.width, options.height);
  int ch = kLineHeight * kScale;
  Ticks yt = niceTicks(ymin, ymax, 6);
  int yLabelW = 0;
  for (double v : yt.values)
    yLabelW = std::max(yLabelW, textWidth(tickLabel(v, yt.step), kScale));
  Frame f{(options.yLabel.empty() ? 14 : 14 + ch + 6) + yLabelW + 10,
          options.title.empty() ? 16 : 20 + 3 * 9 + 10,
          options.width - 24,
          options.height - (options.xLabel.empty() ? 24 + ch : 34 + 2 * ch),
          xmin,
          xmax,
          ymin,
          ymax};
  Ticks xt = niceTicks(xmin, xmax, std::max(2, (f.right - f.left) / 90));
  std::vector<double> inside;
  for (double v : xt.values)
    if (v >= xmin - 1e-12 && v <= xmax + 1e-12)
      inside.push_back(v);
  xt.values = inside;
  inside.clear();
  for (double v : yt.values)
    if (v >= ymin - 1e-12 && v <= ymax + 1e-12)
      inside.push_back(v);
  yt.values = inside;

  drawAxes(img, f, options.title, options.xLabel, options.yLabel, xt, yt);
  if (grid) // the pale background of predicted classes (over the grid lines), nearest cell
    for (int y = f.top + 1; y < f.bottom; ++y)
      for (int x = f.left + 1; x < f.right; ++x) {
        double dx = f.x0 + (x + 0.5 - f.left) / (f.right - f.left) * (f.x1 - f.x0);
        double dy = f.y0 + (f.bottom - (y + 0.5)) / (f.bottom - f.top) * (f.y1 - f.y0);
        if (dx < grid->xMin || dx > grid->xMax || dy < grid->yMin || dy > grid->yMax)
          continue;
        int i = static_cast<int>(
            std::lround((dx - grid->xMin) / (grid->xMax - grid->xMin) * (grid->nx - 1)));
        int j = static_cast<int>(
            std::lround((dy - grid->yMin) / (grid->yMax - grid->yMin) * (grid->ny - 1)));
        int cls = grid->classes[static_cast<size_t>(j) * grid->nx + i];
        img.set(x, y, mix(kWhite, seriesColor(static_cast<size_t>(std::max(0, cls))), 0.28));
      }

  int maxLabel = -1;
  std::vector<std::pair<double, double>> drawn;
  for (size_t k = 0; k < points.size(); ++k) {
    const Point2 &p = points[k];
    if (!std::isfinite(p.x) || !std::isfinite(p.y))
      continue;
    Rgb c = seriesColor(static_cast<size_t>(std::max(0, labels[k])));
    maxLabel = std::max(maxLabel, labels[k]);
    drawn.emplace_back(f.px(p.x), f.py(p.y));
    disc(img, f.px(p.x), f.py(p.y), 4.2, {60, 60, 60});
    disc(img, f.px(p.x), f.py(p.y), 3.2, c);
  }
  std::vector<std::pair<std::string, Rgb>> legend;
  for (int c = 0; c <= maxLabel; ++c)
    legend.emplace_back("class " + std::to_string(c), seriesColor(static_cast<size_t>(c)));
  drawLegend(img, f, legend, true, drawn);
  return img;
}

void scatter2d(const std::string &path, const std::vector<Point2> &points,
               const std::vector<int> &labels, const std::optional<DecisionGrid> &grid,
               const ScatterOptions &options) {
  checkPng(path);
  writePng(path, renderScatter(points, labels, grid, options));
}

} // namespace sinter::io

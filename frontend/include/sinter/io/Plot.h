// Pictures a person can open: training curves (loss/accuracy per epoch) and 2-D scatter plots
// with a decision-boundary background (book chapter 9). Rendered into an RGB Image with a small
// built-in bitmap font (no fonts or plotting libraries needed) and written as PNG.
#ifndef SINTER_IO_PLOT_H
#define SINTER_IO_PLOT_H

#include "sinter/io/Image.h"

#include <optional>
#include <string>
#include <vector>

namespace sinter::io {

/// One curve: its legend name and values; x is 1, 2, ... (epochs) unless `x` is given.
struct Series {
  std::string name;
  std::vector<double> values;
  std::vector<double> x = {};
};

struct PlotOptions {
  int width = 800, height = 500;
  std::string xLabel = "epoch";
  std::string yLabel = "";
  bool logY = false; ///< logarithmic y axis (positive values only)
};

/// A line chart: title, axes with ticks and labels, grid, one coloured line per series (with
/// markers when there are few points) and a legend. Non-finite values are skipped.
Image renderCurves(const std::string &title, const std::vector<Series> &series,
                   const PlotOptions &options = {});
/// renderCurves written to `path` as PNG, e.g.
///   plotCurves("loss.png", "Training", {{"loss", loss}, {"val_loss", valLoss}}, "epoch");
void plotCurves(const std::string &path, const std::string &title,
                const std::vector<Series> &series, const std::string &xLabel = "epoch");
void plotCurves(const std::string &path, const std::string &title,
                const std::vector<Series> &series, const PlotOptions &options);

struct Point2 {
  double x = 0, y = 0;
};

/// Predicted classes on a regular grid over [xMin, xMax] × [yMin, yMax]: classes[j * nx + i] is
/// the class at x = xMin + i·(xMax−xMin)/(nx−1), y = yMin + j·(yMax−yMin)/(ny−1).
struct DecisionGrid {
  double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
  int nx = 0, ny = 0;
  std::vector<int> classes;
};

struct ScatterOptions {
  int width = 640, height = 560;
  std::string title = "";
  std::string xLabel = "x1", yLabel = "x2";
};

/// Points coloured by label (0, 1, ...) over an optional pale background of the grid's
/// predicted classes (each pixel takes the nearest grid cell), with axes and a legend.
Image renderScatter(const std::vector<Point2> &points, const std::vector<int> &labels,
                    const std::optional<DecisionGrid> &grid = std::nullopt,
                    const ScatterOptions &options = {});
void scatter2d(const std::string &path, const std::vector<Point2> &points,
               const std::vector<int> &labels,
               const std::optional<DecisionGrid> &grid = std::nullopt,
               const ScatterOptions &options = {});

/// Draws `text` with the built-in 5×7 font (each font pixel a scale×scale square) with its
/// top-left corner at (x, y). Characters outside printable ASCII are drawn as '?'.
void drawText(Image &image, int x, int y, const std::string &text, Rgb color, int scale = 1);
/// Width in pixels of `text` at `scale`.
int textWidth(const std::string &text, int scale = 1);

} // namespace sinter::io

#endif

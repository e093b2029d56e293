// tf.image.resize's sampling along one axis (half-pixel centres, no antialiasing), in one place
// for the host image transforms (sinter/data/ImageTransforms.h) and the graph's resize
// (sinter/Image.h), so both give the same pixels.
#ifndef SINTER_RUNTIME_RESIZETAPS_H
#define SINTER_RUNTIME_RESIZETAPS_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sinter::runtime {

/// Output position `d` of `outSize` reads input positions `lo` and `hi` of `inSize` with
/// weights 1 − t and t.
struct ResizeTap {
  int64_t lo, hi;
  double t;
};

inline ResizeTap bilinearTap(int64_t d, int64_t inSize, int64_t outSize) {
  double scale = double(inSize) / double(outSize);
  double src = std::clamp((double(d) + 0.5) * scale - 0.5, 0.0, double(inSize - 1));
  int64_t lo = int64_t(std::floor(src));
  return {lo, std::min(lo + 1, inSize - 1), src - double(lo)};
}

inline int64_t nearestTap(int64_t d, int64_t inSize, int64_t outSize) {
  double scale = double(inSize) / double(outSize);
  return std::min<int64_t>(int64_t(std::floor((double(d) + 0.5) * scale)), inSize - 1);
}

} // namespace sinter::runtime

#endif

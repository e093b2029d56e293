// Image ops on graph tensors (tf.image), composed of the dialect's ops, so they differentiate
// (to any order) and take the dynamic batch like any other graph.
#ifndef SINTER_IMAGE_H
#define SINTER_IMAGE_H

#include "sinter/Ops.h"

namespace sinter::image {

/// tf.image.resize (half-pixel centres, no antialiasing; the same pixels as the host's
/// data::image::resize): images [batch, h, w, c] or [h, w, c] → size {height, width};
/// `method` "bilinear" or "nearest". Each axis is resampled by a product with its constant
/// interpolation matrix, as a 1x1 convolution (an axis that keeps its size is left alone).
Tensor resize(const Tensor &images, Size2 size, const std::string &method = "bilinear",
              Loc loc = Loc::current());

} // namespace sinter::image

#endif

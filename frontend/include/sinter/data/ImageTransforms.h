// Image transforms of tf.image for the host-side data pipeline, on float32 HWC images
// ([height, width, channels], or a batch [n, height, width, channels]): flips, rotation by
// 90°, resizing (nearest, bilinear), crops, and random augmentations as Dataset maps.
#ifndef SINTER_DATA_IMAGETRANSFORMS_H
#define SINTER_DATA_IMAGETRANSFORMS_H

#include "sinter/data/Dataset.h"

#include <cstdint>
#include <functional>

namespace sinter::data::image {

HostTensor flipLeftRight(const HostTensor &images);
HostTensor flipUpDown(const HostTensor &images);
/// Rotates counter-clockwise by k·90° (tf.image.rot90); k may be negative.
HostTensor rot90(const HostTensor &images, int k = 1);

enum class Interpolation { Nearest, Bilinear };
/// tf.image.resize (half-pixel centres, no antialiasing): [.., h, w, c] → [.., height, width, c].
HostTensor resize(const HostTensor &images, int64_t height, int64_t width,
                  Interpolation method = Interpolation::Bilinear);
/// The [height, width] window at (top, left), after `padding` zero rows/columns on every side.
HostTensor crop(const HostTensor &images, int64_t top, int64_t left, int64_t height, int64_t width,
                int64_t padding = 0);

/// Dataset maps that transform the first component of each element (the image), drawing from
/// a generator seeded with `seed` (reproducible for a given pipeline):
/// flip left-right with probability 1/2,
std::function<Element(Element)> randomFlipLeftRight(uint64_t seed);
/// pad by `padding` zeros on every side and crop back to the original size at a random place
/// (the CIFAR-10 augmentation),
std::function<Element(Element)> randomCropWithPadding(int64_t padding, uint64_t seed);
/// cut a [height, width] window at a random place (the book's resize-then-crop augmentation),
std::function<Element(Element)> randomCrop(int64_t height, int64_t width, uint64_t seed);
/// rotate by a random multiple of 90°.
std::function<Element(Element)> randomRot90(uint64_t seed);

} // namespace sinter::data::image

#endif

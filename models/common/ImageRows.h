// The chapter-12 autoencoders' images: samples of a data set as flat rows [n, 784], and the
// book's grids of them (save_images of tf.concat([x, x_hat]): 50 originals above their 50
// reconstructions, 10 per row).
#ifndef SINTER_MODELS_COMMON_IMAGEROWS_H
#define SINTER_MODELS_COMMON_IMAGEROWS_H

#include "sinter/data/ImageDatasets.h"
#include "sinter/io/Image.h"

#include <cstdio>
#include <string>
#include <vector>

namespace sinter::models {

/// Samples order[start], ..., order[start + n − 1] of `set` (an empty order: in order) as
/// float rows [n, pixels].
inline HostTensor imageRows(const data::ImageDataset &set, int64_t n,
                            const std::vector<int64_t> &order = {}, int64_t start = 0) {
  HostTensor x(DType::F32, {n, set.imageSize()});
  data::copyBatch(set, order, start, n, x.as<float>());
  return x;
}

/// Rows [n, 784] (values in [0, 1]), one after the other, as a grid of 28x28 images written to
/// `path`, 10 per row.
inline void writeRowsGrid(const std::string &path, const std::vector<HostTensor> &parts) {
  int64_t n = 0;
  for (const HostTensor &p : parts)
    n += p.shape()[0];
  HostTensor images(DType::F32, {n, 28, 28});
  float *out = images.as<float>().data();
  for (const HostTensor &p : parts)
    out = std::copy_n(p.as<float>().data(), p.numElements(), out);
  io::writeImageGrid(path, images, 10);
  std::printf("wrote %s\n", path.c_str());
}

} // namespace sinter::models

#endif

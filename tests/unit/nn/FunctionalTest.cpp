// The Keras functional API: Input → layers → Model(inputs, outputs); merge layers; the training
// flag reaching BatchNormalization through fit; models reused as layers (frozen bases); shared
// layers; save/load; the errors a user meets.
#include "sinter/nn/Model.h"

#include <catch2/catch.hpp>

#include "NnTestUtil.h"

#include <cmath>
#include <random>
#include <unistd.h>

using namespace sinter;
using namespace sinter::nn;
using nntest::errorOf;
using nntest::floats;
using sinter::testing::randomTensor;

namespace {

/// y = x @ kernel + bias on the host, for `x` [n, in].
std::vector<float> dense(const std::vector<float> &x, int64_t n, const HostTensor &kernel,
                         const HostTensor &bias) {
  int64_t in = kernel.shape()[0], out = kernel.shape()[1];
  std::vector<float> y(n * out);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < out; ++j) {
      float s = bias.as<float>()[j];
      for (int64_t i = 0; i < in; ++i)
        s += x[r * in + i] * kernel.as<float>()[i * out + j];
      y[r * out + j] = s;
    }
  return y;
}

} // namespace

TEST_CASE("10.4 functional LeNet-5: the same parameters as the Sequential one", "[functional]") {
  SymbolicTensor inputs = Input({28, 28, 1});
  CHECK(inputs.shape() == Shape{-1, 28, 28, 1});
  SymbolicTensor x = Conv2D(6, {3, 3})(inputs);
  CHECK(x.shape() == Shape{-1, 26, 26, 6});
  x = ReLU()(MaxPool2D()(x));
  x = ReLU()(MaxPool2D()(Conv2D(16, {3, 3})(x)));
  x = Dense(84, "relu")(Dense(120, "relu")(Flatten()(x)));
  SymbolicTensor outputs = Dense(10)(x);
  Model lenet(inputs, outputs, "lenet5");
  std::vector<int64_t> counts;
  for (Layer *l : lenet.layers())
    if (l->countParams() > 0)
      counts.push_back(l->countParams());
  CHECK(counts == std::vector<int64_t>{60, 880, 48120, 10164, 850});
  CHECK(lenet.layers().front()->typeName() == "InputLayer");
  std::string s = lenet.summaryString();
  INFO(s);
  CHECK_THAT(s, Catch::Contains("(InputLayer)"));
  CHECK_THAT(s, Catch::Contains("(None, 28, 28, 1)"));
  CHECK_THAT(s, Catch::Contains("(None, 10)"));
  CHECK_THAT(s, Catch::Contains("Total params: 60,074"));
  CHECK_THAT(s, !Catch::Contains("Connected to")); // a chain: the Sequential table
  CHECK(lenet.outputShape() == Shape{-1, 10});
}

TEST_CASE("a branching model with Add and Concatenate predicts what the host computes",
          "[functional][merge]") {
  SymbolicTensor in = Input({3});
  auto a = std::make_shared<Dense>(2), b = std::make_shared<Dense>(2);
  SymbolicTensor sum = Add()({(*a)(in), (*b)(in)});
  SymbolicTensor out = Concatenate()({sum, in});
  CHECK(out.shape() == Shape{-1, 5});
  Model model(in, out);
  // Not a chain: Keras' "Connected to" column, one inbound layer per line.
  std::string summary = model.summaryString();
  INFO(summary);
  CHECK_THAT(summary, Catch::Contains("Connected to"));
  CHECK_THAT(summary, Catch::Contains(std::string(98, '=')));
  CHECK_THAT(summary, Catch::Contains(a->name() + "[0][0]"));
  CHECK_THAT(summary, Catch::Contains("\n" + std::string(65, ' ') + in.name() + "[0][0]"));
  HostTensor x = randomTensor({5, 3}, 1);
  HostTensor y = model.predict(x);
  REQUIRE(y.shape() == Shape{5, 5});
  auto w = model.getWeights();
  std::vector<float> xs = floats(x);
  std::vector<float> ya = dense(xs, 5, w.at(a->name() + "/kernel"), w.at(a->name() + "/bias"));
  std::vector<float> yb = dense(xs, 5, w.at(b->name() + "/kernel"), w.at(b->name() + "/bias"));
  for (int r = 0; r < 5; ++r) {
    for (int j = 0; j < 2; ++j)
      CHECK(y.as<float>()[r * 5 + j] == Approx(ya[r * 2 + j] + yb[r * 2 + j]).margin(1e-5));
    for (int j = 0; j < 3; ++j)
      CHECK(y.as<float>()[r * 5 + 2 + j] == xs[r * 3 + j]);
  }
}

TEST_CASE("merge layers on graph tensors: every kind, and their shape errors", "[merge]") {
  Graph g;
  Tensor p = constant(g, std::vector<float>{1, 5, -2}, {1, 3});
  Tensor q = constant(g, std::vector<float>{3, 1, 4}, {1, 3});
  auto results = nntest::evalAll(g, {Add()({p, q}), Subtract()({p, q}), Multiply()({p, q}),
                                     Average()({p, q, q}), Maximum()({p, q}), Minimum()({p, q}),
                                     Concatenate(0)({p, q})});
  CHECK(floats(results[0]) == std::vector<float>{4, 6, 2});
  CHECK(floats(results[1]) == std::vector<float>{-2, 4, -6});
  CHECK(floats(results[2]) == std::vector<float>{3, 5, -8});
  CHECK(floats(results[3])[0] == Approx(7.0 / 3));
  CHECK(floats(results[4]) == std::vector<float>{3, 5, 4});
  CHECK(floats(results[5]) == std::vector<float>{1, 1, -2});
  CHECK(results[6].shape() == Shape{2, 3});
  Tensor r = constant(g, std::vector<float>{1, 2}, {1, 2});
  CHECK_THAT(errorOf([&] { Add()({p, r}); }), Catch::Contains("different shapes (1, 3), (1, 2)"));
  CHECK_THAT(errorOf([&] { Subtract()({p, q, q}); }), Catch::Contains("exactly two inputs, got 3"));
  CHECK_THAT(errorOf([&] { Add()(p); }), Catch::Contains("at least two inputs, got 1"));
  CHECK_THAT(errorOf([&] { Concatenate(0)({p, r}); }), Catch::Contains("differ on an axis"));
  CHECK_THAT(errorOf([&] { Dense(2)({p, q}); }), Catch::Contains("takes one input, got 2"));
}

TEST_CASE("fit passes training=true to BatchNormalization and Dropout of a functional model",
          "[functional][fit]") {
  SymbolicTensor in = Input({4});
  auto bn = std::make_shared<BatchNormalization>();
  SymbolicTensor h = Dropout(0.5)((*bn)(Dense(8, "relu")(in)));
  Model model(in, Dense(1)(h));
  model.compile(optim::Adam(0.01), losses::meanSquaredError());
  HostTensor x = randomTensor({64, 4}, 2), y = randomTensor({64, 1}, 3);
  std::string mean = bn->name() + "/moving_mean";
  CHECK(floats(model.getWeights().at(mean)) == std::vector<float>(8, 0.0f));
  model.fit(x, y, {.batchSize = 32, .epochs = 2, .verbose = 0});
  // The moving statistics moved (updates of training calls only); predictions are
  // deterministic (inference mode: no dropout).
  std::vector<float> moved = floats(model.getWeights().at(mean));
  CHECK(std::any_of(moved.begin(), moved.end(), [](float v) { return v != 0; }));
  CHECK(floats(model.predict(x)) == floats(model.predict(x)));
  CHECK(model.entryNames() == std::vector<std::string>{"predict", "test_step", "train_step"});
}

TEST_CASE("a trained model reused as a frozen layer of a new model (transfer learning)",
          "[functional][nested]") {
  SymbolicTensor in = Input({6});
  auto base =
      std::make_shared<Model>(in,
                              Dense(4, "relu", true, initializers::glorotUniform(),
                                    initializers::zeros(), nullptr, nullptr, "base_dense")(in),
                              "base");
  HostTensor x = randomTensor({40, 6}, 4), y = randomTensor({40, 2}, 5);
  base->compile(optim::Adam(0.05), losses::meanSquaredError());
  base->fit(x, randomTensor({40, 4}, 8), {.batchSize = 8, .epochs = 2, .verbose = 0});
  HostTensor baseOut = base->predict(x);
  std::vector<float> trainedKernel = floats(base->getWeights().at("base_dense/kernel"));

  // Functional: a new Input joins the base's graph; the base's weights come along.
  base->setTrainable(false);
  SymbolicTensor in2 = Input({6});
  auto head = std::make_shared<Dense>(2);
  Model tuned(in2, (*head)((*base)(in2)));
  CHECK(tuned.countParams() == 6 * 4 + 4 + 4 * 2 + 2);
  CHECK(tuned.countTrainableParams() == 4 * 2 + 2);
  tuned.compile(optim::Adam(0.05), losses::meanSquaredError());
  auto before = tuned.getWeights();
  CHECK(floats(before.at("base_dense/kernel")) == trainedKernel); // the base's trained weights
  tuned.fit(x, y, {.batchSize = 8, .epochs = 2, .verbose = 0});
  auto after = tuned.getWeights();
  CHECK(floats(after.at("base_dense/kernel")) == trainedKernel);
  CHECK(floats(after.at(head->name() + "/kernel")) != floats(before.at(head->name() + "/kernel")));

  // Sequential with the base as its first layer builds in the base's graph as well.
  Sequential stacked({base, Dense(3)});
  stacked.build({-1, 6});
  CHECK(stacked.layers().front() == base.get());
  CHECK(stacked.predict(x).shape() == Shape{40, 3});
  // The base itself still runs, with the weights it had (it was frozen).
  CHECK(floats(base->predict(x)) == floats(baseOut));
}

TEST_CASE("a layer called twice shares its weights; the model lists it once",
          "[functional][shared]") {
  SymbolicTensor in = Input({3});
  Dense twice(3, "", true, initializers::identity(), initializers::zeros());
  SymbolicTensor out = twice(twice(in)); // copies of a layer on the stack share its weights
  Model model(in, out);
  CHECK(model.countParams() == 12);
  CHECK(model.layers().size() == 2); // the input and the dense layer
  HostTensor x = randomTensor({2, 3}, 6);
  CHECK(floats(model.predict(x)) == floats(x));
}

TEST_CASE("a functional model saves as .sinter and loads back", "[functional][save]") {
  SymbolicTensor in = Input({4, 4, 2});
  SymbolicTensor c = Conv2D(3, {3, 3}, {.padding = "same"})(in);
  SymbolicTensor out = Dense(2)(GlobalAveragePooling2D()(Add()({c, Conv2D(3, {1, 1})(in)})));
  Model model(in, out);
  HostTensor x = randomTensor({3, 4, 4, 2}, 7);
  HostTensor expected = model.predict(x);
  std::string path = "/tmp/sinter_functional_" + std::to_string(::getpid()) + ".sinter";
  model.save(path);
  Program p = loadModel(path).compile();
  HostTensor got = p.run("predict", {x})[0];
  for (int i = 0; i < 6; ++i)
    CHECK(got.as<float>()[i] == Approx(expected.as<float>()[i]).margin(1e-6));
  std::remove(path.c_str());
}

TEST_CASE("a model evaluated only still saves with a predict entry", "[functional][save]") {
  SymbolicTensor in = Input({3});
  Model model(in, Dense(2)(in));
  model.compile(optim::Adam(0.01), losses::meanSquaredError());
  HostTensor x = randomTensor({5, 3}, 8), y = randomTensor({5, 2}, 9);
  model.evaluate(x, y, {.batchSize = 5});
  CHECK(model.entryNames() == std::vector<std::string>{"test_step"});
  std::string path = "/tmp/sinter_evaluated_" + std::to_string(::getpid()) + ".sinter";
  model.save(path);
  CHECK(model.entryNames() == std::vector<std::string>{"predict", "test_step"});
  Program p = loadModel(path).compile();
  HostTensor got = p.run("predict", {x})[0], expected = model.predict(x);
  for (int i = 0; i < 10; ++i)
    CHECK(got.as<float>()[i] == Approx(expected.as<float>()[i]).margin(1e-6));
  std::remove(path.c_str());
}

TEST_CASE("functional API errors name the problem", "[functional][errors]") {
  SymbolicTensor in = Input({3}), other = Input({3});
  SymbolicTensor h = Dense(2)(in);
  CHECK_THAT(errorOf([&] { Model(h, h); }), Catch::Contains("must be an nn::Input"));
  CHECK_THAT(errorOf([&] { Model(other, h); }), Catch::Contains("not computed from its inputs"));
  CHECK_THAT(errorOf([&] { Add()({Dense(3)(in), other}); }),
             Catch::Contains("different nn::Input tensors"));
  CHECK_THAT(errorOf([] { Input({0, 3}); }), Catch::Contains("dimensions must be positive"));

  // A custom layer held by value cannot be recorded (no clone): the error says what to do.
  struct Twice : Layer {
    Twice() : Layer("Twice") {}
    Tensor call(const Tensor &x, bool) override { return x * 2.0; }
  } twice;
  CHECK_THAT(errorOf([&] { twice(in); }), Catch::Contains("std::make_shared<Twice>"));
  auto shared = std::make_shared<Twice>();
  CHECK((*shared)(in).shape() == Shape{-1, 3});

  // A layer built in another graph cannot join a model under construction.
  Graph g;
  auto built = std::make_shared<Dense>(2);
  (*built)(g.input("x", {1, 2}));
  CHECK_THAT(errorOf([&] { (*built)(h); }), Catch::Contains("another graph"));

  // Data of another feature shape than the Input's.
  Model model(in, h);
  model.compile("sgd", "mse");
  CHECK_THAT(errorOf([&] { model.predict(HostTensor(DType::F32, {2, 4})); }),
             Catch::Contains("takes (None, 3)"));
}

// Layers, containers and summary(): parameter counts (the book's 242,762), Dense against a hand
// computation, Dropout in training and inference, activation layers, a custom layer and a
// subclassed model.
#include "sinter/nn/Model.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

using namespace sinter;
using namespace sinter::nn;

namespace {

initializers::Initializer values(std::vector<float> v) {
  return [v](Graph &g, const Shape &shape, int64_t, DType) { return constant(g, v, shape); };
}

std::vector<float> floats(const HostTensor &t) {
  auto s = t.as<float>();
  return {s.begin(), s.end()};
}

/// The book's custom layer (8.4): a kernel without bias and a non-trainable counter.
class MyDense : public Layer {
public:
  MyDense(int64_t units) : Layer("MyDense"), units_(units) {}

protected:
  void build(Graph &g, const Shape &in) override {
    kernel_ = addWeight(g, "w", {in.back(), units_}, initializers::glorotUniform());
    seen_ = addWeight(g, "seen", {}, initializers::zeros(), /*trainable=*/false);
  }
  Tensor call(const Tensor &x, bool) override { return relu(matmul(x, kernel_)); }

private:
  int64_t units_;
  Variable kernel_, seen_;
};

/// A subclassed model (book 8.4: MyModel with five MyDense layers, here two Dense).
class TwoLayer : public nn::Model {
public:
  TwoLayer() : nn::Model("", "TwoLayer") {
    track(fc1_);
    track(fc2_);
  }

protected:
  Tensor call(const Tensor &x, bool training) override { return fc2_(fc1_(x, training), training); }

private:
  Dense fc1_{16, "relu"}, fc2_{3};
};

} // namespace

TEST_CASE("summary of the book's 784-256-128-64-10 network: 242,762 params", "[layers]") {
  Sequential model({Dense(256, "relu"), Dense(128, "relu"), Dense(64, "relu"), Dense(10)});
  CHECK_THROWS_WITH(model.summaryString(), Catch::Contains("has not been built"));
  model.build({-1, 784});
  CHECK(model.countParams() == 242762);
  CHECK(model.countTrainableParams() == 242762);
  std::string s = model.summaryString();
  INFO(s);
  CHECK_THAT(s, Catch::Contains("Total params: 242,762\n"));
  CHECK_THAT(s, Catch::Contains("Trainable params: 242,762\n"));
  CHECK_THAT(s, Catch::Contains("Non-trainable params: 0\n"));
  CHECK_THAT(
      s, Catch::Contains("Layer (type)                 Output Shape              Param #   \n"));
  std::string first = model.layers()[0]->name();
  // "dense_4 (Dense)              (None, 256)               200960    "
  std::string row = first + " (Dense)";
  row += std::string(29 - row.size(), ' ') + "(None, 256)" + std::string(15, ' ') + "200960    \n";
  CHECK_THAT(s, Catch::Contains(row));
  CHECK_THAT(s, Catch::Contains("(None, 10)                650"));
  CHECK_THAT(s, Catch::StartsWith("Model: \"" + model.name() + "\"\n" + std::string(65, '_')));
}

TEST_CASE("book 8.1.2: Sequential with ReLU layers, add and build, 27 params", "[layers]") {
  Sequential model;
  model.add(Dense(3));
  model.add(ReLU());
  Dense &last = model.add(Dense(3));
  model.add(ReLU());
  model.build({4, 4});
  CHECK(model.countParams() == 27);
  auto vars = model.trainableVariables();
  REQUIRE(vars.size() == 4);
  CHECK(vars[0].name() == model.layers()[0]->name() + "/kernel");
  CHECK(vars[0].shape() == Shape{4, 3});
  CHECK(vars[1].shape() == Shape{3});
  CHECK(vars[2].name() == last.name() + "/kernel");
  CHECK(vars[2].shape() == Shape{3, 3});
  CHECK_THAT(model.summaryString(), Catch::Contains("(ReLU)"));
  CHECK_THROWS_WITH(model.add(Dense(2)), Catch::Contains("after the model was built"));
}

TEST_CASE("layer names follow Keras' counters and snake case", "[layers]") {
  CHECK(toSnakeCase("LeakyReLU") == "leaky_re_lu");
  CHECK(toSnakeCase("ReLU") == "re_lu");
  CHECK(toSnakeCase("Dense") == "dense");
  CHECK(toSnakeCase("MyModel") == "my_model");
  CHECK(toSnakeCase("Conv2D") == "conv2d");
  CHECK(toSnakeCase("MaxPooling2D") == "max_pooling2d");
  CHECK(toSnakeCase("Conv2DTranspose") == "conv2d_transpose");
  CHECK(toSnakeCase("GlobalAveragePooling2D") == "global_average_pooling2d");
  Flatten a, b;
  CHECK(a.name() != b.name());
  CHECK(Dense(3, {}, true, initializers::zeros(), initializers::zeros(), nullptr, nullptr, "fc")
            .name() == "fc");
}

TEST_CASE("Dense forward matches a hand computation", "[layers]") {
  Graph g;
  Tensor x = constant(g, std::vector<float>{1, 2, 3, -1, 0, 2}, {2, 3});
  Dense fc(2, "relu", true, values({0.5f, -1, 1, 0, -0.5f, 2}), values({0.1f, -0.2f}));
  Tensor y = fc(x);
  CHECK(fc.kernel().name() == fc.name() + "/kernel");
  CHECK(fc.bias().name() == fc.name() + "/bias");
  CHECK(y.shape() == Shape{2, 2});
  // Row 1: [1,2,3]·[[.5,-1],[1,0],[-.5,2]] = [1, 5] + bias = [1.1, 4.8].
  // Row 2: [-1,0,2] → [-1.5, 5] + bias = [-1.4, 4.8] → relu [0, 4.8].
  auto v = floats(y.value());
  CHECK(v[0] == Approx(1.1));
  CHECK(v[1] == Approx(4.8));
  CHECK(v[2] == Approx(0));
  CHECK(v[3] == Approx(4.8));
  // A second call shares the weights (built once).
  Tensor x2 = constant(g, std::vector<float>{1, 2, 3}, {1, 3});
  fc(x2);
  CHECK(g.variables().size() == 2);
  // Wrong feature count.
  CHECK_THROWS_WITH(fc(constant(g, std::vector<float>{1, 2}, {1, 2})),
                    Catch::Contains("3 input features"));
  // Freezing moves the weights to non-trainable.
  fc.setTrainable(false);
  CHECK(fc.trainableVariables().empty());
  CHECK(fc.nonTrainableVariables().size() == 2);
}

TEST_CASE("Dense without bias, default glorot uniform range, regularization", "[layers]") {
  Graph g;
  Tensor x = zeros(g, {5, 100});
  Dense fc(50, {}, false, initializers::glorotUniform(), initializers::zeros(),
           regularizers::l2(0.5));
  fc(x);
  CHECK(fc.variables().size() == 1);
  CHECK(fc.countParams() == 5000);
  auto w = floats(fc.kernel().value());
  double limit = std::sqrt(6.0 / 150.0), sumSq = 0;
  for (float v : w) {
    CHECK(std::fabs(v) <= limit);
    sumSq += double(v) * v;
  }
  auto reg = fc.regularizationLosses();
  REQUIRE(reg.size() == 1);
  CHECK(floats(reg[0].value())[0] == Approx(0.5 * sumSq).epsilon(1e-4));
}

TEST_CASE("Flatten, Reshape and activation layers", "[layers]") {
  Graph g;
  Tensor x = constant(g, std::vector<float>{2.0f, 1.0f, 0.1f}, {1, 3});
  // Book 8.1.1: layers.Softmax(axis=-1) on [2., 1., 0.1].
  auto sm = floats(Softmax()(x).value());
  CHECK(sm[0] == Approx(0.6590012));
  CHECK(sm[1] == Approx(0.242433));
  CHECK(sm[2] == Approx(0.0985659));
  Tensor z = constant(g, std::vector<float>{-2, 0, 3}, {1, 3});
  CHECK(floats(ReLU()(z).value()) == std::vector<float>{0, 0, 3});
  auto lr = floats(LeakyReLU(0.1)(z).value());
  CHECK(lr[0] == Approx(-0.2));
  CHECK(lr[2] == Approx(3));
  auto sg = floats(Activation("sigmoid")(z).value());
  CHECK(sg[1] == Approx(0.5));
  auto th = floats(
      Activation(activations::Activation([](const Tensor &t) { return tanh(t); }))(z).value());
  CHECK(th[2] == Approx(std::tanh(3.0)));
  auto el = floats(ELU()(z).value());
  CHECK(el[0] == Approx(std::exp(-2.0) - 1));
  Tensor img = zeros(g, {4, 2, 3, 5});
  CHECK(Flatten()(img).shape() == Shape{4, 30});
  CHECK(Reshape({6, -1})(img).shape() == Shape{4, 6, 5});
  CHECK_THROWS(Activation("nope"));
}

TEST_CASE("Dropout: rate zeroed, 1/(1-rate) scaling, fresh masks per step, identity in inference",
          "[layers]") {
  Graph g;
  const int64_t n = 20000;
  Tensor x = g.input("x", {n, 1});
  Dropout drop(0.3);
  Tensor train = drop(x, true), infer = drop(x, false);
  Program p = g.compile({{"train", {x}, {train}, {rngStepUpdate(g)}}, {"infer", {x}, {infer}}});
  HostTensor in(DType::F32, {n, 1});
  for (auto &v : in.as<float>())
    v = 2.0f;
  auto a = floats(p.run("train", {in})[0]);
  auto b = floats(p.run("train", {in})[0]);
  int zerosA = 0, differ = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (a[i] == 0)
      ++zerosA;
    else
      CHECK(a[i] == Approx(2.0 / 0.7));
    if ((a[i] == 0) != (b[i] == 0))
      ++differ;
  }
  CHECK(double(zerosA) / n == Approx(0.3).margin(0.02));
  // Independent masks disagree on 2·0.3·0.7 = 42% of the elements.
  CHECK(double(differ) / n == Approx(0.42).margin(0.03));
  CHECK(p.variable("rng_step").as<int64_t>()[0] == 2);
  auto c = floats(p.run("infer", {in})[0]);
  for (float v : c)
    REQUIRE(v == 2.0f);
  CHECK_THROWS(Dropout(1.0));
}

TEST_CASE("GaussianNoise: fresh N(0, stddev) noise per training step, identity in inference",
          "[layers]") {
  Graph g;
  const int64_t n = 20000;
  Tensor x = g.input("x", {n});
  GaussianNoise noise(0.5);
  Program p = g.compile(
      {{"train", {x}, {noise(x, true)}, {rngStepUpdate(g)}}, {"infer", {x}, {noise(x, false)}}});
  HostTensor in(DType::F32, {n});
  for (auto &v : in.as<float>())
    v = 1.0f;
  auto a = floats(p.run("train", {in})[0]);
  auto b = floats(p.run("train", {in})[0]);
  double mean = 0, var = 0, cross = 0;
  for (int64_t i = 0; i < n; ++i) {
    mean += a[i] - 1.0;
    var += (a[i] - 1.0) * (a[i] - 1.0);
    cross += (a[i] - 1.0) * (b[i] - 1.0);
  }
  CHECK(mean / n == Approx(0).margin(0.02));
  CHECK(std::sqrt(var / n) == Approx(0.5).margin(0.02));
  CHECK(cross / var == Approx(0).margin(0.03)); // independent draws
  CHECK(floats(p.run("infer", {in})[0]) == floats(in));
  CHECK_THROWS_WITH(GaussianNoise(-1), Catch::Contains("non-negative"));
}

TEST_CASE("sigmoidCrossEntropyWithLogits is TensorFlow's, stable for large logits", "[losses]") {
  Graph g;
  Tensor z = constant(g, std::vector<float>{0, 1, 0.25f, 1, 0}, {5});
  Tensor x = constant(g, std::vector<float>{0, 2, -1, -200, 200}, {5});
  auto r = floats(g.compile({{"f", {}, {sigmoidCrossEntropyWithLogits(z, x)}}}).run("f", {})[0]);
  auto expected = [](double z, double x) {
    double p = 1 / (1 + std::exp(-x));
    return -(z * std::log(p) + (1 - z) * std::log(1 - p));
  };
  CHECK(r[0] == Approx(std::log(2.0)));
  CHECK(r[1] == Approx(expected(1, 2)));
  CHECK(r[2] == Approx(expected(0.25, -1)));
  CHECK(r[3] == Approx(200)); // log(1 + e^200) − 0 for z = 1, x = −200: finite
  CHECK(r[4] == Approx(200));
  CHECK_THROWS_WITH(sigmoidCrossEntropyWithLogits(z, constant(g, std::vector<float>{1}, {1})),
                    Catch::Contains("differ"));
}

TEST_CASE("custom layer: trainable and non-trainable weights", "[layers]") {
  Graph g;
  MyDense layer(4);
  Tensor y = layer(zeros(g, {2, 3}));
  CHECK(y.shape() == Shape{2, 4});
  CHECK(layer.variables().size() == 2);
  CHECK(layer.trainableVariables().size() == 1);
  CHECK(layer.nonTrainableVariables().size() == 1);
  CHECK(layer.trainableVariables()[0].name() == layer.name() + "/w");
  CHECK(layer.countParams() == 13);
  CHECK(layer.countTrainableParams() == 12);
  CHECK_THAT(layer.name(), Catch::StartsWith("my_dense"));
}

TEST_CASE("subclassed model: tracked layers, summary, call on a user graph", "[layers]") {
  TwoLayer model;
  Graph g;
  Tensor out = model(zeros(g, {5, 8}));
  CHECK(out.shape() == Shape{5, 3});
  CHECK(model.countParams() == 8 * 16 + 16 + 16 * 3 + 3);
  CHECK(model.layers().size() == 2);
  std::string s = model.summaryString();
  CHECK_THAT(s, Catch::Contains("(None, 16)"));
  CHECK_THAT(s, Catch::Contains("Total params: 195"));
  CHECK_THAT(model.name(), Catch::StartsWith("two_layer"));
  // A Model without call() is an error.
  nn::Model bare;
  CHECK_THROWS_WITH(bare(zeros(g, {1, 2})), Catch::Contains("override call"));
}

TEST_CASE("nested models count their parameters", "[layers]") {
  auto inner =
      std::make_shared<Sequential>(std::initializer_list<Sequential::LayerRef>{Dense(4), Dense(2)});
  Sequential outer({inner, Dense(1)});
  outer.build({-1, 3});
  CHECK(outer.countParams() == (3 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
  CHECK_THAT(outer.summaryString(), Catch::Contains("(Sequential)"));
  inner->setTrainable(false);
  CHECK(outer.countTrainableParams() == 3);
  CHECK_THAT(outer.summaryString(), Catch::Contains("Non-trainable params: 26"));
}

namespace {
/// A custom layer with a member sub-layer (as the book's BasicBlock).
class Wrapper : public Layer {
public:
  Wrapper() : Layer("Wrapper") { track(inner_); }

protected:
  Tensor call(const Tensor &x, bool training) override { return inner_(x, training); }

private:
  Dense inner_{4};
};
} // namespace

TEST_CASE("a layer with sub-layers goes into a container by pointer, not by copy", "[layers]") {
  CHECK_THROWS_WITH(Sequential({Wrapper()}), Catch::Contains("create it with std::make_shared"));
  Sequential model({std::make_shared<Wrapper>(), Dense(2)});
  model.build({-1, 3});
  CHECK(model.countParams() == 3 * 4 + 4 + 4 * 2 + 2);
}

// Initialisers (Keras' fan-in/fan-out formulas, statistics over large tensors, seeds),
// regularisers (λ·Σ|w|, λ·Σw²) and activations (values from the book's chapter 6, gradients
// against central differences).
#include "NnTestUtil.h"

#include "sinter/nn/Initializers.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

using namespace sinter;
using namespace nntest;
using Catch::Matchers::Contains;

namespace {

struct Stats {
  double mean = 0, stddev = 0, min = 0, max = 0;
};

Stats stats(const HostTensor &t) {
  auto v = t.as<float>();
  Stats s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  double sum = 0, sq = 0;
  for (float x : v)
    sum += x;
  s.mean = sum / double(v.size());
  for (float x : v)
    sq += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(sq / double(v.size()));
  return s;
}

HostTensor init(const initializers::Initializer &f, const Shape &shape, int64_t seed = 42) {
  Graph g;
  return evalAll(g, {f(g, shape, seed, DType::F32)})[0];
}

} // namespace

TEST_CASE("constant initialisers", "[nn][initializers]") {
  Graph g;
  auto v = evalAll(g, {initializers::zeros()(g, {2, 3}, 0, DType::F32),
                       initializers::ones()(g, {4}, 0, DType::F32),
                       initializers::constant(0.25)(g, {2, 2}, 0, DType::F32)});
  CHECK(v[0].shape() == Shape{2, 3});
  CHECK(floats(v[0]) == std::vector<float>(6, 0.f));
  CHECK(floats(v[1]) == std::vector<float>(4, 1.f));
  CHECK(floats(v[2]) == std::vector<float>(4, 0.25f));
}

TEST_CASE("random normal / uniform / truncated normal statistics", "[nn][initializers]") {
  Stats n = stats(init(initializers::randomNormal(1.0, 0.5), {400, 250}));
  CHECK(n.mean == Approx(1.0).margin(0.01));
  CHECK(n.stddev == Approx(0.5).epsilon(0.02));
  Stats u = stats(init(initializers::randomUniform(-0.3, 0.1), {400, 250}));
  CHECK(u.min >= -0.3);
  CHECK(u.max <= 0.1);
  CHECK(u.mean == Approx(-0.1).margin(0.003));
  CHECK(u.stddev == Approx(0.4 / std::sqrt(12.0)).epsilon(0.02));
  Stats defaults = stats(init(initializers::randomUniform(), {400, 250}));
  CHECK(defaults.min >= -0.05);
  CHECK(defaults.max <= 0.05);
  // Truncated at two standard deviations around the mean (as tf.random.truncated_normal).
  Stats t = stats(init(initializers::truncatedNormal(0.5, 0.1), {400, 250}));
  CHECK(t.min >= 0.5 - 0.2 - 1e-6);
  CHECK(t.max <= 0.5 + 0.2 + 1e-6);
  CHECK(t.mean == Approx(0.5).margin(0.002));
  CHECK(t.stddev == Approx(0.1 * 0.87962566103423978).epsilon(0.03));
}

TEST_CASE("Glorot and He: Keras' limits and standard deviations", "[nn][initializers]") {
  // Dense kernel [in, out] = [200, 300]: fan_in 200, fan_out 300.
  Shape dense{200, 300};
  double glorotLimit = std::sqrt(6.0 / 500), glorotStd = std::sqrt(2.0 / 500);
  double heLimit = std::sqrt(6.0 / 200), heStd = std::sqrt(2.0 / 200);

  Stats gu = stats(init(initializers::glorotUniform(), dense));
  CHECK(gu.min >= -glorotLimit);
  CHECK(gu.max <= glorotLimit);
  CHECK(gu.max > 0.99 * glorotLimit);
  CHECK(gu.min < -0.99 * glorotLimit);
  CHECK(gu.mean == Approx(0).margin(0.002));
  CHECK(gu.stddev == Approx(glorotLimit / std::sqrt(3.0)).epsilon(0.02));

  // The truncated normals are drawn with σ/0.8796 within ±2 of those σ, so that the values'
  // standard deviation is the formula's.
  Stats gn = stats(init(initializers::glorotNormal(), dense));
  CHECK(gn.stddev == Approx(glorotStd).epsilon(0.03));
  CHECK(gn.mean == Approx(0).margin(0.002));
  CHECK(std::max(-gn.min, gn.max) <= 2 * glorotStd / 0.87962566103423978 + 1e-6);

  Stats hn = stats(init(initializers::heNormal(), dense));
  CHECK(hn.stddev == Approx(heStd).epsilon(0.03));
  CHECK(std::max(-hn.min, hn.max) <= 2 * heStd / 0.87962566103423978 + 1e-6);
  CHECK(std::max(-hn.min, hn.max) > 1.9 * heStd / 0.87962566103423978);

  Stats hu = stats(init(initializers::heUniform(), dense));
  CHECK(hu.min >= -heLimit);
  CHECK(hu.max <= heLimit);
  CHECK(hu.max > 0.99 * heLimit);
  CHECK(hu.stddev == Approx(heLimit / std::sqrt(3.0)).epsilon(0.02));

  // Convolution kernel [h, w, in, out] = [3, 3, 16, 32]: receptive field 9, fan_in 144,
  // fan_out 288.
  Stats conv = stats(init(initializers::glorotUniform(), {3, 3, 16, 32}));
  double convLimit = std::sqrt(6.0 / (144 + 288));
  CHECK(conv.max <= convLimit);
  CHECK(conv.min >= -convLimit);
  CHECK(conv.max > 0.98 * convLimit);
  Stats convHe = stats(init(initializers::heNormal(), {3, 3, 16, 32}));
  CHECK(convHe.stddev == Approx(std::sqrt(2.0 / 144)).epsilon(0.05));

  // A bias [n]: fan_in = fan_out = n.
  Stats bias = stats(init(initializers::heUniform(), {5000}));
  CHECK(bias.max <= std::sqrt(6.0 / 5000));
  CHECK(bias.max > 0.98 * std::sqrt(6.0 / 5000));
}

TEST_CASE("a seed gives the same weights; another seed others", "[nn][initializers]") {
  for (const auto &f :
       {initializers::glorotUniform(), initializers::glorotNormal(), initializers::heNormal(),
        initializers::heUniform(), initializers::randomNormal(), initializers::truncatedNormal()}) {
    std::vector<float> a = floats(init(f, {64, 32}, 7));
    std::vector<float> b = floats(init(f, {64, 32}, 7));
    std::vector<float> c = floats(init(f, {64, 32}, 8));
    CHECK(a == b);
    CHECK(a != c);
  }
}

TEST_CASE("float64 initial values", "[nn][initializers]") {
  Graph g;
  auto v = evalAll(g, {initializers::glorotUniform()(g, {100, 100}, 1, DType::F64)});
  REQUIRE(v[0].dtype() == DType::F64);
  auto d = v[0].as<double>();
  double limit = std::sqrt(6.0 / 200);
  CHECK(*std::max_element(d.begin(), d.end()) <= limit);
  CHECK(*std::max_element(d.begin(), d.end()) > 0.98 * limit);
}

TEST_CASE("regularisers: λ·Σ|w|, λ·Σw² and both", "[nn][regularizers]") {
  Graph g;
  Tensor w = constant(g, std::vector<float>{1, -2, 3, -0.5}, {2, 2});
  Tensor x = g.input("x", {2, 2});
  Tensor grad = gradients(regularizers::l1l2(0.01, 0.1)(x), std::vector<Tensor>{x})[0];
  Program p = g.compile({{"eval",
                          {x},
                          {regularizers::l1(0.01)(w), regularizers::l2(0.1)(w),
                           regularizers::l1l2(0.01, 0.1)(w), grad}}});
  auto v = p.run("eval", {hostF32({2, 2}, {1, -2, 3, -0.5})});
  CHECK(scalarOf(v[0]) == Approx(0.065));
  CHECK(scalarOf(v[1]) == Approx(1.425));
  CHECK(scalarOf(v[2]) == Approx(1.49));
  CHECK(v[0].shape().empty());
  // d/dw: λ1·sign(w) + 2·λ2·w.
  std::vector<float> expected{0.01f + 0.2f, -0.01f - 0.4f, 0.01f + 0.6f, -0.01f - 0.1f};
  for (int i = 0; i < 4; ++i)
    CHECK(v[3].as<float>()[i] == Approx(expected[i]));
}

TEST_CASE("activations: the book's chapter-6 values", "[nn][activations]") {
  Graph g;
  Tensor x = linspace(g, -6, 6, 10);
  Tensor m = constant(g, std::vector<float>{1, 2, 3, 4, 0, 1}, {3, 2});
  Tensor cube = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 3, 2});
  auto v = evalAll(g, {activations::leakyRelu(x, 0.1), activations::elu(x),
                       activations::softmax(constant(g, std::vector<float>{2, 1, 0.1}, {3})),
                       activations::softmax(m, 0), activations::softmax(m, -1),
                       activations::softmax(cube, 1), activations::leakyRelu(x),
                       activations::elu(x, 0.5)});
  // L5507–5508.
  std::vector<float> leaky{-0.6f,      -0.46666667f, -0.33333334f, -0.2f,      -0.06666666f,
                           0.6666667f, 2.f,          3.3333334f,   4.6666667f, 6.f};
  std::vector<float> xs = floats(evalAll(g, {x})[0]);
  for (int i = 0; i < 10; ++i) {
    CHECK(v[0].as<float>()[i] == Approx(leaky[i]).epsilon(1e-6));
    double e = xs[i] > 0 ? xs[i] : std::exp(xs[i]) - 1;
    CHECK(v[1].as<float>()[i] == Approx(e).epsilon(1e-6));
    CHECK(v[6].as<float>()[i] == Approx(xs[i] > 0 ? xs[i] : 0.2 * xs[i]).epsilon(1e-6));
    CHECK(v[7].as<float>()[i] ==
          Approx(xs[i] > 0 ? xs[i] : 0.5 * (std::exp(xs[i]) - 1)).epsilon(1e-6));
  }
  // L7179–7180.
  std::vector<float> sm{0.6590012f, 0.242433f, 0.0985659f};
  for (int i = 0; i < 3; ++i)
    CHECK(v[2].as<float>()[i] == Approx(sm[i]).epsilon(1e-5));
  // Axis 0 of [[1, 2], [3, 4], [0, 1]]: each column sums to 1.
  auto col = [](double a, double b, double c) {
    return std::exp(a) / (std::exp(a) + std::exp(b) + std::exp(c));
  };
  std::vector<double> axis0{col(1, 3, 0), col(2, 4, 1), col(3, 1, 0),
                            col(4, 2, 1), col(0, 1, 3), col(1, 2, 4)};
  REQUIRE(v[3].shape() == Shape{3, 2});
  for (int i = 0; i < 6; ++i)
    CHECK(v[3].as<float>()[i] == Approx(axis0[i]).epsilon(1e-5));
  // Last axis: rows sum to 1.
  for (int r = 0; r < 3; ++r)
    CHECK(v[4].as<float>()[2 * r] + v[4].as<float>()[2 * r + 1] == Approx(1.0));
  // The middle axis of a [2, 3, 2] tensor: for each (i, k), Σ_j = 1, and along j the values are
  // softmax of (a, a + 2, a + 4).
  REQUIRE(v[5].shape() == Shape{2, 3, 2});
  auto s = v[5].as<float>();
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) {
      double z = 1 + std::exp(2.0) + std::exp(4.0);
      CHECK(s[i * 6 + 0 * 2 + k] == Approx(1 / z).epsilon(1e-5));
      CHECK(s[i * 6 + 1 * 2 + k] == Approx(std::exp(2.0) / z).epsilon(1e-5));
      CHECK(s[i * 6 + 2 * 2 + k] == Approx(std::exp(4.0) / z).epsilon(1e-5));
    }
}

TEST_CASE("activations by name", "[nn][activations]") {
  Graph g;
  Tensor x = constant(g, std::vector<float>{-1, 0.5}, {1, 2});
  std::vector<Tensor> outs;
  for (const char *name : {"linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "elu"})
    outs.push_back(activations::byName(name)(x));
  auto v = evalAll(g, outs);
  auto at = [&](int k, int i) { return double(v[k].as<float>()[i]); };
  CHECK(at(0, 0) == -1);
  CHECK(at(1, 0) == 0);
  CHECK(at(1, 1) == 0.5);
  CHECK(at(2, 0) == Approx(-0.2));
  CHECK(at(3, 0) == Approx(1 / (1 + std::exp(1.0))));
  CHECK(at(4, 1) == Approx(std::tanh(0.5)));
  CHECK(at(5, 0) == Approx(std::exp(-1.0) / (std::exp(-1.0) + std::exp(0.5))));
  CHECK(at(6, 0) == Approx(std::exp(-1.0) - 1));
  std::string msg = errorOf([] { activations::byName("swishy"); });
  CHECK_THAT(msg, Contains("swishy"));
  CHECK_THAT(msg, Contains("leaky_relu"));
  CHECK_THAT(errorOf([&] { activations::softmax(x, 2); }), Contains("axis 2"));
}

namespace {

/// Central differences of Σ f(x)·r against the autodiff gradient, in float64.
void gradcheck(const std::function<Tensor(const Tensor &)> &f, const Shape &shape, uint32_t seed) {
  Graph g;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<double> xs, rs;
  while (int64_t(xs.size()) < n) {
    double v = u(rng);
    if (std::abs(v) > 0.1) // away from the kinks at 0
      xs.push_back(v);
  }
  for (int64_t i = 0; i < n; ++i)
    rs.push_back(u(rng));
  Tensor x = g.input("x", shape, DType::F64);
  Tensor r = g.input("r", shape, DType::F64);
  Tensor loss = reduceSum(mul(f(x), r));
  Tensor grad = gradients(loss, std::vector<Tensor>{x})[0];
  Program p = g.compile({{"loss", {x, r}, {loss}}, {"grad", {x, r}, {grad}}});
  HostTensor xv = hostOf<double>(DType::F64, shape, xs), rv = hostOf<double>(DType::F64, shape, rs);
  std::vector<double> analytic;
  {
    auto out = p.run("grad", {xv, rv});
    auto s = out[0].as<double>();
    analytic.assign(s.begin(), s.end());
  }
  const double h = 1e-6;
  for (int64_t i = 0; i < n; ++i) {
    HostTensor plus = xv.clone(), minus = xv.clone();
    plus.as<double>()[i] += h;
    minus.as<double>()[i] -= h;
    double lp = p.run("loss", {plus, rv})[0].as<double>()[0];
    double lm = p.run("loss", {minus, rv})[0].as<double>()[0];
    INFO("element " << i << " x=" << xs[size_t(i)]);
    CHECK(analytic[size_t(i)] == Approx((lp - lm) / (2 * h)).epsilon(1e-5).margin(1e-8));
  }
}

} // namespace

TEST_CASE("activation gradients match central differences", "[nn][activations][gradcheck]") {
  SECTION("leakyRelu") {
    gradcheck([](const Tensor &x) { return activations::leakyRelu(x, 0.1); }, {3, 4}, 1);
  }
  SECTION("elu") {
    gradcheck([](const Tensor &x) { return activations::elu(x, 0.7); }, {3, 4}, 2);
  }
  SECTION("softmax axis 0") {
    gradcheck([](const Tensor &x) { return activations::softmax(x, 0); }, {3, 4}, 3);
  }
  SECTION("softmax axis 1 of 3") {
    gradcheck([](const Tensor &x) { return activations::softmax(x, 1); }, {2, 3, 2}, 4);
  }
}

TEST_CASE("elu's gradient stays finite for large inputs", "[nn][activations]") {
  Graph g;
  Tensor x = g.input("x", {3});
  Tensor grad = gradients(reduceSum(activations::elu(x)), std::vector<Tensor>{x})[0];
  Program p = g.compile({{"grad", {x}, {grad}}});
  auto out = p.run("grad", {hostF32({3}, {200, -200, -1})});
  CHECK(out[0].as<float>()[0] == 1.f);
  CHECK(out[0].as<float>()[1] == 0.f);
  CHECK(out[0].as<float>()[2] == Approx(std::exp(-1.0)));
}

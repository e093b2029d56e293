// Optimizers (frontend/optim/Optimizers.cpp): two compiled steps of each
// rule against values computed by hand with Keras' formulas (plain Python, float64), the slot
// variables and the step counter, learning-rate schedules, and gradient clipping.
#include "NnTestUtil.h"

#include "sinter/optim/Optimizers.h"

#include <cmath>
#include <memory>
#include <optional>

using namespace sinter;
using namespace nntest;

namespace {

/// Variables with given initial values and one gradient input per variable; each step() runs a
/// compiled train step that applies the fed gradients.
struct Rig {
  Graph g;
  std::vector<Variable> vars;
  std::vector<Tensor> grads;
  std::optional<Program> program;

  Rig(optim::Optimizer &opt, const std::vector<std::vector<float>> &initial) {
    for (size_t i = 0; i < initial.size(); ++i) {
      Shape shape{int64_t(initial[i].size())};
      std::string name = "w" + std::to_string(i);
      vars.push_back(g.variable(name, constant(g, initial[i], shape)));
      grads.push_back(g.input("g" + std::to_string(i), shape));
    }
    auto updates = opt.applyGradients(grads, vars);
    program.emplace(g.compile({{"step", grads, {reduceSum(vars[0])}, updates}}));
  }
  void step(const std::vector<std::vector<float>> &gv) {
    std::vector<HostTensor> in;
    for (const auto &v : gv)
      in.push_back(hostF32({int64_t(v.size())}, v));
    program->run("step", in);
  }
  std::vector<float> value(const std::string &name) { return floats(program->variable(name)); }
};

void checkNear(const std::vector<float> &got, const std::vector<double> &want, double eps = 1e-6) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(eps).margin(1e-7));
  }
}

const std::vector<float> kW0{1.0f, -2.0f};
const std::vector<float> kG1{0.5f, -1.0f}, kG2{0.2f, 0.4f};

} // namespace

TEST_CASE("SGD: w −= lr·g", "[nn][optim]") {
  optim::SGD opt(0.1);
  CHECK(opt.name() == "sgd");
  Rig r(opt, {kW0});
  r.step({kG1});
  checkNear(r.value("w0"), {0.95, -1.9});
  r.step({kG2});
  checkNear(r.value("w0"), {0.93, -1.94});
  CHECK(r.value("sgd/step") == std::vector<float>{2});
}

TEST_CASE("SGD with momentum: v = m·v − lr·g; w += v", "[nn][optim]") {
  optim::SGD opt(0.1, 0.9);
  Rig r(opt, {kW0});
  r.step({kG1});
  // v1 = −0.1·g1 = [−0.05, 0.1]
  checkNear(r.value("w0/momentum"), {-0.05, 0.1});
  checkNear(r.value("w0"), {0.95, -1.9});
  r.step({kG2});
  // v2 = 0.9·v1 − 0.1·g2 = [−0.065, 0.05]
  checkNear(r.value("w0/momentum"), {-0.065, 0.05});
  checkNear(r.value("w0"), {0.885, -1.85});
}

TEST_CASE("SGD with Nesterov momentum: w += m·v − lr·g", "[nn][optim]") {
  optim::SGD opt(0.1, 0.9, true);
  Rig r(opt, {kW0});
  r.step({kG1});
  // w1 = w0 + 0.9·[−0.05, 0.1] − 0.1·g1
  checkNear(r.value("w0"), {0.905, -1.81});
  r.step({kG2});
  // w2 = w1 + 0.9·[−0.065, 0.05] − 0.1·g2
  checkNear(r.value("w0"), {0.8265, -1.805});
}

TEST_CASE("RMSprop: ms = ρ·ms + (1 − ρ)·g²; w −= lr·g/√(ms + ε)", "[nn][optim]") {
  optim::RMSprop opt(0.01); // ρ 0.9, ε 1e-7
  CHECK(opt.name() == "rmsprop");
  Rig r(opt, {kW0});
  r.step({kG1});
  checkNear(r.value("w0/rms"), {0.025, 0.1});
  checkNear(r.value("w0"), {0.9683772866436797, -1.9683772392096925});
  r.step({kG2});
  checkNear(r.value("w0/rms"), {0.0265, 0.106});
  checkNear(r.value("w0"), {0.9560914074878829, -1.9806631357511386});
}

TEST_CASE("RMSprop with momentum: mom = μ·mom + lr·g/√(ms + ε); w −= mom", "[nn][optim]") {
  optim::RMSprop opt(0.01, 0.9, 0.5);
  Rig r(opt, {kW0});
  r.step({kG1});
  checkNear(r.value("w0"), {0.9683772866436797, -1.9683772392096925});
  r.step({kG2});
  checkNear(r.value("w0/momentum"), {0.028097235833956992, -0.0035254838537075034}, 1e-5);
  checkNear(r.value("w0"), {0.9402800508097228, -1.964851755355985});
}

TEST_CASE("Adam: Keras' bias-corrected step", "[nn][optim]") {
  // lr_t = lr·√(1 − β2^t)/(1 − β1^t); w −= lr_t·m/(√v + ε).
  optim::Adam opt(0.1);
  CHECK(opt.name() == "adam");
  Rig r(opt, {kW0});
  r.step({kG1});
  checkNear(r.value("w0/m"), {0.05, -0.1});
  checkNear(r.value("w0/v"), {0.00025, 0.001});
  // The first step moves each weight by ≈ lr in the gradient's direction.
  checkNear(r.value("w0"), {0.9000006324515321, -1.900000316226766});
  r.step({kG2});
  checkNear(r.value("w0/m"), {0.065, -0.05});
  checkNear(r.value("w0/v"), {0.00028975, 0.001159});
  // float32 loses ~3e-5 of 1 − β2² = 0.001999 to cancellation (Keras' float32 too).
  checkNear(r.value("w0"), {0.8101436398802739, -1.8654398329523467}, 2e-5);
  CHECK(r.value("adam/step") == std::vector<float>{2});
}

TEST_CASE("minimize: gradients of the loss, then the rule", "[nn][optim]") {
  Graph g;
  Variable w = g.variable("w", constant(g, kW0, {2}));
  Tensor target = g.input("target", {2});
  Tensor loss = reduceSum(square(w - target));
  auto updates = optim::SGD(0.1).minimize(loss, {w});
  Program p = g.compile({{"train", {target}, {loss}, updates}});
  HostTensor t = hostF32({2}, {0, 1});
  // grad = 2(w − t): w ← w − 0.2(w − t).
  auto out = p.run("train", {t});
  CHECK(out[0].as<float>()[0] == Approx(1 + 9)); // the loss before the update
  checkNear(floats(p.variable("w")), {0.8, -1.4});
  p.run("train", {t});
  checkNear(floats(p.variable("w")), {0.64, -0.92});
}

TEST_CASE("learning-rate schedules: the first step uses the schedule at step 0 (Keras)",
          "[nn][optim]") {
  // SGD with g = 1: each step moves w by −lr, so the decrements are the learning rates.
  auto lrs = [](optim::Schedule s, int steps) {
    optim::SGD opt(std::move(s));
    Rig r(opt, {{0.0f}});
    std::vector<double> out;
    double prev = 0;
    for (int i = 0; i < steps; ++i) {
      r.step({{1.0f}});
      double w = r.value("w0")[0];
      out.push_back(prev - w);
      prev = w;
    }
    return out;
  };
  SECTION("exponentialDecay: rate · decay^(step / decaySteps)") {
    auto got = lrs(optim::schedules::exponentialDecay(0.1, 2, 0.5), 4);
    std::vector<double> want{0.1, 0.1 * std::sqrt(0.5), 0.05, 0.05 * std::sqrt(0.5)};
    for (int i = 0; i < 4; ++i)
      CHECK(got[i] == Approx(want[i]).epsilon(1e-5));
  }
  SECTION("exponentialDecay with staircase") {
    auto got = lrs(optim::schedules::exponentialDecay(0.1, 2, 0.5, true), 5);
    std::vector<double> want{0.1, 0.1, 0.05, 0.05, 0.025};
    for (int i = 0; i < 5; ++i)
      CHECK(got[i] == Approx(want[i]).epsilon(1e-5));
  }
  SECTION("piecewiseConstant: values[i] while step ≤ boundaries[i]") {
    auto got = lrs(optim::schedules::piecewiseConstant({1, 2}, {1.0, 0.5, 0.1}), 5);
    std::vector<double> want{1.0, 1.0, 0.5, 0.1, 0.1};
    for (int i = 0; i < 5; ++i)
      CHECK(got[i] == Approx(want[i]).epsilon(1e-5));
    CHECK_THROWS_AS(optim::schedules::piecewiseConstant({1, 2}, {1.0, 0.5}), sinter::Error);
  }
}

TEST_CASE("gradient clipping: clipValue, clipNorm (per variable), globalClipNorm", "[nn][optim]") {
  // SGD lr 1: w0 − w1 is the clipped gradient.
  const std::vector<float> zero2{0, 0}, zero3{0, 0, 0};
  SECTION("clipValue") {
    optim::SGD opt(1.0);
    opt.clipValue(0.5);
    Rig r(opt, {zero2});
    r.step({{3, -0.2f}});
    checkNear(r.value("w0"), {-0.5, 0.2});
    r.step({{-7, 0.6f}});
    checkNear(r.value("w0"), {0.0, -0.3});
  }
  SECTION("clipNorm: g·c/max(‖g‖, c), each variable alone") {
    optim::SGD opt(1.0);
    opt.clipNorm(1.0);
    Rig r(opt, {zero2, zero3});
    r.step({{3, 4}, {0.3f, 0, 0.4f}}); // ‖[3, 4]‖ = 5 → [0.6, 0.8]; ‖[.3, 0, .4]‖ = 0.5 stays
    checkNear(r.value("w0"), {-0.6, -0.8});
    checkNear(r.value("w1"), {-0.3, 0, -0.4});
  }
  SECTION("globalClipNorm: all gradients scaled by c/max(global norm, c)") {
    optim::SGD opt(1.0);
    opt.globalClipNorm(5.0);
    Rig r(opt, {zero2, zero3});
    r.step({{3, 4}, {0, 0, 12}}); // global norm √(25 + 144) = 13 → scale 5/13
    checkNear(r.value("w0"), {-15.0 / 13, -20.0 / 13});
    checkNear(r.value("w1"), {0, 0, -60.0 / 13});
    r.step({{0.3f, 0.4f}, {0, 0, 0}}); // global norm 0.5 < 5: unchanged
    checkNear(r.value("w0"), {-15.0 / 13 - 0.3, -20.0 / 13 - 0.4});
  }
  SECTION("clipping feeds the rule (Adam's moments see the clipped gradient)") {
    optim::Adam opt(0.1);
    opt.clipNorm(1.0);
    Rig r(opt, {zero2});
    r.step({{3, 4}});
    checkNear(r.value("w0/m"), {0.06, 0.08});
  }
}

TEST_CASE("applyGradients checks its arguments", "[nn][optim]") {
  Graph g;
  Variable w = g.variable("w", constant(g, kW0, {2}));
  optim::SGD opt(0.1);
  CHECK_THROWS_AS(opt.applyGradients({}, {w}), sinter::Error);
  CHECK(opt.applyGradients({}, {}).empty());
}

TEST_CASE("float64 variables train too (the learning rate takes the variable's type)",
          "[nn][optim]") {
  Graph g;
  Tensor init = cast(constant(g, kW0, {2}), DType::F64);
  Variable w = g.variable("w", init);
  Tensor grad = g.input("grad", {2}, DType::F64);
  optim::Adam adam(0.1);
  auto updates = adam.applyGradients({grad}, {w});
  Program p = g.compile({{"step", {grad}, {reduceSum(w)}, updates}});
  p.run("step", {hostOf<double>(DType::F64, {2}, {0.5, -1.0})});
  p.run("step", {hostOf<double>(DType::F64, {2}, {0.2, 0.4})});
  auto v = p.variable("w").as<double>();
  CHECK(v[0] == Approx(0.8101436398802739).epsilon(1e-6));
  CHECK(v[1] == Approx(-1.8654398329523467).epsilon(1e-6));
}

TEST_CASE("globalClipNorm agrees with clipByGlobalNorm (the chapter-11 example's rule)",
          "[nn][optim]") {
  // Book 11.6.1: tf.clip_by_global_norm([w1, w2], 2) scales a global norm of 4.15 to 2.0.
  // Here: random gradients with a global norm > 2; one SGD step (lr 1) from zero variables
  // leaves −(clipped gradients), whose global norm is 2, and which equal clipByGlobalNorm's.
  Graph g;
  Tensor g1 = random::normal(g, {3, 3}, 0, 1, 11), g2 = random::normal(g, {3}, 0, 1, 12);
  ClippedTensors ref = clipByGlobalNorm({g1, g2}, 2.0);
  auto refv = evalAll(g, {g1, g2, ref.tensors[0], ref.tensors[1], ref.globalNorm});
  REQUIRE(scalarOf(refv[4]) > 2.0);

  optim::SGD opt(1.0);
  opt.globalClipNorm(2.0);
  Rig r(opt, {std::vector<float>(9, 0.f), std::vector<float>(3, 0.f)});
  r.step({floats(refv[0]), floats(refv[1])});
  std::vector<float> w0 = r.value("w0"), w1 = r.value("w1");
  double sq = 0;
  for (float v : w0)
    sq += double(v) * v;
  for (float v : w1)
    sq += double(v) * v;
  CHECK(std::sqrt(sq) == Approx(2.0).epsilon(1e-5));
  for (int i = 0; i < 9; ++i)
    CHECK(-w0[i] == Approx(refv[2].as<float>()[i]).epsilon(1e-5));
  for (int i = 0; i < 3; ++i)
    CHECK(-w1[i] == Approx(refv[3].as<float>()[i]).epsilon(1e-5));
}

TEST_CASE("two optimizers in one graph count their own steps (a GAN's two Adams)", "[nn][optim]") {
  Graph g;
  Variable a = g.variable("a", constant(g, std::vector<float>{1}, {1}));
  Variable b = g.variable("b", constant(g, std::vector<float>{1}, {1}));
  optim::Adam forA(0.1, 0.5), forB(0.1, 0.5);
  auto ua = forA.minimize(reduceSum(a * a), {a});
  auto ua2 = forA.minimize(reduceSum(a * a * 2.0), {a}); // the same optimizer: the same counter
  auto ub = forB.minimize(reduceSum(b * b), {b});
  CHECK(forA.name() == "adam");
  CHECK(forB.name() == "adam_1");
  Program p = g.compile({{"step_a", {}, {reduceSum(a)}, ua}, {"step_b", {}, {reduceSum(b)}, ub}});
  p.run("step_a", {});
  p.run("step_a", {});
  p.run("step_b", {});
  CHECK(floats(p.variable("adam/step")) == std::vector<float>{2});
  CHECK(floats(p.variable("adam_1/step")) == std::vector<float>{1});
  CHECK(ua2.front().variable.name() == "adam/step");
}

// Finite-difference gradient checks (docs/architecture.md, "Decisions"): for every differentiable
// sinter op, the gradient from the autodiff pass (`gradients`, compiled to native code) is compared
// with central differences of the compiled loss. Inputs are float64 so that differences with h =
// 1e-6 are accurate to ~1e-9. The loss is Σ op(x…)·r with a fixed random r, so every element of the
// op's output gets a different weight.
//
// Every op is also checked at second order: the gradient of Σ (∂loss/∂x)·r2 against finite
// differences of the compiled first-order gradient (the VJP rules emit sinter ops, so their
// output must be differentiable again; WGAN-GP needs gradients of gradients).
#include "sinter/nn/RecurrentLayers.h"
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace sinter;

namespace {

/// An input of a checked function: its value, and whether the gradient w.r.t. it is checked.
struct Arg {
  std::string name;
  HostTensor value;
  bool wrt = true;
};

using Fn = std::function<Tensor(Graph &, const std::vector<Tensor> &)>;

struct Options {
  double h = 1e-6;
  double rtol = 1e-5;
  double atol = 1e-7;
};

HostTensor f64(const Shape &shape, const std::vector<double> &v) {
  HostTensor t(DType::F64, shape);
  REQUIRE(static_cast<int64_t>(v.size()) == t.numElements());
  std::copy(v.begin(), v.end(), t.as<double>().begin());
  return t;
}

int64_t count(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Deterministic values in [lo, hi] with |x| >= minAbs (away from kinks such as relu's 0).
std::vector<double> randomValues(int64_t n, double lo, double hi, uint32_t seed,
                                 double minAbs = 0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v;
  while (static_cast<int64_t>(v.size()) < n) {
    double x = u(rng);
    if (std::abs(x) >= minAbs)
      v.push_back(x);
  }
  return v;
}

HostTensor randomF64(const Shape &shape, double lo, double hi, uint32_t seed, double minAbs = 0) {
  return f64(shape, randomValues(count(shape), lo, hi, seed, minAbs));
}

/// Output weights: multiples of 1/16 in [-1, 1] without 0 (exact in f32 too).
HostTensor weights(const Shape &shape, uint32_t seed, DType dtype = DType::F64) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> k(1, 16);
  std::bernoulli_distribution sign(0.5);
  std::vector<double> v;
  for (int64_t i = 0; i < count(shape); ++i)
    v.push_back((sign(rng) ? 1 : -1) * k(rng) / 16.0);
  if (dtype == DType::F64)
    return f64(shape, v);
  REQUIRE(dtype == DType::F32);
  HostTensor t(DType::F32, shape);
  std::copy(v.begin(), v.end(), t.as<float>().begin());
  return t;
}

double elementAsDouble(const HostTensor &t, int64_t i) {
  if (t.dtype() == DType::F64)
    return t.as<double>()[i];
  if (t.dtype() == DType::F32)
    return t.as<float>()[i];
  FAIL("not a float tensor");
  return 0;
}

void addToElement(HostTensor &t, int64_t i, double delta) {
  if (t.dtype() == DType::F64)
    t.as<double>()[i] += delta;
  else if (t.dtype() == DType::F32)
    t.as<float>()[i] = static_cast<float>(t.as<float>()[i] + delta);
  else
    FAIL("perturbing a non-float input");
}

/// Checks the autodiff gradient of Σ f(args)·r w.r.t. each `wrt` arg against central
/// differences. With `secondOrder`, checks instead the gradient of Σ_i Σ (∂L/∂x_i)·r_i (the
/// first-order gradients weighted by fixed random tensors), which differentiates the VJPs.
void gradcheck(const std::vector<Arg> &args, const Fn &f, bool secondOrder = false,
               Options opt = {}) {
  Graph g;
  std::vector<Tensor> inputs, wrt;
  std::vector<HostTensor> values;
  for (const Arg &a : args) {
    inputs.push_back(g.input(a.name, a.value.shape(), a.value.dtype()));
    values.push_back(a.value);
    if (a.wrt)
      wrt.push_back(inputs.back());
  }
  REQUIRE(!wrt.empty());
  Tensor y = f(g, inputs);
  INFO("output shape rank " << y.rank() << ", dtype " << runtime::dtypeName(y.dtype()));
  uint32_t seed = 1234;
  // Weights are inputs (not constants) so that no folding can hide an error.
  Tensor r = g.input("__r", y.shape(), y.dtype());
  values.push_back(weights(y.shape(), seed++, y.dtype()));
  inputs.push_back(r);
  Tensor loss = reduceSum(y * r);
  if (secondOrder) {
    std::vector<Tensor> first = gradients(loss, wrt);
    Tensor total;
    for (size_t i = 0; i < first.size(); ++i) {
      Tensor ri = g.input("__r" + std::to_string(i), first[i].shape(), first[i].dtype());
      values.push_back(weights(first[i].shape(), seed++, first[i].dtype()));
      inputs.push_back(ri);
      Tensor term = cast(reduceSum(first[i] * ri), DType::F64);
      total = total.valid() ? total + term : term;
    }
    loss = total;
  }
  std::vector<Tensor> grads = gradients(loss, wrt);
  Program p = g.compile({{"loss", inputs, {loss}}, {"grad", inputs, grads}});
  std::vector<HostTensor> analytic = p.run("grad", values);
  auto lossAt = [&](const std::vector<HostTensor> &v) {
    return elementAsDouble(p.run("loss", v)[0], 0);
  };

  size_t w = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].wrt)
      continue;
    const HostTensor &ga = analytic[w++];
    REQUIRE(ga.shape() == args[i].value.shape());
    REQUIRE(ga.dtype() == args[i].value.dtype());
    for (int64_t j = 0; j < args[i].value.numElements(); ++j) {
      std::vector<HostTensor> plus = values, minus = values;
      plus[i] = values[i].clone();
      minus[i] = values[i].clone();
      addToElement(plus[i], j, opt.h);
      addToElement(minus[i], j, -opt.h);
      double numeric = (lossAt(plus) - lossAt(minus)) / (2 * opt.h);
      double a = elementAsDouble(ga, j);
      INFO("d/d" << args[i].name << "[" << j << "]: autodiff " << a << ", finite difference "
                 << numeric << (secondOrder ? " (second order)" : ""));
      CHECK(std::abs(a - numeric) <=
            opt.atol + opt.rtol * std::max(std::abs(a), std::abs(numeric)));
    }
  }
}

/// Both orders.
void gradcheckBoth(const std::vector<Arg> &args, const Fn &f, Options opt = {}) {
  SECTION("first order") { gradcheck(args, f, false, opt); }
  SECTION("second order") { gradcheck(args, f, true, opt); }
}

Fn unaryFn(Tensor (*op)(const Tensor &, Loc)) {
  return [op](Graph &, const std::vector<Tensor> &x) { return op(x[0], Loc::current()); };
}

Fn binaryFn(Tensor (*op)(const Tensor &, const Tensor &, Loc)) {
  return [op](Graph &, const std::vector<Tensor> &x) { return op(x[0], x[1], Loc::current()); };
}

const Shape kShape{2, 3};

} // namespace

// ---------------------------------------------------------------------------------------------
// Elementwise unary
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck neg", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 1)}}, unaryFn(neg));
}
TEST_CASE("gradcheck exp", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 2)}}, unaryFn(exp));
}
TEST_CASE("gradcheck log", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, 0.5, 3, 3)}}, unaryFn(log));
}
TEST_CASE("gradcheck sqrt", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, 0.5, 3, 4)}}, unaryFn(sqrt));
}
TEST_CASE("gradcheck tanh", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 5)}}, unaryFn(tanh));
}
TEST_CASE("gradcheck sigmoid", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -3, 3, 6)}}, unaryFn(sigmoid));
}
TEST_CASE("gradcheck relu", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 7, 0.1)}}, unaryFn(relu));
}
TEST_CASE("gradcheck abs", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 8, 0.1)}}, unaryFn(abs));
}
// relu and abs are piecewise linear: alone, their second-order check compares zeros. Times a
// second input s, the second derivative with respect to s runs through their gradient rules
// with a varying upstream gradient (what a gradient penalty differentiates).
Fn timesWeight(Tensor (*op)(const Tensor &, Loc)) {
  return [op](Graph &, const std::vector<Tensor> &t) { return op(t[0], Loc::current()) * t[1]; };
}
TEST_CASE("gradcheck relu times a weight (its gradient rule, differentiated)",
          "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 7, 0.1)}, {"s", randomF64(kShape, 0.5, 1.5, 97)}},
                timesWeight(relu));
}
TEST_CASE("gradcheck abs times a weight (its gradient rule, differentiated)",
          "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 8, 0.1)}, {"s", randomF64(kShape, 0.5, 1.5, 98)}},
                timesWeight(abs));
}
TEST_CASE("gradcheck square (mul of a value with itself)", "[gradcheck][unary]") {
  gradcheckBoth({{"x", randomF64(kShape, -2, 2, 9)}}, unaryFn(square));
}

// ---------------------------------------------------------------------------------------------
// Elementwise binary (same shapes, and broadcast: the broadcast_in_dim VJP sums)
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck add", "[gradcheck][binary]") {
  gradcheckBoth({{"a", randomF64(kShape, -2, 2, 10)}, {"b", randomF64(kShape, -2, 2, 11)}},
                binaryFn(add));
}
TEST_CASE("gradcheck sub", "[gradcheck][binary]") {
  gradcheckBoth({{"a", randomF64(kShape, -2, 2, 12)}, {"b", randomF64(kShape, -2, 2, 13)}},
                binaryFn(sub));
}
TEST_CASE("gradcheck mul", "[gradcheck][binary]") {
  gradcheckBoth({{"a", randomF64(kShape, -2, 2, 14)}, {"b", randomF64(kShape, -2, 2, 15)}},
                binaryFn(mul));
}
TEST_CASE("gradcheck div", "[gradcheck][binary]") {
  gradcheckBoth({{"a", randomF64(kShape, -2, 2, 16)}, {"b", randomF64(kShape, -2, 2, 17, 0.5)}},
                binaryFn(div));
}
TEST_CASE("gradcheck pow", "[gradcheck][binary]") {
  gradcheckBoth({{"a", randomF64(kShape, 0.5, 2, 18)}, {"b", randomF64(kShape, -1.5, 2.5, 19)}},
                binaryFn(pow));
}
TEST_CASE("gradcheck maximum", "[gradcheck][binary]") {
  // a and b differ by at least 0.2 everywhere (no ties).
  std::vector<double> a = randomValues(6, -2, 2, 20), d = randomValues(6, -1, 1, 21, 0.2), b;
  for (int i = 0; i < 6; ++i)
    b.push_back(a[i] + d[i]);
  gradcheckBoth({{"a", f64(kShape, a)}, {"b", f64(kShape, b)}}, binaryFn(maximum));
}
TEST_CASE("gradcheck minimum", "[gradcheck][binary]") {
  std::vector<double> a = randomValues(6, -2, 2, 22), d = randomValues(6, -1, 1, 23, 0.2), b;
  for (int i = 0; i < 6; ++i)
    b.push_back(a[i] + d[i]);
  gradcheckBoth({{"a", f64(kShape, a)}, {"b", f64(kShape, b)}}, binaryFn(minimum));
}
TEST_CASE("gradcheck broadcasting binary ops", "[gradcheck][binary][broadcast]") {
  // [2,3] · [3] and [3,1] / [4]: the gradient of the broadcast operand is summed.
  SECTION("mul [2,3] x [3]") {
    gradcheckBoth({{"a", randomF64({2, 3}, -2, 2, 24)}, {"b", randomF64({3}, -2, 2, 25)}},
                  binaryFn(mul));
  }
  SECTION("div [3,1] / [4]") {
    gradcheckBoth({{"a", randomF64({3, 1}, -2, 2, 26)}, {"b", randomF64({4}, 0.5, 2, 27)}},
                  binaryFn(div));
  }
  SECTION("sub scalar - [2,3]") {
    gradcheckBoth({{"a", randomF64({}, -2, 2, 28)}, {"b", randomF64({2, 3}, -2, 2, 29)}},
                  binaryFn(sub));
  }
}

TEST_CASE("gradcheck select (where)", "[gradcheck][binary]") {
  HostTensor cond(DType::Bool, kShape);
  std::vector<uint8_t> c{1, 0, 0, 1, 1, 0};
  std::copy(c.begin(), c.end(), cond.as<uint8_t>().begin());
  gradcheckBoth({{"cond", cond, false},
                 {"a", randomF64(kShape, -2, 2, 30)},
                 {"b", randomF64(kShape, -2, 2, 31)}},
                [](Graph &, const std::vector<Tensor> &x) { return where(x[0], x[1], x[2]); });
  SECTION("condition computed from an operand, broadcast branch") {
    // where(a > 0, a², b) with b of shape [3]: a's gradient flows through one branch only.
    gradcheckBoth({{"a", randomF64(kShape, -2, 2, 32, 0.1)}, {"b", randomF64({3}, -2, 2, 33)}},
                  [](Graph &g, const std::vector<Tensor> &x) {
                    return where(greater(x[0], zeros(g, {}, DType::F64)), x[0] * x[0], x[1]);
                  });
  }
}

TEST_CASE("gradcheck cast between float types", "[gradcheck][cast]") {
  // The values and weights have few significant bits, so every f32 step is exact and the
  // differences with h = 1/64 are exact for these quadratics.
  Options exact;
  exact.h = 1.0 / 64;
  SECTION("f32 -> f64") {
    HostTensor x(DType::F32, kShape);
    std::vector<float> v{0.5f, -1.25f, 2.f, 0.75f, -0.375f, 1.5f};
    std::copy(v.begin(), v.end(), x.as<float>().begin());
    gradcheckBoth(
        {{"x", x}},
        [](Graph &, const std::vector<Tensor> &t) {
          Tensor d = cast(t[0], DType::F64);
          return d * d;
        },
        exact);
  }
  SECTION("f64 -> f32 -> f64") {
    gradcheckBoth(
        {{"x", f64(kShape, {0.5, -1.25, 2, 0.75, -0.375, 1.5})}},
        [](Graph &, const std::vector<Tensor> &t) {
          Tensor s = cast(t[0], DType::F32);
          return cast(s * s, DType::F64);
        },
        exact);
  }
}

// ---------------------------------------------------------------------------------------------
// Matmul: all four transpose combinations, batched, broadcast batch
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck matmul", "[gradcheck][matmul]") {
  const int64_t m = 3, k = 4, n = 2;
  for (int combo = 0; combo < 4; ++combo) {
    bool ta = combo & 1, tb = combo & 2;
    DYNAMIC_SECTION("transpose_a=" << ta << " transpose_b=" << tb) {
      Shape sa = ta ? Shape{k, m} : Shape{m, k};
      Shape sb = tb ? Shape{n, k} : Shape{k, n};
      gradcheckBoth(
          {{"a", randomF64(sa, -2, 2, 40 + combo)}, {"b", randomF64(sb, -2, 2, 50 + combo)}},
          [ta, tb](Graph &, const std::vector<Tensor> &x) { return matmul(x[0], x[1], ta, tb); });
    }
  }
  SECTION("batched [2,3,4] x [2,4,2]") {
    gradcheckBoth({{"a", randomF64({2, m, k}, -2, 2, 60)}, {"b", randomF64({2, k, n}, -2, 2, 61)}},
                  binaryFn([](const Tensor &a, const Tensor &b, Loc l) {
                    return matmul(a, b, false, false, l);
                  }));
  }
  SECTION("batched, transposed [2,4,3]^T x [2,2,4]^T") {
    gradcheckBoth({{"a", randomF64({2, k, m}, -2, 2, 62)}, {"b", randomF64({2, n, k}, -2, 2, 63)}},
                  binaryFn([](const Tensor &a, const Tensor &b, Loc l) {
                    return matmul(a, b, true, true, l);
                  }));
  }
  SECTION("broadcast batch [2,3,4] x [4,2]") {
    gradcheckBoth({{"a", randomF64({2, m, k}, -2, 2, 64)}, {"b", randomF64({k, n}, -2, 2, 65)}},
                  binaryFn([](const Tensor &a, const Tensor &b, Loc l) {
                    return matmul(a, b, false, false, l);
                  }));
  }
}

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck reduce_sum", "[gradcheck][reduce]") {
  HostTensor x = randomF64({2, 3, 4}, -2, 2, 70);
  // Squared first so that the second-order check has a non-zero Hessian.
  SECTION("axis -1") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceSum(t[0] * t[0], {-1});
    });
  }
  SECTION("axes {0, 2}, keepdims") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceSum(t[0] * t[0], {0, 2}, true);
    });
  }
  SECTION("all") {
    gradcheckBoth({{"x", x}},
                  [](Graph &, const std::vector<Tensor> &t) { return reduceSum(t[0] * t[0]); });
  }
}

TEST_CASE("gradcheck reduce_mean", "[gradcheck][reduce]") {
  HostTensor x = randomF64({2, 3, 4}, -2, 2, 71);
  SECTION("axis 1") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMean(t[0] * t[0], {1});
    });
  }
  SECTION("axes {-1, 0}, keepdims") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMean(t[0] * t[0], {-1, 0}, true);
    });
  }
  SECTION("all") {
    gradcheckBoth({{"x", x}},
                  [](Graph &, const std::vector<Tensor> &t) { return reduceMean(t[0] * t[0]); });
  }
}

TEST_CASE("gradcheck reduce_max", "[gradcheck][reduce]") {
  // Distinct values, at least 0.05 apart: no ties, and a perturbation of 1e-6 changes no argmax.
  std::vector<double> v;
  for (int i = 0; i < 24; ++i)
    v.push_back(0.05 * ((i * 7) % 24) - 0.6);
  HostTensor x = f64({2, 3, 4}, v);
  SECTION("axis 1") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMax(t[0] * t[0] * t[0], {1});
    });
  }
  SECTION("axes {0, -1}, keepdims") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMax(t[0] * t[0] * t[0], {0, -1}, true);
    });
  }
  SECTION("all") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMax(t[0] * t[0] * t[0]);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Data movement
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck reshape", "[gradcheck][shape]") {
  gradcheckBoth({{"x", randomF64({2, 3, 4}, -2, 2, 80)}},
                [](Graph &, const std::vector<Tensor> &t) {
                  Tensor r = reshape(t[0], {4, -1});
                  return r * r;
                });
}

TEST_CASE("gradcheck transpose", "[gradcheck][shape]") {
  gradcheckBoth({{"x", randomF64({2, 3, 4}, -2, 2, 81)}},
                [](Graph &, const std::vector<Tensor> &t) {
                  Tensor r = transpose(t[0], {2, 0, 1});
                  return r * r;
                });
}

TEST_CASE("gradcheck broadcast_in_dim", "[gradcheck][shape]") {
  SECTION("[3,1] -> [2,3,4]") {
    gradcheckBoth({{"x", randomF64({3, 1}, -2, 2, 82)}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor r = broadcastTo(t[0], {2, 3, 4});
      return r * r;
    });
  }
  SECTION("[4] -> [3,4]") {
    gradcheckBoth({{"x", randomF64({4}, -2, 2, 83)}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor r = broadcastTo(t[0], {3, 4});
      return r * r;
    });
  }
  SECTION("scalar -> [2,3]") {
    gradcheckBoth({{"x", randomF64({}, -2, 2, 84)}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor r = broadcastTo(t[0], {2, 3});
      return r * r;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Composites
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck softmax", "[gradcheck][composite]") {
  gradcheckBoth({{"x", randomF64({2, 4}, -2, 2, 90)}}, unaryFn(softmax));
}

TEST_CASE("gradcheck softmax_cross_entropy (logits and labels)", "[gradcheck][composite]") {
  std::vector<double> p = randomValues(12, 0.1, 1, 91);
  for (int row = 0; row < 3; ++row) {
    double s = p[4 * row] + p[4 * row + 1] + p[4 * row + 2] + p[4 * row + 3];
    for (int j = 0; j < 4; ++j)
      p[4 * row + j] /= s;
  }
  gradcheckBoth({{"logits", randomF64({3, 4}, -2, 2, 92)}, {"labels", f64({3, 4}, p)}},
                [](Graph &, const std::vector<Tensor> &t) {
                  return softmaxCrossEntropyWithLogits(t[1], t[0]);
                });
}

TEST_CASE("gradcheck sigmoid_cross_entropy_with_logits (logits and labels)",
          "[gradcheck][composite]") {
  gradcheckBoth({{"logits", randomF64({3, 4}, -3, 3, 93)}, {"labels", randomF64({3, 4}, 0, 1, 94)}},
                [](Graph &, const std::vector<Tensor> &t) {
                  return sigmoidCrossEntropyWithLogits(t[1], t[0]);
                });
}

// ---------------------------------------------------------------------------------------------
// Second order: d²/dx² x³ = 6x; the gradient of a gradient norm through an MLP
// ---------------------------------------------------------------------------------------------

TEST_CASE("second derivative of x^3 is 6x", "[gradcheck][second-order]") {
  std::vector<double> xv{-1.5, -0.25, 0.5, 2.0};
  Graph g;
  Tensor x = g.input("x", {4}, DType::F64);
  Tensor cube = x * x * x;
  Tensor d1 = gradients(reduceSum(cube), {x})[0];
  Tensor d2 = gradients(reduceSum(d1), {x})[0];
  Tensor p1 = gradients(reduceSum(pow(x, fill(g, {4}, 3.0, DType::F64))), {x})[0];
  Tensor p2 = gradients(reduceSum(p1), {x})[0];
  Tensor d3 = gradients(reduceSum(d2), {x})[0];
  Program prog = g.compile({{"f", {x}, {d1, d2, p2, d3}}});
  auto r = prog.run("f", {f64({4}, xv)});
  for (int i = 0; i < 4; ++i) {
    INFO("x = " << xv[i]);
    CHECK(r[0].as<double>()[i] == Approx(3 * xv[i] * xv[i]).epsilon(1e-12));
    CHECK(r[1].as<double>()[i] == Approx(6 * xv[i]).epsilon(1e-12));
    CHECK(r[2].as<double>()[i] == Approx(6 * xv[i]).epsilon(1e-9)); // via pow's VJP
    CHECK(r[3].as<double>()[i] == Approx(6).epsilon(1e-12));        // third order
  }
}

namespace {

struct Mlp {
  Tensor out;
  std::vector<Tensor> params;
};

/// A 2-layer tanh MLP on a fixed batch: x [4,3] → 5 → 2.
Tensor mlp(const Tensor &x, const std::vector<Tensor> &p) {
  Tensor h = tanh(matmul(x, p[0]) + p[1]);
  return matmul(h, p[2]) + p[3];
}

std::vector<Arg> mlpParams() {
  return {{"w1", randomF64({3, 5}, -1, 1, 100)},
          {"b1", randomF64({5}, -0.5, 0.5, 101)},
          {"w2", randomF64({5, 2}, -1, 1, 102)},
          {"b2", randomF64({2}, -0.5, 0.5, 103)}};
}

} // namespace

TEST_CASE("gradient of the gradient norm ||dL/dW||^2 through a tanh MLP",
          "[gradcheck][second-order]") {
  std::vector<Arg> args = mlpParams();
  args.push_back({"x", randomF64({4, 3}, -1, 1, 104), false});
  args.push_back({"y", randomF64({4, 2}, -1, 1, 105), false});
  gradcheck(args, [](Graph &, const std::vector<Tensor> &t) {
    std::vector<Tensor> params(t.begin(), t.begin() + 4);
    Tensor loss = reduceMean(square(mlp(t[4], params) - t[5]));
    std::vector<Tensor> g = gradients(loss, params);
    Tensor norm = reduceSum(square(g[0]));
    for (size_t i = 1; i < g.size(); ++i)
      norm = norm + reduceSum(square(g[i]));
    return norm;
  });
}

TEST_CASE("WGAN-GP penalty: gradient w.r.t. weights of (||dD/dx|| - 1)^2",
          "[gradcheck][second-order]") {
  std::vector<Arg> args = mlpParams();
  args.push_back({"x", randomF64({4, 3}, -1, 1, 106), false});
  gradcheck(args, [](Graph &, const std::vector<Tensor> &t) {
    std::vector<Tensor> params(t.begin(), t.begin() + 4);
    Tensor critic = reduceSum(mlp(t[4], params));
    Tensor dx = gradients(critic, {t[4]})[0];        // [4,3]
    Tensor norms = sqrt(reduceSum(square(dx), {1})); // per example
    return reduceMean(square(norms - 1.0));
  });
}

TEST_CASE("WGAN-GP penalty through a convolutional critic (13.8): conv2d, batch norm, leaky "
          "relu, global average pooling, dense",
          "[gradcheck][second-order][conv]") {
  std::vector<Arg> args{{"filter", randomF64({3, 3, 1, 2}, -1, 1, 110)},
                        {"gamma", randomF64({2}, 0.5, 1.5, 111)},
                        {"beta", randomF64({2}, -0.5, 0.5, 112)},
                        {"dense", randomF64({2, 1}, -1, 1, 113)},
                        {"x", randomF64({3, 5, 5, 1}, -1, 1, 114), false}};
  gradcheck(args, [](Graph &, const std::vector<Tensor> &t) {
    auto critic = [&](const Tensor &x) {
      Tensor h = conv2d(x, t[0], {2, 2}, "same"); // [3, 3, 3, 2]
      Tensor mean = reduceMean(h, {0, 1, 2}), centered = h - mean;
      Tensor var = reduceMean(centered * centered, {0, 1, 2});
      h = centered / sqrt(var + 1e-3) * t[1] + t[2]; // batch normalisation, training mode
      h = maximum(h, h * 0.2);                       // leaky relu
      return matmul(reduceMean(h, {1, 2}), t[3]);    // pooling, dense
    };
    Tensor slopes = gradients(reduceSum(critic(t[4])), {t[4]})[0];
    Tensor norms = sqrt(reduceSum(square(slopes), {1, 2, 3}));
    return reduceMean(square(norms - 1.0));
  });
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

TEST_CASE("the gradient w.r.t. an int32 tensor is an error", "[gradcheck][errors]") {
  Graph g;
  Tensor i = g.input("i", {3}, DType::I32);
  Tensor x = g.input("x", {3}, DType::F64);
  Tensor loss = reduceSum(x * cast(i, DType::F64));
  CHECK_THROWS_AS(gradients(loss, {i}), Error);
  CHECK_THROWS_AS(gradients(loss, {x, i}), Error);
  // An integer loss is an error too.
  CHECK_THROWS_AS(gradients(reduceSum(i), {x}), Error);
  // The float one still works.
  CHECK(gradients(loss, {x})[0].shape() == Shape{3});
}

TEST_CASE("gradients at kinks and ties follow the documented rules", "[gradcheck][ties]") {
  Graph g;
  Tensor x = g.input("x", {4}, DType::F64);
  Tensor y = g.input("y", {4}, DType::F64);
  auto gx = [&](const Tensor &out) { return gradients(reduceSum(out), {x, y}); };
  auto mx = gx(maximum(x, y)), mn = gx(minimum(x, y));
  Tensor dRelu = gradients(reduceSum(relu(x)), {x})[0];
  Tensor dAbs = gradients(reduceSum(abs(x)), {x})[0];
  Tensor dMax = gradients(reduceSum(reduceMax(reshape(x, {2, 2}), {1})), {x})[0];
  Tensor dMaxAll = gradients(reduceMax(x), {x})[0];
  Program p = g.compile({{"f", {x, y}, {mx[0], mx[1], mn[0], mn[1], dRelu, dAbs, dMax, dMaxAll}}});
  auto r = p.run("f", {f64({4}, {1, 0, 3, 3}), f64({4}, {2, 0, 1, -3})});
  auto v = [&](int k) {
    return std::vector<double>(r[k].as<double>().begin(), r[k].as<double>().end());
  };
  // maximum/minimum: g to the larger/smaller operand, split evenly on ties (element 1).
  CHECK(v(0) == std::vector<double>{0, 0.5, 1, 1});
  CHECK(v(1) == std::vector<double>{1, 0.5, 0, 0});
  CHECK(v(2) == std::vector<double>{1, 0.5, 0, 0});
  CHECK(v(3) == std::vector<double>{0, 0.5, 1, 1});
  // relu: g where x > 0, else 0 (0 at the kink, as TensorFlow).
  CHECK(v(4) == std::vector<double>{1, 0, 1, 1});
  // reduce_max: the rows [1, 0] and [3, 3]: the tie splits evenly.
  CHECK(v(6) == std::vector<double>{1, 0, 0.5, 0.5});
  CHECK(v(7) == std::vector<double>{0, 0, 0.5, 0.5});
  // abs: g·sign(x), so 0 at x = 0 (as the op's description, TensorFlow and PyTorch say).
  CHECK(v(5)[0] == 1);
  CHECK(v(5)[2] == 1);
  CHECK(v(5)[1] == 0);
}

TEST_CASE("gradients of values the loss does not depend on are zero", "[gradcheck]") {
  Graph g;
  Tensor x = g.input("x", {3}, DType::F64), z = g.input("z", {2}, DType::F64);
  auto d = gradients(reduceSum(x * x), {x, z, x});
  Program p = g.compile({{"f", {x, z}, d}});
  auto r = p.run("f", {f64({3}, {1, 2, 3}), f64({2}, {4, 5})});
  CHECK(std::vector<double>(r[0].as<double>().begin(), r[0].as<double>().end()) ==
        std::vector<double>{2, 4, 6});
  CHECK(std::vector<double>(r[1].as<double>().begin(), r[1].as<double>().end()) ==
        std::vector<double>{0, 0});
  CHECK(std::vector<double>(r[2].as<double>().begin(), r[2].as<double>().end()) ==
        std::vector<double>{2, 4, 6});
}

// ---------------------------------------------------------------------------------------------
// The tensor language of chapters 4–5: the new primitives and the composites of TensorLanguage.h
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck sin, cos, tan", "[gradcheck][unary][tensor-language]") {
  SECTION("sin") { gradcheckBoth({{"x", randomF64(kShape, -2, 2, 200)}}, unaryFn(sin)); }
  SECTION("cos") { gradcheckBoth({{"x", randomF64(kShape, -2, 2, 201)}}, unaryFn(cos)); }
  SECTION("tan") { gradcheckBoth({{"x", randomF64(kShape, -1, 1, 202)}}, unaryFn(tan)); }
}

TEST_CASE("gradcheck mod (float)", "[gradcheck][binary][tensor-language]") {
  // a = (q + f)·b with f in [0.2, 0.8]: away from the jumps of a − ⌊a/b⌋·b.
  std::vector<double> b = randomValues(6, 0.7, 2, 203), f = randomValues(6, 0.2, 0.8, 204), a;
  std::vector<double> q{-2, 1, 0, -1, 2, 0};
  for (int i = 0; i < 6; ++i)
    a.push_back((q[i] + f[i]) * b[i]);
  gradcheckBoth({{"a", f64(kShape, a)}, {"b", f64(kShape, b)}}, binaryFn(mod));
}

TEST_CASE("gradcheck reduce_min and reduce_prod", "[gradcheck][reduce][tensor-language]") {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i)
    v.push_back(0.05 * ((i * 5) % 24) - 0.6);
  HostTensor x = f64({2, 3, 4}, v);
  SECTION("reduce_min axis 1") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMin(t[0] * t[0] * t[0], {1});
    });
  }
  SECTION("reduce_min all") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      return reduceMin(t[0] * t[0] * t[0]);
    });
  }
  HostTensor nz = randomF64({2, 3, 4}, -1.5, 1.5, 205, 0.5);
  SECTION("reduce_prod axes {0, 2}") {
    gradcheckBoth({{"x", nz}},
                  [](Graph &, const std::vector<Tensor> &t) { return reduceProd(t[0], {0, 2}); });
  }
  SECTION("reduce_prod all, keepdims") {
    gradcheckBoth({{"x", nz}},
                  [](Graph &, const std::vector<Tensor> &t) { return reduceProd(t[0], {}, true); });
  }
}

TEST_CASE("gradcheck top_k values", "[gradcheck][tensor-language]") {
  std::vector<double> v;
  for (int i = 0; i < 10; ++i)
    v.push_back(0.1 * ((i * 3) % 10) - 0.45); // distinct per row
  gradcheckBoth({{"x", f64({2, 5}, v)}}, [](Graph &, const std::vector<Tensor> &t) {
    Tensor top = topK(t[0], 3).values;
    return top * top;
  });
}

TEST_CASE("gradcheck slice, reverse, pad, concatenate", "[gradcheck][shape][tensor-language]") {
  HostTensor x = randomF64({3, 5}, -2, 2, 206);
  SECTION("strided slice") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = stridedSlice(t[0], {0, 1}, {3, 5}, {2, 2});
      return s * s;
    });
  }
  SECTION("reverse") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = reverse(t[0], {0, 1});
      return s * t[0];
    });
  }
  SECTION("indexing with negative steps (reverse + slice + reshape)") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = t[0](S(_, _, -2), S(4, 0, -3));
      return s * s;
    });
  }
  SECTION("pad") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = pad(t[0], {{1, 2}, {0, 1}}, 0.5);
      return s * s;
    });
  }
  SECTION("pad with interior padding") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = padInterior(t[0], {{1, 0}, {0, 1}}, {1, 2}, -0.25);
      return s * s;
    });
  }
  SECTION("concatenate") {
    gradcheckBoth({{"a", randomF64({2, 3}, -2, 2, 207)}, {"b", randomF64({2, 2}, -2, 2, 208)}},
                  [](Graph &, const std::vector<Tensor> &t) {
                    Tensor s = concat({t[0], t[1], t[0]}, 1);
                    return s * s;
                  });
  }
}

TEST_CASE("gradcheck gather_nd and scatter_nd", "[gradcheck][gather][tensor-language]") {
  HostTensor x = randomF64({3, 4}, -2, 2, 209);
  SECTION("gather_nd of elements (a repeated index accumulates)") {
    gradcheckBoth({{"x", x}}, [](Graph &g, const std::vector<Tensor> &t) {
      Tensor s = gatherNd(t[0], constant(g, {{0, 1}, {2, 3}, {0, 1}}));
      return s * s;
    });
  }
  SECTION("gather_nd of rows") {
    gradcheckBoth({{"x", x}}, [](Graph &g, const std::vector<Tensor> &t) {
      Tensor s = gatherNd(t[0], constant(g, {{2}, {0}}));
      return s * s;
    });
  }
  SECTION("scatter_nd (duplicates add up)") {
    gradcheckBoth({{"u", randomF64({3, 2}, -2, 2, 210)}},
                  [](Graph &g, const std::vector<Tensor> &t) {
                    Tensor s = scatterNd(constant(g, {{1}, {3}, {1}}), t[0], {4, 2});
                    return s * s;
                  });
  }
}

TEST_CASE("gradcheck tensor-language composites", "[gradcheck][composite][tensor-language]") {
  HostTensor x = randomF64({2, 3}, -2, 2, 211);
  SECTION("tile") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor s = tile(t[0], {2, 3});
      return s * s;
    });
  }
  SECTION("stack") {
    gradcheckBoth({{"a", x}, {"b", randomF64({2, 3}, -2, 2, 212)}},
                  [](Graph &, const std::vector<Tensor> &t) {
                    Tensor s = stack({t[0], t[1]}, -1);
                    return s * s;
                  });
  }
  SECTION("split and unstack") {
    gradcheckBoth({{"x", randomF64({4, 3}, -2, 2, 213)}},
                  [](Graph &, const std::vector<Tensor> &t) {
                    auto parts = split(t[0], {1, -1}, 0);
                    auto cols = unstack(parts[1], 1);
                    return reduceSum(parts[0]) * cols[0] * cols[2];
                  });
  }
  SECTION("gather along axis 1") {
    gradcheckBoth({{"x", x}}, [](Graph &g, const std::vector<Tensor> &t) {
      Tensor s = gather(t[0], constant(g, {2, 0, 2}), 1);
      return s * s;
    });
  }
  SECTION("clipByNorm (clipping active)") {
    gradcheckBoth({{"x", x}},
                  [](Graph &, const std::vector<Tensor> &t) { return clipByNorm(t[0], 0.5); });
  }
  SECTION("clipByNorm per row") {
    gradcheckBoth({{"x", x}},
                  [](Graph &, const std::vector<Tensor> &t) { return clipByNorm(t[0], 1.0, {1}); });
  }
  SECTION("clipByGlobalNorm") {
    gradcheckBoth({{"a", x}, {"b", randomF64({3}, -2, 2, 214)}},
                  [](Graph &, const std::vector<Tensor> &t) {
                    auto c = clipByGlobalNorm({t[0], t[1]}, 1.0);
                    return reduceSum(c.tensors[0]) * c.tensors[1] + c.globalNorm;
                  });
  }
  SECTION("norm 2, norm 1 over an axis") {
    gradcheckBoth(
        {{"x", randomF64({2, 3}, -2, 2, 215, 0.1)}},
        [](Graph &, const std::vector<Tensor> &t) { return norm(t[0], 2) * norm(t[0], 1, {1}); });
  }
}

TEST_CASE("floor, ceil, round, sign and floordiv have zero gradient",
          "[gradcheck][tensor-language]") {
  Graph g;
  Tensor x = g.input("x", {4}, DType::F64), y = g.input("y", {4}, DType::F64);
  std::vector<Tensor> outs;
  for (Tensor v : {floor(x), ceil(x), round(x), sign(x)})
    outs.push_back(gradients(reduceSum(v * x), {x})[0]); // d(v·x)/dx = v when dv/dx = 0
  auto fd = gradients(reduceSum(floordiv(x, y)), {x, y});
  outs.insert(outs.end(), fd.begin(), fd.end());
  Program p = g.compile({{"f", {x, y}, outs}});
  auto r = p.run("f", {f64({4}, {-1.7, -0.2, 0.4, 2.6}), f64({4}, {0.7, 1.5, -2, 3})});
  auto v = [&](int k) {
    return std::vector<double>(r[k].as<double>().begin(), r[k].as<double>().end());
  };
  CHECK(v(0) == std::vector<double>{-2, -1, 0, 2});
  CHECK(v(1) == std::vector<double>{-1, 0, 1, 3}); // ceil(-0.2) = -0; -0 == 0
  CHECK(v(2) == std::vector<double>{-2, 0, 0, 3});
  CHECK(v(3) == std::vector<double>{-1, -1, 1, 1});
  CHECK(v(4) == std::vector<double>{0, 0, 0, 0});
  CHECK(v(5) == std::vector<double>{0, 0, 0, 0});
}

TEST_CASE("stopGradient is the identity forward and a constant to gradients of any order",
          "[gradcheck][tensor-language]") {
  Graph g;
  Tensor x = g.input("x", {3}, DType::F64);
  Tensor f = reduceSum(x * stopGradient(x * x)); // Σ x·sg(x²): d/dx = x², not 3x²
  Tensor grad = gradients(f, {x})[0];
  Tensor second = gradients(reduceSum(grad), {x})[0]; // d/dx Σ sg(x²) = 0
  Program p = g.compile({{"f", {x}, {f, grad, second}}});
  auto r = p.run("f", {f64({3}, {-1.5, 0.5, 2})});
  CHECK(r[0].as<double>()[0] == Approx(-3.375 + 0.125 + 8));
  CHECK(std::vector<double>(r[1].as<double>().begin(), r[1].as<double>().end()) ==
        std::vector<double>{2.25, 0.25, 4});
  CHECK(std::vector<double>(r[2].as<double>().begin(), r[2].as<double>().end()) ==
        std::vector<double>{0, 0, 0});
}

TEST_CASE("a gradient that could only flow through an integer op is an error",
          "[gradcheck][errors]") {
  Graph g;
  Tensor x = g.input("x", {3}, DType::F64);
  Tensor throughInt = cast(cast(x * 2.0, DType::I32), DType::F64); // line of the blocker
  int blockerLine = __LINE__ - 1;
  Tensor grad = gradients(reduceSum(throughInt), {x})[0];
  try {
    g.compile({{"f", {x}, {grad}}});
    FAIL("expected an error");
  } catch (const Error &e) {
    std::string m = e.what();
    CHECK(m.find("sinter.cast") != std::string::npos);
    CHECK(m.find("GradcheckTest.cpp:" + std::to_string(blockerLine)) != std::string::npos);
    CHECK(m.find("integer or bool") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution and pooling (chapter 10): every geometry attribute, first and second order
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck conv2d", "[gradcheck][conv]") {
  struct Case {
    const char *name;
    Shape x, w;
    Size2 strides;
    Padding padding;
    Size2 dilations;
    int64_t groups;
  };
  const Case cases[] = {
      {"3x3 valid", {2, 5, 5, 3}, {3, 3, 3, 4}, {1, 1}, "valid", {1, 1}, 1},
      {"3x3 stride 2 same", {1, 6, 5, 2}, {3, 3, 2, 3}, {2, 2}, "same", {1, 1}, 1},
      {"2x3 strides (2, 1), explicit padding",
       {1, 5, 4, 2},
       {2, 3, 2, 2},
       {2, 1},
       Padding(1, 0, 2, 1),
       {1, 1},
       1},
      {"dilation 2", {1, 6, 6, 2}, {2, 2, 2, 2}, {1, 1}, "valid", {2, 2}, 1},
      {"groups 2, stride 2, same", {1, 5, 5, 4}, {3, 3, 2, 6}, {2, 2}, "same", {1, 1}, 2},
  };
  for (const Case &c : cases) {
    DYNAMIC_SECTION(c.name) {
      gradcheckBoth({{"x", randomF64(c.x, -1, 1, 300)}, {"w", randomF64(c.w, -1, 1, 301)}},
                    [&](Graph &, const std::vector<Tensor> &t) {
                      Tensor y = conv2d(t[0], t[1], c.strides, c.padding, c.dilations, c.groups);
                      return y * y;
                    });
    }
  }
}

TEST_CASE("gradcheck depthwise conv2d and conv2d_transpose", "[gradcheck][conv]") {
  SECTION("depthwise, multiplier 2, stride 2, same") {
    gradcheckBoth(
        {{"x", randomF64({1, 5, 4, 3}, -1, 1, 302)}, {"w", randomF64({3, 3, 3, 2}, -1, 1, 303)}},
        [](Graph &, const std::vector<Tensor> &t) {
          Tensor y = depthwiseConv2d(t[0], t[1], {2, 2}, "same");
          return y * y;
        });
  }
  SECTION("transpose, stride 2, same") {
    gradcheckBoth(
        {{"x", randomF64({2, 3, 3, 2}, -1, 1, 304)}, {"w", randomF64({3, 3, 3, 2}, -1, 1, 305)}},
        [](Graph &, const std::vector<Tensor> &t) {
          Tensor y = conv2dTranspose(t[0], t[1], {2, 6, 6, 3}, {2, 2}, "same");
          return y * y;
        });
  }
  SECTION("transpose, stride 3, valid, dilation 2") {
    gradcheckBoth(
        {{"x", randomF64({1, 2, 3, 2}, -1, 1, 306)}, {"w", randomF64({2, 2, 1, 2}, -1, 1, 307)}},
        [](Graph &, const std::vector<Tensor> &t) {
          Tensor y = conv2dTranspose(t[0], t[1], {1, 6, 9, 1}, {3, 3}, "valid", {2, 2});
          return y * y;
        });
  }
}

TEST_CASE("gradcheck max and average pooling", "[gradcheck][pool]") {
  // Distinct values, so that each window has one maximum.
  HostTensor x = randomF64({2, 5, 5, 2}, -2, 2, 308);
  SECTION("max 2x2 stride 2 valid") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor y = maxPool2d(t[0], {2, 2}, {2, 2});
      return y * y;
    });
  }
  SECTION("max 3x3 stride 2 same (overlapping, padded)") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor y = maxPool2d(t[0], {3, 3}, {2, 2}, "same");
      return y * y;
    });
  }
  SECTION("average 3x3 stride 2 same (padding not counted)") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor y = avgPool2d(t[0], {3, 3}, {2, 2}, "same");
      return y * y;
    });
  }
  SECTION("average 2x3 stride (1, 2) valid") {
    gradcheckBoth({{"x", x}}, [](Graph &, const std::vector<Tensor> &t) {
      Tensor y = avgPool2d(t[0], {2, 3}, {1, 2});
      return y * y;
    });
  }
}

TEST_CASE("gradcheck fusedBatchNorm (training mode)", "[gradcheck][batchnorm]") {
  std::vector<Arg> args{{"x", randomF64({3, 2, 2, 3}, -2, 2, 312)},
                        {"gamma", randomF64({3}, 0.5, 1.5, 313)},
                        {"beta", randomF64({3}, -0.5, 0.5, 314)}};
  SECTION("the normalised output") {
    gradcheckBoth(args, [](Graph &, const std::vector<Tensor> &t) {
      return fusedBatchNorm(t[0], t[1], t[2], 1e-3).y;
    });
  }
  SECTION("output and statistics together, on [batch, features]") {
    std::vector<Arg> flat{{"x", randomF64({5, 4}, -2, 2, 315)},
                          {"gamma", randomF64({4}, 0.5, 1.5, 316)},
                          {"beta", randomF64({4}, -0.5, 0.5, 317)}};
    gradcheckBoth(flat, [](Graph &, const std::vector<Tensor> &t) {
      FusedBatchNorm bn = fusedBatchNorm(t[0], t[1], t[2], 0.01);
      return reduceSum(sin(bn.y)) + reduceSum(bn.mean * bn.mean) + reduceSum(sqrt(bn.variance));
    });
  }
}

TEST_CASE("gradcheck image::resize (bilinear and nearest, up and down)", "[gradcheck][resize]") {
  HostTensor x = randomF64({2, 4, 5, 2}, -1, 1, 309);
  for (const char *method : {"bilinear", "nearest"}) {
    DYNAMIC_SECTION(method << " 4x5 -> 7x3") {
      gradcheckBoth({{"x", x}}, [&](Graph &, const std::vector<Tensor> &t) {
        Tensor y = image::resize(t[0], {7, 3}, method);
        return y * y;
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Loops: sinter.scan (its VJP is a reverse scan; the second order differentiates that one)
// ---------------------------------------------------------------------------------------------

TEST_CASE("gradcheck scan: a recurrent cell over the time axis", "[gradcheck][scan]") {
  // h_t = tanh(h_{t-1}·W + x_t·U + b) over x [batch 2, time 4, features 3]; the stacked h and
  // the final h both reach the loss.
  gradcheckBoth({{"h0", randomF64({2, 3}, -1, 1, 71)},
                 {"x", randomF64({2, 4, 3}, -1, 1, 72)},
                 {"W", randomF64({3, 3}, -0.8, 0.8, 73)},
                 {"U", randomF64({3, 3}, -0.8, 0.8, 74)},
                 {"b", randomF64({3}, -0.5, 0.5, 75)}},
                [](Graph &, const std::vector<Tensor> &a) {
                  const Tensor &W = a[2], &U = a[3], &b = a[4];
                  ScanResult r = scan(
                      [&](const std::vector<Tensor> &c, const std::vector<Tensor> &x) {
                        Tensor h = tanh(matmul(c[0], W) + matmul(x[0], U) + b);
                        return ScanStep{{h}, {h}};
                      },
                      {a[0]}, {a[1]}, /*axis=*/1);
                  return r.outputs[0] + expandDims(r.carries[0], 1);
                });
}

TEST_CASE("gradcheck scan: reverse, two carries, an output of another shape", "[gradcheck][scan]") {
  // Carries: a running product-like state s and a running sum m, from the last step to the
  // first; the output is s·m per step, reduced over the features.
  gradcheckBoth({{"s0", randomF64({3}, 0.5, 1.5, 81)},
                 {"m0", randomF64({3}, -1, 1, 82)},
                 {"xs", randomF64({5, 3}, -1, 1, 83)},
                 {"k", randomF64({3}, -1, 1, 84)}},
                [](Graph &, const std::vector<Tensor> &a) {
                  const Tensor &k = a[3];
                  ScanResult r = scan(
                      [&](const std::vector<Tensor> &c, const std::vector<Tensor> &x) {
                        Tensor s = c[0] * sigmoid(x[0] + k);
                        Tensor m = c[1] + x[0] * s;
                        return ScanStep{{s, m}, {reduceSum(s * m)}};
                      },
                      {a[0], a[1]}, {a[2]}, /*axis=*/0, /*reverse=*/true);
                  return concat({r.carries[0] * r.carries[1], r.outputs[0]}, 0);
                });
}

TEST_CASE("gradcheck recurrent layers: SimpleRNN, LSTM, GRU (both resets) over a sequence",
          "[gradcheck][scan][rnn]") {
  // The layer's scan over x [batch 2, time 3, features 2] from initial states given as inputs;
  // float64 weights (random biases), gradients w.r.t. the sequence and the initial states.
  for (std::string kind : {"simple", "lstm", "gru", "gru_classic"}) {
    DYNAMIC_SECTION("cell " << kind) {
      bool lstm = kind == "lstm";
      std::vector<Arg> args{{"x", randomF64({2, 3, 2}, -1, 1, 121)},
                            {"h0", randomF64({2, 2}, -0.5, 0.5, 122)}};
      if (lstm)
        args.push_back({"c0", randomF64({2, 2}, -0.5, 0.5, 123)});
      gradcheckBoth(args, [kind, lstm](Graph &, const std::vector<Tensor> &t) {
        nn::CellOptions o{.biasInitializer = initializers::randomUniform(-0.5, 0.5),
                          .resetAfter = kind != "gru_classic",
                          .dtype = DType::F64};
        std::shared_ptr<nn::RecurrentCell> cell;
        if (kind == "simple")
          cell = std::make_shared<nn::SimpleRNNCell>(2, o);
        else if (lstm)
          cell = std::make_shared<nn::LSTMCell>(2, o);
        else
          cell = std::make_shared<nn::GRUCell>(2, o);
        nn::RNN layer(cell, {.returnSequences = true, .goBackwards = kind == "gru"});
        std::vector<Tensor> states{t[1]};
        if (lstm)
          states.push_back(t[2]);
        nn::RecurrentResult r = layer.callWithState(t[0], false, states);
        return r.output + expandDims(r.states.back(), 1);
      });
    }
  }
}

// On-the-spot evaluation (docs/architecture.md, "The layers of the C++ API"): Tensor::value()
// compiles the sub-graph a tensor needs once per graph structure and runs it; variables read the
// graph's eager store; values print like TensorFlow's.
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace sinter;

namespace {

std::vector<float> floats(const HostTensor &t) {
  auto s = t.as<float>();
  return {s.begin(), s.end()};
}

} // namespace

TEST_CASE("value() of constants and expressions", "[eval]") {
  Graph g;
  Tensor a = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  HostTensor va = a.value();
  CHECK(va.shape() == Shape{2, 3});
  CHECK(va.dtype() == DType::F32);
  CHECK(floats(va) == std::vector<float>{1, 2, 3, 4, 5, 6});

  Tensor e = reduceSum(a * 2.0 + 1.0, {1});
  CHECK(floats(e.value()) == std::vector<float>{15, 33});
  CHECK(reduceSum(a).value().as<float>()[0] == 21.0f);
  CHECK(e.value().shape() == Shape{2});
}

TEST_CASE("the same expression compiles once", "[eval]") {
  Graph g;
  Tensor a = constant(g, std::vector<float>{1, 2, 3, 4}, {2, 2});
  CHECK(g.compiledEvalCount() == 0);
  Tensor s = square(a) + a;
  CHECK(floats(s.value()) == std::vector<float>{2, 6, 12, 20});
  CHECK(g.compiledEvalCount() == 1);
  CHECK(floats(s.value()) == std::vector<float>{2, 6, 12, 20});
  CHECK(g.compiledEvalCount() == 1);
  // Built again on another line: the same structure, the same compiled program.
  Tensor again = square(a) + a;
  CHECK(floats(again.value()) == std::vector<float>{2, 6, 12, 20});
  CHECK(g.compiledEvalCount() == 1);
  // A different expression compiles anew.
  CHECK(floats((a - 1.0).value()) == std::vector<float>{0, 1, 2, 3});
  CHECK(g.compiledEvalCount() == 2);
}

TEST_CASE("variables: initial value, assign, then value", "[eval]") {
  Graph g;
  Variable w = g.variable("w", constant(g, std::vector<float>{1, 2, 3}, {3}));
  Variable r = g.variable("r", random::normal(g, {4}, 0.0, 1.0, 7));
  CHECK(floats(w.value()) == std::vector<float>{1, 2, 3});
  Tensor doubled = w * 2.0;
  CHECK(floats(doubled.value()) == std::vector<float>{2, 4, 6});
  size_t compiled = g.compiledEvalCount();

  HostTensor nv(DType::F32, {3});
  auto s = nv.as<float>();
  s[0] = 10, s[1] = 20, s[2] = 30;
  g.assign(w, nv);
  s[0] = -1; // assign copies
  CHECK(floats(w.value()) == std::vector<float>{10, 20, 30});
  CHECK(floats(doubled.value()) == std::vector<float>{20, 40, 60});
  CHECK(g.compiledEvalCount() == compiled); // assigning recompiles nothing

  // A random initializer is evaluated once: reading twice gives the same numbers.
  std::vector<float> r1 = floats(r.value()), r2 = floats((r + 0.0).value());
  CHECK(r1 == r2);

  // A manual SGD step: w - lr * grad of sum(w^2) = w - 0.1 * 2w.
  Tensor step = w - 0.1 * gradients(reduceSum(square(w)), std::vector<Variable>{w})[0];
  HostTensor next = step.value();
  CHECK(floats(next) == std::vector<float>{8, 16, 24});
  g.assign(w, next);
  CHECK(floats(step.value()) == std::vector<float>{6.4f, 12.8f, 19.2f});

  HostTensor wrong(DType::F32, {2});
  try {
    g.assign(w, wrong);
    FAIL("assigning a wrong shape did not throw");
  } catch (const Error &e) {
    std::string msg = e.what();
    CHECK(msg.find("EvalTest.cpp:") != std::string::npos);
    CHECK(msg.find("(2,)") != std::string::npos);
    CHECK(msg.find("(3,)") != std::string::npos);
  }
}

TEST_CASE("values() evaluates many tensors with one compile per need", "[eval]") {
  Graph g;
  std::vector<Tensor> tensors;
  for (int i = 0; i < 50; ++i) // a model's worth of randomly initialised weights
    tensors.push_back(g.variable("w" + std::to_string(i), random::uniform(g, {3}, 0.0, 1.0, i)));
  Tensor c = constant(g, std::vector<float>{1, 2}, {2});
  tensors.push_back(c * 2.0);
  tensors.push_back(reduceSum(tensors[0]));

  std::vector<HostTensor> values = g.values(tensors);
  REQUIRE(values.size() == 52);
  // One module for the 50 initial values, one for the two expressions.
  CHECK(g.compiledEvalCount() == 2);
  CHECK(floats(values[50]) == std::vector<float>{2, 4});
  std::vector<float> w0 = floats(values[0]);
  CHECK(values[51].as<float>()[0] == Approx(w0[0] + w0[1] + w0[2]));
  CHECK(floats(values[1]) != w0); // different seeds
  for (int i = 0; i < 50; ++i)    // the same numbers as evaluating one by one, and no new compile
    CHECK(floats(tensors[i].value()) == floats(values[i]));
  CHECK(g.compiledEvalCount() == 2);
}

TEST_CASE("value() of a tensor that depends on an input names the input", "[eval]") {
  Graph g;
  Tensor x = g.input("pixels", {2, 2});
  Tensor y = relu(x) * 3.0;
  try {
    y.value();
    FAIL("value() of an input-dependent tensor did not throw");
  } catch (const Error &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'pixels'") != std::string::npos);
    CHECK(msg.find("EvalTest.cpp:") != std::string::npos);
  }
  CHECK(g.compiledEvalCount() == 0);
}

TEST_CASE("tensors print like TensorFlow", "[eval]") {
  Graph g;
  Tensor a = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  std::string s = a.toString();
  CHECK(s == "<tf.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
             "array([[1., 2., 3.],\n"
             "       [4., 5., 6.]], dtype=float32)>");
  std::ostringstream os;
  os << a;
  CHECK(os.str() == s);

  CHECK(reduceSum(a).toString() == "<tf.Tensor: shape=(), dtype=float32, numpy=21.0>");

  Variable v = g.variable("v", constant(g, std::vector<float>{1, 2}, {2}));
  CHECK(v.toString() == "<tf.Variable 'v:0' shape=(2,) dtype=float32, numpy=\n"
                        "array([1., 2.], dtype=float32)>");
}

// A dynamic batch dimension (Graph::input with a leading -1): one compiled entry serves every
// batch size and computes what an entry compiled for that size computes; bad batches get
// errors naming the entry and argument.
#include "sinter/sinter.h"

#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

using namespace sinter;
using Catch::Matchers::Contains;
using sinter::testing::randomTensor;

namespace {

HostTensor oneHotRows(int64_t rows, int64_t classes, unsigned seed) {
  HostTensor t(DType::F32, {rows, classes});
  std::mt19937 rng(seed);
  auto v = t.as<float>();
  for (int64_t r = 0; r < rows; ++r)
    v[r * classes + static_cast<int64_t>(rng() % classes)] = 1.f;
  return t;
}

/// A two-layer MLP with a predict entry and an SGD train step (softmax cross-entropy, mean
/// over the batch), for inputs of `batch` rows (-1: any).
Program compileMlp(int64_t batch) {
  Graph g;
  Tensor x = g.input("x", {batch, 20}), y = g.input("y", {batch, 3});
  Variable w1 = g.variable("w1", random::normal(g, {20, 16}, 0, 0.3, 1));
  Variable b1 = g.variable("b1", fill(g, {16}, 0.1));
  Variable w2 = g.variable("w2", random::normal(g, {16, 3}, 0, 0.3, 2));
  Variable b2 = g.variable("b2", zeros(g, {3}));
  Tensor logits = matmul(relu(matmul(x, w1) + b1), w2) + b2;
  Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, logits));
  std::vector<Variable> vars{w1, b1, w2, b2};
  std::vector<Tensor> grads = gradients(loss, vars);
  std::vector<Update> updates;
  for (size_t i = 0; i < vars.size(); ++i)
    updates.push_back({vars[i], vars[i] - grads[i] * scalar(g, 0.1)});
  // Per-row outputs, a batch mean and a batch-sized constant: each kind of result.
  Tensor rowNorm = reduceSum(logits * logits, {1});
  return g.compile({{"predict", {x}, {softmax(logits), rowNorm, onesLike(rowNorm)}},
                    {"train", {x, y}, {loss}, updates}});
}

void requireClose(const HostTensor &got, const HostTensor &want) {
  INFO("tensor " << got.spec().name << " " << got.spec().shapeString());
  REQUIRE(got.shape() == want.shape());
  auto g = got.as<float>();
  auto w = want.as<float>();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i);
    REQUIRE(g[i] == Approx(w[i]).epsilon(1e-4).margin(1e-5));
  }
}

} // namespace

TEST_CASE("one entry with a dynamic batch computes what static entries compute",
          "[dynamic-batch]") {
  Program dynamic = compileMlp(-1);
  for (int64_t batch : {1, 7, 128, 1000}) {
    INFO("batch " << batch);
    Program fixed = compileMlp(batch);
    // (the dynamic program's variables have had the previous batches' training steps)
    for (const char *v : {"w1", "b1", "w2", "b2"})
      std::memcpy(fixed.variable(v).data(), dynamic.variable(v).data(),
                  dynamic.variable(v).byteSize());
    HostTensor x = randomTensor({batch, 20}, 3 + batch), y = oneHotRows(batch, 3, 5);
    auto got = dynamic.run("predict", {x});
    auto want = fixed.run("predict", {x});
    REQUIRE(got.size() == 3);
    for (size_t i = 0; i < got.size(); ++i)
      requireClose(got[i], want[i]);
    REQUIRE(got[2].as<float>()[batch - 1] == 1.f);

    // A training step: same loss, same updated variables.
    requireClose(dynamic.run("train", {x, y})[0], fixed.run("train", {x, y})[0]);
    for (const char *v : {"w1", "b1", "w2", "b2"})
      requireClose(dynamic.variable(v), fixed.variable(v));
  }
}

TEST_CASE("the raw call of a batched entry takes the batch size", "[dynamic-batch]") {
  Program p = compileMlp(-1);
  HostTensor x = randomTensor({5, 20}, 9);
  auto want = p.run("predict", {x});
  HostTensor probs(DType::F32, {5, 3}), norms(DType::F32, {5}), ones(DType::F32, {5});
  int entry = p.entryIndex("predict");
  p.session().call(entry, {x.data()}, {probs.data(), norms.data(), ones.data()}, 5);
  requireClose(probs, want[0]);
  requireClose(norms, want[1]);
  REQUIRE_THROWS_WITH(
      p.session().call(entry, {x.data()}, {probs.data(), norms.data(), ones.data()}),
      Contains("entry 'predict'") && Contains("batch size >= 1"));
}

TEST_CASE("a bad batch is an error naming the entry and argument", "[dynamic-batch]") {
  Program p = compileMlp(-1);
  REQUIRE_THROWS_WITH(p.run("predict", {randomTensor({4, 21}, 1)}),
                      Contains("entry 'predict' argument #0 'x'") && Contains("(None, 20)") &&
                          Contains("(4, 21)"));
  REQUIRE_THROWS_WITH(p.run("predict", {randomTensor({20}, 1)}),
                      Contains("argument #0 'x'") && Contains("expected shape (None, 20)"));
  REQUIRE_THROWS_WITH(p.run("predict", {randomTensor({0, 20}, 1)}),
                      Contains("argument #0 'x'") && Contains("at least 1"));
  REQUIRE_THROWS_WITH(p.run("train", {randomTensor({4, 20}, 1), oneHotRows(5, 3, 1)}),
                      Contains("argument #1 'y'") && Contains("batch size 5 differs from 4") &&
                          Contains("argument #0 'x'"));
}

TEST_CASE("batch-sized values through reshape, broadcasts, means and random ops",
          "[dynamic-batch]") {
  Graph g;
  Tensor x = g.input("x", {-1, 2, 3});
  Tensor flat = reshape(x, {-1, 6});
  REQUIRE(flat.shape() == Shape{-1, 6});
  Tensor centred = flat - reduceMean(flat, {0}, true); // mean over the batch
  Tensor noise = random::uniform(g, {-1, 6}, 0.0, 1.0, 4);
  Tensor back = reshape(centred + noise * scalar(g, 0.f), {-1, 3, 2});
  Program p = g.compile({{"f", {x}, {back, reduceMean(x)}}});
  for (int64_t batch : {1, 3}) {
    HostTensor xs = randomTensor({batch, 2, 3}, 11);
    auto out = p.run("f", {xs});
    REQUIRE(out[0].shape() == Shape{batch, 3, 2});
    auto xv = xs.as<float>();
    auto ov = out[0].as<float>();
    double total = 0;
    for (int64_t c = 0; c < 6; ++c) {
      double mean = 0;
      for (int64_t r = 0; r < batch; ++r)
        mean += xv[r * 6 + c] / batch;
      for (int64_t r = 0; r < batch; ++r) {
        REQUIRE(ov[r * 6 + c] == Approx(xv[r * 6 + c] - mean).margin(1e-5));
        total += xv[r * 6 + c];
      }
    }
    REQUIRE(out[1].as<float>()[0] == Approx(total / (batch * 6)).margin(1e-5));
  }
}

TEST_CASE("shapes that would hide the batch dimension are build-time errors", "[dynamic-batch]") {
  Graph g;
  Tensor x = g.input("x", {-1, 4});
  REQUIRE_THROWS_WITH(reshape(x, {-1}), Contains("batch dimension (-1) must stay one dimension"));
  REQUIRE_THROWS_WITH(x + g.input("z", {3, 4}), Contains("cannot be broadcast"));
  REQUIRE_THROWS_WITH(g.input("bad", {4, -1}), Contains("only the leading dimension may be -1"));
  REQUIRE_THROWS_WITH(zeros(g, {2, -1}), Contains("only the leading dimension"));
  REQUIRE_THROWS_WITH(concat({x, x}, 0), Contains("batch dimension"));
  REQUIRE_THROWS_WITH(g.variable("v", onesLike(x)), Contains("static shape"));
  REQUIRE_THROWS_WITH(x.numElements(), Contains("known only at run time"));
}

TEST_CASE("a batch-sized value needs an entry with a batch-sized input", "[dynamic-batch]") {
  Graph g;
  Tensor noise = random::normal(g, {-1, 3}, 0, 1, 1);
  Tensor x = g.input("x", {2, 3});
  REQUIRE_THROWS_WITH(g.compile({{"f", {x}, {x + reduceSum(noise, {0})}}}),
                      Contains("no batch-sized input") && Contains("entry 'f'") &&
                          Contains("DynamicBatchTest.cpp"));
  REQUIRE_THROWS_WITH(noise.value(), Contains("no batch-sized input"));
}

TEST_CASE("batch-sized softmaxes run in row blocks with a partial last block", "[dynamic-batch]") {
  // [batch, 1000]: the softmax composite (lowered whole, tiled) and the same written with
  // primitives (a row chain moved into blocks); 7 and 37 rows are no multiple of a block.
  Graph g;
  Tensor x = g.input("x", {-1, 1000});
  Tensor e = exp(x - reduceMax(x, {1}, true));
  Tensor byHand = e / reduceSum(e, {1}, true);
  Program p = g.compile({{"f", {x}, {softmax(x), byHand}}});
  for (int64_t batch : {1, 7, 37}) {
    INFO("batch " << batch);
    HostTensor xs = randomTensor({batch, 1000}, 21);
    auto out = p.run("f", {xs});
    auto xv = xs.as<float>();
    for (int64_t r = 0; r < batch; ++r) {
      double max = -1e30, sum = 0;
      for (int64_t c = 0; c < 1000; ++c)
        max = std::max<double>(max, xv[r * 1000 + c]);
      for (int64_t c = 0; c < 1000; ++c)
        sum += std::exp(xv[r * 1000 + c] - max);
      for (int64_t c : {int64_t(0), int64_t(517), int64_t(999)}) {
        double want = std::exp(xv[r * 1000 + c] - max) / sum;
        REQUIRE(out[0].as<float>()[r * 1000 + c] == Approx(want).epsilon(1e-4));
        REQUIRE(out[1].as<float>()[r * 1000 + c] == Approx(want).epsilon(1e-4));
      }
    }
  }
}

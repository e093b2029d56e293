// Losses: each against values computed by hand (plain Python with
// Keras' formulas; the Keras documentation's examples where it has one), the from-logits forms,
// their gradients, and the shape-mismatch Error that keeps the book's chapter-6 [b] vs [b, 1]
// broadcast from happening silently.
#include "NnTestUtil.h"

#include "sinter/nn/Losses.h"
#include "sinter/nn/Model.h"

#include <cmath>

using namespace sinter;
using namespace nntest;
using Catch::Matchers::Contains;

namespace {

Tensor c(Graph &g, const std::vector<float> &v, const Shape &shape) {
  return constant(g, v, shape);
}

} // namespace

TEST_CASE("MSE and MAE: batch means of squared and absolute errors", "[nn][losses]") {
  Graph g;
  Tensor yTrue = c(g, {0, 1, 0, 0, 2, -1}, {3, 2});
  Tensor yPred = c(g, {1, 1, 1, 0, 0.5, 1}, {3, 2});
  auto mse = losses::meanSquaredError();
  auto mae = losses::meanAbsoluteError();
  CHECK(mse.name == "mean_squared_error");
  CHECK(mae.name == "mean_absolute_error");
  // Keras' documentation example: [[0, 1], [0, 0]] vs [[1, 1], [1, 0]] → 0.5 for both.
  Tensor docTrue = c(g, {0, 1, 0, 0}, {2, 2}), docPred = c(g, {1, 1, 1, 0}, {2, 2});
  // Rank 1 (one output per sample, [b] vs [b]) is a plain mean too.
  Tensor r1True = c(g, {1, 2, 3, 4}, {4}), r1Pred = c(g, {1.5, 2, 2, 4}, {4});
  auto v = evalAll(g, {mse(yTrue, yPred), mae(yTrue, yPred), mse(docTrue, docPred),
                       mae(docTrue, docPred), mse(r1True, r1Pred), mae(r1True, r1Pred)});
  // differences 1, 0, 1, 0, −1.5, 2: Σd² = 8.25, Σ|d| = 5.5 over 6 elements.
  CHECK(scalarOf(v[0]) == Approx(1.375));
  CHECK(scalarOf(v[1]) == Approx(5.5 / 6));
  CHECK(scalarOf(v[2]) == Approx(0.5));
  CHECK(scalarOf(v[3]) == Approx(0.5));
  CHECK(scalarOf(v[4]) == Approx((0.25 + 1) / 4));
  CHECK(scalarOf(v[5]) == Approx(1.5 / 4));
  CHECK(v[0].shape().empty());
}

TEST_CASE("a [b] vs [b, 1] shape mismatch is an Error naming both shapes", "[nn][losses]") {
  Graph g;
  Tensor y = c(g, {1, 2, 3, 4}, {4});
  Tensor out = c(g, {1, 2, 3, 4}, {4, 1});
  for (const losses::Loss &loss :
       {losses::meanSquaredError(), losses::meanAbsoluteError(), losses::binaryCrossentropy(),
        losses::binaryCrossentropy(true), losses::categoricalCrossentropy(),
        losses::categoricalCrossentropy(true)}) {
    INFO(loss.name);
    std::string msg = errorOf([&] { loss(y, out); });
    CHECK_THAT(msg, Contains("(4,)"));
    CHECK_THAT(msg, Contains("(4, 1)"));
    CHECK_THAT(msg, Contains("LossesTest.cpp")); // the user's line
    // And the other way round.
    std::string msg2 = errorOf([&] { loss(out, y); });
    CHECK_THAT(msg2, Contains("(4, 1)"));
  }
  // Sparse: labels must be yPred's shape without the class axis ([b] or [b, 1]).
  Tensor probs = c(g, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, {3, 2});
  Tensor badIds = constant(g, std::vector<int32_t>{0, 1}, {2});
  std::string msg = errorOf([&] { losses::sparseCategoricalCrossentropy()(badIds, probs); });
  CHECK_THAT(msg, Contains("(2,)"));
  CHECK_THAT(msg, Contains("(3, 2)"));
}

TEST_CASE("binary cross-entropy on probabilities (clipped as Keras)", "[nn][losses]") {
  Graph g;
  auto bce = losses::binaryCrossentropy();
  CHECK(bce.name == "binary_crossentropy");
  // Keras' documentation: [[0, 1], [0, 0]] vs [[0.6, 0.4], [0.4, 0.6]] → 0.815.
  Tensor docTrue = c(g, {0, 1, 0, 0}, {2, 2}), docPred = c(g, {0.6, 0.4, 0.4, 0.6}, {2, 2});
  // p = 0 with label 1 and p = 1 with label 0: clipped to ε / 1 − ε, so −log(2ε) each, not ∞.
  Tensor clipTrue = c(g, {1, 0}, {2, 1}), clipPred = c(g, {0, 1}, {2, 1});
  // Integer labels are cast to the predictions' type.
  Tensor intTrue = constant(g, std::vector<int32_t>{0, 1, 0, 0}, {2, 2});
  auto v = evalAll(g, {bce(docTrue, docPred), bce(clipTrue, clipPred), bce(intTrue, docPred)});
  CHECK(scalarOf(v[0]) == Approx(0.8149242256804742).epsilon(1e-5));
  // In float32 (as Keras computes it) 1 − ε rounds to 1 − 2⁻²³, so the second term is
  // −log(2⁻²³ + ε): (−log(2ε) − log(2⁻²³ + ε)) / 2 = 15.379.
  double second = -std::log(std::ldexp(1.0, -23) + 1e-7);
  CHECK(scalarOf(v[1]) == Approx((15.424948470529964 + second) / 2).epsilon(1e-4));
  CHECK(std::isfinite(scalarOf(v[1])));
  CHECK(scalarOf(v[2]) == Approx(0.8149242256804742).epsilon(1e-5));
}

TEST_CASE("binary cross-entropy from logits (stable formula)", "[nn][losses]") {
  Graph g;
  auto bce = losses::binaryCrossentropy(true);
  // Keras' documentation: [0, 1, 0, 0] vs logits [−18.6, 0.51, 2.94, −12.8] → 0.865.
  Tensor docTrue = c(g, {0, 1, 0, 0}, {4}), docPred = c(g, {-18.6, 0.51, 2.94, -12.8}, {4});
  // Large logits stay finite: max(x,0) − x·z + log(1 + e^−|x|) = 0, 0, 100.
  Tensor bigTrue = c(g, {1, 0, 1}, {3, 1}), bigPred = c(g, {100, -100, -100}, {3, 1});
  // Same as the probability form on sigmoid(x) (away from the clip).
  Tensor x = c(g, {-2, -0.5, 0.3, 1.7}, {2, 2}), z = c(g, {0, 1, 1, 0}, {2, 2});
  auto v = evalAll(g, {bce(docTrue, docPred), bce(bigTrue, bigPred), bce(z, x),
                       losses::binaryCrossentropy()(z, sigmoid(x))});
  CHECK(scalarOf(v[0]) == Approx(0.8654579497810972).epsilon(1e-5));
  CHECK(scalarOf(v[1]) == Approx(100.0 / 3).epsilon(1e-6));
  CHECK(scalarOf(v[2]) == Approx(scalarOf(v[3])).epsilon(1e-5));
}

TEST_CASE("categorical cross-entropy: probabilities (renormalised, clipped) and logits",
          "[nn][losses]") {
  Graph g;
  auto cce = losses::categoricalCrossentropy();
  auto ccel = losses::categoricalCrossentropy(true);
  CHECK(cce.name == "categorical_crossentropy");
  // Keras' documentation: [[0,1,0],[0,0,1]] vs [[.05,.95,0],[.1,.8,.1]] → 1.177.
  Tensor docTrue = c(g, {0, 1, 0, 0, 0, 1}, {2, 3});
  Tensor docPred = c(g, {0.05, 0.95, 0, 0.1, 0.8, 0.1}, {2, 3});
  // Predictions summing to 0.8 are divided by their sum first: −log(0.3 / 0.8).
  Tensor renTrue = c(g, {0, 1, 0}, {1, 3}), renPred = c(g, {0.1, 0.3, 0.4}, {1, 3});
  // A zero probability on the true class is clipped: −log(1e-7) = 16.118.
  Tensor zeroTrue = c(g, {1, 0}, {1, 2}), zeroPred = c(g, {0, 1}, {1, 2});
  // Logits: −Σ y·log softmax(z), hand-computed 0.26513 (one-hot) and 1.36513 (soft labels).
  Tensor z = c(g, {1, 2, 0.5, -1, 0, 3}, {2, 3});
  Tensor soft = c(g, {0.2, 0.8, 0, 0.5, 0, 0.5}, {2, 3});
  auto v = evalAll(g, {cce(docTrue, docPred), cce(renTrue, renPred), cce(zeroTrue, zeroPred),
                       ccel(docTrue, z), ccel(soft, z), cce(docTrue, softmax(z))});
  CHECK(scalarOf(v[0]) == Approx(1.176939193690798).epsilon(1e-5));
  CHECK(scalarOf(v[1]) == Approx(0.9808292530117264).epsilon(1e-5));
  CHECK(scalarOf(v[2]) == Approx(-std::log(1e-7)).epsilon(1e-4));
  CHECK(scalarOf(v[3]) == Approx(0.2651263439326872).epsilon(1e-5));
  CHECK(scalarOf(v[4]) == Approx(1.3651263439326873).epsilon(1e-5));
  CHECK(scalarOf(v[5]) == Approx(scalarOf(v[3])).epsilon(1e-5));
}

TEST_CASE("sparse categorical cross-entropy: int32/int64/[b,1]/float ids", "[nn][losses]") {
  Graph g;
  auto scce = losses::sparseCategoricalCrossentropy();
  auto scceL = losses::sparseCategoricalCrossentropy(true);
  CHECK(scce.name == "sparse_categorical_crossentropy");
  Tensor probs = c(g, {0.05, 0.95, 0, 0.1, 0.8, 0.1}, {2, 3});
  Tensor z = c(g, {1, 2, 0.5, -1, 0, 3}, {2, 3});
  Tensor ids32 = constant(g, std::vector<int32_t>{1, 2}, {2});
  Tensor ids64 = cast(ids32, DType::I64);
  Tensor idsCol = constant(g, std::vector<int32_t>{1, 2}, {2, 1});
  Tensor idsF = c(g, {1, 2}, {2});
  auto v = evalAll(g, {scce(ids32, probs), scce(ids64, probs), scce(idsCol, probs),
                       scce(idsF, probs), scceL(ids32, z), scceL(ids64, z)});
  for (int i = 0; i < 4; ++i)
    CHECK(scalarOf(v[i]) == Approx(1.176939193690798).epsilon(1e-5));
  CHECK(scalarOf(v[4]) == Approx(0.2651263439326872).epsilon(1e-5));
  CHECK(scalarOf(v[5]) == Approx(0.2651263439326872).epsilon(1e-5));
}

TEST_CASE("loss gradients: the chapter-7 closed forms", "[nn][losses]") {
  // MSE' = 2(p − y)/N; BCE-with-logits' = (σ(x) − z)/N; softmax-CE' = (softmax(z) − y)/b.
  Graph g;
  Tensor p = g.input("p", {2, 2});
  Tensor y = g.input("y", {2, 2});
  Tensor gMse = gradients(losses::meanSquaredError()(y, p), std::vector<Tensor>{p})[0];
  Tensor gBce = gradients(losses::binaryCrossentropy(true)(y, p), std::vector<Tensor>{p})[0];
  Tensor gCce = gradients(losses::categoricalCrossentropy(true)(y, p), std::vector<Tensor>{p})[0];
  Tensor ids = g.input("ids", {2}, DType::I32);
  Tensor gScce =
      gradients(losses::sparseCategoricalCrossentropy(true)(ids, p), std::vector<Tensor>{p})[0];
  Program prog = g.compile({{"grads", {p, y, ids}, {gMse, gBce, gCce, gScce}}});
  std::vector<float> pv{0.5f, -1.0f, 2.0f, 0.25f}, yv{1, 0, 0, 1};
  auto out = prog.run("grads", {hostF32({2, 2}, pv), hostF32({2, 2}, yv),
                                hostOf<int32_t>(DType::I32, {2}, {0, 1})});
  for (int i = 0; i < 4; ++i) {
    CHECK(out[0].as<float>()[i] == Approx(2 * (pv[i] - yv[i]) / 4));
    CHECK(out[1].as<float>()[i] == Approx((1 / (1 + std::exp(-pv[i])) - yv[i]) / 4));
  }
  for (int r = 0; r < 2; ++r) {
    double e0 = std::exp(pv[2 * r]), e1 = std::exp(pv[2 * r + 1]);
    for (int j = 0; j < 2; ++j) {
      double s = (j == 0 ? e0 : e1) / (e0 + e1);
      CHECK(out[2].as<float>()[2 * r + j] == Approx((s - yv[2 * r + j]) / 2));
      CHECK(out[3].as<float>()[2 * r + j] == Approx((s - yv[2 * r + j]) / 2));
    }
  }
}

TEST_CASE("Huber: quadratic within delta, linear beyond, gradient clipped to ±delta",
          "[nn][losses]") {
  Graph g;
  // Keras' documentation example: 0.155.
  Tensor docTrue = c(g, {0, 1, 0, 0}, {2, 2}), docPred = c(g, {0.6f, 0.4f, 0.4f, 0.6f}, {2, 2});
  Tensor yTrue = c(g, {0, 0, 0, 0}, {4}), yPred = g.input("p", {4});
  auto h1 = losses::huber(), h2 = losses::huber(2.0);
  CHECK(h1.name == "huber_loss");
  Tensor l1 = h1(yTrue, yPred), l2 = h2(yTrue, yPred);
  Tensor grad = gradients(l1, {yPred})[0];
  Program p = g.compile({{"f", {yPred}, {h1(docTrue, docPred), l1, l2, grad}}});
  HostTensor pred(DType::F32, {4});
  std::vector<float> errors = {0.5f, -3, 1, 2.5f};
  std::copy(errors.begin(), errors.end(), pred.as<float>().begin());
  auto r = p.run("f", {pred});
  CHECK(r[0].as<float>()[0] == Approx(0.155));
  // delta 1: 0.125, 2.5, 0.5, 2 → mean 1.28125; delta 2: 0.125, 4, 0.5, 3 → 1.90625.
  CHECK(r[1].as<float>()[0] == Approx(1.28125));
  CHECK(r[2].as<float>()[0] == Approx(1.90625));
  // d/dp: clip(e, −1, 1)/4.
  CHECK(std::vector<float>(r[3].as<float>().begin(), r[3].as<float>().end()) ==
        std::vector<float>{0.125f, -0.25f, 0.25f, 0.25f});
  CHECK_THROWS_WITH(losses::huber(0), Contains("delta must be positive"));
  CHECK(nn::lossByName("huber").name == "huber_loss");
}

// Metrics: update / result / reset over several batches, float32 and
// integer labels, and shape errors.
#include "NnTestUtil.h"

#include "sinter/nn/Metrics.h"

using namespace sinter;
using namespace nntest;
using Catch::Matchers::Contains;

TEST_CASE("Mean: values and batches of predictions", "[nn][metrics]") {
  metrics::Mean loss("loss");
  CHECK(loss.name() == "loss");
  CHECK(loss.result() == 0); // nothing yet
  loss.updateValue(2.0);
  loss.updateValue(4.0);
  CHECK(loss.result() == 3.0);
  loss.updateValue(10.0, 2); // weighted: (2 + 4 + 20) / 4
  CHECK(loss.result() == 6.5);
  loss.reset();
  CHECK(loss.result() == 0);
  // update() averages the elements of yPred: (1 + 2 + 3 + 6) / 4, then with [10] (4 + 1 items).
  metrics::Mean m;
  CHECK(m.name() == "mean");
  m.update(HostTensor(), hostF32({2, 2}, {1, 2, 3, 6}));
  CHECK(m.result() == 3.0);
  m.update(HostTensor(), hostOf<int32_t>(DType::I32, {1}, {8}));
  CHECK(m.result() == Approx(20.0 / 5));
}

TEST_CASE("Accuracy: exact equality, float and integer", "[nn][metrics]") {
  metrics::Accuracy acc;
  CHECK(acc.name() == "accuracy");
  // The book's 8.6 use: labels vs argmax predictions as int32.
  acc.update(hostOf<int32_t>(DType::I32, {4}, {1, 2, 3, 4}),
             hostOf<int32_t>(DType::I32, {4}, {0, 2, 3, 4}));
  CHECK(acc.result() == 0.75);
  acc.update(hostOf<int64_t>(DType::I64, {4}, {1, 1, 1, 1}), hostF32({4}, {1, 0, 1, 0.5}));
  CHECK(acc.result() == Approx(5.0 / 8));
  // [b] vs [b, 1] compares element by element.
  acc.reset();
  acc.update(hostF32({2}, {1, 2}), hostF32({2, 1}, {1, 2}));
  CHECK(acc.result() == 1.0);
  std::string msg = errorOf([&] { acc.update(hostF32({3}, {1, 2, 3}), hostF32({2}, {1, 2})); });
  CHECK_THAT(msg, Contains("(3,)"));
  CHECK_THAT(msg, Contains("(2,)"));
}

TEST_CASE("CategoricalAccuracy: argmax of one-hot labels and predictions", "[nn][metrics]") {
  metrics::CategoricalAccuracy acc;
  CHECK(acc.name() == "categorical_accuracy");
  // Keras' documentation: [[0,0,1],[0,1,0]] vs [[0.1,0.9,0.8],[0.05,0.95,0]] → 0.5.
  acc.update(hostF32({2, 3}, {0, 0, 1, 0, 1, 0}), hostF32({2, 3}, {0.1, 0.9, 0.8, 0.05, 0.95, 0}));
  CHECK(acc.result() == 0.5);
  acc.update(hostF32({2, 3}, {1, 0, 0, 0, 0, 1}), hostF32({2, 3}, {3, 1, 2, -1, -2, 5}));
  CHECK(acc.result() == 0.75);
  acc.reset();
  CHECK(acc.result() == 0);
  CHECK_THROWS_AS(acc.update(hostF32({2, 2}, {1, 0, 0, 1}), hostF32({2, 3}, {1, 0, 0, 1, 0, 0})),
                  sinter::Error);
}

TEST_CASE("SparseCategoricalAccuracy: class ids vs argmax", "[nn][metrics]") {
  metrics::SparseCategoricalAccuracy acc;
  CHECK(acc.name() == "sparse_categorical_accuracy");
  // Keras' documentation: [2, 1] vs [[0.1,0.6,0.3],[0.05,0.95,0]] → 0.5.
  HostTensor probs = hostF32({2, 3}, {0.1, 0.6, 0.3, 0.05, 0.95, 0});
  acc.update(hostOf<int32_t>(DType::I32, {2}, {2, 1}), probs);
  CHECK(acc.result() == 0.5);
  acc.update(hostOf<int64_t>(DType::I64, {2, 1}, {1, 1}), probs); // [b, 1] ids, int64
  CHECK(acc.result() == 0.75);
  acc.update(hostF32({2}, {0, 1}), probs); // float ids
  CHECK(acc.result() == Approx(4.0 / 6));
  std::string msg =
      errorOf([&] { acc.update(hostOf<int32_t>(DType::I32, {3}, {0, 1, 2}), probs); });
  CHECK_THAT(msg, Contains("(3,)"));
  CHECK_THAT(msg, Contains("(2, 3)"));
}

TEST_CASE("BinaryAccuracy: label == (prediction > threshold)", "[nn][metrics]") {
  metrics::BinaryAccuracy acc;
  CHECK(acc.name() == "binary_accuracy");
  // Keras' documentation: [[1],[1],[0],[0]] vs [[0.98],[1],[0],[0.6]] → 0.75.
  acc.update(hostF32({4, 1}, {1, 1, 0, 0}), hostF32({4, 1}, {0.98, 1, 0, 0.6}));
  CHECK(acc.result() == 0.75);
  metrics::BinaryAccuracy strict(0.7);
  strict.update(hostOf<int32_t>(DType::I32, {4}, {1, 1, 0, 0}),
                hostF32({4, 1}, {0.98, 0.65, 0, 0.6}));
  CHECK(strict.result() == 0.75);
  // 0.5 is not > 0.5.
  metrics::BinaryAccuracy half;
  half.update(hostF32({1}, {1}), hostF32({1}, {0.5}));
  CHECK(half.result() == 0);
}

TEST_CASE("MSE and MAE metrics: per-sample means averaged over samples", "[nn][metrics]") {
  metrics::MeanSquaredError mse;
  metrics::MeanAbsoluteError mae;
  CHECK(mse.name() == "mse");
  CHECK(mae.name() == "mae");
  // Keras' documentation: [[0,1],[0,0]] vs [[1,1],[0,0]] → 0.25 (both).
  mse.update(hostF32({2, 2}, {0, 1, 0, 0}), hostF32({2, 2}, {1, 1, 0, 0}));
  mae.update(hostF32({2, 2}, {0, 1, 0, 0}), hostF32({2, 2}, {1, 1, 0, 0}));
  CHECK(mse.result() == 0.25);
  CHECK(mae.result() == 0.25);
  // A second batch of one sample: per-sample squared errors 0.5, 0 and (9 + 1)/2 = 5 →
  // 5.5 / 3; absolute errors 0.5, 0 and (3 + 1)/2 = 2 → 2.5 / 3.
  mse.update(hostF32({1, 2}, {3, 0}), hostF32({1, 2}, {0, 1}));
  mae.update(hostF32({1, 2}, {3, 0}), hostF32({1, 2}, {0, 1}));
  CHECK(mse.result() == Approx(5.5 / 3));
  CHECK(mae.result() == Approx(2.5 / 3));
  // Regression [b] labels vs [b, 1] outputs (Auto MPG), compared element by element.
  metrics::MeanAbsoluteError reg;
  reg.update(hostF32({3}, {10, 20, 30}), hostF32({3, 1}, {12, 19, 30}));
  CHECK(reg.result() == Approx(1.0));
  mse.reset();
  CHECK(mse.result() == 0);
  CHECK_THROWS_AS(mse.update(hostF32({3}, {1, 2, 3}), hostF32({3, 2}, {1, 2, 3, 4, 5, 6})),
                  sinter::Error);
}

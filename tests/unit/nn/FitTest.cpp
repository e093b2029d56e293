// compile / fit / evaluate / predict: a tiny separable problem, History, validation split and
// frequency, EarlyStopping with restored weights, callback order, the progress output, Dropout
// in fit, entry points per batch size.
#include "NnTestUtil.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <unistd.h>

using namespace sinter;
using namespace sinter::nn;
using nntest::binaryModel;
using nntest::separable;

namespace {

/// Three classes by the angle of the point, labels as int32 class ids.
std::pair<HostTensor, HostTensor> threeClasses(int64_t n, uint64_t seed) {
  HostTensor x = nntest::randomPoints(n, seed), y(DType::I32, {n});
  auto p = x.as<float>();
  for (int64_t i = 0; i < n; ++i) {
    double angle = std::atan2(p[2 * i + 1], p[2 * i]) + M_PI; // [0, 2π)
    y.as<int32_t>()[i] = static_cast<int32_t>(angle / (2 * M_PI / 3)) % 3;
  }
  return {x, y};
}

} // namespace

TEST_CASE("fit learns a separable problem; History, evaluate, predict", "[fit]") {
  auto [x, y] = separable(200, 1);
  auto model = binaryModel();
  CHECK_THROWS_WITH(Sequential({Dense(1)}).fit(x, y), Catch::Contains("compile"));
  // 200 = 6·32 + 8: one train entry serves the batches of 32 and the last of 8.
  History h = model->fit(x, y, {.batchSize = 32, .epochs = 15, .verbose = 0, .seed = 7});
  CHECK(h.epoch.size() == 15);
  REQUIRE(h.contains("loss"));
  REQUIRE(h.contains("accuracy"));
  CHECK_FALSE(h.contains("val_loss"));
  CHECK(h["loss"].size() == 15);
  CHECK(h["loss"].back() < h["loss"].front());
  CHECK(h["accuracy"].back() > 0.95);
  CHECK_THROWS_WITH(h["val_loss"], Catch::Contains("accuracy, loss"));
  // fit compiles evaluate's and predict's entries with its own, in one program.
  auto names = model->entryNames();
  CHECK(names == std::vector<std::string>{"predict", "test_step", "train_step"});
  CHECK(model->compilations() == 1);
  CHECK(model->program().variable("adam/step").as<float>()[0] == 15 * 7);

  auto [tx, ty] = separable(100, 2);
  Logs logs = model->evaluate(tx, ty, {.batchSize = 64});
  CHECK(logs.at("accuracy") > 0.9);
  CHECK(logs.at("loss") < 0.4);
  HostTensor p = model->predict(tx, 64);
  REQUIRE(p.shape() == Shape{100, 1});
  int correct = 0;
  for (int i = 0; i < 100; ++i)
    correct += (p.as<float>()[i] > 0.5f) == (ty.as<float>()[i] > 0.5f);
  CHECK(correct / 100.0 == Approx(logs.at("accuracy")));
  // evaluate and predict compile nothing, whatever the batch size.
  CHECK(model->compilations() == 1);
  CHECK(model->evaluate(tx, ty, {.batchSize = 64}).at("loss") == Approx(logs.at("loss")));
  CHECK(model->evaluate(tx, ty, {.batchSize = 7}).at("loss") == Approx(logs.at("loss")));
  CHECK(model->predict(tx, 100).shape() == Shape{100, 1});
  CHECK(model->compilations() == 1);
  CHECK_THROWS_WITH(model->predict(HostTensor(DType::F32, {3, 5})), Catch::Contains("(None, 2)"));
}

TEST_CASE("sparse labels with softmax: accuracy resolves to sparse categorical", "[fit]") {
  auto [x, y] = threeClasses(300, 3);
  Sequential model({Dense(32, "relu"), Dense(3, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  History h = model.fit(x, y, {.batchSize = 50, .epochs = 40, .verbose = 0});
  CHECK(h["accuracy"].back() > 0.85);
  CHECK(model.lossName() == "sparse_categorical_crossentropy");
}

TEST_CASE("validation split and frequency; dropRemainder", "[fit]") {
  auto [x, y] = separable(100, 4);
  auto model = binaryModel();
  History h = model->fit(x, y,
                         {.batchSize = 16,
                          .epochs = 4,
                          .verbose = 0,
                          .validationSplit = 0.2,
                          .validationFreq = 2,
                          .dropRemainder = true});
  CHECK(h["loss"].size() == 4);
  CHECK(h["val_loss"].size() == 2); // epochs 2 and 4
  CHECK(h["val_accuracy"].size() == 2);
  auto names = model->entryNames();
  // 80 training rows = 5·16 (no remainder); 20 validation rows = 16 + 4: the entries are
  // compiled at once, once.
  CHECK(names == std::vector<std::string>{"predict", "test_step", "train_step"});
  CHECK(model->compilations() == 1);
  // The split is the last 20% of the rows.
  HostTensor vx(DType::F32, {20, 2}), vy(DType::F32, {20, 1});
  std::copy_n(x.as<float>().data() + 160, 40, vx.as<float>().data());
  std::copy_n(y.as<float>().data() + 80, 20, vy.as<float>().data());
  Logs val = model->evaluate(vx, vy, {.batchSize = 16});
  CHECK(val.at("loss") == Approx(h["val_loss"].back()).epsilon(1e-5));
}

TEST_CASE("EarlyStopping stops and restores the best weights", "[fit][callbacks]") {
  // Validation labels are the opposite of the training labels: val_loss gets worse as the
  // model learns, so the best epoch is the first.
  auto [x, y] = separable(128, 5);
  auto [vx, vy] = separable(64, 6, /*flip=*/true);
  auto model = binaryModel();
  std::vector<std::map<std::string, HostTensor>> weights;
  auto record = std::make_shared<LambdaCallback>();
  record->epochEnd = [&](int, const Logs &) { weights.push_back(model->getWeights()); };
  auto stop = std::make_shared<EarlyStopping>("val_loss", 0.0, 2, /*restoreBestWeights=*/true);
  History h = model->fit(x, y,
                         {.batchSize = 32,
                          .epochs = 20,
                          .verbose = 0,
                          .callbacks = {record, stop},
                          .validationData = std::make_pair(vx, vy)});
  CHECK(stop->stoppedEpoch() >= 2);
  CHECK(stop->stoppedEpoch() < 19);
  CHECK(h.epoch.size() == static_cast<size_t>(stop->stoppedEpoch() + 1));
  int best = stop->bestEpoch();
  CHECK(stop->stoppedEpoch() == best + 2);
  CHECK(stop->best() == Approx(h["val_loss"][best]));
  auto now = model->getWeights();
  REQUIRE(now.size() == 4);
  for (const auto &[name, value] : now) {
    auto a = value.as<float>();
    auto b = weights[best].at(name).as<float>();
    REQUIRE(std::equal(a.begin(), a.end(), b.begin()));
  }
  CHECK(model->evaluate(vx, vy).at("loss") == Approx(h["val_loss"][best]).epsilon(1e-5));
}

TEST_CASE("EarlyStopping on a maximised metric with minDelta", "[callbacks]") {
  auto [x, y] = separable(64, 8);
  auto model = binaryModel();
  // No accuracy gain of 0.5 or more can happen after the first epoch.
  auto stop = std::make_shared<EarlyStopping>("accuracy", 0.5, 3);
  History h = model->fit(x, y, {.batchSize = 32, .epochs = 30, .verbose = 0, .callbacks = {stop}});
  CHECK(h.epoch.size() == 4);
  CHECK(stop->bestEpoch() == 0);
}

TEST_CASE("callbacks are called in Keras' order", "[callbacks]") {
  auto [x, y] = separable(40, 9);
  auto model = binaryModel();
  std::vector<std::string> events;
  auto cb = std::make_shared<LambdaCallback>();
  cb->trainBegin = [&](const Logs &) { events.push_back("train_begin"); };
  cb->trainEnd = [&](const Logs &) { events.push_back("train_end"); };
  cb->epochBegin = [&](int e, const Logs &) {
    events.push_back("epoch_begin " + std::to_string(e));
  };
  cb->epochEnd = [&](int e, const Logs &l) {
    events.push_back("epoch_end " + std::to_string(e) + (l.count("val_loss") ? " val" : ""));
  };
  cb->batchBegin = [&](int b, const Logs &) {
    events.push_back("batch_begin " + std::to_string(b));
  };
  cb->batchEnd = [&](int b, const Logs &l) {
    events.push_back("batch_end " + std::to_string(b) + (l.count("loss") ? " loss" : ""));
  };
  model->fit(
      x, y,
      {.batchSize = 16, .epochs = 2, .verbose = 0, .callbacks = {cb}, .validationSplit = 0.5});
  std::vector<std::string> expected{"train_begin",      "epoch_begin 0", "batch_begin 0",
                                    "batch_end 0 loss", "batch_begin 1", "batch_end 1 loss",
                                    "epoch_end 0 val",  "epoch_begin 1", "batch_begin 0",
                                    "batch_end 0 loss", "batch_begin 1", "batch_end 1 loss",
                                    "epoch_end 1 val",  "train_end"};
  CHECK(events == expected);
}

TEST_CASE("progress output: one line per epoch off a terminal, redrawn bar on one", "[progress]") {
  auto [x, y] = separable(200, 10);
  auto model = binaryModel();
  std::ostringstream out;
  model->fit(
      x, y,
      {.batchSize = 32, .epochs = 2, .verbose = 1, .validationSplit = 0.2, .out = &out, .tty = 0});
  std::string s = out.str();
  INFO(s);
  std::regex line(
      R"(Epoch 1/2\n5/5 \[==============================\] - \d+s \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\nEpoch 2/2\n5/5 \[=+\] .*\n)");
  CHECK(std::regex_match(s, line));
  CHECK(s.find('\r') == std::string::npos);

  std::ostringstream two;
  model->fit(x, y, {.batchSize = 32, .epochs = 1, .verbose = 2, .out = &two, .tty = 0});
  CHECK(std::regex_match(
      two.str(), std::regex(R"(Epoch 1/1\n7/7 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n)")));

  std::ostringstream silent;
  model->fit(x, y, {.batchSize = 32, .epochs = 1, .verbose = 0, .out = &silent});
  CHECK(silent.str().empty());

  // On a terminal the bar is redrawn in place; steps are shown with their ETA.
  std::ostringstream tty;
  ProgressBar bar(10, 1, &tty, 1);
  bar.update(3, {{"loss", 0.41}, {"accuracy", 0.88}});
  CHECK(tty.str() ==
        "\r 3/10 [========>.....................] - ETA: 0s - loss: 0.4100 - accuracy: 0.8800");
  bar.update(10, {{"loss", 0.0001}}, true);
  CHECK_THAT(tty.str(), Catch::Contains("\r10/10 [==============================] - 0s"));
  CHECK_THAT(tty.str(), Catch::Contains("- loss: 1.0000e-04 "));
  CHECK_THAT(tty.str(), Catch::EndsWith("\n"));
}

TEST_CASE("Dropout and L2 in fit: rng_step counts steps, regularization is in the loss", "[fit]") {
  auto [x, y] = separable(96, 11);
  Sequential model({Dense(16, "relu", true, initializers::glorotUniform(), initializers::zeros(),
                          regularizers::l2(0.01)),
                    Dropout(0.5), Dense(1, "sigmoid")});
  model.compile(optim::Adam(0.02), losses::binaryCrossentropy(), {"accuracy"});
  History h = model.fit(x, y, {.batchSize = 32, .epochs = 10, .verbose = 0});
  CHECK(model.program().variable("rng_step").as<int64_t>()[0] == 30);
  CHECK(h["accuracy"].back() > 0.8);
  // Inference is deterministic (dropout is the identity there).
  HostTensor a = model.predict(x), b = model.predict(x);
  auto pa = a.as<float>(), pb = b.as<float>();
  CHECK(std::equal(pa.begin(), pa.end(), pb.begin()));
  // evaluate's loss is the cross-entropy of the predictions (computed here, Keras' formula)
  // plus the L2 penalty, which the difference must be.
  double penalty = 0;
  auto weights = model.getWeights();
  for (float v : weights.at(model.layers()[0]->name() + "/kernel").as<float>())
    penalty += 0.01 * double(v) * v;
  CHECK(penalty > 1e-3);
  double bce = 0;
  for (int64_t i = 0; i < 96; ++i) {
    double p = std::clamp(double(pa[i]), 1e-7, 1 - 1e-7), z = y.as<float>()[i];
    bce -= z * std::log(p + 1e-7) + (1 - z) * std::log(1 - p + 1e-7);
  }
  bce /= 96;
  double total = model.evaluate(x, y).at("loss");
  CHECK(total - bce == Approx(penalty).epsilon(1e-3).margin(2e-5));
}

TEST_CASE("setWeights / getWeights, ModelCheckpoint and save", "[fit][callbacks]") {
  auto [x, y] = separable(64, 12);
  auto model = binaryModel();
  model->build({-1, 2});
  auto w0 = model->getWeights(); // before any program: the initial values
  REQUIRE(w0.size() == 4);
  std::string dir = "/tmp/sinter_fit_test_" + std::to_string(::getpid());
  std::string pattern = dir + "_ckpt_{epoch:02d}.sinter";
  auto ckpt = std::make_shared<ModelCheckpoint>(pattern, "loss", /*saveBestOnly=*/true);
  model->fit(x, y, {.batchSize = 32, .epochs = 3, .verbose = 0, .callbacks = {ckpt}});
  REQUIRE_FALSE(ckpt->saved().empty());
  CHECK(ckpt->saved().front() == dir + "_ckpt_01.sinter");
  for (const std::string &p : ckpt->saved()) {
    CHECK(std::ifstream(p).good());
    std::remove(p.c_str());
  }
  // Setting the initial weights back gives the initial predictions.
  HostTensor trained = model->predict(x);
  model->setWeights(w0);
  HostTensor initial = model->predict(x);
  CHECK(initial.as<float>()[0] != trained.as<float>()[0]);
  CHECK_THROWS_WITH(model->setWeights({{"nope", HostTensor(DType::F32, {1})}}),
                    Catch::Contains("not a weight"));
  // The saved model loads back and predicts the same.
  std::string path = dir + "_model.sinter";
  model->save(path);
  sinter::SavedModel loaded = loadModel(path);
  Program p = loaded.compile();
  HostTensor xb(DType::F32, {32, 2});
  std::copy_n(x.as<float>().data(), 64, xb.as<float>().data());
  auto out = p.run("predict", {xb})[0];
  for (int i = 0; i < 32; ++i)
    CHECK(out.as<float>()[i] == Approx(initial.as<float>()[i]));
  std::remove(path.c_str());
}

TEST_CASE("weights only: saveWeights / loadWeights round trip", "[fit]") {
  auto [x, y] = separable(64, 13);
  auto model = binaryModel();
  model->fit(x, y, {.batchSize = 32, .epochs = 2, .verbose = 0});
  std::string path = "/tmp/sinter_fit_weights_" + std::to_string(::getpid()) + ".ckpt";
  model->saveWeights(path);
  HostTensor before = model->predict(x);
  model->fit(x, y, {.batchSize = 32, .epochs = 2, .verbose = 0});
  model->loadWeights(path);
  HostTensor after = model->predict(x);
  auto a = before.as<float>(), b = after.as<float>();
  CHECK(std::equal(a.begin(), a.end(), b.begin()));
  std::remove(path.c_str());
}

TEST_CASE("fit and evaluate on a data::Dataset of batches", "[fit][dataset]") {
  auto [x, y] = separable(200, 14);
  auto [vx, vy] = separable(50, 15);
  auto model = binaryModel();
  auto train = data::Dataset::fromTensors({x, y}).shuffle(200, 1).batch(32);
  auto val = data::Dataset::fromTensors({vx, vy}).batch(32);
  std::ostringstream out;
  History h = model->fit(
      train, {.epochs = 12, .verbose = 1, .validationDataset = val, .out = &out, .tty = 0});
  CHECK(h["accuracy"].back() > 0.95);
  CHECK(h["val_accuracy"].size() == 12);
  auto names = model->entryNames();
  // Batches of 32 and the last of 8 (train), 32 and 18 (validation): one compile.
  CHECK(names == std::vector<std::string>{"predict", "test_step", "train_step"});
  CHECK(model->compilations() == 1);
  CHECK_THAT(out.str(), Catch::Contains("7/7 [=============================="));
  Logs logs = model->evaluate(val);
  CHECK(logs.at("loss") == Approx(h["val_loss"].back()).epsilon(1e-5));
  CHECK(model->evaluate(vx, vy, {.batchSize = 32}).at("accuracy") == Approx(logs.at("accuracy")));
}

TEST_CASE("Model::load continues training where save left off", "[fit][load]") {
  auto [x, y] = threeClasses(96, 21);
  auto make = [] {
    auto m = std::make_shared<Sequential>(std::initializer_list<Sequential::LayerRef>{
        Dense(16, "relu"), Dropout(0.2), Dense(3, "softmax")});
    m->compile(optim::Adam(0.01), losses::sparseCategoricalCrossentropy(),
               {"accuracy", MetricSpec(std::make_shared<metrics::Mean>("mean_output"))});
    return m;
  };
  FitOptions options{.batchSize = 32, .epochs = 2, .verbose = 0, .shuffle = false};
  auto model = make();
  model->fit(x, y, options);
  std::string path = "/tmp/sinter_fit_load_" + std::to_string(::getpid()) + ".sinter";
  model->save(path);

  // A metric of the user's own class must be passed again, as Keras' custom_objects.
  CHECK_THROWS_WITH(Model::load(path),
                    Catch::Contains("metric 'mean_output'") && Catch::Contains("customMetrics"));
  auto loaded = Model::load(path, {std::make_shared<metrics::Mean>("mean_output")});
  CHECK(loaded->name() == model->name());
  CHECK(loaded->summaryString() == model->summaryString());
  CHECK(loaded->lossName() == "sparse_categorical_crossentropy");
  CHECK(loaded->compilations() == 1);
  CHECK(loaded->entryNames() == model->entryNames());
  auto w0 = model->getWeights(), w1 = loaded->getWeights();
  REQUIRE(w1.size() == 4);
  for (const auto &[n, value] : w0) {
    REQUIRE(w1.count(n));
    auto a = value.as<float>();
    auto b = w1.at(n).as<float>();
    CHECK(std::equal(a.begin(), a.end(), b.begin()));
  }

  // One more epoch on each: the same losses and weights, so the optimizer's slots and step
  // counter and the dropout's random step came back too (fresh Adam moments would move every
  // weight by about the learning rate on the first step).
  options.epochs = 1;
  History h0 = model->fit(x, y, options), h1 = loaded->fit(x, y, options);
  CHECK(h1["loss"][0] == Approx(h0["loss"][0]).epsilon(1e-5));
  CHECK(h1["accuracy"][0] == Approx(h0["accuracy"][0]));
  CHECK(h1["mean_output"][0] == Approx(h0["mean_output"][0]).epsilon(1e-5));
  w0 = model->getWeights(), w1 = loaded->getWeights();
  for (const auto &[n, value] : w0) {
    auto a = value.as<float>();
    auto b = w1.at(n).as<float>();
    for (size_t i = 0; i < a.size(); ++i)
      CHECK(b[i] == Approx(a[i]).margin(1e-6));
  }
  CHECK(loaded->evaluate(x, y).at("accuracy") == Approx(model->evaluate(x, y).at("accuracy")));
  CHECK(loaded->compilations() == 1);

  // Saved again, it loads again.
  loaded->save(path);
  auto again = Model::load(path, {std::make_shared<metrics::Mean>("mean_output")});
  auto p1 = loaded->predict(x), p2 = again->predict(x);
  CHECK(std::equal(p1.as<float>().begin(), p1.as<float>().end(), p2.as<float>().begin()));
  // Weights set on it, or loaded from a checkpoint, are what it predicts with.
  auto closeTo = [&](const HostTensor &got, const HostTensor &want) {
    CHECK(std::abs(got.as<float>()[0] - p1.as<float>()[0]) > 1e-6); // they changed
    for (size_t i = 0; i < want.as<float>().size(); ++i)
      CHECK(got.as<float>()[i] == Approx(want.as<float>()[i]).margin(1e-6));
  };
  model->fit(x, y, options);
  again->setWeights(model->getWeights());
  closeTo(again->predict(x), model->predict(x));
  model->fit(x, y, options);
  std::string ckpt = path + ".ckpt";
  model->saveWeights(ckpt);
  again->loadWeights(ckpt);
  closeTo(again->predict(x), model->predict(x));
  std::remove(ckpt.c_str());

  // What a loaded model cannot do is an Error that says so.
  CHECK_THROWS_WITH(loaded->compile("sgd", "mse"), Catch::Contains("cannot be compiled again"));
  CHECK_THROWS_WITH(loaded->setWeights({{"nope", HostTensor(DType::F32, {1})}}),
                    Catch::Contains("not a weight"));
  CHECK_THROWS_WITH(loaded->fit(HostTensor(DType::F32, {4, 3}), HostTensor(DType::I32, {4})),
                    Catch::Contains("inputs of shape [4, 3]"));
  std::remove(path.c_str());
}

TEST_CASE("Model::load of a file saved before fit, or not by a Model", "[fit][load]") {
  auto [x, y] = separable(32, 22);
  auto model = binaryModel();
  model->build({-1, 2});
  std::string path = "/tmp/sinter_fit_load_early_" + std::to_string(::getpid()) + ".sinter";
  model->save(path); // only predict: the labels' shape is not known before fit
  auto loaded = Model::load(path);
  auto a = model->predict(x), b = loaded->predict(x);
  CHECK(std::equal(a.as<float>().begin(), a.as<float>().end(), b.as<float>().begin()));
  CHECK_THROWS_WITH(loaded->fit(x, y), Catch::Contains("no 'train_step' entry") &&
                                           Catch::Contains("saved before it was trained"));

  // Nor does a model saved before compile() train.
  auto plain = std::make_shared<Sequential>(
      std::initializer_list<Sequential::LayerRef>{Dense(1, "sigmoid")});
  plain->build({-1, 2});
  plain->save(path);
  CHECK_THROWS_WITH(Model::load(path)->fit(x, y), Catch::Contains("saved before compile()"));

  // A graph saved by Program::save has no model to give back.
  Graph g;
  Tensor in = g.input("x", {-1, 2});
  Program p = g.compile({Entry{"predict", {in}, {in * 2.0f}, {}, {"predictions"}}});
  p.save(path);
  CHECK_THROWS_WITH(Model::load(path),
                    Catch::Contains(path) && Catch::Contains("not saved by nn::Model::save"));
  std::remove(path.c_str());
  CHECK_THROWS_WITH(Model::load(path), Catch::Contains(path));
}

// Model files (.sinter): save → load → compile reproduces the outputs bit for bit; bad files
// (corrupt, truncated, empty, missing) are rejected with an Error naming the file; saves are
// atomic.
#include "../../common/TempFiles.h"
#include "../../common/TestUtil.h"
#include "sinter/model.pb.h"
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>

using namespace sinter;
namespace fs = std::filesystem;

namespace {

using sinter::testing::errorOf;
using sinter::testing::randomTensor;
using sinter::testing::readFile;
using sinter::testing::TempDir;
using sinter::testing::writeFile;

constexpr int64_t kBatch = 8, kIn = 6, kHidden = 16, kOut = 3;

/// A small MLP with a train_step (SGD on softmax cross-entropy) and a predict entry, trained
/// for a few steps: compiled once and shared by the tests of this file.
struct TrainedMlp {
  Graph g;
  std::optional<Program> program;
  HostTensor xEval = randomTensor({kBatch, kIn}, 7);

  TrainedMlp() {
    Tensor x = g.input("x", {kBatch, kIn});
    Tensor y = g.input("y", {kBatch, kOut});
    Tensor xp = g.input("x_predict", {kBatch, kIn});
    testing::TwoLayerMlp forward(g, kIn, kHidden, kOut, /*seed=*/1);
    Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, forward(x)));
    auto updates = optim::SGD(0.1).minimize(loss, g.trainableVariables());
    program.emplace(g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}},
                               {"predict", {xp}, {softmax(forward(xp))}, {}, {"probs"}}}));

    HostTensor xb = randomTensor({kBatch, kIn}, 3);
    HostTensor yb(DType::F32, {kBatch, kOut});
    for (int64_t i = 0; i < kBatch; ++i)
      yb.as<float>()[static_cast<size_t>(i * kOut + i % kOut)] = 1.f;
    float first = 0, last = 0;
    for (int step = 0; step < 5; ++step) {
      auto out = program->run("train_step", {xb, yb});
      (step == 0 ? first : last) = out.at(0).as<float>()[0];
    }
    // The steps did train: the variables are no longer their initial values.
    REQUIRE(last < first);
  }

  std::vector<HostTensor> predict(Program &p) const { return p.run("predict", {xEval}); }
};

TrainedMlp &trainedMlp() {
  static TrainedMlp mlp;
  return mlp;
}

/// The error loading `model` after `edit`, written as hostile.sinter in `dir`.
std::string loadError(const TempDir &dir, sinter::proto::Model model,
                      const std::function<void(sinter::proto::Model &)> &edit) {
  edit(model);
  std::string path = dir.file("hostile.sinter");
  writeFile(path, model.SerializeAsString());
  return errorOf([&] { loadModel(path); });
}

/// Saves a program whose graph holds a scan (h = tanh(x_t + h) over 3 steps) to `path`.
void saveScanModel(const std::string &path) {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  ScanResult r = scan([](const std::vector<Tensor> &h,
                         const std::vector<Tensor> &xt) { return ScanStep{{tanh(xt[0] + h[0])}}; },
                      {zeros(g, {2})}, {x}, 1);
  g.compile({{"f", {x}, {r.carries[0]}}}).save(path);
}

} // namespace

TEST_CASE("save, load, compile: predict gives the same bits", "[model-file]") {
  TrainedMlp &mlp = trainedMlp();
  TempDir dir;
  std::string path = dir.file("mlp.sinter");
  mlp.program->save(path);
  REQUIRE(fs::file_size(path) > 0);

  std::vector<HostTensor> expected = mlp.predict(*mlp.program);

  SavedModel model = loadModel(path);
  REQUIRE(model.graph);
  std::vector<std::string> names;
  for (const Entry &e : model.entries)
    names.push_back(e.name);
  CHECK(std::find(names.begin(), names.end(), "train_step") != names.end());
  CHECK(std::find(names.begin(), names.end(), "predict") != names.end());
  for (const char *v : {"w1", "b1", "w2", "b2"}) {
    INFO("variable " << v);
    REQUIRE(model.values.count(v) == 1);
    const HostTensor &saved = model.values.at(v);
    const HostTensor &live = mlp.program->variable(v);
    REQUIRE(saved.byteSize() == live.byteSize());
    CHECK(std::memcmp(saved.data(), live.data(), live.byteSize()) == 0);
  }

  Program loaded = model.compile();
  // The loaded program starts at the saved (trained) values, not at the initialisers.
  for (const char *v : {"w1", "b1", "w2", "b2"}) {
    INFO("variable " << v);
    const HostTensor &a = loaded.variable(v), &b = mlp.program->variable(v);
    REQUIRE(a.byteSize() == b.byteSize());
    CHECK(std::memcmp(a.data(), b.data(), a.byteSize()) == 0);
  }
  std::vector<HostTensor> actual = mlp.predict(loaded);
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    REQUIRE(actual[i].shape() == expected[i].shape());
    REQUIRE(actual[i].dtype() == expected[i].dtype());
    CHECK(std::memcmp(actual[i].data(), expected[i].data(), expected[i].byteSize()) == 0);
  }
}

TEST_CASE("a graph with scans saves and loads: the same outputs and training steps",
          "[model-file][scan]") {
  // A recurrent step (an outer weight read inside the body), a scan inside the body, values
  // defined after the scans (so the graph's ids and the file's differ) and the gradient.
  Graph g;
  Tensor x = g.input("x", {2, 5, 4});
  Variable w = g.variable("w", random::normal(g, {4, 4}, 0, 0.5, 1));
  ScanResult r = scan(
      [&](const std::vector<Tensor> &c, const std::vector<Tensor> &xt) {
        ScanResult inner =
            scan([&](const std::vector<Tensor> &ic,
                     const std::vector<Tensor> &v) { return ScanStep{{ic[0] + v[0] * v[0]}}; },
                 {zeros(g, {2})}, {xt[0]}, 1);
        Tensor h = tanh(matmul(xt[0] + c[0], w)) + reshape(inner.carries[0], {2, 1});
        return ScanStep{{h}, {h * 2.0}};
      },
      {zeros(g, {2, 4})}, {x}, 1);
  Tensor loss = reduceSum(r.carries[0] * r.carries[0]);
  Tensor outputs = reduceMean(r.outputs[0], {1});
  Program program = g.compile({{"step", {x}, {loss}, {{w, w - gradients(loss, {w})[0] * 0.1}}},
                               {"predict", {x}, {outputs, r.outputs[0]}}});
  TempDir dir;
  std::string path = dir.file("scan.sinter");
  program.save(path);
  Program loaded = loadModel(path).compile();

  HostTensor xs = randomTensor({2, 5, 4}, 11);
  for (int step = 0; step < 2; ++step) {
    INFO("step " << step);
    auto a = program.run("step", {xs}), b = loaded.run("step", {xs});
    CHECK(std::memcmp(a[0].data(), b[0].data(), a[0].byteSize()) == 0);
    const HostTensor &wa = program.variable("w"), &wb = loaded.variable("w");
    CHECK(std::memcmp(wa.data(), wb.data(), wa.byteSize()) == 0);
  }
  auto a = program.run("predict", {xs}), b = loaded.run("predict", {xs});
  REQUIRE(b.size() == 2);
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("predict result " << i);
    REQUIRE(b[i].shape() == a[i].shape());
    CHECK(std::memcmp(a[i].data(), b[i].data(), a[i].byteSize()) == 0);
  }
}

TEST_CASE("bad model files are rejected with an error naming the file", "[model-file]") {
  TempDir dir;

  SECTION("missing") {
    std::string path = dir.file("does-not-exist.sinter");
    std::string msg = errorOf([&] { loadModel(path); });
    CHECK_THAT(msg, Catch::Contains(path));
  }
  SECTION("empty") {
    std::string path = dir.file("empty.sinter");
    writeFile(path, "");
    std::string msg = errorOf([&] { loadModel(path); });
    CHECK_THAT(msg, Catch::Contains(path));
  }
  SECTION("random bytes") {
    std::string path = dir.file("corrupt.sinter");
    std::mt19937 rng(1234);
    std::string bytes(4096, '\0');
    for (char &c : bytes)
      c = static_cast<char>(rng() & 0xff);
    writeFile(path, bytes);
    std::string msg = errorOf([&] { loadModel(path); });
    CHECK_THAT(msg, Catch::Contains(path));
  }
  SECTION("truncated: the first half of a real model") {
    std::string good = dir.file("good.sinter");
    trainedMlp().program->save(good);
    std::string bytes = readFile(good);
    REQUIRE(bytes.size() > 16);
    std::string path = dir.file("truncated.sinter");
    writeFile(path, bytes.substr(0, bytes.size() / 2));
    std::string msg = errorOf([&] { loadModel(path); });
    CHECK_THAT(msg, Catch::Contains(path));
  }
  SECTION("hostile graphs: other dialects, deep nesting, resource constants") {
    std::string good = dir.file("good.sinter");
    trainedMlp().program->save(good);
    sinter::proto::Model model;
    REQUIRE(model.ParseFromString(readFile(good)));
    auto rewritten = [&](const std::function<void(sinter::proto::Model &)> &edit) {
      return loadError(dir, model, edit);
    };
    auto firstOp = [](sinter::proto::Model &m, const std::string &name) {
      for (auto &op : *m.mutable_graph()->mutable_ops())
        if (op.name() == name)
          return &op;
      FAIL("no " << name << " in the model");
      return static_cast<sinter::proto::Operation *>(nullptr);
    };
    // An op of another dialect would be lowered into native code as it is.
    CHECK_THAT(rewritten([&](auto &m) { firstOp(m, "sinter.relu")->set_name("arith.negf"); }),
               Catch::Contains("hostile.sinter") && Catch::Contains("arith.negf") &&
                   Catch::Contains("sinter ops only"));
    CHECK_THAT(rewritten([&](auto &m) {
                 firstOp(m, "sinter.relu")->set_name("builtin.unrealized_conversion_cast");
               }),
               Catch::Contains("sinter ops only"));
    // 100,000 nested brackets overflowed MLIR's parser stack.
    CHECK_THAT(rewritten([&](auto &m) {
                 firstOp(m, "sinter.relu")->set_result_types(0, std::string(100000, '<'));
               }),
               Catch::Contains("nested too deeply"));
    CHECK_THAT(rewritten([&](auto &m) {
                 auto *c = firstOp(m, "sinter.constant");
                 c->mutable_attributes(0)->set_value("dense_resource<blob> : tensor<2xf32>");
               }),
               Catch::Contains("hostile.sinter"));
  }
  SECTION("hostile scan bodies") {
    std::string good = dir.file("scan.sinter");
    saveScanModel(good);
    sinter::proto::Model model;
    REQUIRE(model.ParseFromString(readFile(good)));
    // Edits the first op of the scan's body.
    auto rewritten = [&](const std::function<void(sinter::proto::Operation &)> &edit) {
      return loadError(dir, model, [&](sinter::proto::Model &m) {
        for (auto &op : *m.mutable_graph()->mutable_ops())
          if (op.name() == "sinter.scan") {
            REQUIRE(op.regions_size() == 1);
            REQUIRE(op.regions(0).ops_size() > 1);
            edit(*op.mutable_regions(0)->mutable_ops(0));
          }
      });
    };
    CHECK_THAT(rewritten([](auto &op) { op.set_name("arith.negf"); }),
               Catch::Contains("hostile.sinter") && Catch::Contains("body op #0") &&
                   Catch::Contains("sinter ops only"));
    CHECK_THAT(rewritten([](auto &op) { op.set_operands(0, 99); }),
               Catch::Contains("uses value 99, which is not defined before it in the body"));
    CHECK_THAT(rewritten([](auto &op) { op.set_result_types(0, std::string(100000, '<')); }),
               Catch::Contains("nested too deeply"));
    CHECK_THAT(rewritten([](auto &op) { op.set_result_types(0, "tensor<7x7xf32>"); }),
               Catch::Contains("hostile.sinter") && Catch::Contains("op #2 (sinter.scan)") &&
                   Catch::Contains("'sinter.add' op requires"));
    // A body without its terminator, and a body given to an op that has none.
    CHECK_THAT(loadError(dir, model,
                         [](auto &m) {
                           for (auto &op : *m.mutable_graph()->mutable_ops())
                             if (op.name() == "sinter.scan")
                               op.mutable_regions(0)->clear_ops();
                         }),
               Catch::Contains("hostile.sinter") && Catch::Contains("sinter.scan"));
    CHECK_THAT(loadError(dir, model,
                         [](auto &m) {
                           sinter::proto::Operation *scan = nullptr, *input = nullptr;
                           for (auto &op : *m.mutable_graph()->mutable_ops())
                             (op.name() == "sinter.scan" ? scan : input) = &op;
                           *input->add_regions() = scan->regions(0);
                         }),
               Catch::Contains("hostile.sinter"));
  }
  SECTION("a directory") {
    std::string path = dir.file("adir.sinter");
    fs::create_directories(path);
    std::string msg = errorOf([&] { loadModel(path); });
    CHECK_THAT(msg, Catch::Contains(path));
  }
}

TEST_CASE("saving is atomic", "[model-file]") {
  TrainedMlp &mlp = trainedMlp();
  TempDir dir;

  SECTION("a save over an existing file replaces it") {
    std::string path = dir.file("model.sinter");
    writeFile(path, "old content, not a model");
    mlp.program->save(path);
    std::string bytes = readFile(path);
    CHECK(bytes != "old content, not a model");
    CHECK_NOTHROW(loadModel(path));
    // No temporary file is left beside it.
    int files = 0;
    for (const auto &entry : fs::directory_iterator(dir.path)) {
      INFO("left in the directory: " << entry.path());
      ++files;
    }
    CHECK(files == 1);
  }
  SECTION("a save into a missing directory throws and leaves nothing") {
    fs::path missing = dir.path / "no" / "such" / "dir";
    std::string path = (missing / "model.sinter").string();
    std::string msg = errorOf([&] { mlp.program->save(path); });
    CHECK_THAT(msg, Catch::Contains("model.sinter"));
    CHECK_FALSE(fs::exists(dir.path / "no"));
    CHECK(fs::is_empty(dir.path));
  }
}

TEST_CASE("saving a program whose graph is gone is an error, not a crash", "[model-file]") {
  TempDir dir;
  auto compileAndDropGraph = [] {
    Graph g;
    Tensor x = g.input("x", {2});
    return g.compile({{"f", {x}, {x * 2.0}}});
  };
  Program program = compileAndDropGraph();
  HostTensor x(DType::F32, {2});
  x.as<float>()[0] = 1;
  x.as<float>()[1] = 2;
  CHECK(program.run("f", {x})[0].as<float>()[1] == 4.0f); // the compiled code still runs
  CHECK_THROWS_WITH(program.save(dir.file("gone.sinter")), Catch::Contains("no longer exists"));
  CHECK_FALSE(fs::exists(dir.file("gone.sinter")));
}

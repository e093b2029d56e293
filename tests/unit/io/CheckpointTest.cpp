// Checkpoints: round trip of every variable (weights, Adam slots, step counter) and the step;
// exact resume (train 10 == train 5, save, fresh program, load, train 5 — bit for bit); atomic
// writes (a failed save leaves the previous checkpoint intact); truncated, corrupt and
// mismatching checkpoints are rejected with an error naming the file and the variable.
#include "sinter/io/Checkpoint.h"
#include "sinter/io/Crc32c.h"
#include "sinter/model.pb.h"
#include "sinter/sinter.h"

#include "IoTestUtil.h"

#include <csignal>
#include <cstring>
#include <optional>
#include <sys/resource.h>

using namespace sinter;
using namespace iotest;

namespace {

constexpr int64_t kBatch = 8, kIn = 5, kHidden = 12, kOut = 3;

/// A small MLP trained with Adam: Graph + compiled Program (train_step, predict).
struct Mlp {
  Graph g;
  std::optional<Program> program;

  Mlp() {
    Tensor x = g.input("x", {kBatch, kIn});
    Tensor y = g.input("y", {kBatch, kOut});
    Tensor logits = sinter::testing::TwoLayerMlp(g, kIn, kHidden, kOut, /*seed=*/11)(x);
    Tensor loss = reduceMean(softmaxCrossEntropyWithLogits(y, logits));
    auto updates = optim::Adam(0.01).minimize(loss, g.trainableVariables());
    program.emplace(g.compile({{"train_step", {x, y}, {loss}, updates, {"loss"}}}));
  }

  /// Deterministic batch number `step`, then one training step; returns the loss.
  float train(int step) {
    HostTensor xb(DType::F32, {kBatch, kIn}), yb(DType::F32, {kBatch, kOut});
    std::mt19937 rng(1000 + static_cast<unsigned>(step));
    std::normal_distribution<float> n(0.f, 1.f);
    for (float &v : xb.as<float>())
      v = n(rng);
    auto xs = xb.as<float>();
    for (int64_t i = 0; i < kBatch; ++i) { // a learnable rule: the largest of the first 3 inputs
      auto row = xs.subspan(static_cast<size_t>(i * kIn), kOut);
      int64_t label = std::max_element(row.begin(), row.end()) - row.begin();
      yb.as<float>()[static_cast<size_t>(i * kOut + label)] = 1.f;
    }
    return program->run("train_step", {xb, yb}).at(0).as<float>()[0];
  }

  std::vector<std::string> names() { return program->session().variableNames(); }
};

bool sameBits(const HostTensor &a, const HostTensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

/// Snapshot of all variables.
std::map<std::string, HostTensor> snapshot(Mlp &m) {
  std::map<std::string, HostTensor> out;
  for (const std::string &n : m.names())
    out[n] = m.program->variable(n).clone();
  return out;
}

Mlp &sharedMlp();

/// A checkpoint of the shared MLP saved at `name` with `step`: its path, bytes and variables;
/// then `trainSteps` more training steps move the MLP away from it.
struct SavedCheckpoint {
  Mlp &m = sharedMlp();
  TempDir dir;
  std::string path, bytes;
  std::map<std::string, HostTensor> variables;

  SavedCheckpoint(const std::string &name, int64_t step, int trainSteps) : path(dir.file(name)) {
    io::saveCheckpoint(*m.program, path, step);
    bytes = readFile(path);
    variables = snapshot(m);
    m.train(trainSteps);
  }
};

Mlp &sharedMlp() {
  static Mlp mlp;
  return mlp;
}

/// Rewrites a checkpoint's payload with `edit` and re-frames it with a valid checksum.
void editCheckpoint(const std::string &from, const std::string &to,
                    const std::function<void(proto::Checkpoint &)> &edit) {
  std::string bytes = readFile(from);
  REQUIRE(bytes.size() > 20);
  proto::Checkpoint ckpt;
  REQUIRE(ckpt.ParseFromString(bytes.substr(20)));
  edit(ckpt);
  std::string payload = ckpt.SerializeAsString();
  std::string out = bytes.substr(0, 8);
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  uint32_t crc = io::maskCrc(io::crc32c(payload));
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  writeFile(to, out + payload);
}

} // namespace

TEST_CASE("a checkpoint holds every variable, optimizer state included, and the step",
          "[checkpoint]") {
  Mlp &m = sharedMlp();
  for (int s = 0; s < 3; ++s)
    m.train(s);
  std::vector<std::string> names = m.names();
  // Adam's slots and the step counter are program variables, so they are checkpointed.
  CHECK(names.size() > 4);
  bool hasStepCounter = false;
  for (const std::string &n : names)
    hasStepCounter |= n.find("step") != std::string::npos;
  CHECK(hasStepCounter);

  TempDir dir;
  std::string path = dir.file("ckpt");
  auto before = snapshot(m);
  io::saveCheckpoint(*m.program, path, 3);
  for (const auto &entry : fs::directory_iterator(dir.path)) // no temporary file left
    CHECK(entry.path().string().find(".tmp") == std::string::npos);
  m.train(3);
  m.train(4);
  for (const std::string &n : names)
    if (n.find("w1") != std::string::npos)
      CHECK_FALSE(sameBits(m.program->variable(n), before.at(n)));
  CHECK(io::loadCheckpoint(*m.program, path) == 3);
  for (const std::string &n : names) {
    INFO("variable " << n);
    CHECK(sameBits(m.program->variable(n), before.at(n)));
  }
}

TEST_CASE("resuming from a checkpoint continues bit for bit", "[checkpoint]") {
  TempDir dir;
  std::string path = dir.file("resume.ckpt");
  std::vector<float> straight;
  {
    Mlp m;
    for (int s = 0; s < 10; ++s)
      straight.push_back(m.train(s));
  }
  std::vector<float> resumed;
  {
    Mlp m;
    for (int s = 0; s < 5; ++s)
      resumed.push_back(m.train(s));
    io::saveCheckpoint(*m.program, path, 5);
  }
  {
    Mlp fresh; // a new graph, compiled again: starts at the initialisers
    int64_t step = io::loadCheckpoint(*fresh.program, path);
    REQUIRE(step == 5);
    for (int s = static_cast<int>(step); s < 10; ++s)
      resumed.push_back(fresh.train(s));
  }
  REQUIRE(resumed.size() == straight.size());
  for (size_t i = 0; i < straight.size(); ++i) {
    INFO("step " << i << ": " << straight[i] << " vs " << resumed[i]);
    CHECK(std::memcmp(&straight[i], &resumed[i], sizeof(float)) == 0);
  }
  // It did learn (Adam, 0.01): the last losses are below the first ones.
  CHECK(straight[7] + straight[8] + straight[9] < straight[0] + straight[1] + straight[2]);
}

TEST_CASE("bad checkpoints are rejected; the previous one survives", "[checkpoint]") {
  // Trained on after the save, so a bad load that changed anything would show.
  SavedCheckpoint saved("good.ckpt", 42, 7);
  auto &[m, dir, good, bytes, expected] = saved;

  auto rejected = [&](const std::string &path, const std::string &what) {
    auto moved = snapshot(m);
    std::string msg = errorOf([&] { io::loadCheckpoint(*m.program, path); });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains(what));
    for (const auto &[n, t] : moved) // a rejected checkpoint changes nothing
      CHECK(sameBits(m.program->variable(n), t));
    return msg;
  };

  SECTION("truncated copies") {
    for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{12}}) {
      std::string path = dir.file("truncated-" + std::to_string(keep));
      writeFile(path, bytes.substr(0, keep));
      rejected(path, "truncated");
    }
  }
  SECTION("one flipped byte in the payload") {
    std::string corrupt = bytes;
    corrupt[corrupt.size() - 10] ^= 0x40;
    std::string path = dir.file("corrupt.ckpt");
    writeFile(path, corrupt);
    rejected(path, "checksum");
  }
  SECTION("trailing garbage") {
    std::string path = dir.file("longer.ckpt");
    writeFile(path, bytes + "xyz");
    rejected(path, "corrupt");
  }
  SECTION("empty, missing, not a checkpoint") {
    std::string empty = dir.file("empty.ckpt");
    writeFile(empty, "");
    rejected(empty, "empty");
    rejected(dir.file("missing.ckpt"), "no such file");
    std::string other = dir.file("other.ckpt");
    writeFile(other, "this is not a checkpoint at all");
    rejected(other, "not a Sinter checkpoint");
  }
  SECTION("a variable with another shape or dtype, missing or unknown") {
    std::string path = dir.file("edited.ckpt");
    editCheckpoint(good, path, [](proto::Checkpoint &c) {
      for (auto &v : *c.mutable_variables())
        if (v.spec().name() == "w2")
          v.mutable_spec()->set_shape(1, kOut + 1);
    });
    // The edited shape no longer fits the stored data: the file itself is inconsistent.
    std::string msg = rejected(path, "'w2'");
    CHECK_THAT(msg, Catch::Contains("shape (12, 4) needs 192") && Catch::Contains("144 bytes"));

    editCheckpoint(good, path, [](proto::Checkpoint &c) {
      for (auto &v : *c.mutable_variables())
        if (v.spec().name() == "b1")
          v.mutable_spec()->set_dtype(proto::I32);
    });
    msg = rejected(path, "'b1'");
    CHECK_THAT(msg, Catch::Contains("int32") && Catch::Contains("float32"));

    editCheckpoint(good, path, [](proto::Checkpoint &c) {
      auto *vars = c.mutable_variables();
      for (int i = 0; i < vars->size(); ++i)
        if (vars->Get(i).spec().name() == "b2")
          vars->DeleteSubrange(i, 1);
    });
    rejected(path, "lacks variable 'b2'");

    editCheckpoint(good, path, [](proto::Checkpoint &c) {
      proto::TensorValue *v = c.add_variables();
      v->mutable_spec()->set_name("w9");
      v->mutable_spec()->set_dtype(proto::F32);
      v->mutable_spec()->add_shape(1);
      v->set_data(std::string(4, '\0'));
    });
    rejected(path, "'w9', which the program does not have");

    editCheckpoint(good, path, [](proto::Checkpoint &c) { c.set_format_version(99); });
    rejected(path, "format version 99");
  }

  // After all of that, the good checkpoint still loads.
  CHECK(io::loadCheckpoint(*m.program, good) == 42);
  for (const auto &[n, t] : expected)
    CHECK(sameBits(m.program->variable(n), t));
}

TEST_CASE("a failed save leaves the previous checkpoint intact", "[checkpoint]") {
  SavedCheckpoint saved("model.ckpt", 1, 20);
  auto &[m, dir, path, previous, expected] = saved;

  SECTION("the temporary file cannot be created") {
    // No file descriptor left for it (the temporary names are unique, so nothing else can
    // stand in their way).
    struct rlimit old{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
    struct rlimit none = old;
    none.rlim_cur = 0;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &none) == 0);
    std::string msg = errorOf([&] { io::saveCheckpoint(*m.program, path, 2); });
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("unchanged"));
  }
  SECTION("the write fails half way (file size limit, like a full disk)") {
    struct rlimit old{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = previous.size() / 2;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string msg;
    try {
      io::saveCheckpoint(*m.program, path, 2);
    } catch (const Error &e) {
      msg = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, oldHandler);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("failed after"));
    for (const auto &entry : fs::directory_iterator(dir.path)) // cleaned up
      CHECK(entry.path().string().find(".tmp") == std::string::npos);
  }
  SECTION("the directory does not exist") {
    std::string bad = dir.file("no/such/dir/model.ckpt");
    std::string msg = errorOf([&] { io::saveCheckpoint(*m.program, bad, 2); });
    CHECK_THAT(msg, Catch::Contains(bad));
  }
  CHECK(readFile(path) == previous);
  CHECK(io::loadCheckpoint(*m.program, path) == 1);
  for (const auto &[n, t] : expected)
    CHECK(sameBits(m.program->variable(n), t));
}

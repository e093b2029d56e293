// Artifact loading and Session calls against test_artifact.so (see test_artifact.cpp).
#include "sinter/runtime/Runtime.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace sinter::runtime;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "<no error>";
}

SinterEntryFn dummyEntry = [](void **) {};

} // namespace

TEST_CASE("artifact: open, inspect, run, variables update in place", "[artifact]") {
  auto artifact = Artifact::open(SINTER_TEST_ARTIFACT);
  REQUIRE(artifact->programName() == "test_program");
  REQUIRE(artifact->variables().size() == 2);
  REQUIRE(artifact->entries().size() == 3);
  const EntryInfo &addOne = artifact->entry("add_one");
  REQUIRE(addOne.args.size() == 1);
  REQUIRE(addOne.args[0].shape == std::vector<int64_t>{2, 3});
  REQUIRE(addOne.variables == std::vector<int>{0, 1});
  REQUIRE(artifact->entryFunction("add_one") != nullptr);

  Session session(artifact);
  REQUIRE(session.variableNames() == std::vector<std::string>{"bias", "step"});
  REQUIRE(session.variable("bias").as<float>()[5] == 5.f);
  REQUIRE(session.variable("step").as<int64_t>()[0] == 0);

  HostTensor x(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    x.as<float>()[i] = 10.f * i;
  std::vector<HostTensor> y = session.run("add_one", {&x});
  REQUIRE(y.size() == 1);
  REQUIRE(y[0].spec().name == "y");
  for (int i = 0; i < 6; ++i)
    REQUIRE(y[0].as<float>()[i] == 10.f * i + 1 + i);
  REQUIRE(session.variable("bias").as<float>()[0] == 1.f);
  REQUIRE(session.variable("step").as<int64_t>()[0] == 1);

  // The raw path, as a training loop uses it.
  int index = session.entryIndex("add_one");
  HostTensor out(DType::F32, {2, 3});
  for (int i = 0; i < 3; ++i)
    session.call(index, {x.data()}, {out.data()});
  REQUIRE(out.as<float>()[2] == 20.f + 1 + 2 + 3);
  REQUIRE(session.variable("step").as<int64_t>()[0] == 4);
  // The host may write variables directly (e.g. restoring a checkpoint).
  session.variable("bias").as<float>()[0] = 100.f;
  session.call("add_one", {x.data()}, {out.data()});
  REQUIRE(out.as<float>()[0] == 101.f);

  // A second session starts from the initial values.
  Session other(artifact);
  REQUIRE(other.variable("bias").as<float>()[0] == 0.f);
  session.resetVariables();
  REQUIRE(session.variable("step").as<int64_t>()[0] == 0);
}

TEST_CASE("artifact: compiled code calls back into the kernel library", "[artifact]") {
  Session session(Artifact::open(SINTER_TEST_ARTIFACT, "sinter_model"));
  HostTensor a(DType::F32, {2, 3}), b(DType::F32, {3, 2});
  for (int i = 0; i < 6; ++i) {
    a.as<float>()[i] = static_cast<float>(i);
    b.as<float>()[i] = static_cast<float>(i % 2);
  }
  std::vector<HostTensor> c = session.run("matmul", {a, b});
  // a = [[0,1,2],[3,4,5]], b = [[0,1],[0,1],[0,1]]
  REQUIRE(c[0].as<float>()[0] == 0.f);
  REQUIRE(c[0].as<float>()[1] == 3.f);
  REQUIRE(c[0].as<float>()[3] == 12.f);
}

TEST_CASE("artifact: a batched entry takes any batch size", "[artifact]") {
  Session session(Artifact::open(SINTER_TEST_ARTIFACT));
  const EntryInfo &e = session.artifact().entry("row_sums");
  REQUIRE(e.batched);
  REQUIRE(e.args[0].batch);
  REQUIRE(e.args[0].shapeString() == "(None, 3)");
  REQUIRE_FALSE(e.results[1].batch);
  for (int64_t batch : {1, 7, 1000}) {
    HostTensor x(DType::F32, {batch, 3});
    for (int64_t i = 0; i < batch * 3; ++i)
      x.as<float>()[i] = static_cast<float>(i);
    std::vector<HostTensor> out = session.run("row_sums", {&x});
    REQUIRE(out[0].shape() == std::vector<int64_t>{batch});
    REQUIRE(out[0].as<float>()[batch - 1] == static_cast<float>(9 * batch - 6));
    REQUIRE(out[1].as<int64_t>()[0] == batch);
  }
  // The raw call passes the batch size; without one it is an error naming the entry.
  HostTensor x(DType::F32, {2, 3}), sums(DType::F32, {2}), rows(DType::I64, {});
  session.call("row_sums", {x.data()}, {sums.data(), rows.data()}, 2);
  REQUIRE(rows.as<int64_t>()[0] == 2);
  std::string e1 =
      errorOf([&] { session.call("row_sums", {x.data()}, {sums.data(), rows.data()}); });
  REQUIRE(e1.find("entry 'row_sums'") != std::string::npos);
  REQUIRE(e1.find("batch size >= 1") != std::string::npos);
  HostTensor wrong(DType::F32, {2, 4});
  std::string e2 = errorOf([&] { session.run("row_sums", {&wrong}); });
  REQUIRE(e2.find("argument #0 'x': expected shape (None, 3), got (2, 4)") != std::string::npos);
  HostTensor flat(DType::F32, {6});
  REQUIRE(errorOf([&] { session.run("row_sums", {&flat}); }).find("expected shape (None, 3)") !=
          std::string::npos);
}

TEST_CASE("artifact: argument and lookup errors name what is wrong", "[artifact]") {
  Session session(Artifact::open(SINTER_TEST_ARTIFACT));
  HostTensor wrongShape(DType::F32, {3, 2});
  std::string e = errorOf([&] { session.run("add_one", {&wrongShape}); });
  INFO(e);
  REQUIRE(e.find("'add_one'") != std::string::npos);
  REQUIRE(e.find("'x'") != std::string::npos);
  REQUIRE(e.find("expected shape (2, 3), got (3, 2)") != std::string::npos);
  HostTensor wrongType(DType::F64, {2, 3});
  REQUIRE(errorOf([&] { session.run("add_one", {&wrongType}); }).find("expected dtype float32") !=
          std::string::npos);
  REQUIRE(errorOf([&] {
            session.run("add_one", std::vector<HostTensor>{});
          }).find("takes 1 arguments") != std::string::npos);
  REQUIRE(errorOf([&] { session.call("add_one", {}, {}); }).find("'add_one'") != std::string::npos);
  std::string noEntry = errorOf([&] { session.entryIndex("train"); });
  REQUIRE(noEntry.find("no entry named 'train'") != std::string::npos);
  REQUIRE(noEntry.find("add_one, matmul, row_sums") != std::string::npos);
  REQUIRE(errorOf([&] { session.variable("weights"); }).find("'weights'") != std::string::npos);
}

TEST_CASE("artifact: loading errors", "[artifact]") {
  std::string missing = errorOf([] { Artifact::open("/nonexistent/model.so"); });
  REQUIRE(missing.find("'/nonexistent/model.so'") != std::string::npos);
  REQUIRE(missing.find("no such file") != std::string::npos);

  std::string notSo = errorOf([] { Artifact::open(SINTER_TEST_MANIFEST); });
  REQUIRE(notSo.find("cannot be loaded") != std::string::npos);

  std::string prefix = errorOf([] { Artifact::open(SINTER_TEST_ARTIFACT, "other"); });
  REQUIRE(prefix.find("symbol 'other_manifest' not found") != std::string::npos);

  const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34};
  std::string corrupt = errorOf(
      [&] { Artifact::fromSymbols(garbage, sizeof garbage, nullptr, 0, nullptr, "garbage.so"); });
  REQUIRE(corrupt == "artifact 'garbage.so': manifest is corrupt (protobuf parse failed)");

  std::string manifest = readFile(SINTER_TEST_MANIFEST);
  REQUIRE(!manifest.empty());
  auto *bytes = reinterpret_cast<const uint8_t *>(manifest.data());
  static const uint8_t blob[24] = {};
  auto resolveAll = [](const std::string &) { return dummyEntry; };

  auto linked = Artifact::fromSymbols(bytes, manifest.size(), blob, sizeof blob, resolveAll);
  REQUIRE(linked->entries().size() == 3);
  Session s(linked);
  REQUIRE(s.variable("bias").as<float>()[3] == 0.f);

  std::string unresolved = errorOf([&] {
    Artifact::fromSymbols(bytes, manifest.size(), blob, sizeof blob,
                          [](const std::string &) -> SinterEntryFn { return nullptr; });
  });
  REQUIRE(unresolved.find("symbol 'sinter_model_add_one' not found") != std::string::npos);

  std::string shortBlob =
      errorOf([&] { Artifact::fromSymbols(bytes, manifest.size(), blob, 20, resolveAll, "x.so"); });
  REQUIRE(shortBlob.find("variable #0 'bias'") != std::string::npos);
  REQUIRE(shortBlob.find("outside the variable blob of 20 bytes") != std::string::npos);

  std::string badAbi = readFile(SINTER_TEST_BAD_ABI_MANIFEST);
  std::string abi = errorOf([&] {
    Artifact::fromSymbols(reinterpret_cast<const uint8_t *>(badAbi.data()), badAbi.size(), blob,
                          sizeof blob, resolveAll);
  });
  REQUIRE(abi.find("ABI version 2 does not match the runtime's ABI version 3") !=
          std::string::npos);
}

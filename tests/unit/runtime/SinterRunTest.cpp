// sinter-run as a user runs it: exit codes and output.
#include "sinter/runtime/Npy.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

using namespace sinter::runtime;
namespace fs = std::filesystem;

namespace {

struct Result {
  int exitCode;
  std::string out, err;
};

Result runTool(const std::string &args) {
  fs::create_directories(SINTER_TEST_TMP);
  std::string out = std::string(SINTER_TEST_TMP) + "/run.out";
  std::string err = std::string(SINTER_TEST_TMP) + "/run.err";
  std::string cmd = std::string(SINTER_RUN_EXE) + " " + args + " >" + out + " 2>" + err;
  int status = std::system(cmd.c_str());
  auto slurp = [](const std::string &p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // A crash (signal) must not look like a clean usage error.
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, slurp(out), slurp(err)};
}

const std::string kArtifact = SINTER_TEST_ARTIFACT;

} // namespace

TEST_CASE("sinter-run: command-line errors exit with 2", "[tool]") {
  Result r = runTool(kArtifact + " --entry add_one --frobnicate");
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("--frobnicate") != std::string::npos);
  r = runTool(kArtifact + " --entry");
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("--entry: 1 required TEXT missing") != std::string::npos);
  r = runTool("/nonexistent/a.so --entry add_one");
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("/nonexistent/a.so") != std::string::npos);
  r = runTool(kArtifact + " --entry add_one --input x=/nonexistent/x.npy");
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("/nonexistent/x.npy") != std::string::npos);
  r = runTool(kArtifact + " --entry add_one --iterations zero");
  REQUIRE(r.exitCode == 2);
  r = runTool("");
  REQUIRE(r.exitCode == 2);
  r = runTool("--help");
  REQUIRE(r.exitCode == 0);
  REQUIRE(r.out.find("Usage: sinter-run") != std::string::npos);
  for (const char *option : {"--entry", "--prefix", "--input", "--random-seed", "--batch",
                             "--iterations", "--save-dir", "--list"})
    CHECK(r.out.find(option) != std::string::npos); // --help lists every option
}

TEST_CASE("sinter-run: list, run, save", "[tool]") {
  Result r = runTool(kArtifact + " --list");
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  REQUIRE(r.out.find("entry add_one(x: float32(2, 3)) -> (y: float32(2, 3))  uses [bias, step]") !=
          std::string::npos);

  HostTensor x(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    x.as<float>()[i] = static_cast<float>(i);
  std::string xPath = std::string(SINTER_TEST_TMP) + "/x.npy";
  writeNpy(xPath, x);
  std::string saveDir = std::string(SINTER_TEST_TMP) + "/saved";
  r = runTool(kArtifact + " --entry add_one --input x=" + xPath + " --iterations 5 --save-dir " +
              saveDir);
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  REQUIRE(r.out.find("y = <tf.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
                     "array([[ 1.,  3.,  5.],\n"
                     "       [ 7.,  9., 11.]], dtype=float32)>") != std::string::npos);
  REQUIRE(r.out.rfind("time_per_call_us=") != std::string::npos);
  HostTensor y = readNpy(saveDir + "/y.npy");
  REQUIRE(y.as<float>()[5] == 11.f);

  // Random inputs; a runtime error (not a usage error) exits with 1.
  r = runTool(kArtifact + " --entry matmul --random-seed 3");
  REQUIRE(r.exitCode == 0);
  r = runTool(kArtifact + " --entry nope");
  REQUIRE(r.exitCode == 1);
  REQUIRE(r.err.find("no entry named 'nope'") != std::string::npos);
  r = runTool(kArtifact + " --entry add_one --input nope=" + xPath);
  REQUIRE(r.exitCode == 2);
}

TEST_CASE("sinter-run: an entry with a dynamic batch dimension", "[tool]") {
  Result r = runTool(kArtifact + " --list");
  REQUIRE(r.out.find("entry row_sums(x: float32(None, 3)) -> (sums: float32(None,), rows: "
                     "int64())") != std::string::npos);
  // Random inputs of --batch rows (default 1), or the rows of the --input file.
  r = runTool(kArtifact + " --entry row_sums --batch 7 --iterations 3");
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  REQUIRE(r.out.find("sums = <tf.Tensor: shape=(7,)") != std::string::npos);
  REQUIRE(r.out.find("rows = <tf.Tensor: shape=(), dtype=int64, numpy=7>") != std::string::npos);
  r = runTool(kArtifact + " --entry row_sums");
  REQUIRE(r.out.find("shape=(1,)") != std::string::npos);
  HostTensor x(DType::F32, {4, 3});
  std::string xPath = std::string(SINTER_TEST_TMP) + "/x4.npy";
  writeNpy(xPath, x);
  r = runTool(kArtifact + " --entry row_sums --input x=" + xPath);
  REQUIRE(r.out.find("numpy=4>") != std::string::npos);
  // The input's rows and --batch disagree; --batch for an entry without a batch dimension.
  r = runTool(kArtifact + " --entry row_sums --batch 5 --input x=" + xPath);
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("--batch 5 differs from the 4 rows") != std::string::npos);
  r = runTool(kArtifact + " --entry add_one --batch 5");
  REQUIRE(r.exitCode == 2);
  REQUIRE(r.err.find("no dynamic batch dimension") != std::string::npos);
  REQUIRE(runTool(kArtifact + " --entry row_sums --batch 0").exitCode == 2);
}

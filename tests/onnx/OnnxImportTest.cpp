// ONNX models in: each model of make_models.py imported, compiled in process and run on its
// input; the outputs must match PyTorch's (or NumPy's) to 1e-5. Unsupported input is an error
// naming the op and node, or the file.
#include "sinter/onnx/Import.h"
#include "sinter/runtime/Npy.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace sinter;

namespace {

const std::string kDir = SINTER_ONNX_MODELS;

/// Imports `name`.onnx, runs its entry on `name`_input.npy and returns the largest error
/// against `name`_expected.npy beyond the tolerance 1e-5 (absolute) + 1e-5 (relative).
double worstError(const std::string &name, int64_t *variables = nullptr) {
  Graph g;
  onnx::ImportedGraph imported = onnx::importOnnx(g, kDir + "/" + name + ".onnx");
  REQUIRE(imported.inputs.size() == 1);
  REQUIRE(imported.outputs.size() == 1);
  CHECK(imported.inputs[0].shape()[0] == -1); // the exported batch axis is symbolic
  if (variables)
    *variables = static_cast<int64_t>(g.variables().size());
  Program program = g.compile({Entry{"predict", imported.inputs, imported.outputs}});
  HostTensor x = runtime::readNpy(kDir + "/" + name + "_input.npy");
  HostTensor expected = runtime::readNpy(kDir + "/" + name + "_expected.npy");
  HostTensor y = program.run("predict", {x})[0];
  REQUIRE(y.shape() == expected.shape());
  double worst = 0;
  for (size_t i = 0; i < expected.as<float>().size(); ++i) {
    double e = expected.as<float>()[i], v = y.as<float>()[i];
    worst = std::max(worst, std::fabs(v - e) - 1e-5 * std::fabs(e));
  }
  return worst;
}

} // namespace

TEST_CASE("an MLP exported by PyTorch (Gemm, Relu, Tanh, Softmax) matches PyTorch", "[onnx]") {
  int64_t variables = 0;
  CHECK(worstError("mlp", &variables) <= 1e-5);
  CHECK(variables == 6); // three weights, three biases
}

TEST_CASE("a LeNet-style CNN (Conv, MaxPool, BatchNormalization, AveragePool, Flatten) matches",
          "[onnx]") {
  CHECK(worstError("lenet") <= 1e-5);
}

TEST_CASE("a ResNet-style network (strided, dilated and grouped Conv, residual Add, "
          "GlobalAveragePool) matches",
          "[onnx]") {
  CHECK(worstError("resnet") <= 1e-5);
}

TEST_CASE("a hand-made Reshape / MatMul / Add / Softmax graph matches NumPy", "[onnx]") {
  CHECK(worstError("reshape") <= 1e-5);
}

TEST_CASE("an imported model saves, loads and keeps its outputs", "[onnx]") {
  std::string path = kDir + "/mlp_converted.sinter";
  onnx::convertOnnx(kDir + "/mlp.onnx", path);
  Program program = loadModel(path).compile();
  HostTensor x = runtime::readNpy(kDir + "/mlp_input.npy");
  HostTensor expected = runtime::readNpy(kDir + "/mlp_expected.npy");
  HostTensor y = program.run("predict", {x})[0];
  for (size_t i = 0; i < expected.as<float>().size(); ++i)
    CHECK(y.as<float>()[i] == Approx(expected.as<float>()[i]).margin(2e-5));
}

TEST_CASE("what the importer cannot take is an error naming it", "[onnx]") {
  Graph g;
  CHECK_THROWS_WITH(onnx::importOnnx(g, kDir + "/unsupported.onnx"),
                    Catch::Contains("node 'outer_product' (Einsum)") &&
                        Catch::Contains("not supported"));
  CHECK_THROWS_WITH(onnx::importOnnx(g, kDir + "/old.onnx"),
                    Catch::Contains("old.onnx") && Catch::Contains("opset 9"));
  CHECK_THROWS_WITH(onnx::importOnnx(g, kDir + "/missing.onnx"), Catch::Contains("no such file"));
  std::string garbage = kDir + "/garbage.onnx";
  std::ofstream(garbage) << "this is not a protobuf \xff\xff\xff";
  CHECK_THROWS_WITH(onnx::importOnnx(g, garbage), Catch::Contains("not an ONNX model"));
}

TEST_CASE("the list of supported ops has those of MLPs and LeNet/ResNet-style CNNs", "[onnx]") {
  std::vector<std::string> ops = onnx::supportedOnnxOps();
  for (const char *op : {"Gemm", "Conv", "BatchNormalization", "MaxPool", "AveragePool", "Relu",
                         "Add", "Flatten", "Reshape", "Softmax"})
    CHECK(std::find(ops.begin(), ops.end(), op) != ops.end());
}

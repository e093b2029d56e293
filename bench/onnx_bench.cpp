// Sinter on an ONNX model (imported with sinter/onnx/Import.h, compiled in process): the median
// latency of one predict call at batch 1 and at batch 128, against ONNX Runtime on the same file
// (bench/onnxruntime_mlp.js; bench/run.sh runs both). Prints
//   onnx_mlp_infer_b1 us=...
//   onnx_mlp_infer_b128 us=...
// Usage: bench_onnx MODEL.onnx [--seconds S]   (input x [batch, 784])
#include "sinter/onnx/Import.h"

#include "Timing.h"

#include <random>

using namespace sinter;

int main(int argc, char **argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.onnx [--seconds S]\n", argv[0]);
    return 2;
  }
  double seconds = bench::secondsFlag(argc - 1, argv + 1);
  Graph g;
  onnx::ImportedGraph model = onnx::importOnnx(g, argv[1]);
  Program program = g.compile({Entry{"predict", model.inputs, model.outputs}});
  int entry = program.entryIndex("predict");
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (int64_t batch : {1, 128}) {
    HostTensor x(DType::F32, {batch, 784}), y(DType::F32, {batch, 10});
    for (float &v : x.as<float>())
      v = uniform(rng);
    std::vector<double> t =
        bench::measure([&] { program.call(entry, {x.data()}, {y.data()}, batch); }, seconds, 50);
    std::printf("onnx_mlp_infer_b%lld us=%.1f\n", static_cast<long long>(batch),
                bench::median(t) * 1e6);
  }
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_onnx: %s\n", e.what());
  return 1;
}

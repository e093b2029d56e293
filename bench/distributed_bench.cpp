// Data-parallel training throughput (bench/run.sh runs it under `mpirun -np 1` with 2 threads
// and `mpirun -np 2` with 1 thread per rank; docs/distributed.md):
//   dp_mlp_train_b128     Keras fit of the chapter-8 MLP (784-256-128-64-32-10, Adam) on
//                         batches of 128 split between the ranks
//   dp_lenet5_train_b128  the same with the book's LeNet-5 (10.4) on [128, 28, 28, 1]
// each as samples/s over the whole job (median of --epochs measured epochs after one that
// compiles), the milliseconds per step the all-reduces of the step were in flight on the
// communication thread, and those the step waited for them (communication not hidden by
// computation; all of it with SINTER_ASYNC_COLLECTIVES=0); and with 2 or more ranks
//   allreduce_<bytes>     one host all-reduce of that many bytes (float64, in place): microseconds
//                         and the bus bandwidth (bytes · 2(p−1)/p per second, as NCCL reports it)
// Prints (rank 0) WORKLOAD ranks=P threads=T samples_per_s=... allreduce_ms_per_step=...
// waiting_ms_per_step=...; --bucket-kib K sets the gradient buckets' size (default 25 MiB).
#include "sinter/nn/Model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace sinter;

namespace {

constexpr int64_t kBatch = 128;

HostTensor uniform(Shape shape, unsigned seed) {
  HostTensor t(DType::F32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  for (float &v : t.as<float>())
    v = u(rng);
  return t;
}

HostTensor labels(int64_t n, unsigned seed) {
  HostTensor t(DType::I32, {n});
  std::mt19937 rng(seed);
  for (int32_t &v : t.as<int32_t>())
    v = static_cast<int32_t>(rng() % 10);
  return t;
}

/// The OpenMP threads of each rank (OMP_NUM_THREADS, which bench/run.sh sets).
int threads() {
  const char *n = std::getenv("OMP_NUM_THREADS");
  return n && std::atoi(n) > 0 ? std::atoi(n) : 1;
}

void trainThroughput(const char *name, nn::Sequential &model, const HostTensor &x,
                     const HostTensor &y, int epochs, size_t bucketBytes) {
  model.compile(optim::Adam(0.001), losses::sparseCategoricalCrossentropy(/*fromLogits=*/true),
                {"accuracy"});
  model.distribute(nn::DataParallel{.bucketBytes = bucketBytes});
  nn::FitOptions options{.batchSize = kBatch, .epochs = 1, .verbose = 0};
  model.fit(x, y, options); // compiles
  int64_t steps = x.shape()[0] / kBatch;
  std::vector<double> seconds;
  distributed::resetStats();
  for (int e = 0; e < epochs; ++e) {
    distributed::barrier();
    auto start = std::chrono::steady_clock::now();
    model.fit(x, y, options);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  distributed::Stats stats = distributed::stats();
  double perStep = 1e3 / static_cast<double>(epochs * steps);
  if (distributed::rank() == 0)
    std::printf("%s ranks=%d threads=%d samples_per_s=%.0f allreduce_ms_per_step=%.3f "
                "waiting_ms_per_step=%.3f\n",
                name, distributed::size(), threads(),
                static_cast<double>(x.shape()[0]) / seconds[seconds.size() / 2],
                stats.backgroundSeconds * perStep, stats.seconds * perStep);
}

void allReduceBandwidth() {
  for (size_t bytes :
       {size_t(4) << 10, size_t(64) << 10, size_t(1) << 20, size_t(16) << 20, size_t(64) << 20}) {
    std::vector<double> values(bytes / sizeof(double), 1.0);
    int reps = bytes >= (size_t(16) << 20) ? 10 : 100;
    distributed::allReduceSum(values.data(), values.size()); // warm-up
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
      distributed::barrier();
      auto start = std::chrono::steady_clock::now();
      distributed::allReduceSum(values.data(), values.size());
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    double t = times[times.size() / 2], p = distributed::size();
    if (distributed::rank() == 0)
      std::printf("allreduce_%zu ranks=%d us=%.1f busbw_gbs=%.2f\n", bytes, distributed::size(),
                  t * 1e6, static_cast<double>(bytes) * 2 * (p - 1) / p / t / 1e9);
  }
}

} // namespace

int main(int argc, char **argv) {
  int epochs = 3;
  size_t bucketBytes = distributed::kBucketBytes;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      epochs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--bucket-kib") == 0 && i + 1 < argc &&
               std::atoi(argv[i + 1]) > 0) {
      bucketBytes = static_cast<size_t>(std::atoi(argv[++i])) << 10;
    } else {
      std::fprintf(stderr,
                   "usage: mpirun -np P %s [--epochs N] [--bucket-kib K]   (measured epochs, "
                   "default 3; gradient bucket size, default 25 MiB)\n",
                   argv[0]);
      return 2;
    }
  }
  try {
    distributed::initialize();
    nn::Sequential mlp({nn::Dense(256, "relu"), nn::Dense(128, "relu"), nn::Dense(64, "relu"),
                        nn::Dense(32, "relu"), nn::Dense(10)});
    trainThroughput("dp_mlp_train_b128", mlp, uniform({200 * kBatch, 784}, 1),
                    labels(200 * kBatch, 2), epochs, bucketBytes);
    nn::Sequential lenet("lenet5");
    for (int64_t filters : {6, 16}) {
      lenet.add(nn::Conv2D(filters, {3, 3}));
      lenet.add(nn::MaxPool2D({2, 2}, Size2{2, 2}));
      lenet.add(nn::ReLU());
    }
    lenet.add(nn::Flatten());
    lenet.add(nn::Dense(120, "relu"));
    lenet.add(nn::Dense(84, "relu"));
    lenet.add(nn::Dense(10));
    trainThroughput("dp_lenet5_train_b128", lenet, uniform({40 * kBatch, 28, 28, 1}, 3),
                    labels(40 * kBatch, 4), epochs, bucketBytes);
    if (distributed::size() > 1)
      allReduceBandwidth();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "rank %d: error: %s\n", distributed::rank(), e.what());
    return 1;
  }
  distributed::finalize();
  return 0;
}

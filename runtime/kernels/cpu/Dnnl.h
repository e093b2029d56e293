// The process's one oneDNN CPU engine and a stream per calling thread, shared by the kernels.
#ifndef SINTER_RUNTIME_KERNELS_CPU_DNNL_H
#define SINTER_RUNTIME_KERNELS_CPU_DNNL_H

#include "sinter/runtime/Abi.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <omp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <string>

namespace sinter::runtime::kernels {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

/// The process's count of library calls that fell back to reference loops.
inline std::atomic<uint64_t> &libraryFallbackCount() {
  static std::atomic<uint64_t> count{0};
  return count;
}

inline dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// A CPU stream is cheap but not meant to be shared by concurrently executing threads, so each
// calling thread gets its own (all on the one engine and the one OpenMP pool).
inline dnnl::stream &cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

// Threads for one kernel call: the call's budget (Threads.h) but no more than the work pays
// for, since waking a thread costs microseconds (a batch-1 MLP layer ran 1.4x slower on two
// threads than on one). Sets the calling thread's OpenMP count for the call, restores it after.
class KernelThreads {
public:
  KernelThreads(int64_t work, int64_t minWorkPerThread) : saved_(omp_get_max_threads()) {
    int64_t useful = std::max<int64_t>(1, work / minWorkPerThread);
    threads_ = static_cast<int>(std::min<int64_t>(saved_, useful));
    if (threads_ != saved_)
      omp_set_num_threads(threads_);
  }
  ~KernelThreads() {
    if (threads_ != saved_)
      omp_set_num_threads(saved_);
  }
  KernelThreads(const KernelThreads &) = delete;
  KernelThreads &operator=(const KernelThreads &) = delete;
  int threads() const { return threads_; }

private:
  int saved_, threads_;
};

// Primitives are created with a user-provided scratchpad: with the library's own (shared by
// all executions of a primitive) two threads running one cached primitive at once overwrite
// each other's intermediate results (seen with oneDNN 2.6 matmuls). Each calling thread passes
// its own buffer, grown to the largest size asked for.
inline dnnl::primitive_attr userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

/// Per-thread buffers for the temporaries of a kernel call (weights in a primitive's layout,
/// workspaces, scratchpads): slot `slot` of the calling thread, 64-byte aligned, grown to the
/// largest size asked for. A call uses each slot for one thing at a time, and the calls of one
/// thread never overlap, so all kernels share the slots.
constexpr int kThreadBufferSlots = 10;
constexpr int kScratchpadSlot = kThreadBufferSlots - 1;
inline void *threadBuffer(int slot, size_t bytes) {
  struct Buffer {
    void *data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local std::array<Buffer, kThreadBufferSlots> buffers;
  Buffer &buffer = buffers[slot];
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.size = (bytes + 63) / 64 * 64;
    buffer.data = std::aligned_alloc(64, buffer.size);
    if (!buffer.data) {
      buffer.size = 0;
      throw std::bad_alloc();
    }
  }
  return buffer.data;
}

inline dnnl::memory threadScratchpad(const dnnl::memory::desc &desc) {
  return dnnl::memory(desc, cpuEngine(), threadBuffer(kScratchpadSlot, desc.get_size()));
}

/// oneDNN's view of a caller's buffer (oneDNN takes non-const handles; inputs are only read).
inline dnnl::memory wrap(const dnnl::memory::desc &desc, const void *data) {
  return dnnl::memory(desc, cpuEngine(), const_cast<void *>(data));
}

/// A oneDNN call failed: the kernel computes the result with its reference loop (compiled code
/// cannot take an exception), counts it (sinter::runtime::libraryKernelFallbacks, which the tests
/// require to stay 0) and says so on stderr the first time for each kind of kernel.
inline void noteFallback(const char *kernel, const char *why) {
  libraryFallbackCount().fetch_add(1, std::memory_order_relaxed);
  static std::mutex lock;
  static std::set<std::string> warned;
  std::lock_guard<std::mutex> guard(lock);
  if (warned.insert(kernel).second)
    std::fprintf(stderr, "sinter: oneDNN %s failed (%s); using the reference loop\n", kernel, why);
}

/// rows × n values c: c = activation(c + bias[j]) by hand (empty problems, fallbacks).
inline void epilogueByHand(float *c, const float *bias, int64_t rows, int64_t n,
                           int32_t activation) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      float &v = c[r * n + j];
      if (bias)
        v += bias[j];
      if (activation == SINTER_ACTIVATION_RELU)
        v = std::max(v, 0.0f);
    }
}

} // namespace sinter::runtime::kernels

#endif

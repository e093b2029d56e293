// The process's one oneDNN CPU engine and a stream per calling thread, shared by the kernels.
#ifndef SINTER_RUNTIME_KERNELS_CPU_DNNL_H
#define SINTER_RUNTIME_KERNELS_CPU_DNNL_H

#include <oneapi/dnnl/dnnl.hpp>

namespace sinter::runtime::kernels {

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

} // namespace sinter::runtime::kernels

#endif

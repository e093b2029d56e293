//===- Allocator.cpp - Buffers of compiled code ---------------------------===//
//
// Compiled code allocates its temporaries through these functions (the memref lowering's
// generic allocation functions). Large temporaries come back every call with the same sizes,
// and from malloc they would be fresh mmaps each time: a 16 MB temporary then costs thousands
// of page faults per call (a generated softmax over [4096, 1000] ran 25x slower). Freed large
// blocks are kept in a bounded cache and handed out again for the same size. The bound is a
// quarter of the machine's memory: a ResNet-18 training step (batch 32) allocates about 1.4 GB
// of temporaries per call, and with a 512 MB bound it spent a third of its time in page faults.
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include <unistd.h>

namespace {

/// Blocks below this size go straight to malloc (its own caches serve them well).
constexpr size_t kLargeBlock = 256 * 1024;
/// The most bytes kept for reuse: a quarter of physical memory, at least 512 MB.
size_t cacheCapacity() {
  static const size_t capacity = [] {
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    size_t quarter = pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) / 4 : 0;
    return std::max<size_t>(quarter, size_t(512) * 1024 * 1024);
  }();
  return capacity;
}

/// Stored just before the pointer handed out.
struct Header {
  void *base;
  size_t size; // usable bytes
};

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void *> blocks; // usable size -> user pointer
  size_t bytes = 0;
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: compiled code may free during exit
  return *c;
}

Header *headerOf(void *p) { return static_cast<Header *>(p) - 1; }

void *allocate(size_t alignment, size_t size) {
  alignment = std::max<size_t>(alignment, alignof(std::max_align_t));
  if (alignment & (alignment - 1))
    return nullptr;
  size_t offset = (sizeof(Header) + alignment - 1) / alignment * alignment;
  size_t usable = std::max<size_t>(size, 1);
  if (usable >= kLargeBlock) {
    usable = (usable + 4095) / 4096 * 4096;
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.blocks.find(usable);
    for (; it != c.blocks.end() && it->first == usable; ++it)
      if (reinterpret_cast<uintptr_t>(it->second) % alignment == 0) {
        void *p = it->second;
        c.bytes -= usable;
        c.blocks.erase(it);
        return p;
      }
  }
  size_t total = (offset + usable + alignment - 1) / alignment * alignment;
  void *base = std::aligned_alloc(alignment, total);
  if (!base)
    return nullptr;
  void *p = static_cast<char *>(base) + offset;
  *headerOf(p) = Header{base, usable};
  return p;
}

} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) { return allocate(16, size); }

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return allocate(alignment, size);
}

extern "C" void _mlir_memref_to_llvm_free(void *p) {
  if (!p)
    return;
  Header h = *headerOf(p);
  if (h.size >= kLargeBlock) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.bytes + h.size <= cacheCapacity()) {
      c.blocks.emplace(h.size, p);
      c.bytes += h.size;
      return;
    }
  }
  std::free(h.base);
}

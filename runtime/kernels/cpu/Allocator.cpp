//===- Allocator.cpp - Buffers of compiled code ---------------------------===//
//
// Compiled code allocates its temporaries through these functions (the memref lowering's
// generic allocation functions). Large temporaries come back every call with the same sizes,
// and from malloc they would be fresh mmaps each time: a 16 MB temporary then costs thousands
// of page faults per call (a generated softmax over [4096, 1000] ran 25x slower; a ResNet-18
// training step, 1.4 GB of temporaries, spent a third of its time in page faults). Freed large
// blocks are kept and handed out again for the same size. The cache holds at most as many
// bytes as were ever live at once (at least 512 MB, at most a quarter of physical memory), so
// a steady workload reuses all of its blocks; when it is full, the blocks freed longest ago go
// back to the system first (sizes that stopped coming back — another batch size — do not pin
// memory).
//
//===----------------------------------------------------------------------===//
#include "sinter/runtime/Abi.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <mutex>

#include <unistd.h>

namespace {

/// Blocks below this size go straight to malloc (its own caches serve them well).
constexpr size_t kLargeBlock = 256 * 1024;
constexpr size_t kMinCapacity = size_t(512) * 1024 * 1024;

size_t quarterOfMemory() {
  static const size_t quarter = [] {
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) / 4 : kMinCapacity;
  }();
  return quarter;
}

/// Stored just before the pointer handed out.
struct Header {
  void *base;
  size_t size; // usable bytes
};

Header *headerOf(void *p) { return static_cast<Header *>(p) - 1; }

struct Cache {
  std::mutex mutex;
  std::list<void *> order;                                   // freed blocks, oldest first
  std::multimap<size_t, std::list<void *>::iterator> bySize; // usable size -> its entry
  size_t cached = 0, live = 0, peakLive = 0;                 // bytes of large blocks

  size_t capacity() const {
    return std::min(std::max(peakLive, kMinCapacity), std::max(quarterOfMemory(), kMinCapacity));
  }
  void take(std::multimap<size_t, std::list<void *>::iterator>::iterator it) {
    cached -= it->first;
    order.erase(it->second);
    bySize.erase(it);
  }
  /// Frees the blocks freed longest ago until `incoming` more bytes fit.
  void makeRoom(size_t incoming) {
    while (!order.empty() && cached + incoming > capacity()) {
      void *oldest = order.front();
      size_t size = headerOf(oldest)->size;
      auto range = bySize.equal_range(size);
      for (auto it = range.first; it != range.second; ++it)
        if (*it->second == oldest) {
          take(it);
          break;
        }
      std::free(headerOf(oldest)->base);
    }
  }
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: compiled code may free during exit
  return *c;
}

void *allocate(size_t alignment, size_t size) {
  alignment = std::max<size_t>(alignment, alignof(std::max_align_t));
  if (alignment & (alignment - 1))
    return nullptr;
  size_t offset = (sizeof(Header) + alignment - 1) / alignment * alignment;
  size_t usable = std::max<size_t>(size, 1);
  bool large = usable >= kLargeBlock;
  if (large) {
    usable = (usable + 4095) / 4096 * 4096;
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.live += usable;
    c.peakLive = std::max(c.peakLive, c.live);
    auto range = c.bySize.equal_range(usable);
    for (auto it = range.first; it != range.second; ++it)
      if (reinterpret_cast<uintptr_t>(*it->second) % alignment == 0) {
        void *p = *it->second;
        c.take(it);
        return p;
      }
  }
  size_t total = (offset + usable + alignment - 1) / alignment * alignment;
  void *base = std::aligned_alloc(alignment, total);
  if (!base) {
    if (large) {
      Cache &c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      c.live -= usable;
    }
    return nullptr;
  }
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
  if (h.size < kLargeBlock) {
    std::free(h.base);
    return;
  }
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.live -= h.size;
  if (h.size > c.capacity()) {
    std::free(h.base);
    return;
  }
  c.makeRoom(h.size);
  c.order.push_back(p);
  c.bySize.emplace(h.size, std::prev(c.order.end()));
  c.cached += h.size;
}

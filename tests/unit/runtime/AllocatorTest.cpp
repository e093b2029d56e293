// The allocator of compiled code's temporaries (kernels/cpu/Allocator.cpp): large blocks come
// back for the same size, alignments hold, and a size that stops coming back does not stay
// cached past the bound.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
extern "C" void _mlir_memref_to_llvm_free(void *p);

TEST_CASE("large temporaries are reused for the same size, aligned", "[runtime][allocator]") {
  const size_t size = 3u << 20;
  void *a = _mlir_memref_to_llvm_aligned_alloc(64, size);
  REQUIRE(a);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  std::memset(a, 1, size);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, size);
  CHECK(b == a); // the freed block came back: no fresh pages to fault in
  void *c = _mlir_memref_to_llvm_aligned_alloc(128, size);
  CHECK(c != b);
  CHECK(reinterpret_cast<uintptr_t>(c) % 128 == 0);
  std::memset(c, 2, size);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
  void *small = _mlir_memref_to_llvm_aligned_alloc(16, 100);
  REQUIRE(small);
  _mlir_memref_to_llvm_free(small);
}

TEST_CASE("blocks of sizes that stop coming back are given back first", "[runtime][allocator]") {
  // 40 blocks of 16 MB live at once (640 MB, above the 512 MB minimum bound), then 40 of
  // another size: the first size's cached blocks must make room instead of staying cached.
  auto cycle = [](size_t size) {
    std::vector<void *> blocks;
    for (int i = 0; i < 40; ++i) {
      blocks.push_back(_mlir_memref_to_llvm_aligned_alloc(64, size));
      REQUIRE(blocks.back());
      static_cast<char *>(blocks.back())[0] = 1;
    }
    for (void *p : blocks)
      _mlir_memref_to_llvm_free(p);
    return blocks;
  };
  std::vector<void *> first = cycle(16u << 20);
  std::vector<void *> again = cycle(16u << 20);
  // The same working set again: every block is reused.
  size_t reused = 0;
  for (void *p : again)
    reused += std::find(first.begin(), first.end(), p) != first.end();
  CHECK(reused == again.size());
  cycle((16u << 20) + 4096); // another size: evicts, never fails
}

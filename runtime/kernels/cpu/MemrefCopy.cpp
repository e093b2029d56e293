// memrefCopy: the copy between strided buffers that MLIR's memref-to-LLVM lowering calls when
// a memref.copy is not between contiguous buffers (a view of a result's first rows, say).
#include "sinter/runtime/Abi.h"

#include <cstring>

namespace {

/// MLIR's strided memref descriptor: base, aligned data, offset, then sizes and strides.
struct Descriptor {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[];
};

void copyDim(int64_t elemSize, int64_t rank, int64_t dim, const int64_t *sizes,
             const int64_t *srcStrides, const int64_t *dstStrides, const char *src, char *dst) {
  if (dim == rank) {
    std::memcpy(dst, src, static_cast<size_t>(elemSize));
    return;
  }
  for (int64_t i = 0; i < sizes[dim]; ++i)
    copyDim(elemSize, rank, dim + 1, sizes, srcStrides, dstStrides,
            src + i * srcStrides[dim] * elemSize, dst + i * dstStrides[dim] * elemSize);
}

} // namespace

extern "C" void memrefCopy(int64_t elemSize, SinterUnrankedMemRef *src, SinterUnrankedMemRef *dst) {
  auto *s = static_cast<Descriptor *>(src->descriptor);
  auto *d = static_cast<Descriptor *>(dst->descriptor);
  int64_t rank = src->rank;
  const int64_t *sizes = s->sizesAndStrides;
  copyDim(elemSize, rank, 0, sizes, s->sizesAndStrides + rank, d->sizesAndStrides + rank,
          s->aligned + s->offset * elemSize, d->aligned + d->offset * elemSize);
}

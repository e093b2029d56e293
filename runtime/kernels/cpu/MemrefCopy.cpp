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

/// Copies dims [dim, rank) recursively; from `dense` on, both sides are contiguous, so that
/// tail is one memcpy of `denseBytes` (a transposed or strided view copies element by element
/// only in the dims where it must).
void copyDim(int64_t elemSize, int64_t dense, size_t denseBytes, int64_t dim, const int64_t *sizes,
             const int64_t *srcStrides, const int64_t *dstStrides, const char *src, char *dst) {
  if (dim == dense) {
    std::memcpy(dst, src, denseBytes);
    return;
  }
  for (int64_t i = 0; i < sizes[dim]; ++i)
    copyDim(elemSize, dense, denseBytes, dim + 1, sizes, srcStrides, dstStrides,
            src + i * srcStrides[dim] * elemSize, dst + i * dstStrides[dim] * elemSize);
}

} // namespace

extern "C" void memrefCopy(int64_t elemSize, SinterUnrankedMemRef *src, SinterUnrankedMemRef *dst) {
  auto *s = static_cast<Descriptor *>(src->descriptor);
  auto *d = static_cast<Descriptor *>(dst->descriptor);
  int64_t rank = src->rank;
  const int64_t *sizes = s->sizesAndStrides;
  const int64_t *srcStrides = s->sizesAndStrides + rank, *dstStrides = d->sizesAndStrides + rank;
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  // The innermost dims that are row-major contiguous on both sides.
  int64_t dense = rank, elements = 1;
  while (dense > 0 && (sizes[dense - 1] == 1 ||
                       (srcStrides[dense - 1] == elements && dstStrides[dense - 1] == elements))) {
    elements *= sizes[dense - 1];
    --dense;
  }
  copyDim(elemSize, dense, static_cast<size_t>(elements * elemSize), 0, sizes, srcStrides,
          dstStrides, s->aligned + s->offset * elemSize, d->aligned + d->offset * elemSize);
}

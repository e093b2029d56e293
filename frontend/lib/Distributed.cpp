// Bucketed gradient reduction and the batch share of a data-parallel step (Distributed.h),
// written with the public ops.
#include "sinter/Distributed.h"

#include <algorithm>

namespace sinter::distributed {

/// The first bucket (the last layers' gradients, computed first) holds at most this, as
/// PyTorch DDP's does: its all-reduce then starts early in the backward pass, which the rest
/// of the pass overlaps (sinter-schedule-collectives).
constexpr size_t kFirstBucketBytes = size_t(1) << 20;

std::vector<Tensor> allReduceGradients(const std::vector<Tensor> &grads, Reduction reduction,
                                       size_t bucketBytes, Loc loc) {
  std::vector<Tensor> out(grads.begin(), grads.end());
  size_t cap = std::min(bucketBytes, kFirstBucketBytes);
  // A bucket: indices into grads, all of one dtype, filled from the last gradient backwards.
  std::vector<size_t> bucket;
  size_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty())
      return;
    if (bucket.size() == 1) {
      out[bucket[0]] = allReduce(grads[bucket[0]], reduction, loc);
    } else {
      std::vector<Tensor> flat;
      for (size_t i : bucket)
        flat.push_back(reshape(grads[i], {grads[i].numElements()}, loc));
      Tensor reduced = allReduce(concat(flat, 0, loc), reduction, loc);
      int64_t offset = 0;
      for (size_t i : bucket) {
        int64_t n = grads[i].numElements();
        out[i] =
            reshape(stridedSlice(reduced, {offset}, {offset + n}, {1}, loc), grads[i].shape(), loc);
        offset += n;
      }
    }
    bucket.clear();
    bytes = 0;
    cap = bucketBytes;
  };
  for (size_t k = grads.size(); k-- > 0;) {
    const Tensor &g = grads[k];
    size_t size = static_cast<size_t>(g.numElements()) * runtime::dtypeSize(g.dtype());
    if (!bucket.empty() && (bytes + size > cap || grads[bucket.front()].dtype() != g.dtype()))
      flush();
    bucket.push_back(k);
    bytes += size;
  }
  flush();
  return out;
}

Tensor batchShare(const Tensor &x, Loc loc) {
  Tensor rows = dimSize(x, 0, DType::F32, loc);
  return rows / allReduce(rows, Reduction::Sum, loc);
}

} // namespace sinter::distributed

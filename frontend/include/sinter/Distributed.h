// Data-parallel training with the graph API: every rank of an `mpirun` job runs the same
// compiled step on its own part of each global batch, and the step reduces the gradients
// across ranks (sinter.all_reduce) before the optimizer applies them, so the variables stay
// identical on every rank. The processes (initialize, rank, size, broadcastVariables, shard,
// finalize) are the runtime's, declared in sinter/runtime/Distributed.h.
//
//   distributed::initialize();
//   Tensor loss = ... over this rank's rows x ...;
//   Tensor share = distributed::batchShare(x);          // rows here / rows on all ranks
//   auto grads = distributed::allReduceGradients(gradients(loss * share, vars));
//   entry.updates = optimizer.applyGradients(grads, vars);
//   ... compile; distributed::broadcastVariables(program.session()); train; finalize().
#ifndef SINTER_DISTRIBUTED_H
#define SINTER_DISTRIBUTED_H

#include "sinter/Ops.h"
#include "sinter/runtime/Distributed.h"

namespace sinter::distributed {

/// PyTorch DistributedDataParallel's default bucket size (25 MiB).
inline constexpr size_t kBucketBytes = size_t(25) << 20;

/// The gradients of a step combined across ranks by `reduction`: several gradients per
/// all_reduce — flattened and concatenated into buckets of at most `bucketBytes` (a gradient
/// larger than that is a bucket alone), filled from the last gradient to the first (the order
/// backpropagation computes them; the first bucket holds at most 1 MiB, as DDP's, so its
/// reduction starts early), each then split and reshaped back. Sum is the default: with
/// each rank's loss weighted by batchShare, the sum is the gradient of the global batch's loss.
std::vector<Tensor> allReduceGradients(const std::vector<Tensor> &grads,
                                       Reduction reduction = Reduction::Sum,
                                       size_t bucketBytes = kBucketBytes, Loc loc = Loc::current());

/// This rank's rows of the global batch as a fraction of all ranks' rows (a float32 scalar:
/// rows of `x` here / Σ over ranks), computed in the step, so a dynamic batch and a last
/// partial batch split unevenly stay exact: Σ_ranks share · mean loss = the global mean loss.
Tensor batchShare(const Tensor &x, Loc loc = Loc::current());

} // namespace sinter::distributed

#endif // SINTER_DISTRIBUTED_H

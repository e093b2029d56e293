#!/usr/bin/python3
"""PyTorch peer for the MLP benchmark: 784-256-128-10 ReLU MLP, softmax cross-entropy, SGD lr 0.01.

Run with Debian's interpreter and OpenBLAS' AVX-512 kernels (docs/benchmarks.md):
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_mlp.py [--seconds 2.5] [--threads 2]
(scripts/install-deps.sh --bench installs python3-torch and libopenblas0.)

Prints one line per workload, medians (BENCH_STAT=mean: means) over repetitions after warm-up:
    mlp_train_b128 steps_per_s=...
    mlp_infer_b1 us=...
    mlp_infer_b128 us=...
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import infer_seconds, parse_args, train_seconds  # noqa: E402


def make_model():
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def main():
    args = parse_args(__doc__)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if os.environ.get("OPENBLAS_CORETYPE") is None:
        print("note: OPENBLAS_CORETYPE is not set; torch's matmul may use slow OpenBLAS kernels "
              "(run with OPENBLAS_CORETYPE=SkylakeX)", file=sys.stderr)

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()  # softmax cross-entropy on logits
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    # (1) training step, batch 128 (forward, loss, backward, SGD update).
    x = torch.rand(128, 784)
    y = torch.randint(0, 10, (128,))

    per_step = train_seconds(model, loss_fn, opt, x, y, args.seconds)
    print(f"mlp_train_b128 steps_per_s={1.0 / per_step:.1f}", flush=True)

    # (2), (3) inference latency, batch 1 and 128.
    for batch, name in ((1, "mlp_infer_b1"), (128, "mlp_infer_b128")):
        per_call = infer_seconds(model, torch.rand(batch, 784), args.seconds)
        print(f"{name} us={per_call * 1e6:.1f}", flush=True)

if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch peer for the elementwise benchmark: a 10-op elementwise chain on 4M floats and a softmax.

Run with Debian's interpreter (scripts/install-deps.sh --bench installs python3-torch):
    /usr/bin/python3 bench/pytorch_elementwise.py [--seconds 2.5] [--threads 2]

The same workloads as bench/elementwise_bench.cpp, in eager mode (PyTorch's default; each op
is one kernel and one temporary, no fusion):
    ew_chain_4m        t = max((x*1.5 + 0.5)*x - 0.25, -1); u = exp(tanh(t)*0.5) - x; y = u*u
                       on x uniform in [-1, 1), 4,194,304 floats
    softmax_4096x1000  torch.softmax(x, dim=1) on a standard-normal [4096, 1000] tensor
    softmax_generated_4096x1000  the same softmax (PyTorch has one kernel for both lines)
    reduce_rows_4096x1000        x.sum(dim=1)
    transpose_4096x1000          x.t().contiguous() (a materialised transpose, as Sinter's)
Prints one line per workload, medians (BENCH_STAT=mean: means) over repetitions after warm-up:
    ew_chain_4m us=...
    softmax_4096x1000 us=...
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import measure, parse_args, per_call  # noqa: E402


def chain(x, floor):
    t = torch.maximum((x * 1.5 + 0.5) * x - 0.25, floor)
    u = torch.exp(torch.tanh(t) * 0.5) - x
    return u * u


def main():
    args = parse_args(__doc__)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.rand(4 * 1024 * 1024) * 2 - 1
    floor = torch.tensor(-1.0)
    logits = torch.randn(4096, 1000)

    with torch.inference_mode():
        t = measure(lambda: chain(x, floor), args.seconds, 5, 10)
        print(f"ew_chain_4m us={per_call(t) * 1e6:.1f}", flush=True)
        t = measure(lambda: torch.softmax(logits, dim=1), args.seconds, 5, 10)
        print(f"softmax_4096x1000 us={per_call(t) * 1e6:.1f}", flush=True)
        print(f"softmax_generated_4096x1000 us={per_call(t) * 1e6:.1f}", flush=True)
        t = measure(lambda: logits.sum(dim=1), args.seconds, 5, 10)
        print(f"reduce_rows_4096x1000 us={per_call(t) * 1e6:.1f}", flush=True)
        t = measure(lambda: logits.t().contiguous(), args.seconds, 5, 10)
        print(f"transpose_4096x1000 us={per_call(t) * 1e6:.1f}", flush=True)


if __name__ == "__main__":
    main()

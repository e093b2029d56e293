#!/usr/bin/python3
"""PyTorch peer for the convolution benchmark: the book's LeNet-5 (chapter 10.4).

The same network as bench/conv_bench.cpp: Conv2d(1, 6, 3) -> MaxPool(2, 2) -> ReLU ->
Conv2d(6, 16, 3) -> MaxPool(2, 2) -> ReLU -> Flatten -> Linear 400-120 (ReLU) -> 120-84 (ReLU)
-> 84-10 logits; CrossEntropyLoss, Adam(lr 1e-3, eps 1e-7 as Keras).

Run with Debian's interpreter:
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_conv.py [--seconds 2.5] [--threads 2]

Prints, medians over repetitions after warm-up:
    lenet5_train_b128 steps_per_s=...
    lenet5_infer_b100 us_per_image=...
"""
import argparse
import os
import statistics
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import measure  # noqa: E402


def make_lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Conv2d(6, 16, 3), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.5, help="measuring time per workload")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = make_lenet5()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    # (1) training step, batch 128 (forward, loss, backward, Adam update).
    x = torch.rand(128, 1, 28, 28)
    y = torch.arange(128) % 10

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    model.train()
    t = measure(train_step, args.seconds)
    print(f"lenet5_train_b128 steps_per_s={1.0 / statistics.median(t):.1f}", flush=True)

    # (2) inference, batch 100.
    model.eval()
    xb = torch.rand(100, 1, 28, 28)

    def infer():
        with torch.inference_mode():
            model(xb)

    t = measure(infer, args.seconds, warmup=50)
    print(f"lenet5_infer_b100 us_per_image={statistics.median(t) * 1e6 / 100:.2f}", flush=True)


if __name__ == "__main__":
    main()

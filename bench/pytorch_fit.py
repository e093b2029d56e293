#!/usr/bin/python3
"""PyTorch peer for the fit() benchmark: the chapter-8 network trained on Fashion-MNIST.

The same training loop as bench/fit_bench.cpp (Sinter's nn::Model::fit):
    nn.Sequential 784 -> 256-128-64-32 (ReLU) -> 10 logits, Adam(lr 0.01, eps 1e-7 as Keras),
    CrossEntropyLoss on logits with class-id labels (= sparse categorical cross-entropy from
    logits), batch 128, a fresh random permutation each epoch, batches taken by tensor
    indexing (no DataLoader), the last partial batch of 96 included, the running loss and
    accuracy accumulated per step (as Keras' fit does for its progress/logs).

Run with Debian's interpreter and OpenBLAS' AVX-512 kernels (docs/benchmarks.md):
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_fit.py [--epochs 2] [--threads 2]

A few warm-up steps run first (on a copy of the model, so the measured training starts from
the same fresh weights). Prints
    fit_ch08_fashion samples_per_s=...   (samples trained / wall seconds of the measured epochs)
and a detail line with the final epoch's loss and accuracy.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def make_model():
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 10),
    )


def train_epoch(model, opt, loss_fn, x, y, batch, gen, rows=None):
    """One epoch in a fresh random order; `rows` = (lo, hi): the part of every batch this
    process takes (a data-parallel rank, bench/pytorch_ddp.py), all of it by default."""
    n = x.shape[0]
    lo, hi = rows or (0, batch)
    perm = torch.randperm(n, generator=gen)
    loss_sum, correct = 0.0, 0
    for start in range(0, n, batch):
        idx = perm[start + lo:start + hi]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * xb.shape[0]
        correct += (logits.argmax(1) == yb).sum().item()
    return loss_sum / n, correct / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2, help="measured epochs")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data-dir", default=FASHION_DIR)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if os.environ.get("OPENBLAS_CORETYPE") is None:
        print("note: OPENBLAS_CORETYPE is not set; torch's matmul may use slow OpenBLAS kernels "
              "(run with OPENBLAS_CORETYPE=SkylakeX)", file=sys.stderr)

    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(images.shape[0], -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    n = x.shape[0]

    loss_fn = nn.CrossEntropyLoss()
    model = make_model()
    model.train()
    gen = torch.Generator().manual_seed(1)

    # Warm-up on a throw-away copy: a batch of 128 and one of 96.
    warm = make_model()
    warm.load_state_dict(model.state_dict())
    warm_opt = torch.optim.Adam(warm.parameters(), lr=0.01, eps=1e-7)
    train_epoch(warm, warm_opt, loss_fn, x[:128 + n % 128], y[:128 + n % 128], 128,
                torch.Generator().manual_seed(0))

    opt = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-7)
    t0 = time.perf_counter()
    for _ in range(args.epochs):
        loss, acc = train_epoch(model, opt, loss_fn, x, y, 128, gen)
    seconds = time.perf_counter() - t0
    print(f"fit_ch08_fashion samples_per_s={n * args.epochs / seconds:.0f}", flush=True)
    print(f"fit_ch08_fashion_detail epochs={args.epochs} samples={n * args.epochs} "
          f"seconds={seconds:.2f} loss={loss:.4f} accuracy={acc:.4f}", flush=True)
    if not (loss == loss) or acc <= 0.7:
        print(f"pytorch_fit: training did not learn (loss {loss}, accuracy {acc})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

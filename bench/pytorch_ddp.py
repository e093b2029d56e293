#!/usr/bin/python3
"""PyTorch peer for the data-parallel benchmark: DistributedDataParallel over Gloo.

The same workloads as bench/distributed_bench.cpp (Sinter's Model::distribute under mpirun):
the chapter-8 MLP (784-256-128-64-32-10) and the book's LeNet-5, Adam(lr 1e-3, eps 1e-7 as
Keras), CrossEntropyLoss on class ids, global batches of 128 in a fresh random order each epoch,
each of the --ranks processes taking its part of every batch (the parts differ by at most a
row), gradients averaged by DDP (its default 25 MiB buckets), the running loss and accuracy
accumulated per step as Keras' fit does. Processes are started by torch.multiprocessing on the
loopback (Gloo; Debian's torch has no MPI backend).

    /usr/bin/python3 bench/pytorch_ddp.py --ranks 2 --threads 1 [--epochs 3]

Prints (rank 0) the median over --epochs epochs after one warm-up epoch:
    dp_mlp_train_b128 ranks=P threads=T samples_per_s=...
    dp_lenet5_train_b128 ranks=P threads=T samples_per_s=...
"""
import argparse
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from pytorch_fit import train_epoch

BATCH = 128


def mlp():
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Conv2d(6, 16, 3), nn.MaxPool2d(2, 2), nn.ReLU(), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def worker(rank, args, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    for name, make, shape, steps in [("dp_mlp_train_b128", mlp, (784,), 200),
                                     ("dp_lenet5_train_b128", lenet5, (1, 28, 28), 40)]:
        torch.manual_seed(0)
        model = DistributedDataParallel(make())
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        n = steps * BATCH
        x = torch.rand(n, *shape)
        y = torch.randint(0, 10, (n,))
        gen = torch.Generator().manual_seed(0)  # the same order on every rank
        rows = (BATCH * rank // args.ranks, BATCH * (rank + 1) // args.ranks)

        def epoch():
            train_epoch(model, opt, loss_fn, x, y, BATCH, gen, rows)

        epoch()  # warm-up
        times = []
        for _ in range(args.epochs):
            dist.barrier()
            t0 = time.perf_counter()
            epoch()
            times.append(time.perf_counter() - t0)
        times.sort()
        if rank == 0:
            print(f"{name} ranks={args.ranks} threads={args.threads} "
                  f"samples_per_s={n / times[len(times) // 2]:.0f}", flush=True)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3, help="measured epochs")
    args = ap.parse_args()
    with socket.socket() as s:  # a free port for the rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(worker, args=(args, port), nprocs=args.ranks)


if __name__ == "__main__":
    main()

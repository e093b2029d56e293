"""Timing helper shared by the PyTorch side of the benchmarks (same method as bench/Timing.h)."""
import argparse
import os
import statistics
import time


def parse_args(doc, extra=None):
    """The peers' common flags, --seconds (measuring time per workload) and --threads, plus the
    ones `extra(parser)` adds; the description is the first line of `doc`."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.5, help="measuring time per workload")
    ap.add_argument("--threads", type=int, default=2)
    if extra:
        extra(ap)
    return ap.parse_args()


def measure(fn, seconds, warmup=20, min_reps=20):
    """Runs fn repeatedly for about `seconds` after `warmup` calls; returns per-call seconds."""
    for _ in range(warmup):
        fn()
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < min_reps or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def per_call(times):
    """The seconds per call a result line reports: the median, or with BENCH_STAT=mean the mean
    (as bench/Timing.h's perCall; bench/run.sh sets it for its busy-machine runs)."""
    if os.environ.get("BENCH_STAT") == "mean":
        return statistics.mean(times)
    return statistics.median(times)


def train_step(model, loss_fn, opt, x, y):
    """One training step of model on (x, y) as a closure: forward, loss, backward, update."""
    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def train_seconds(model, loss_fn, opt, x, y, seconds, **measure_args):
    """The seconds of one training step of model (in training mode) on (x, y), per_call."""
    step = train_step(model, loss_fn, opt, x, y)
    model.train()
    return per_call(measure(step, seconds, **measure_args))


def infer_seconds(model, x, seconds, warmup=50):
    """The seconds of one forward pass of model (in eval and inference mode) on x, per_call."""
    import torch
    model.eval()

    def infer():
        with torch.inference_mode():
            model(x)
    return per_call(measure(infer, seconds, warmup=warmup))

"""Timing helper shared by the PyTorch side of the benchmarks (same method as bench/Timing.h)."""
import time


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


def train_step(model, loss_fn, opt, x, y):
    """One training step of model on (x, y) as a closure: forward, loss, backward, update."""
    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step

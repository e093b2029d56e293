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

"""Time nap and tau_u on 1,000 points per phase against a plain pairwise Python loop.

Run from the project root: ``python bench/bench_analysis.py``.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trellis.analysis import effect_sizes as es  # noqa: E402

N = 1000
REPEATS = 5


def loop_nap(a, b):
    total = 0.0
    for x in a:
        for y in b:
            total += 1.0 if y > x else 0.5 if y == x else 0.0
    return total / (len(a) * len(b))


def loop_tau_u(a, b):
    s = 0
    for x in a:
        for y in b:
            s += (y > x) - (y < x)
    trend = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            trend += (a[j] > a[i]) - (a[j] < a[i])
    return (s - trend) / (len(a) * len(b))


def best_time(fn, repeats=REPEATS):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    rng = np.random.default_rng(2024)
    a = rng.integers(0, 50, N).astype(float)
    b = rng.integers(10, 60, N).astype(float)
    la, lb = a.tolist(), b.tolist()
    rows = [
        ("nap", lambda: es.nap(a, b).estimate, lambda: loop_nap(la, lb)),
        ("tau_u", lambda: es.tau_u(a, b).estimate, lambda: loop_tau_u(la, lb)),
    ]
    print(f"{N} points per phase, best of {REPEATS} (vectorized) / 1 (loop)")
    print(f"{'index':<8}{'vectorized ms':>15}{'loop ms':>12}{'ratio':>9}")
    for name, fast, slow in rows:
        t_fast, v_fast = best_time(fast)
        t_slow, v_slow = best_time(slow, repeats=1)
        assert abs(v_fast - v_slow) < 1e-12, (name, v_fast, v_slow)
        print(f"{name:<8}{t_fast * 1e3:>15.2f}{t_slow * 1e3:>12.1f}{t_slow / t_fast:>8.0f}x")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference for `latent-benchmarks sinkhorn`: POT's NumPy and PyTorch backends on the same data.

The two sets of 5 000 points in 50-D that `latent-benchmarks sinkhorn` writes to
/tmp/latent-transport, at ε = 0.05 on ot.dist's squared-Euclidean cost, each backend on 2 threads:

(a) 100 log-domain iterations: ot.sinkhorn2(a, b, ot.dist(x, y), 0.05, method="sinkhorn_log",
    numItermax=100, stopThr=0), the cost matrix included;
(b) the Sinkhorn divergence to convergence, as `latent distance --metric sinkhorn --epsilon 0.05`:
    ot.bregman.empirical_sinkhorn_divergence(x, y, 0.05, method="sinkhorn_log", stopThr=1e-6)
    (three problems; POT debiases ⟨P, C⟩, Latent the dual value with its entropy term, so the
    benchmark prints Latent's ⟨P, C⟩-debiased figure beside it).

NumPy in float64; PyTorch (CPU wheel) on float32 tensors.

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install pot numpy
    /tmp/torchenv/bin/pip install --no-deps /path/to/torch-*cpu*.whl     # and its few dependencies
    swift run -c release latent-benchmarks sinkhorn --repetitions 30     # writes the data, times Latent
    /tmp/torchenv/bin/python Benchmarks/reference/sinkhorn_reference.py [--repetitions 3] [--threads 2]
"""
import argparse
import os
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--skip-torch", action="store_true", help="NumPy only (no PyTorch installed)")
args = parser.parse_args()
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread settings)
import ot  # noqa: E402

EPSILON = 0.05
x64 = np.load("/tmp/latent-transport/x.npy").astype(np.float64)
y64 = np.load("/tmp/latent-transport/y.npy").astype(np.float64)
n, m = x64.shape[0], y64.shape[0]


def measure(label, x, y, a, b, to_float):
    fixed, converged = [], []
    for _ in range(args.repetitions):
        start = time.perf_counter()
        cost = ot.sinkhorn2(a, b, ot.dist(x, y), EPSILON, method="sinkhorn_log", numItermax=100, stopThr=0)
        fixed.append(time.perf_counter() - start)
        start = time.perf_counter()
        divergence = ot.bregman.empirical_sinkhorn_divergence(x, y, EPSILON, method="sinkhorn_log", stopThr=1e-6)
        converged.append(time.perf_counter() - start)
    print(f"{label}: (a) 100 iterations {statistics.median(fixed):.3f} s (<P, C> = {to_float(cost):.7f}); "
          f"(b) divergence to stopThr 1e-6 {statistics.median(converged):.3f} s (value {to_float(divergence):.7f}); medians of {args.repetitions}")


print(f"POT {ot.__version__}, NumPy {np.__version__}, {args.threads} threads, 5000 x 5000 points in 50-D, eps {EPSILON}:")
measure("NumPy float64", x64, y64, np.full(n, 1 / n), np.full(m, 1 / m), float)
if not args.skip_torch:
    import torch  # noqa: E402

    torch.set_num_threads(args.threads)
    xt, yt = torch.from_numpy(x64.astype(np.float32)), torch.from_numpy(y64.astype(np.float32))
    at, bt = torch.full((n,), 1 / n, dtype=torch.float32), torch.full((m,), 1 / m, dtype=torch.float32)
    measure(f"PyTorch {torch.__version__} float32", xt, yt, at, bt, lambda value: float(value))

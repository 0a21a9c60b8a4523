#!/usr/bin/env python3
"""Reference for `latent-benchmarks transport`: POT and NumPy on the same work and data.

ot.emd2 (the cost matrix included) between the two sets of 5 000 points in 50-D that
`latent-benchmarks transport` writes to /tmp/latent-transport: their first 1 000 points each,
the first 1 000 × 800 and 2 000 × 2 000 of them (Sinkhorn on the same data:
sinkhorn_reference.py); and the
unbiased Gaussian MMD² (σ = 10) between the first 10 000 training and the 10 000 test images of
Fashion-MNIST, written with NumPy (float32 products, as Latent's GEMM, sums in float64, blocks of
1 000 rows so memory stays bounded).

    python3 -m pip install pot numpy
    swift run -c release latent-benchmarks transport --repetitions 30     # writes the data, times Latent
    python3 Benchmarks/reference/transport_reference.py [--repetitions 3] [--threads 2]
"""
import argparse
import gzip
import os
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread settings)
import ot  # noqa: E402

ROOT = "/usr/share/datasets/fashion-mnist"


def images(name, count):
    data = gzip.open(f"{ROOT}/{name}-images-idx3-ubyte.gz", "rb").read()
    return (np.frombuffer(data, np.uint8, offset=16).reshape(-1, 784)[:count] / np.float32(255)).astype(np.float32)


def kernel_sum(a, b, sigma, skip_diagonal):
    b_norms = (b.astype(np.float64) ** 2).sum(1)
    total = 0.0
    for start in range(0, a.shape[0], 1000):
        block = a[start:start + 1000]
        squared = np.maximum((block.astype(np.float64) ** 2).sum(1)[:, None] + b_norms[None, :] - 2 * (block @ b.T).astype(np.float64), 0)
        k = np.exp(-squared / (2 * sigma * sigma))
        if skip_diagonal:
            k[np.arange(block.shape[0]), start + np.arange(block.shape[0])] = 0
        total += k.sum()
    return total


def mmd2(x, y, sigma):
    n, m = x.shape[0], y.shape[0]
    return kernel_sum(x, x, sigma, True) / (n * (n - 1)) + kernel_sum(y, y, sigma, True) / (m * (m - 1)) - 2 * kernel_sum(x, y, sigma, False) / (n * m)


x = np.load("/tmp/latent-transport/x.npy").astype(np.float64)
y = np.load("/tmp/latent-transport/y.npy").astype(np.float64)
train, test = images("train", 10000), images("t10k", 10000)
EMD_SIZES = [(1000, 1000), (1000, 800), (2000, 2000)]
times = {"mmd": [], **{size: [] for size in EMD_SIZES}}
emds = {}
for _ in range(args.repetitions):
    for n, m in EMD_SIZES:
        start = time.perf_counter()
        emds[(n, m)] = ot.emd2(np.full(n, 1 / n), np.full(m, 1 / m), ot.dist(x[:n], y[:m]), numItermax=10_000_000)
        times[(n, m)].append(time.perf_counter() - start)
    start = time.perf_counter()
    value = mmd2(train, test, 10.0)
    times["mmd"].append(time.perf_counter() - start)
print(f"POT {ot.__version__}, NumPy {np.__version__}, {args.threads} threads, medians of {args.repetitions}:")
for n, m in EMD_SIZES:
    print(f"Exact EMD {n} x {m}, 50-D (ot.emd2 with ot.dist): {statistics.median(times[(n, m)]):.3f} s (EMD = {float(emds[(n, m)]):.6f})")
print(f"MMD^2 Gaussian sigma 10, 10000 x 10000 images, unbiased: {statistics.median(times['mmd']):.2f} s (MMD^2 = {value:.6g})")

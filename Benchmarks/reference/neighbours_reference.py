#!/usr/bin/env python3
"""Reference for `latent-benchmarks neighbours`: pynndescent on the same Fashion-MNIST rows.

k = 15 nearest neighbours of the first 20 000 and all 70 000 Fashion-MNIST images (784-D) that
`latent-benchmarks neighbours` writes to /tmp/latent-neighbours, by pynndescent's NNDescent with
its defaults (random-projection forest, NN-descent), 2 threads; numba's compilation happens in a
warm-up run on 2 000 rows, outside the timing. Recall@15 against the exact graph Latent wrote
(pynndescent lists each point as its own first neighbour: dropped, as Latent's graph excludes it).

    python3 -m venv /tmp/nnenv && /tmp/nnenv/bin/pip install pynndescent numpy
    swift run -c release latent-benchmarks neighbours --repetitions 30
    /tmp/nnenv/bin/python Benchmarks/reference/neighbours_reference.py [--repetitions 3] [--threads 2]
"""
import argparse
import os
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--repetitions", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--sizes", default="20000,70000")
args = parser.parse_args()
os.environ["NUMBA_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import pynndescent  # noqa: E402

K = 15
warm = np.load(f"/tmp/latent-neighbours/fashion-{args.sizes.split(',')[0]}.npy")[:2000]
pynndescent.NNDescent(warm, n_neighbors=K + 1, n_jobs=args.threads).neighbor_graph
print(f"pynndescent {pynndescent.__version__}, {args.threads} threads, k = {K}:")
for n in [int(size) for size in args.sizes.split(",")]:
    points = np.load(f"/tmp/latent-neighbours/fashion-{n}.npy")
    exact = np.load(f"/tmp/latent-neighbours/fashion-{n}-exact.npy").astype(np.int64)
    times, recalls = [], []
    for repetition in range(args.repetitions):
        start = time.perf_counter()
        indices, _ = pynndescent.NNDescent(points, n_neighbors=K + 1, n_jobs=args.threads).neighbor_graph
        times.append(time.perf_counter() - start)
        found = 0
        for i in range(n):
            row = [j for j in indices[i] if j != i][:K]
            found += len(set(row) & set(exact[i]))
        recalls.append(found / (n * K))
    print(f"{n} images: {statistics.median(times):.2f} s (median of {args.repetitions}; recall@15 {statistics.median(recalls):.4f})")

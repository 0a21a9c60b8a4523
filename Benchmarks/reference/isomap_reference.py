#!/usr/bin/env python3
"""Reference for `latent-benchmarks isomap`: scikit-learn's Isomap on the same S-curve.

`latent-benchmarks isomap` first writes 4 000 S-curve points, their true coordinates (t, h) and
Latent's codes and time to /tmp/latent-isomap; this fits `sklearn.manifold.Isomap(n_neighbors=10,
n_components=2, n_jobs=2)` on the same points (median time of 3 fits), and prints for both how
well the codes recover the true coordinates: Spearman's ρ of each true coordinate with the code
axis that matches it best (the assignment of axes to coordinates with the largest sum of |ρ|).

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install scikit-learn scipy numpy
    swift run -c release latent-benchmarks isomap
    /tmp/refenv/bin/python Benchmarks/reference/isomap_reference.py [--threads 2]
"""
import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--folder", default="/tmp/latent-isomap")
args = parser.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.manifold import Isomap  # noqa: E402

points = np.load(f"{args.folder}/points.npy").astype(np.float64)
truth = np.load(f"{args.folder}/truth.npy").astype(np.float64)


def recovery(codes):
    rho = [[abs(spearmanr(codes[:, a], truth[:, c])[0]) for c in range(2)] for a in range(2)]
    straight, crossed = rho[0][0] + rho[1][1], rho[0][1] + rho[1][0]
    return (rho[0][0], rho[1][1]) if straight >= crossed else (rho[1][0], rho[0][1])


times = []
for _ in range(3):
    start = time.perf_counter()
    theirs = Isomap(n_neighbors=10, n_components=2, n_jobs=args.threads).fit_transform(points)
    times.append(time.perf_counter() - start)
seconds = sorted(times)[1]
with open(f"{args.folder}/latent-times.json") as f:
    ours = json.load(f)["seconds"]
latent = np.load(f"{args.folder}/latent.npy").astype(np.float64)
(t_theirs, h_theirs), (t_ours, h_ours) = recovery(theirs), recovery(latent)
print(f"scikit-learn {sklearn.__version__} Isomap, {args.threads} jobs: {seconds:.2f} s (median of 3); Spearman t {t_theirs:.4f}, h {h_theirs:.4f}")
print(f"Latent Isomap: {ours:.2f} s ({ours / seconds:.2f}× its time); Spearman t {t_ours:.4f}, h {h_ours:.4f}")

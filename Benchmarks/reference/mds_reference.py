#!/usr/bin/env python3
"""Reference for `latent-benchmarks mds`: scikit-learn's metric MDS on the same table.

`latent-benchmarks mds` first writes the standardised table (sci-car:atac, 1 874 × 815) and
Latent's codes and times to /tmp/latent-mds; this fits `sklearn.manifold.MDS(n_components=2,
n_init=4, metric_mds=True, init="random", max_iter=300, eps=1e-6)` with n_jobs = 2 on the table's
Euclidean distances, times it, and prints both fits' Kruskal stress-1 computed by the same
formula here, √(Σᵢ<ⱼ (‖yᵢ − yⱼ‖ − δᵢⱼ)² / Σᵢ<ⱼ ‖yᵢ − yⱼ‖²), and the ratios.

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install scikit-learn numpy
    swift run -c release latent-benchmarks mds
    /tmp/refenv/bin/python Benchmarks/reference/mds_reference.py [--threads 2]
"""
import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--folder", default="/tmp/latent-mds")
args = parser.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.manifold import MDS  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

table = np.load(f"{args.folder}/table.npy").astype(np.float64)
delta = pairwise_distances(table)
upper = np.triu_indices(len(table), 1)


def stress1(codes):
    d = pairwise_distances(np.asarray(codes, dtype=np.float64))[upper]
    return np.sqrt(((d - delta[upper]) ** 2).sum() / (d ** 2).sum())


start = time.perf_counter()
# scikit-learn 1.8 renamed metric= to metric_mds= and dissimilarity= to metric=.
model = MDS(n_components=2, n_init=4, metric_mds=True, init="random", max_iter=300, eps=1e-6, n_jobs=args.threads,
            random_state=0, metric="precomputed")
theirs = model.fit_transform(delta)
seconds = time.perf_counter() - start
with open(f"{args.folder}/latent-times.json") as f:
    ours = json.load(f)["times"]
latent = np.load(f"{args.folder}/latent-metric.npy")
print(f"scikit-learn {sklearn.__version__} MDS(n_init=4), {args.threads} jobs: {seconds:.2f} s, stress-1 {stress1(theirs):.5f}")
print(f"Latent metric MDS: {ours['metric']:.2f} s ({ours['metric'] / seconds:.2f}× its time), stress-1 {stress1(latent):.5f} "
      f"({stress1(latent) / stress1(theirs):.4f}× its stress-1)")

#!/usr/bin/env python3
"""Reference for `latent-benchmarks classical`: scikit-learn's PCA and k-means on full
Fashion-MNIST (fit on train, sse_per_sample on test), with fit times.

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install numpy scikit-learn threadpoolctl
    /tmp/skl/bin/python Benchmarks/reference/classical_reference.py [--threads N]
"""
import argparse
import gzip
import statistics
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

ROOT = "/usr/share/datasets/fashion-mnist"


def images(split):
    data = gzip.open(f"{ROOT}/{split}-images-idx3-ubyte.gz", "rb").read()
    return (np.frombuffer(data, np.uint8, offset=16).reshape(-1, 784) / np.float32(255)).astype(np.float32)


def sse_per_sample(x, reconstruction):
    return float(((x.astype(np.float64) - reconstruction) ** 2).sum(axis=1).mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    train, test = images("train"), images("t10k")
    print(f"scikit-learn on Fashion-MNIST, {args.threads} thread(s): fit on train, sse_per_sample on test")
    with threadpool_limits(args.threads):
        for k in (30, 2):
            for solver in ("covariance_eigh", "randomized", "full"):
                if solver == "full" and k == 2:
                    continue
                times, model = [], None
                for _ in range(3 if solver != "full" else 1):
                    start = time.perf_counter()
                    model = PCA(n_components=k, svd_solver=solver, random_state=0).fit(train)
                    times.append(time.perf_counter() - start)
                error = sse_per_sample(test, model.inverse_transform(model.transform(test)))
                print(f"PCA-{k} {solver:16} fit {statistics.median(times):.2f} s   test sse_per_sample {error:.3f}")
        from sklearn.cluster import kmeans_plusplus
        for k in (10, 256):
            seeding, iteration = [], []
            for seed in range(3):
                start = time.perf_counter()
                centers, _ = kmeans_plusplus(train, n_clusters=k, random_state=seed)
                seeding.append(time.perf_counter() - start)
                start = time.perf_counter()
                model = KMeans(n_clusters=k, init=centers, n_init=1, max_iter=20, tol=0).fit(train)
                iteration.append((time.perf_counter() - start) / model.n_iter_)
            print(f"k-means k={k}: k-means++ seeding {statistics.median(seeding):.3f} s, "
                  f"Lloyd iteration {statistics.median(iteration):.4f} s (medians of 3 seeds)")
        for seed in range(3):
            start = time.perf_counter()
            model = KMeans(n_clusters=10, n_init=1, random_state=seed).fit(train)
            seconds = time.perf_counter() - start
            error = sse_per_sample(test, model.cluster_centers_[model.predict(test)])
            print(f"k-means k=10 seed {seed}: fit {seconds:.2f} s, {model.n_iter_} iterations "
                  f"({seconds / model.n_iter_:.3f} s each, k-means++ included)   test sse_per_sample {error:.3f}")


if __name__ == "__main__":
    main()

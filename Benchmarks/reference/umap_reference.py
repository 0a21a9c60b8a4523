#!/usr/bin/env python3
"""Reference for `latent-benchmarks umap`: umap-learn on the same Fashion-MNIST images.

umap-learn's UMAP with its defaults (n_neighbors 15, min_dist 0.1, spread 1, spectral
initialisation, 200 epochs above 10 000 points, 5 negative samples), n_jobs = 2 and no
random_state (a random_state makes umap-learn's optimisation serial; without it, it runs on
every numba thread, its fastest), NUMBA_NUM_THREADS = 2, on the first 20 000 training images and
on all 70 000 (training then test images, pixels / 255, as `latent-benchmarks umap` reads them);
for 20 000, also `transform` of the 10 000 test images. A warm-up fit and transform on 2 000
images first (numba's compilation and its threads), outside the timing. The codes go to
/tmp/latent-umap as NPY with the times in a JSON file; `latent-benchmarks umap` measures them
with the same code as its own (trustworthiness, continuity, 10-NN accuracy).

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install umap-learn numpy
    apt-get install -y dataset-fashion-mnist
    /tmp/refenv/bin/python Benchmarks/reference/umap_reference.py [--sizes 20000,70000] [--threads 2]
    swift run -c release latent-benchmarks umap [--sizes 20000,70000]
"""
import argparse
import gzip
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--sizes", default="20000,70000")
parser.add_argument("--folder", default="/usr/share/datasets/fashion-mnist")
args = parser.parse_args()
os.environ["NUMBA_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import umap  # noqa: E402
from importlib.metadata import version  # noqa: E402


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dimensions = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


train = idx(f"{args.folder}/train-images-idx3-ubyte.gz").reshape(60000, -1).astype(np.float32) / 255
test = idx(f"{args.folder}/t10k-images-idx3-ubyte.gz").reshape(10000, -1).astype(np.float32) / 255
everything = np.concatenate([train, test])
os.makedirs("/tmp/latent-umap", exist_ok=True)
# Above 4 096 points umap-learn takes NN-descent, whose code compiles on first use: warm both paths.
warm = umap.UMAP(n_jobs=args.threads).fit(train[:5000])
warm.transform(test[:500])
try:
    with open("/tmp/latent-umap/umap-times.json") as f:
        times = json.load(f)["times"]
except (OSError, ValueError, KeyError):
    times = {}
for n in [int(size) for size in args.sizes.split(",")]:
    start = time.perf_counter()
    model = umap.UMAP(n_jobs=args.threads).fit(everything[:n])
    seconds = time.perf_counter() - start
    np.save(f"/tmp/latent-umap/umap-{n}.npy", np.asarray(model.embedding_, dtype=np.float32))
    times[str(n)] = {"fit": seconds}
    line = f"umap-learn {version('umap-learn')}, {args.threads} threads, {n} images: fit {seconds:.2f} s"
    if n <= 60000:
        start = time.perf_counter()
        placed = model.transform(test)
        times[str(n)]["transform"] = time.perf_counter() - start
        np.save(f"/tmp/latent-umap/umap-{n}-test.npy", np.asarray(placed, dtype=np.float32))
        line += f", transform of the 10 000 test images {times[str(n)]['transform']:.2f} s"
    print(line, flush=True)
with open("/tmp/latent-umap/umap-times.json", "w") as f:
    json.dump({"version": version("umap-learn"), "threads": args.threads, "times": times}, f)

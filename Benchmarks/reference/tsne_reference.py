#!/usr/bin/env python3
"""Reference for `latent-benchmarks tsne`: openTSNE on the same Fashion-MNIST images.

openTSNE's TSNE with its defaults (perplexity 30, 90 neighbours by Annoy, PCA initialisation,
250 exaggerated and 500 plain iterations, FFT interpolation above 10 000 points), n_jobs = 2,
on the first 20 000 training images and on all 70 000 (training then test images, pixels / 255,
as `latent-benchmarks tsne` reads them); for 20 000, also `transform` of the 10 000 test images.
A warm-up fit on 2 000 images first (its compiled code and threads), outside the timing. The
codes go to /tmp/latent-tsne as NPY with the times in a JSON file; `latent-benchmarks tsne`
measures them with the same code as its own (trustworthiness, continuity, 10-NN accuracy).

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install openTSNE numpy
    apt-get install -y dataset-fashion-mnist
    /tmp/refenv/bin/python Benchmarks/reference/tsne_reference.py [--sizes 20000,70000] [--threads 2]
    swift run -c release latent-benchmarks tsne [--sizes 20000,70000]
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
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import openTSNE  # noqa: E402


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dimensions = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


train = idx(f"{args.folder}/train-images-idx3-ubyte.gz").reshape(60000, -1).astype(np.float32) / 255
test = idx(f"{args.folder}/t10k-images-idx3-ubyte.gz").reshape(10000, -1).astype(np.float32) / 255
everything = np.concatenate([train, test])
os.makedirs("/tmp/latent-tsne", exist_ok=True)
openTSNE.TSNE(n_jobs=args.threads, random_state=0).fit(train[:2000])
# Sizes run before (another invocation) keep their times.
try:
    with open("/tmp/latent-tsne/opentsne-times.json") as f:
        times = json.load(f)["times"]
except (OSError, ValueError, KeyError):
    times = {}
for n in [int(size) for size in args.sizes.split(",")]:
    start = time.perf_counter()
    embedding = openTSNE.TSNE(n_jobs=args.threads, random_state=0).fit(everything[:n])
    seconds = time.perf_counter() - start
    np.save(f"/tmp/latent-tsne/opentsne-{n}.npy", np.asarray(embedding, dtype=np.float32))
    times[str(n)] = {"fit": seconds}
    line = f"openTSNE {openTSNE.__version__}, {args.threads} threads, {n} images: fit {seconds:.2f} s"
    if n <= 60000:
        start = time.perf_counter()
        placed = embedding.transform(test)
        times[str(n)]["transform"] = time.perf_counter() - start
        np.save(f"/tmp/latent-tsne/opentsne-{n}-test.npy", np.asarray(placed, dtype=np.float32))
        line += f", transform of the 10 000 test images {times[str(n)]['transform']:.2f} s"
    print(line, flush=True)
with open("/tmp/latent-tsne/opentsne-times.json", "w") as f:
    json.dump({"version": openTSNE.__version__, "threads": args.threads, "times": times}, f)

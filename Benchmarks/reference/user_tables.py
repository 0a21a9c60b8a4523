#!/usr/bin/env python3
"""Default `latent fit` of each trained method on scikit-learn's tables, against PCA.

Writes digits, wine and breast cancer (and, with --all, iris and diabetes) as CSV the way
pandas writes them by default (a header and an index column), then runs `latent fit METHOD`
with its defaults and `latent fit pca` with the same code size, and prints the training error
per sample (sse_per_sample, in the data's units), the mean predictor's error (the total
variance: what a model that learned nothing reaches) and the wall time of each fit.

    python3 Benchmarks/reference/user_tables.py [--latent .build/release/latent] [--code-size 2]
        [--methods linear-autoencoder,nonlinear-pca,deep-autoencoder] [--extra "--minimum-steps 0"]

Needs numpy, pandas and scikit-learn.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn import datasets


def write_tables(folder, names):
    paths = {}
    for name in names:
        bunch = getattr(datasets, "load_" + name)()
        names = getattr(bunch, "feature_names", None)
        frame = pd.DataFrame(bunch.data, columns=[str(c) for c in (names if names is not None else range(bunch.data.shape[1]))])
        frame["target"] = bunch.target
        path = os.path.join(folder, name + ".csv")
        frame.to_csv(path)  # pandas' defaults: an unnamed index column 0, 1, …, n − 1
        paths[name] = (path, float(np.var(bunch.data, axis=0).sum()))
    return paths


def fit(latent, method, path, code_size, extra, folder):
    arguments = [latent, "fit", method, "--data", path, "--label-column", "target", "--code-size", str(code_size),
                 "--output", os.path.join(folder, "model.safetensors"), "--json", "--quiet"] + extra
    start = time.perf_counter()
    result = subprocess.run(arguments, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed: {result.stderr.strip()}")
    return json.loads(result.stdout), seconds, result.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latent", default=".build/release/latent")
    parser.add_argument("--code-size", type=int, default=2)
    parser.add_argument("--methods", default="linear-autoencoder,nonlinear-pca,deep-autoencoder")
    parser.add_argument("--extra", default="", help="options added to every trained method's fit")
    parser.add_argument("--all", action="store_true", help="iris and diabetes too")
    args = parser.parse_args()
    names = ["digits", "wine", "breast_cancer"] + (["iris", "diabetes"] if args.all else [])
    with tempfile.TemporaryDirectory() as folder:
        tables = write_tables(folder, names)
        print(f"{'data':15} {'method':20} {'error':>12} {'PCA':>12} {'ratio':>7} {'mean pred.':>12} {'epochs':>7} {'seconds':>8}")
        for name, (path, total_variance) in tables.items():
            pca, _, _ = fit(args.latent, "pca", path, args.code_size, [], folder)
            for method in args.methods.split(","):
                result, seconds, errors = fit(args.latent, method, path, args.code_size, shlex.split(args.extra), folder)
                error = result["sse_per_sample"]
                print(f"{name:15} {method:20} {error:12.4f} {pca['sse_per_sample']:12.4f} {error / pca['sse_per_sample']:7.4f} "
                      f"{total_variance:12.2f} {result.get('epochs', ''):>7} {seconds:8.2f}")
                for line in errors.splitlines():
                    if line.startswith("hint"):
                        print("    " + line)


if __name__ == "__main__":
    main()

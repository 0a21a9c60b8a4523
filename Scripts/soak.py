#!/usr/bin/env python3
"""A property-based tour of the `latent` command line.

Each episode writes a random small data set (CSV with or without a header and labels, TSV,
NPY of several dtypes, NPZ, gzip-compressed, or a built-in SPEC), fits a random method with
random options (mostly valid, some out of range on purpose), and on success runs the commands
that take the model: evaluate, encode, decode, report, and per method sample, interpolate,
traverse, fit-density or translate. Every command must

  * exit 0 with valid output: `--json` output parses, every number in it is finite, the files
    it was asked to write exist; or
  * exit non-zero (1, or 64 for a usage error) with an error: the first line on stderr that is
    not a hint starts with "Error:";

and never die of a signal, crash, or run past the timeout. Failures are printed with the
command to reproduce them; the exit status is 1 if any.

Usage: Scripts/soak.py [--episodes N] [--seed S] [--latent PATH] [--timeout SECONDS] [--show-errors] [--keep]
The same seed gives the same episodes (the data, options and commands).
"""
import argparse
import gzip
import json
import math
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

METHODS = ["pca", "kmeans", "linear-autoencoder", "nonlinear-pca", "deep-autoencoder", "vae",
           "wasserstein-autoencoder", "adversarial-autoencoder", "principal-graph", "translator"]
TRAINED = {"linear-autoencoder", "nonlinear-pca", "deep-autoencoder", "vae", "wasserstein-autoencoder",
           "adversarial-autoencoder", "translator"}
GENERATIVE = {"vae", "wasserstein-autoencoder", "adversarial-autoencoder"}


class Episode:
    """One data set, one fit, and the commands that follow it, all drawn from `rng`."""

    def __init__(self, rng, folder):
        self.rng, self.folder = rng, folder
        self.n = rng.choice([1, 2, 3, 8, 30, 80, 200])
        self.d = rng.choice([1, 2, 3, 5, 12])
        self.unit = rng.random() < 0.4  # values in [0, 1]: BCE and Bernoulli apply
        self.classes = rng.choice([1, 2, 3, 5])
        self.labels = None

    def matrix(self, n=None, d=None):
        n, d = n or self.n, d or self.d
        g = np.random.default_rng(self.rng.randrange(1 << 30))
        x = g.random((n, d)) if self.unit else g.normal(size=(n, d)) * self.rng.choice([1e-3, 1, 50])
        roll = self.rng.random()
        if roll < 0.08 and d > 1:
            x[:, self.rng.randrange(d)] = 0.5  # a constant column
        elif roll < 0.14 and n > 1:
            x[1:] = x[0]  # every row the same
        elif roll < 0.2 and n > 2:
            x[n // 2:] = x[: n - n // 2]  # duplicated rows
        return x

    def data(self, name="data", n=None, d=None):
        """Writes a data file (or picks a SPEC); returns the --data argument and extra options."""
        x = self.matrix(n, d)
        n = x.shape[0]
        labels = [i % self.classes for i in range(n)]
        self.labels = None
        kind = self.rng.choice(["csv", "csv-labels", "csv-noheader", "tsv", "npy4", "npy8", "npyint", "npz", "csv-gz", "npy-gz", "spec"])
        options = []
        path = os.path.join(self.folder, name)
        if kind.startswith("csv") or kind == "tsv":
            separator = "\t" if kind == "tsv" else ","
            header = kind != "csv-noheader"
            rows = []
            if header:
                rows.append(separator.join([f"f{j}" for j in range(x.shape[1])] + (["label"] if kind == "csv-labels" else [])))
            for i, row in enumerate(x):
                rows.append(separator.join([repr(float(v)) for v in row] + ([f"c{labels[i]}"] if kind == "csv-labels" else [])))
            text = "\n".join(rows) + "\n"
            if kind == "csv-labels":
                options += ["--label-column", "label"]
                self.labels = labels
            if kind == "csv-noheader":
                options += ["--header", "no"]
            path += ".tsv" if kind == "tsv" else ".csv"
            if kind == "csv-gz":
                path += ".gz"
                with gzip.open(path, "wt") as f:
                    f.write(text)
            else:
                with open(path, "w") as f:
                    f.write(text)
        elif kind.startswith("npy"):
            dtype = {"npy4": np.float32, "npy8": np.float64, "npyint": np.int16, "npy-gz": np.float32}[kind]
            values = np.rint(x * 10) if kind == "npyint" else x
            path += ".npy"
            np.save(path, values.astype(dtype))
            if kind == "npy-gz":
                with open(path, "rb") as f, gzip.open(path + ".gz", "wb") as g:
                    g.write(f.read())
                path += ".gz"
        elif kind == "npz":
            path += ".npz"
            np.savez(path, x=x.astype(np.float32))
        else:
            spec = self.rng.choice(["circle", "swiss-roll", "blobs", "two-moons", "helix", "s-curve"])
            return f"{spec}?n={n}&seed={self.rng.randrange(100)}", options
        if self.labels is None and self.rng.random() < 0.4:
            labels_path = os.path.join(self.folder, name + "-labels.txt")
            with open(labels_path, "w") as f:
                f.write("\n".join(str(l) for l in labels) + "\n")
            options += ["--labels", labels_path]
            self.labels = labels
        return path, options

    def training(self, held_out=True):
        r = self.rng
        options = ["--epochs", str(r.choice([1, 2, 3]))]
        if r.random() < 0.5:
            options += ["--batch-size", str(r.choice([1, 4, 16, 64]))]
        if r.random() < 0.3:
            options += ["--learning-rate", str(r.choice([1e-4, 1e-3, 1e-2]))]
        if r.random() < 0.2:
            options += ["--optimizer", r.choice(["adam", "momentum", "sgd"])]
        if held_out and r.random() < 0.2:
            options += ["--held-out", str(r.choice([0, 0.1, 0.3]))]
        if r.random() < 0.2:
            options += ["--checkpoint-every", "1", "--checkpoint-interval", "0"]
        return options

    def hidden(self):
        return ",".join(str(self.rng.choice([2, 4, 8, 16])) for _ in range(self.rng.choice([1, 2])))

    def fit(self, method):
        """The fit command's method-specific options (some deliberately out of range)."""
        r, d = self.rng, self.d
        code = str(r.choice([1, 2, d, d + 1]))
        scale = ["--scale", r.choice(["none", "standardize", "min-max", "robust"])] if r.random() < 0.4 else []
        if method == "pca":
            return ["--code-size", code] + (["--solver", "randomized"] if r.random() < 0.3 else []) + (["--whiten"] if r.random() < 0.2 else []) + scale
        if method == "kmeans":
            return ["--clusters", str(r.choice([1, 2, 3, 8]))] + (["--init", "random"] if r.random() < 0.3 else []) + (["--mini-batch", "16"] if r.random() < 0.2 else []) + scale
        if method == "principal-graph":
            return ["--topology", r.choice(["curve", "circle", "tree"]), "--nodes", str(r.choice([2, 3, 5, 9]))] + scale
        options = ["--code-size", code] + scale + self.training()
        if method in ("nonlinear-pca", "deep-autoencoder", "vae", "wasserstein-autoencoder", "adversarial-autoencoder"):
            options += ["--hidden", self.hidden()]
        if method == "deep-autoencoder":
            options += ["--pretrain", "none"] if r.random() < 0.5 else ["--pretrain", "rbm", "--pretrain-epochs", "1"]
            if self.unit and r.random() < 0.5:
                options += ["--loss", "bce"]
        if method == "vae":
            options += ["--likelihood", r.choice(["bernoulli", "gaussian", "gaussian-learned-variance", "continuous-bernoulli"])] if r.random() < 0.5 else []
            if self.labels is not None and r.random() < 0.5:
                options += ["--condition-on-labels"]
        if method == "wasserstein-autoencoder":
            options += ["--penalty", r.choice(["mmd", "sliced", "sinkhorn"])] if r.random() < 0.5 else []
        if method == "adversarial-autoencoder":
            options += ["--critic-hidden", "8"]
            if r.random() < 0.3:
                options += ["--prior", "mixture", "--components", str(r.choice([2, 3]))]
            if self.labels is not None and r.random() < 0.3:
                options += ["--labelled-components"]
        return options


class Runner:
    def __init__(self, latent, timeout, show_errors):
        self.latent, self.timeout, self.show_errors = latent, timeout, show_errors
        self.commands = self.failures = 0
        self.outcomes = {}

    def run(self, arguments, folder, expect_files=(), json_output=True):
        """Runs one command and checks the contract; returns (status, parsed JSON or None)."""
        command = [self.latent] + arguments + ["--quiet"] + (["--json"] if json_output else [])
        self.commands += 1
        started = time.time()
        try:
            process = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return self.fail(command, folder, f"ran past {self.timeout} s"), None
        name = arguments[0] if arguments[0] != "fit" else "fit " + arguments[1]
        problem, result = None, None
        errors = [line for line in process.stderr.splitlines() if line.strip() and not line.startswith("hint: ")]
        if process.returncode < 0:
            problem = f"killed by signal {-process.returncode}"
        elif "Fatal error" in process.stderr or "Stack dump" in process.stderr or "Segmentation" in process.stderr:
            problem = "crashed"
        elif process.returncode == 0:
            if json_output:
                try:
                    result = json.loads(process.stdout)
                    if not finite(result):
                        problem = "a non-finite or null number in the JSON output"
                except ValueError as error:
                    problem = f"the JSON output does not parse ({error})"
            missing = [f for f in expect_files if not os.path.exists(os.path.join(folder, f))]
            if missing:
                problem = f"exit 0 but {missing} not written"
        else:
            if process.returncode not in (1, 64):
                problem = f"exit status {process.returncode}"
            elif not errors or not errors[0].startswith("Error: "):
                problem = "no error line"
        outcome = "ok" if process.returncode == 0 else "error"
        if self.show_errors and process.returncode != 0 and errors:
            print(f"  {name}: {errors[0][:200]}\n      (cd {folder} && {shlex.join(command)})")
        self.outcomes[(name, outcome)] = self.outcomes.get((name, outcome), 0) + 1
        if problem:
            return self.fail(command, folder, problem, process), None
        return process.returncode, result

    def fail(self, command, folder, problem, process=None):
        self.failures += 1
        print(f"FAIL ({problem}): cd {folder} && {shlex.join(command)}", file=sys.stderr)
        if process is not None:
            print("  stderr: " + process.stderr.strip()[-600:].replace("\n", "\n  "), file=sys.stderr)
        return -1


def finite(value):
    if value is None:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(finite(v) for v in value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    return True


def episode(runner, rng, root, index):
    folder = os.path.join(root, f"episode-{index}")
    os.makedirs(folder)
    e = Episode(rng, folder)
    method = rng.choice(METHODS)
    if method == "translator":
        a, a_options = e.data("a")
        b, _ = e.data("b", n=e.n, d=rng.choice([1, 2, 4]))
        arguments = ["fit", "translator", "--domain", f"a={a}", "--domain", f"b={b}", "--code-size", str(rng.choice([1, 2])),
                     "--hidden", str(rng.choice([4, 8]))] + e.training(held_out=False)
        arguments += ["--matcher", rng.choice(["mmd", "sinkhorn"])] if rng.random() < 0.3 else ["--critic-hidden", "8"]
        status, _ = runner.run(arguments + ["--output", "m.safetensors"], folder, ["m.safetensors"])
        if status == 0:
            runner.run(["translate", "m.safetensors", "--data", a, "--from", "a", "--to", "b", "--output", "ab.npy"], folder, ["ab.npy"])
            runner.run(["evaluate", "m.safetensors", "--domain", f"a={a}", "--domain", f"b={b}"], folder)
        return
    data, data_options = e.data()
    status, _ = runner.run(["fit", method, "--data", data] + data_options + e.fit(method) + ["--seed", str(rng.randrange(1000)), "--output", "m.safetensors"],
                           folder, ["m.safetensors"])
    if status != 0:
        return
    runner.run(["evaluate", "m.safetensors", "--data", data] + data_options, folder)
    status, _ = runner.run(["encode", "m.safetensors", "--data", data] + data_options + ["--output", "codes.npy"], folder, ["codes.npy"])
    if status == 0 and method != "kmeans" and rng.random() < 0.5:
        runner.run(["decode", "m.safetensors", "--codes", "codes.npy", "--output", "back.npy"], folder, ["back.npy"])
    if rng.random() < 0.35:
        runner.run(["report", "m.safetensors", "--data", data] + data_options + ["--output", "report"], folder, ["report/index.html"])
    if method in GENERATIVE or (method in TRAINED and rng.random() < 0.3):
        if method not in GENERATIVE:
            runner.run(["fit-density", "m.safetensors", "--data", data] + data_options + ["--components", str(rng.choice([1, 2]))], folder)
        runner.run(["sample", "m.safetensors", "--count", str(rng.choice([1, 5, 20])), "--output", "samples.npy"], folder, [])
    if method in TRAINED | {"pca"} and rng.random() < 0.3:
        walk = ["traverse"] if rng.random() < 0.5 else ["interpolate", "--from", str(rng.randrange(e.n + 1)), "--to", str(rng.randrange(e.n))]
        runner.run(walk + ["m.safetensors", "--data", data] + data_options + ["--output", "walk.npy"], folder, [])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latent", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "latent"))
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--show-errors", action="store_true", help="print every refused command's error line and command")
    parser.add_argument("--keep", action="store_true", help="keep the episodes' folders")
    arguments = parser.parse_args()
    latent = os.path.abspath(arguments.latent)
    if not os.access(latent, os.X_OK):
        sys.exit(f"error: no latent executable at {latent} (swift build -c release first, or --latent PATH)")
    rng = random.Random(arguments.seed)
    runner = Runner(latent, arguments.timeout, arguments.show_errors)
    root = tempfile.mkdtemp(prefix="latent-soak-")
    started = time.time()
    for index in range(arguments.episodes):
        episode(runner, rng, root, index)
    seconds = time.time() - started
    for (name, outcome), count in sorted(runner.outcomes.items()):
        print(f"  {name:28} {outcome:5} {count}")
    print(f"soak: {arguments.episodes} episodes, {runner.commands} commands in {seconds:.0f} s (seed {arguments.seed}): "
          f"{runner.failures} failures")
    if runner.failures == 0 and not arguments.keep:
        shutil.rmtree(root)
    else:
        print(f"the episodes' folders are kept in {root}", file=sys.stderr)
    sys.exit(1 if runner.failures else 0)


if __name__ == "__main__":
    main()

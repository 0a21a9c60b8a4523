#!/usr/bin/env python3
"""Reference for `latent-benchmarks load`: the same three loads with NumPy and pandas.

Each load runs in a fresh process (median of 5) that reports its wall time and peak resident
memory, as Latent's benchmark does. Run `latent-benchmarks load` first: it writes the NPY and
CSV files this script reads.

    python3 Benchmarks/reference/load_reference.py
"""
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FOLDER = Path(tempfile.gettempdir()) / "latent-load-benchmark"
IDX = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

LOADERS = {
    # IDX: gzip, then the 16-byte header, then bytes → float32 in [0, 1], as Latent does.
    "idx": "import gzip, numpy as np; b = gzip.open(PATH, 'rb').read(); "
           "x = (np.frombuffer(b, np.uint8, offset=16).reshape(60000, 784) / np.float32(255)).astype(np.float32)",
    "npy": "import numpy as np; x = np.load(PATH)",
    "csv": "import pandas as pd, numpy as np; x = pd.read_csv(PATH, dtype=np.float32).to_numpy()",
}

CHILD = """
import resource, time
PATH = {path!r}
start = time.perf_counter()
{code}
seconds = time.perf_counter() - start
assert x.shape == (60000, 784), x.shape
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main():
    paths = {"idx": IDX, "npy": str(FOLDER / "fashion-mnist-train.npy"), "csv": str(FOLDER / "fashion-mnist-train.csv")}
    print("Reference loads of 60 000 × 784, median of 5 fresh processes")
    for name, code in LOADERS.items():
        runs = []
        for _ in range(5):
            output = subprocess.run([sys.executable, "-c", CHILD.format(path=paths[name], code=code)],
                                    check=True, capture_output=True, text=True).stdout.split()
            runs.append((float(output[0]), float(output[1])))
        seconds = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        print(f"{name:6}{seconds:.3f} s   peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()

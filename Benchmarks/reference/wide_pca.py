"""NumPy's SVD of a wide table beside Latent's exact PCA of it: the largest relative difference of
the variances, of the explained-variance ratios, and of |⟨v, v_numpy⟩| from 1 for each axis; and
NumPy's median time (np.linalg.svd of the centred float64 data, thin) over REPEATS runs.
Usage: wide_pca.py DATA (.csv with a header, or .npy) MODEL.safetensors K REPEATS"""
import json
import struct
import sys
import time

import numpy as np

data, model, k, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.loadtxt(data, delimiter=',', skiprows=1) if data.endswith('.csv') else np.load(data).astype(np.float64)
with open(model, 'rb') as f:
    size = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(size))
    base = 8 + size

    def tensor(name):
        start, end = header[name]['data_offsets']
        f.seek(base + start)
        return np.frombuffer(f.read(end - start), dtype=np.float32).reshape(header[name]['shape']).astype(np.float64)

    variance, ratio, axes = tensor('explained_variance'), tensor('explained_variance_ratio'), tensor('components')

seconds = []
for _ in range(repeats):
    start = time.perf_counter()
    centred = x - x.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    seconds.append(time.perf_counter() - start)
reference = s ** 2 / (len(x) - 1)
print(f"  NumPy SVD median {np.median(seconds):.3f} s; largest differences: variance {np.max(np.abs(variance - reference[:k]) / reference[:k]):.1e} (relative), "
      f"ratio {np.max(np.abs(ratio - reference[:k] / reference.sum())):.1e}, axes {np.max(np.abs(np.abs(np.sum(axes * vt[:k], axis=1)) - 1)):.1e}")

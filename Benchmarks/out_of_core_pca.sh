#!/usr/bin/env bash
# PCA out of core against in memory: 500 000 × 1 000 float32 values (1.9 GB) in 20 NPY shards,
# and the same rows in one file; peak resident memory and wall time of `latent fit pca` on each
# (GNU time). Needs python3 with NumPy and ~6 GB free in the work folder.
# Usage: Benchmarks/out_of_core_pca.sh [WORK-FOLDER]   (default: a temporary folder, removed)
source "$(dirname "$0")/prelude.sh"
work=${1:-$(mktemp -d)}
mkdir -p "$work/shards"
python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
rng = np.random.default_rng(0)
basis = rng.normal(size=(20, 1000)).astype('f4')
parts = []
for i in range(20):
    x = (rng.normal(size=(25000, 20)).astype('f4') @ basis + rng.normal(size=(25000, 1000)).astype('f4') * 0.5 + 3).astype('f4')
    np.save(f'{work}/shards/part-{i:03d}.npy', x)
    parts.append(x)
np.save(f'{work}/all.npy', np.concatenate(parts))
PY
for data in shards all.npy; do
    /usr/bin/time -v "$latent" fit pca --data "$work/$data" --code-size 20 --output "$work/model.safetensors" --json --quiet 2>"$work/time.txt"
    echo
    echo "$data: $(grep -E 'Maximum resident' "$work/time.txt" | grep -oE '[0-9]+$') KB peak, $(grep -E 'Elapsed' "$work/time.txt" | grep -oE '[0-9:.]+$') wall"
done
[ -n "${1:-}" ] || rm -rf "$work"

#!/usr/bin/env bash
# The deep autoencoder 784-1000-500-250-30 trained from NPY shards larger than its memory limit:
# Fashion-MNIST's 60 000 training images repeated with N(0, 0.05²) noise (clipped to [0, 1]) to
# 637 740 rows × 784 float32 values (2.0 GB) in 20 shards; one epoch of each RBM and of
# fine-tuning under `--memory-limit 500M`; peak resident memory and wall time from GNU time.
# Needs python3 with NumPy, the Debian package dataset-fashion-mnist and ~2 GB in the work folder.
# Usage: Benchmarks/out_of_core_deep.sh [WORK-FOLDER]   (default: a temporary folder, removed)
source "$(dirname "$0")/prelude.sh"
work=${1:-$(mktemp -d)}
mkdir -p "$work/shards"
python3 - "$work/shards" <<'PY'
import gzip, sys, numpy as np
folder = sys.argv[1]
with gzip.open('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
rows = 2_000_000_000 // (784 * 4)
per = rows // 20
rng = np.random.default_rng(0)
for s in range(20):
    index = np.arange(s * per, (s + 1) * per) % len(images)
    np.save(f'{folder}/part-{s:02d}.npy', np.clip(images[index] + rng.normal(0, 0.05, size=(per, 784)).astype(np.float32), 0, 1))
PY
du -sh "$work/shards"
/usr/bin/time -v "$latent" fit deep-autoencoder --data "$work/shards" --memory-limit 500M --epochs 1 --pretrain-epochs 1 \
    --output "$work/model.safetensors" --json --quiet 2>"$work/time.txt"
echo
echo "peak $(grep -E 'Maximum resident' "$work/time.txt" | grep -oE '[0-9]+$') KB, $(grep -E 'Elapsed' "$work/time.txt" | grep -oE '[0-9:.]+$') wall"
[ -n "${1:-}" ] || rm -rf "$work"

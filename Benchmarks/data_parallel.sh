#!/usr/bin/env bash
# Data-parallel fine-tuning of the deep autoencoder 784-1000-500-250-30 (2.8 M parameters) on
# Fashion-MNIST (60 000 images; 57 000 trained on), without pretraining, for 1 and 2 processes:
# samples per second of an epoch and the share of it spent summing gradients, at Hinton's
# batch of 100 and at 1 000. Each configuration runs REPEATS times (default 3); medians.
# SETS chooses what runs (default both): `memory` (the data loaded by every process) and
# `shards` (the images as 10 NPY shards, streamed: each of two processes reads only its parts
# of every batch, row by row from the shards).
# Needs Open MPI (mpirun), the Debian package dataset-fashion-mnist, python3 with NumPy (shards).
# Usage: Benchmarks/data_parallel.sh [REPEATS] [SETS…]
source "$(dirname "$0")/prelude.sh"
repeats=${1:-3}
sets=${*:2}
sets=${sets:-memory shards}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
run() {  # label, the command's prefix (empty or mpirun …), the data, then latent's own options
    local label=$1; shift
    local prefix=$1; shift
    local data=$1; shift
    for i in $(seq "$repeats"); do
        # shellcheck disable=SC2086
        $prefix "$latent" fit deep-autoencoder --data "$data" --pretrain none --epochs 2 --seed 1 \
            --output "$work/m.safetensors" --json --quiet "$@" > "$work/$i.json"
    done
    python3 - "$label" "$work" "$repeats" <<'PY'
import json, statistics, sys
label, work, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = [json.load(open(f"{work}/{i + 1}.json")) for i in range(repeats)]
trained = runs[0]["samples"] - round(runs[0]["samples"] * 0.05)
rate = statistics.median(trained / r["seconds_per_epoch"] for r in runs)
share = statistics.median(r.get("summing_share", 0) for r in runs)
step = statistics.median(r["seconds_per_epoch"] for r in runs)
print(f"{label:<44} {rate:>9.0f} samples/s  epoch {step:6.2f} s  summing {100 * share:5.1f} %")
PY
}
mpirun="mpirun --allow-run-as-root --oversubscribe -np 2"
if [[ " $sets " == *" memory "* ]]; then
    for batch in 100 1000; do
        echo "batch $batch, data in memory:"
        run "  1 process, $cores threads" "" fashion-mnist:train --batch-size "$batch" --threads "$cores"
        run "  1 process, $cores threads, --parts 2" "" fashion-mnist:train --batch-size "$batch" --threads "$cores" --parts 2
        run "  2 processes × $((cores / 2)) thread(s)" "$mpirun" fashion-mnist:train --batch-size "$batch" --threads "$((cores / 2))"
        run "  1 process, $((cores / 2)) thread(s)" "" fashion-mnist:train --batch-size "$batch" --threads "$((cores / 2))"
    done
fi
if [[ " $sets " == *" shards "* ]]; then
    python3 - "$work/shards" <<'PY'
import gzip, os, sys
import numpy as np
with gzip.open('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
os.makedirs(sys.argv[1])
for k, part in enumerate(np.array_split(x, 10)):
    np.save(f"{sys.argv[1]}/part-{k:02d}.npy", part)
PY
    for batch in 100 1000; do
        echo "batch $batch, 10 shards streamed:"
        run "  1 process, $cores threads" "" "$work/shards" --batch-size "$batch" --threads "$cores"
        run "  2 processes × $((cores / 2)) thread(s), own parts read" "$mpirun" "$work/shards" --batch-size "$batch" --threads "$((cores / 2))"
    done
fi

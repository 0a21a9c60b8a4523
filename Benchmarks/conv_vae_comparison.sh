#!/usr/bin/env bash
# The convolutional VAE against the MLP VAE after 10 epochs on full Fashion-MNIST (BENCHMARKS.md,
# "Convolutions"): test −ELBO, the importance-weighted bound (K = 100), and MMD², precision and
# recall of 10 000 prior samples against the test set, plus a grid of 64 samples of each.
#
#   bash Benchmarks/conv_vae_comparison.sh [FOLDER]     (needs dataset-fashion-mnist; about 5 minutes on 2 cores)
set -euo pipefail
folder=${1:-/tmp/latent-conv-vae}
mkdir -p "$folder"
swift build -c release --product latent
latent=$(swift build -c release --show-bin-path)/latent
for architecture in conv mlp; do
    model="$folder/$architecture.safetensors"
    "$latent" fit vae --data fashion-mnist:train --architecture "$architecture" --epochs 10 --seed 1 --output "$model" --json > "$folder/$architecture-fit.json"
    "$latent" evaluate "$model" --data fashion-mnist:test --importance-samples 100 --seed 1 --json > "$folder/$architecture-evaluate.json"
    "$latent" sample "$model" --count 10000 --seed 1 --output "$folder/$architecture-samples.npy"
    "$latent" evaluate-samples "$folder/$architecture-samples.npy" --data fashion-mnist:test --training fashion-mnist:train --json > "$folder/$architecture-samples.json"
    "$latent" sample "$model" --count 64 --seed 1 --output "$folder/$architecture-samples.png"
    python3 - "$folder" "$architecture" <<'PY'
import json, sys
folder, name = sys.argv[1], sys.argv[2]
fit = json.load(open(f"{folder}/{name}-fit.json"))
evaluation = json.load(open(f"{folder}/{name}-evaluate.json"))
samples = json.load(open(f"{folder}/{name}-samples.json"))
print(f"{name}: {fit['seconds_per_epoch']:.2f} s/epoch; test -ELBO {evaluation['negative_elbo_per_sample']:.2f}, IWAE(100) {evaluation['nll_per_sample']:.2f} nats; "
      f"prior samples MMD² {samples['mmd2']:.4f}, precision {samples['precision']:.3f}, recall {samples['recall']:.3f}")
PY
done

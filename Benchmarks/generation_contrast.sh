#!/bin/sh
# The lecture's generative contrast on full Fashion-MNIST (BENCHMARKS.md, "Every decoder a
# generator"): the VAE's prior samples, the deep autoencoder's decoder on N(0, I) codes, and a
# Gaussian mixture fitted to the deep autoencoder's codes, each 10 000 samples measured against
# the 10 000 test images. Usage: Benchmarks/generation_contrast.sh [FOLDER] (default: contrast).
set -eu
latent=${LATENT:-"swift run -c release latent"}  # LATENT=path/to/latent runs a built copy
folder=${1:-contrast}
mkdir -p "$folder"
cd "$folder"
$latent fit deep-autoencoder --data fashion-mnist:train --code-size 30 --output deep-30.safetensors --quiet --json > fit-deep-30.json
$latent fit vae --data fashion-mnist:train --output vae.safetensors --quiet --json > fit-vae.json
$latent fit-density deep-30.safetensors --data fashion-mnist:train --json --quiet > density-deep-30.json
$latent sample vae.safetensors --count 10000 --seed 1 --output vae-prior.npy --quiet
$latent sample deep-30.safetensors --count 10000 --seed 1 --codes-from standard-normal --output deep-30-normal.npy --quiet
$latent sample deep-30.safetensors --count 10000 --seed 1 --output deep-30-mixture.npy --quiet
for samples in vae-prior deep-30-normal deep-30-mixture; do
    $latent evaluate-samples $samples.npy --data fashion-mnist:test --training fashion-mnist:train --json --quiet > $samples.json
    echo "$samples: $(cat $samples.json)"
done

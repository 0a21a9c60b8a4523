#!/bin/sh
# The translator's tables in BENCHMARKS.md ("Translation between domains"): on sci-car (the
# paper's split: 1 534 training, 340 test cells), the pairing score and FOSCTTM of the test cells
# by anchor fraction and seed, and the class-conditional critic beside the plain one; on the
# top and bottom halves of fashion-mnist-mini, the same by anchor fraction, measured on the 1 000
# test images. Prints one line per run; the JSON of each fit stays in FOLDER.
# Usage: Benchmarks/translator.sh [FOLDER] (default: translator).
set -eu
latent=${LATENT:-"swift run -c release latent"}  # LATENT=path/to/latent runs a built copy
folder=${1:-translator}
mkdir -p "$folder"
cd "$folder"
summary() {  # name, fit JSON
    python3 -c "
import json, sys
d = json.load(open('$2'))
print('$1', 'pairing@5 %.3f @50 %.3f  reverse@50 %.3f  centroid@50 %.3f  recall@50 %.3f  FOSCTTM %.3f  kNN %.3f  translation SSE %s  %.0f s' % (
    d['pairing_score']['5'], d['pairing_score']['50'], d['reverse_pairing_score']['50'], d['centroid_pairing_score']['50'],
    d['partner_recall']['50'], d['foscttm'], d.get('knn_accuracy', float('nan')),
    ', '.join('%s %.1f' % kv for kv in sorted(d['translation_sse_per_sample'].items())), d['seconds']))"
}
for seed in 0 1 2; do
    for anchors in 0 0.1 0.5 1; do
        name=sci-car-anchors-$anchors-seed-$seed
        $latent fit translator --domain rna=sci-car:rna --domain atac=sci-car:atac --scale standardize --latent-classifier \
            --anchor-fraction $anchors --seed $seed --output $name.safetensors --json --quiet > $name.json
        summary $name $name.json
    done
done
name=sci-car-anchors-0-class-conditional-seed-0
$latent fit translator --domain rna=sci-car:rna --domain atac=sci-car:atac --scale standardize --latent-classifier \
    --class-conditional-critic --anchor-fraction 0 --seed 0 --output $name.safetensors --json --quiet > $name.json
summary $name $name.json
for anchors in 0 0.1 0.5 1; do
    name=halves-anchors-$anchors
    $latent fit translator --domain top="fashion-mnist-mini:train?half=top" --domain bottom="fashion-mnist-mini:train?half=bottom" \
        --latent-classifier --code-size 20 --hidden 256 --epochs 30 --test-split none --anchor-fraction $anchors --seed 0 \
        --output $name.safetensors --json --quiet > $name-fit.json
    $latent evaluate $name.safetensors --domain top="fashion-mnist-mini:test?half=top" --domain bottom="fashion-mnist-mini:test?half=bottom" \
        --json --quiet > $name.json
    python3 -c "import json; d = json.load(open('$name.json')); d['seconds'] = json.load(open('$name-fit.json'))['seconds']; json.dump(d, open('$name.json', 'w'))"
    summary $name $name.json
done

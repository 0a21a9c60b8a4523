#!/bin/sh
# The translator's tables in BENCHMARKS.md ("Translation between domains"): on sci-car (the
# paper's split: 1 534 training, 340 test cells), FOSCTTM, recall and the pairing score of the
# test cells among the test cells (and training among training) by anchor fraction and seed,
# and the class-conditional critic beside the plain one, then every run and the linear floors
# scored alike by Benchmarks/reference/sci_car_floors.py from the codes `latent encode` writes;
# on the top and bottom halves of fashion-mnist-mini, the same by anchor fraction, measured on
# the 1 000 test images among themselves; on the left and right halves of scikit-learn's digits
# (10 % anchors, a fifth of the rows held out), each matcher's held-out translation error with
# default options, and the critic without its gradient penalty or the anchors' translation loss,
# beside predicting the mean half and a ridge map on as many anchors
# (Benchmarks/reference/digit_halves.py). Prints one line per run; the JSON of each fit stays
# in FOLDER.
# Usage: Benchmarks/translator.sh [FOLDER] (default: translator).
set -eu
root=$(pwd)
latent=${LATENT:-"swift run --package-path $root -c release latent"}  # LATENT=/path/to/latent runs a built copy
folder=${1:-translator}
mkdir -p "$folder"
cd "$folder"
summary() {  # name, fit or evaluate JSON: the primary figures, then memorisation
    python3 -c "
import json, sys
d = json.load(open('$2'))
s = 'test' if 'queries_test' in d else 'all'
print('$1', 'among %s: FOSCTTM %.3f  recall@1 %.3f @10 %.3f @50 %.3f (chance %.3f)  pairing@50 %.3f (centroid %.3f)' % (
    s, d['foscttm_' + s], d['recall_at_1_' + s], d['recall_at_10_' + s], d['recall_at_50_' + s], d['recall_chance_at_50_' + s],
    d['pairing_score_' + s]['50'], d['centroid_pairing_score_' + s]['50']),
    ' training among training: FOSCTTM %.3f recall@50 %.3f' % (d['foscttm_training'], d['recall_at_50_training']) if 'foscttm_training' in d else '',
    ' kNN %.3f  translation SSE %s  %.0f s' % (d.get('knn_accuracy', float('nan')),
    ', '.join('%s %.1f' % kv for kv in sorted(d['translation_sse_per_sample'].items())), d['seconds']))"
}
codes=""
encode() {  # name: every cell's codes in both domains, for the scoring script
    $latent encode $1.safetensors --data sci-car:rna --domain rna --output $1-rna.npy --quiet
    $latent encode $1.safetensors --data sci-car:atac --domain atac --output $1-atac.npy --quiet
    codes="$codes --codes $1=$1-rna.npy,$1-atac.npy"
}
for seed in 0 1 2; do
    for anchors in 0 0.1 0.5 1; do
        name=sci-car-anchors-$anchors-seed-$seed
        $latent fit translator --domain rna=sci-car:rna --domain atac=sci-car:atac --scale standardize --latent-classifier --classifier-weight 10 \
            --anchor-fraction $anchors --seed $seed --output $name.safetensors --json --quiet > $name.json
        summary $name $name.json
        encode $name
    done
done
name=sci-car-anchors-0-class-conditional-seed-0
$latent fit translator --domain rna=sci-car:rna --domain atac=sci-car:atac --scale standardize --latent-classifier --classifier-weight 10 \
    --class-conditional-critic --anchor-fraction 0 --seed 0 --output $name.safetensors --json --quiet > $name.json
summary $name $name.json
encode $name
# Every sci-car row and the linear floors, scored alike by one script.
python3 "$root/Benchmarks/reference/sci_car_floors.py" "$root/../shared/data/sci-car" $codes --json sci-car-table.json
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
# Digit halves: every matcher with default options, then the critic without each stabiliser.
python3 "$root/Benchmarks/reference/digit_halves.py" . > digit-halves-floors.json
cat digit-halves-floors.json
digits() {  # name, options…
    name=$1; shift
    if $latent fit translator --domain left=left.npy --domain right=right.npy --anchor-fraction 0.1 --test-split test-rows.txt \
        --output $name.safetensors --json --quiet "$@" > $name.json 2> $name.err; then
        python3 -c "
import json
d = json.load(open('$name.json'))
print('$name', 'held-out SSE left->right %.0f right->left %.0f (mean %.0f, %.0f)  FOSCTTM %.3f  worse than mean: %s  %.0f s' % (
    d['translation_sse_per_sample']['left_to_right'], d['translation_sse_per_sample']['right_to_left'],
    d['mean_prediction_sse_per_sample']['right'], d['mean_prediction_sse_per_sample']['left'], d['foscttm_test'],
    d['translations_worse_than_mean'] or 'none', d['seconds']))"
    else
        echo "$name" "exit $?: $(tail -1 $name.err)"
    fi
}
for matcher in critic mmd sinkhorn; do digits digits-$matcher --matcher $matcher; done
digits digits-critic-no-translation-loss --translation-weight 0
digits digits-critic-no-gradient-penalty --critic-gradient-penalty 0
digits digits-critic-neither --translation-weight 0 --critic-gradient-penalty 0

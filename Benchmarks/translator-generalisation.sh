#!/bin/sh
# What BENCHMARKS.md ("Translation between domains", the regularisers and inputs) measured against
# memorising sci-car's pairs: with every training pair an anchor and the README's options
# otherwise (`--scale standardize --latent-classifier --classifier-weight 10`), each of weight
# decay, input noise, dropout, a smaller code, the critic's learning rate, held-out pairs with and
# without early stopping, and other inputs (depth-normalised log counts, PCA of RNA and LSI of
# ATAC: Benchmarks/reference/sci_car_inputs.py) alone on top of the defaults. Prints, per run,
# FOSCTTM and recall at 50 of the 340 test cells among themselves, FOSCTTM of training cells
# among themselves, and the kept epoch. The count likelihood for RNA is measured by a PyTorch
# prototype instead: Benchmarks/reference/sci_car_count_likelihood.py.
# Usage: Benchmarks/translator-generalisation.sh [FOLDER] (default: translator-generalisation).
set -eu
root=$(pwd)
latent=${LATENT:-"swift run --package-path $root -c release latent"}  # LATENT=/path/to/latent runs a built copy
folder=${1:-translator-generalisation}
mkdir -p "$folder"
cd "$folder"
python3 "$root/Benchmarks/reference/sci_car_inputs.py" . "$root/../shared/data/sci-car"
run() {  # name, rna SPEC, atac SPEC, options…
    name=$1 rna=$2 atac=$3
    shift 3
    $latent fit translator --domain rna=$rna --domain atac=$atac --scale standardize --latent-classifier --classifier-weight 10 \
        --anchor-fraction 1 --output $name.safetensors --json --quiet "$@" > $name.json
    python3 -c "
import json; d = json.load(open('$name.json'))
print('$name', 'FOSCTTM %.3f recall@50 %.3f  training FOSCTTM %.3f  kept epoch %s of %s' % (
    d['foscttm_test'], d['recall_at_50_test'], d['foscttm_training'], d.get('best_epoch', d['epochs']), d['epochs']))"
}
sci() { name=$1; shift; run $name sci-car:rna sci-car:atac "$@"; }
files() {  # name, rna file, atac file, options…: the NPY inputs with sci-car's labels and split
    name=$1 rna=$2 atac=$3
    shift 3
    run $name $rna $atac --domain-labels rna=labels.npy --domain-labels atac=labels.npy --test-split test-rows.txt "$@"
}
for seed in 0 1 2; do sci default-seed-$seed --seed $seed; done
for decay in 0.01 0.1 0.3 1; do sci weight-decay-$decay --weight-decay $decay; done
for seed in 1 2; do sci weight-decay-0.1-seed-$seed --weight-decay 0.1 --seed $seed; done
for noise in 0.5 1; do sci input-noise-$noise --input-noise $noise; done
for p in 0.1 0.3 0.5; do sci dropout-$p --dropout $p; done
sci code-size-10 --code-size 10
for rate in 0.2 5; do sci critic-learning-rate-$rate --critic-learning-rate $rate; done
for seed in 0 1 2; do
    sci held-out-0.1-seed-$seed --held-out 0.1 --seed $seed
    sci early-stopping-20-seed-$seed --held-out 0.1 --early-stopping 20 --seed $seed
    files lognorm-seed-$seed rna-lognorm.npy atac-lognorm.npy --seed $seed
    files pca-lsi-seed-$seed rna-pca.npy atac-lsi.npy --seed $seed
done
files pca-rna-lognorm-atac-seed-0 rna-pca.npy atac-lognorm.npy --seed 0

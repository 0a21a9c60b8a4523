#!/usr/bin/env bash
# Exact PCA of tables far wider than long (dual PCA: the n × n Gram matrix, never D × D) under
# --memory-limit 2G: 5 × 40 000 as CSV (the shape that took the whole machine before) and
# 200 × 100 000 as NPY. For each: Latent's wall time and peak resident memory (GNU time), and the
# largest differences from NumPy's SVD of the same data (Benchmarks/reference/wide_pca.py), which
# is timed beside it. Needs python3 with NumPy.
# Usage: Benchmarks/wide_pca.sh [REPEATS] [WORK-FOLDER]   (default: 5 repeats, a temporary folder)
source "$(dirname "$0")/prelude.sh"
repeats=${1:-5}
work=${2:-$(mktemp -d)}
python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
rng = np.random.default_rng(0)
x = (rng.normal(size=(5, 40000)) * np.linspace(0.1, 3, 40000)).astype('f4')
np.savetxt(f'{work}/wide-5.csv', x, delimiter=',', fmt='%.6g', header=','.join(f'g{j}' for j in range(40000)), comments='')
x = (rng.normal(size=(200, 3)) @ rng.normal(size=(3, 100000)) + 0.5 * rng.normal(size=(200, 100000))).astype('f4')
np.save(f'{work}/wide-200.npy', x)
PY
for data in wide-5.csv wide-200.npy; do
    k=$([ "$data" = wide-5.csv ] && echo 3 || echo 5)
    walls=(); peaks=()
    for _ in $(seq "$repeats"); do
        /usr/bin/time -v "$latent" fit pca --data "$work/$data" --code-size "$k" --memory-limit 2G --threads 2 \
            --output "$work/${data%.*}.safetensors" --json --quiet >/dev/null 2>"$work/time.txt"
        walls+=("$(grep -E 'Elapsed' "$work/time.txt" | grep -oE '[0-9:.]+$' | awk -F: '{ print ($1 * 60) + $2 }')")
        peaks+=("$(grep -E 'Maximum resident' "$work/time.txt" | grep -oE '[0-9]+$')")
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
    echo "$data: latent fit pca (exact, dual) median $(median "${walls[@]}") s wall, median peak $(( $(median "${peaks[@]}") / 1024 )) MB resident ($repeats runs)"
    python3 Benchmarks/reference/wide_pca.py "$work/$data" "$work/${data%.*}.safetensors" "$k" "$repeats"
done
[ -n "${2:-}" ] || rm -rf "$work"

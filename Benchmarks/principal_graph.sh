#!/bin/sh
# The principal tree's speed in BENCHMARKS.md ("Elastic principal graphs"): a tree of 100 nodes
# on 10 000 points in 10-D (three noisy branches along random orthogonal directions, made by
# NumPy with seed 0), by Latent with 1 and 2 threads, then by the reference, ElPiGraph's Python
# implementation (elpigraph-python from PyPI), when it is installed. Same defaults in both
# (λ = 0.01, μ = 0.1, ε = 0.01, at most 10 iterations per embedding, no trimming).
# Usage: Benchmarks/principal_graph.sh [FOLDER] [NODES] (defaults: principal-graph, 100).
set -eu
latent=${LATENT:-"swift run -c release latent"}  # LATENT=path/to/latent runs a built copy
here=$(cd "$(dirname "$0")" && pwd)
folder=${1:-principal-graph}
nodes=${2:-100}
mkdir -p "$folder"
cd "$folder"
python3 -c "
import numpy as np
rng = np.random.default_rng(0)
n = 10000
branch, t = rng.integers(0, 3, n), rng.uniform(0, 1, n)
directions = np.linalg.qr(rng.normal(size=(10, 10)))[0][:3]
x = t[:, None] * directions[branch] + rng.normal(scale=0.03, size=(n, 10))
np.save('star10k.npy', x.astype(np.float32))
"
for threads in 1 2; do
    $latent fit principal-graph --data star10k.npy --topology tree --nodes "$nodes" --threads $threads --output tree-$threads.safetensors --json --quiet > tree-$threads.json
    python3 -c "
import json; d = json.load(open('tree-$threads.json'))
print('latent, $threads thread(s): %d nodes on %d points x %d: %.1f s, barcode %s, FVE (projections onto edges) %.4f' % (
    d['nodes'], d['samples'], d['features'], d['seconds'], d['barcode'], d['fraction_of_variance_explained']))"
done
if python3 -c "import elpigraph" 2>/dev/null; then
    python3 "$here/reference/elpigraph_tree.py" star10k.npy "$nodes"
else
    echo "elpigraph-python is not installed (pip install elpigraph-python): no reference run"
fi

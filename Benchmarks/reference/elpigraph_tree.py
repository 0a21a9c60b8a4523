"""The reference for Latent's principal trees: ElPiGraph's Python implementation
(elpigraph-python, Albergante et al. 2020) fitting a principal tree to the same data with the
same published defaults (λ = 0.01, μ = 0.1, ε = 0.01, at most 10 iterations per embedding).
Prints the seconds, the barcode and the fraction of variance explained.

Usage: python3 Benchmarks/reference/elpigraph_tree.py DATA.npy NODES
  (pip install elpigraph-python; Benchmarks/principal_graph.sh makes DATA.npy)
"""
import sys
import time

import elpigraph
import numpy as np

data = np.load(sys.argv[1]).astype(np.float64)
nodes = int(sys.argv[2])
start = time.perf_counter()
tree = elpigraph.computeElasticPrincipalTree(data, NumNodes=nodes, Lambda=0.01, Mu=0.1, MaxNumberOfIterations=10, eps=0.01,
                                             Do_PCA=False, CenterData=False, verbose=False)[0]
seconds = time.perf_counter() - start
positions, edges = tree["NodePositions"], tree["Edges"][0]
degrees = np.bincount(edges.ravel(), minlength=len(positions))
counts = [int((degrees == d).sum()) for d in range(max(3, degrees.max()), 2, -1)]
barcode = "|".join(map(str, counts)) + f"||{len(positions)}"
# Projection onto the nearest node (ElPiGraph's FVE) for a like-for-like figure.
distances = ((data[:, None, :] - positions[None, :, :]) ** 2).sum(-1).min(1)
fve = 1 - distances.sum() / ((data - data.mean(0)) ** 2).sum()
print(f"elpigraph-python: {nodes} nodes on {len(data)} points × {data.shape[1]}: {seconds:.1f} s, barcode {barcode}, FVE (nearest node) {fve:.4f}")

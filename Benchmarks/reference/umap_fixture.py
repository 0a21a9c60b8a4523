#!/usr/bin/env python3
"""Fixture for Tests/NeighbourhoodsTests/FuzzySimplicialSetTests.swift: umap-learn's smooth kNN
distances (rho, sigma), its fuzzy simplicial set (the symmetrised membership strengths) and its
a, b for min_dist 0.1 and spread 1, on 30 points the test regenerates:
x_i = (sin(0.7 i), cos(1.3 i), (7 i mod 13) / 13), n_neighbors = 5 (the point itself counted),
exact neighbours. Prints Swift literals to paste into the test.

    /tmp/refenv/bin/pip install umap-learn
    /tmp/refenv/bin/python Benchmarks/reference/umap_fixture.py
"""
import numpy as np
import umap
from umap.umap_ import find_ab_params, fuzzy_simplicial_set, nearest_neighbors, smooth_knn_dist

n, k = 30, 5
x = np.array([[np.sin(0.7 * i), np.cos(1.3 * i), (7 * i % 13) / 13] for i in range(n)], dtype=np.float32)
indices, distances, _ = nearest_neighbors(x, k, "euclidean", {}, False, None)
sigma, rho = smooth_knn_dist(distances, float(k))
graph, _, _ = fuzzy_simplicial_set(x, k, None, "euclidean", knn_indices=indices, knn_dists=distances)
graph = graph.tocoo()
order = np.lexsort((graph.col, graph.row))
a, b = find_ab_params(1.0, 0.1)
print("// umap-learn", umap.__version__)
print("static let rho: [Double] = [" + ", ".join(f"{v:.9g}" for v in rho) + "]")
print("static let sigma: [Double] = [" + ", ".join(f"{v:.9g}" for v in sigma) + "]")
print("static let edges: [(Int, Int, Double)] = [" + ", ".join(f"({graph.row[i]}, {graph.col[i]}, {graph.data[i]:.9g})" for i in order) + "]")
print(f"static let (a, b) = ({a:.12g}, {b:.12g})")

"""Linear floors of the sci-car pairing score, for the translator's table in BENCHMARKS.md.

The paper's pairing score (Yang et al. 2021): a test cell i counts when the RNA code nearest
to its ATAC code (L1, among all 1 874 cells) is among the k nearest RNA codes of its own RNA
code. Three linear maps, fitted on the 1 534 training cells (standardised with their means and
deviations, after log1p as Latent's `sci-car` SPECs give the data):
  - separate PCA-50 per domain (no alignment at all);
  - CCA-10 on the two PCA-50 spaces, with every training pair;
  - a ridge map from RNA's PCA-50 to ATAC's PCA-50, with every training pair.
Also FOSCTTM (both directions, Euclidean) on the same candidates, the true partner's recall at
k (RNA -> ATAC, L1), and the pairing score of the centroid (every RNA cell mapped to the mean
ATAC code: the score's floor where the ATAC codes have hubs). Last, the hub effect itself: the
ridge map into ATAC's PCA-k for growing k, whose pairing score climbs with the centroid's while
its FOSCTTM and recall stay put.

Usage: python3 Benchmarks/reference/sci_car_floors.py [DIRECTORY]  (default: ../shared/data/sci-car)
"""
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.cross_decomposition import CCA
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge

directory = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/sci-car"
rna = np.log1p(sp.load_npz(f"{directory}/rna.npz").T.toarray().astype(np.float64))
atac = np.log1p(sp.load_npz(f"{directory}/atac.npz").T.toarray().astype(np.float64))
split = np.genfromtxt(f"{directory}/cells.csv", delimiter=",", dtype=str, skip_header=1)[:, 3]
train, test = split == "train", split == "test"


def standardise(x):
    mean, deviation = x[train].mean(0), x[train].std(0)
    return (x - mean) / np.where(deviation > 0, deviation, 1)


rna, atac = standardise(rna), standardise(atac)


def pairing(a, b, k):
    """Share of test cells whose nearest a-code to b(i) is among a(i)'s k nearest a-codes:
    the pairing score from b's domain to a's (pairing(atac, rna) is RNA -> ATAC)."""
    hits = 0
    for i in np.flatnonzero(test):
        nearest = np.argmin(np.abs(a - b[i]).sum(1))
        own = np.abs(a - a[i]).sum(1)
        hits += (own < own[nearest]).sum() < k
    return hits / test.sum()


def recall(a, b, k):
    """Share of test cells whose true partner a(i) is among the k a-codes nearest to b(i)."""
    hits = 0
    for i in np.flatnonzero(test):
        distances = np.abs(a - b[i]).sum(1)
        hits += (distances < distances[i]).sum() < k
    return hits / test.sum()


def centroid(a):
    return np.tile(a.mean(0), (len(a), 1))


def foscttm(a, b):
    def one_way(x, y):
        return np.mean([(((y - x[i]) ** 2).sum(1) < ((y[i] - x[i]) ** 2).sum()).sum() / (len(x) - 1) for i in np.flatnonzero(test)])
    return (one_way(a, b) + one_way(b, a)) / 2


pca_rna, pca_atac = PCA(50, random_state=0).fit(rna[train]), PCA(50, random_state=0).fit(atac[train])
z_rna, z_atac = pca_rna.transform(rna), pca_atac.transform(atac)
cca = CCA(10, max_iter=1000).fit(z_rna[train], z_atac[train])
c_rna, c_atac = cca.transform(z_rna, z_atac)
ridge = Ridge(alpha=1.0).fit(z_rna[train], z_atac[train])
for name, a, b in [("PCA-50 per domain", z_rna, z_atac), ("CCA-10 on PCA-50, all pairs", c_rna, c_atac),
                   ("ridge RNA PCA-50 -> ATAC PCA-50, all pairs", ridge.predict(z_rna), z_atac)]:
    print(f"{name}: RNA -> ATAC k=5 {pairing(b, a, 5):.3f}, k=50 {pairing(b, a, 50):.3f}; ATAC -> RNA k=50 {pairing(a, b, 50):.3f}; "
          f"centroid k=50 {pairing(b, centroid(b), 50):.3f}; recall k=50 {recall(b, a, 50):.3f}; FOSCTTM {foscttm(a, b):.3f}")
for k in [20, 50, 100, 200, 400]:
    z_atac_k = PCA(k, random_state=0).fit(atac[train]).transform(atac)
    predicted = Ridge(alpha=1.0).fit(z_rna[train], z_atac_k[train]).predict(z_rna)
    print(f"ridge RNA PCA-50 -> ATAC PCA-{k}: RNA -> ATAC k=50 {pairing(z_atac_k, predicted, 50):.3f}; "
          f"centroid k=50 {pairing(z_atac_k, centroid(z_atac_k), 50):.3f}; recall k=50 {recall(z_atac_k, predicted, 50):.3f}; FOSCTTM {foscttm(predicted, z_atac_k):.3f}")

"""The sci-car translation table of BENCHMARKS.md: linear floors and translators, scored alike.

Every row is scored three ways on the paper's split (1 534 training, 340 test cells):
  - test among test: each test cell's codes against the 340 test cells only (the primary
    figures: how a method does on cells it has not seen);
  - test among all: against all 1 874 cells, as Yang et al. (2021) score (flattering: test codes
    sit nearer the centre than training codes, so training candidates are easy to rule out);
  - training among training: 340 training cells spread evenly over the 1 534 (the same chance
    as test among test), against each other: memorised pairs score far better here.
Measures, as Latent's `TranslationMetrics` defines them:
  - FOSCTTM (Euclidean): for each query, the fraction of the other candidates closer to its code
    than its true partner's, averaged over queries and both directions (chance 0.5);
  - recall at k (L1): the share of queries whose true partner is among the k candidates nearest
    to their code, averaged over both directions (chance k / candidates);
  - the paper's pairing score RNA -> ATAC at k = 50 (L1): a cell counts when the ATAC code
    nearest to its RNA code is among the k nearest ATAC codes of its own ATAC code, beside the
    same score of the centroid (every RNA code mapped to the mean ATAC code: the score's floor
    where ATAC codes have hubs).
Methods, on the data as Latent's `sci-car` SPECs give them (log1p, then standardised with the
training cells' means and deviations): separate PCA-50 per domain (no alignment); CCA-10 on the
two PCA-50 spaces and a ridge map RNA PCA-50 -> ATAC PCA-50, each fitted on a fraction of the
training pairs (10 %, 50 %, 100 %: the translator's anchors; a seeded subset); the centroid
(every RNA cell mapped to the training cells' mean ATAC code). With --codes, also translators:
NAME=RNA.npy,ATAC.npy, the codes `latent encode` writes of every cell of each domain.

Usage: python3 Benchmarks/reference/sci_car_floors.py [DIRECTORY] [--codes NAME=RNA.npy,ATAC.npy ...] [--json FILE]
       (DIRECTORY default: ../shared/data/sci-car)
"""
import argparse
import json

import numpy as np
import scipy.sparse as sp
from sklearn.cross_decomposition import CCA
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge

parser = argparse.ArgumentParser()
parser.add_argument("directory", nargs="?", default="../shared/data/sci-car")
parser.add_argument("--codes", action="append", default=[], help="NAME=RNA.npy,ATAC.npy")
parser.add_argument("--json", help="also write the table as JSON")
arguments = parser.parse_args()

directory = arguments.directory
rna = np.log1p(sp.load_npz(f"{directory}/rna.npz").T.toarray().astype(np.float64))
atac = np.log1p(sp.load_npz(f"{directory}/atac.npz").T.toarray().astype(np.float64))
split = np.genfromtxt(f"{directory}/cells.csv", delimiter=",", dtype=str, skip_header=1)[:, 3]
train, test = np.flatnonzero(split == "train"), np.flatnonzero(split == "test")
# As many training cells as test cells, spread evenly (Latent's `Translator.Scoring.training`).
training_sample = train[np.arange(len(test)) * len(train) // len(test)]
SCORINGS = {"test": (test, test), "test_among_all": (test, np.arange(len(split))), "training": (training_sample, training_sample)}
RECALL_K = [1, 10, 50]


def standardise(x):
    mean, deviation = x[train].mean(0), x[train].std(0)
    return (x - mean) / np.where(deviation > 0, deviation, 1)


rna, atac = standardise(rna), standardise(atac)


def l1(x, y):
    return np.abs(x[:, None, :] - y[None, :, :]).sum(2)


def squared(x, y):
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(2)


def rank(d, queries):
    """For each query i (row of d: distances to every candidate), the candidates j != i closer
    than its partner i, those as close counting half."""
    own = d[np.arange(len(queries)), queries]
    closer, tied = (d < own[:, None]).sum(1), (d == own[:, None]).sum(1) - 1
    return closer + tied / 2


def foscttm_one_way(x, y, queries):
    """Mean over queries i of the fraction of candidates j != i nearer x_i than y_i (Euclidean)."""
    return float(np.mean(rank(squared(x[queries], y), queries) / (len(x) - 1)))


def recall_one_way(x, y, queries, k):
    return float(np.mean(rank(l1(x[queries], y), queries) < k))


def pairing(a, b, queries, k):
    """Share of queries i whose nearest a-code to b(i) is among a(i)'s k nearest a-codes
    (pairing(atac, rna) is the paper's RNA -> ATAC)."""
    nearest = np.argmin(l1(b[queries], a), 1)
    own = l1(a[queries], a)
    radius = own[np.arange(len(queries)), nearest]
    return float(np.mean((own < radius[:, None]).sum(1) < k))


def score(z_rna, z_atac):
    """Every figure of every scoring of codes z_rna, z_atac (rows: all 1 874 cells)."""
    figures = {}
    for name, (queries, candidates) in SCORINGS.items():
        a, b = z_rna[candidates], z_atac[candidates]
        position = {cell: at for at, cell in enumerate(candidates)}
        q = np.array([position[cell] for cell in queries])
        centroid = np.tile(b.mean(0), (len(b), 1))
        figures[name] = {
            "foscttm": (foscttm_one_way(a, b, q) + foscttm_one_way(b, a, q)) / 2,
            **{f"recall_at_{k}": (recall_one_way(a, b, q, k) + recall_one_way(b, a, q, k)) / 2 for k in RECALL_K},
            **{f"recall_chance_at_{k}": min(k, len(candidates)) / len(candidates) for k in RECALL_K},
            "pairing_score_50": pairing(b, a, q, 50),
            "centroid_pairing_score_50": pairing(b, centroid, q, 50),
        }
    return figures


rows = {}
pca_rna, pca_atac = PCA(50, random_state=0).fit(rna[train]), PCA(50, random_state=0).fit(atac[train])
z_rna, z_atac = pca_rna.transform(rna), pca_atac.transform(atac)
rows["PCA-50 per domain"] = score(z_rna, z_atac)
for fraction in [0.1, 0.5, 1.0]:
    known = np.random.default_rng(0).permutation(train)[: int(round(fraction * len(train)))]
    cca = CCA(10, max_iter=1000).fit(z_rna[known], z_atac[known])
    rows[f"CCA-10 on PCA-50, {fraction:.0%} of pairs"] = score(*cca.transform(z_rna, z_atac))
    ridge = Ridge(alpha=1.0).fit(z_rna[known], z_atac[known])
    rows[f"ridge PCA-50 -> PCA-50, {fraction:.0%} of pairs"] = score(ridge.predict(z_rna), z_atac)
# Every RNA cell "translated" to the mean ATAC code of the training cells.
rows["centroid"] = score(np.tile(z_atac[train].mean(0), (len(z_atac), 1)), z_atac)
for entry in arguments.codes:
    name, files = entry.split("=", 1)
    rna_codes, atac_codes = (np.load(path).astype(np.float64) for path in files.split(","))
    rows[name] = score(rna_codes, atac_codes)

columns = ["foscttm", "recall_at_1", "recall_at_10", "recall_at_50", "pairing_score_50", "centroid_pairing_score_50"]
print("chance among the test cells: FOSCTTM 0.5, recall at 1 / 10 / 50 " + " / ".join(f"{min(k, len(test)) / len(test):.3f}" for k in RECALL_K))
print(f"{'method':44s} {'scoring':15s} " + " ".join(f"{c[:18]:>18s}" for c in columns))
for name, figures in rows.items():
    for scoring, values in figures.items():
        print(f"{name:44s} {scoring:15s} " + " ".join(f"{values[c]:18.3f}" for c in columns))
if arguments.json:
    with open(arguments.json, "w") as file:
        json.dump(rows, file, indent=1, sort_keys=True)

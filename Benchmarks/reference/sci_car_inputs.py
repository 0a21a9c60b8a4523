"""Other inputs for the sci-car translator (BENCHMARKS.md, "Translation between domains"): what
single-cell practice feeds its models instead of log(1 + counts), written as NPY files that
`latent fit translator` reads, so that each is measured with the same command as the default.

Writes into FOLDER, one row per cell in the order of sci-car's cells.csv:
  - rna-lognorm.npy, atac-lognorm.npy: counts scaled to 10^4 per cell, then log(1 + x) (scanpy's
    normalize_total + log1p: depth removed before the log);
  - rna-pca.npy: the first 50 principal components of rna-lognorm, fitted on the training cells;
  - atac-lsi.npy: latent semantic indexing of the ATAC counts (TF-IDF: term frequency per cell
    times log(1 + cells / cells with the region), log(1 + 10^4 x); truncated SVD with 50
    components fitted on the training cells, the first dropped because it follows sequencing
    depth; Cusanovich et al. 2015, Signac's RunTFIDF/RunSVD);
  - labels.npy (hours of treatment), test-rows.txt (the 340 test cells, for --test-split).

Usage: python3 Benchmarks/reference/sci_car_inputs.py FOLDER [SCI_CAR_FOLDER]
"""
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA, TruncatedSVD

import sci_car

folder = sys.argv[1]
rna, atac, train, test, hours, labels = sci_car.load(*sys.argv[2:3])
labels = labels.astype(np.float32)


def lognorm(counts):
    depth = np.asarray(counts.sum(1)).ravel()
    return np.log1p(sp.diags(1e4 / np.maximum(depth, 1)) @ counts).toarray()


rna_lognorm, atac_lognorm = lognorm(rna), lognorm(atac)
pca = PCA(n_components=50, random_state=0).fit(rna_lognorm[train])
tf = sp.diags(1 / np.maximum(np.asarray(atac.sum(1)).ravel(), 1)) @ atac
idf = np.log1p(atac.shape[0] / np.maximum(np.asarray((atac[train] > 0).sum(0)).ravel(), 1))
tfidf = np.log1p(1e4 * (tf @ sp.diags(idf))).toarray()
svd = TruncatedSVD(n_components=51, random_state=0).fit(tfidf[train])
outputs = {
    "rna-lognorm": rna_lognorm, "atac-lognorm": atac_lognorm,
    "rna-pca": pca.transform(rna_lognorm), "atac-lsi": svd.transform(tfidf)[:, 1:],
    "labels": labels,
}
for name, values in outputs.items():
    np.save(f"{folder}/{name}.npy", values.astype(np.float32))
np.savetxt(f"{folder}/test-rows.txt", test, fmt="%d")
print(f"wrote {', '.join(outputs)} and test-rows.txt ({len(test)} test cells, {len(train)} training) to {folder}")

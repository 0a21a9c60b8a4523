"""sci-car as the reference scripts read it: both count matrices cells x features (SciPy CSR,
float64, the rows of cells.csv), the paper's training and test cells, and the treatment time
of each cell as a class index (hours in ascending order)."""
import csv

import numpy as np
import scipy.sparse as sp


def load(source="../shared/data/sci-car"):
    rna = sp.load_npz(f"{source}/rna.npz").T.tocsr().astype(np.float64)
    atac = sp.load_npz(f"{source}/atac.npz").T.tocsr().astype(np.float64)
    with open(f"{source}/cells.csv") as file:
        cells = list(csv.DictReader(file))
    test = np.array([i for i, cell in enumerate(cells) if cell["split"] == "test"])
    train = np.array([i for i, cell in enumerate(cells) if cell["split"] != "test"])
    hours = sorted({cell["treatment_time_hours"] for cell in cells}, key=float)
    labels = np.array([hours.index(cell["treatment_time_hours"]) for cell in cells])
    return rna, atac, train, test, hours, labels

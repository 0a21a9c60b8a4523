"""The digit halves of BENCHMARKS.md ("Translation between domains"): the left and right 8 x 4
halves of scikit-learn's 8 x 8 digits (1 797 images, raw pixels 0 ... 16), rows paired, a seeded
20 % of rows held out, and the floors a translator is measured against on them.

Writes into FOLDER: left.npy and right.npy (1 797 x 32 each, float32), test-rows.txt (the held-out
rows, one per line, for `latent fit translator --test-split`). Prints, as JSON, the held-out
squared error per sample of
  - predicting the other half's training mean (what a translator must beat);
  - a ridge map fitted on a seeded 10 % of the training rows (the translator's anchors:
    `--anchor-fraction 0.1`; other rows than the translator draws, the same share), alpha
    chosen by leave-one-out on those rows among 10^-2 ... 10^4.

Usage: python3 Benchmarks/reference/digit_halves.py FOLDER
"""
import json
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import RidgeCV

folder = sys.argv[1]
images = load_digits().images.astype(np.float32)
left, right = images[:, :, :4].reshape(len(images), 32), images[:, :, 4:].reshape(len(images), 32)
np.save(f"{folder}/left.npy", left)
np.save(f"{folder}/right.npy", right)
generator = np.random.default_rng(0)
order = generator.permutation(len(images))
test, train = np.sort(order[: len(images) // 5]), np.sort(order[len(images) // 5:])
np.savetxt(f"{folder}/test-rows.txt", test, fmt="%d")
anchors = generator.permutation(train)[: round(0.1 * len(train))]


def sse(prediction, target):
    return float(((prediction - target) ** 2).sum(1).mean())


result = {"test_rows": len(test), "training_rows": len(train), "anchors": len(anchors)}
for source, target, name in [(left, right, "left_to_right"), (right, left, "right_to_left")]:
    result[f"mean_{name}"] = sse(target[train].mean(0, keepdims=True), target[test])
    ridge = RidgeCV(alphas=np.logspace(-2, 4, 13)).fit(source[anchors], target[anchors])
    result[f"ridge_{name}"] = sse(ridge.predict(source[test]), target[test])
print(json.dumps(result))

"""Does a count likelihood for sci-car's RNA help the translator generalise? (BENCHMARKS.md,
"Translation between domains"; issue 29 asks for it measured.) A PyTorch prototype of Latent's
translator with every training pair an anchor, run twice on the same cells, seeds and
everything else, differing only in the RNA domain's reconstruction:

  - mse: squared error on log(1 + counts) standardised with the training cells' moments, a mean
    over genes (Latent's `--scale standardize`, the default loss);
  - nb: the negative binomial log-likelihood of the counts themselves, mean mu = l * softmax(decoder)
    with l the cell's observed library size and one learned dispersion theta per gene (scVI:
    Lopez, Regier, Cole, Jordan & Yosef, Nature Methods 15, 2018), a mean over genes; the encoder
    still reads standardised log(1 + counts).

Both: encoders and decoders of one hidden layer of 512 (ReLU), codes of 50, ATAC by squared error
on standardised log(1 + counts), a linear latent classifier of the treatment time at weight 10,
the L1 anchor distance (weight 1), the anchors' translation loss (weight 0.1, each anchor decoded
into its partner's domain with that domain's loss), code penalty 0.01, Adam at 1e-3, batches of
64, 100 epochs. No distribution matching: with every pair an anchor the anchor term aligns. Scored
as Latent scores (Benchmarks/reference/sci_car_floors.py): the 340 test cells among themselves,
FOSCTTM (Euclidean, both directions) and recall at 50 (L1, both directions).

Usage: /path/to/venv/bin/python Benchmarks/reference/sci_car_count_likelihood.py [SCI_CAR_FOLDER]
(PyTorch for CPU: the wheel on the machine image, installed with --no-deps in a virtual environment.)
"""
import json
import sys

import numpy as np
import torch
from torch import nn

import sci_car

torch.set_num_threads(2)
rna, atac, train, test, hours, labels = sci_car.load(*sys.argv[1:2])
rna, atac, labels = rna.toarray().astype(np.float32), atac.toarray().astype(np.float32), torch.tensor(labels)


def standardised(counts):
    logged = np.log1p(counts)
    mean, deviation = logged[train].mean(0), logged[train].std(0)
    return torch.tensor((logged - mean) / np.where(deviation > 0, deviation, 1))


inputs = [standardised(rna), standardised(atac)]
rna_counts = torch.tensor(rna)
library = rna_counts.sum(1, keepdim=True)


def mlp(a, b):
    return nn.Sequential(nn.Linear(a, 512), nn.ReLU(), nn.Linear(512, b))


def negative_binomial(logits, counts, library, log_theta):
    """-log NB(counts; mu = library * softmax(logits), theta = exp(log_theta)), a mean over genes."""
    theta = log_theta.exp()
    log_mu = torch.log_softmax(logits, 1) + torch.log(library)
    log_theta_mu = torch.logaddexp(log_theta, log_mu)
    log_likelihood = (torch.lgamma(counts + theta) - torch.lgamma(theta) - torch.lgamma(counts + 1)
                      + theta * (log_theta - log_theta_mu) + counts * (log_mu - log_theta_mu))
    return -log_likelihood.mean()


def fit(likelihood, seed):
    torch.manual_seed(seed)
    encoders = nn.ModuleList([mlp(x.shape[1], 50) for x in inputs])
    decoders = nn.ModuleList([mlp(50, x.shape[1]) for x in inputs])
    classifier = nn.Linear(50, len(hours))
    log_theta = nn.Parameter(torch.zeros(rna.shape[1]))
    parameters = list(encoders.parameters()) + list(decoders.parameters()) + list(classifier.parameters())
    optimizer = torch.optim.Adam(parameters + ([log_theta] if likelihood == "nb" else []), lr=1e-3)

    def reconstruction(domain, output, rows):
        if domain == 0 and likelihood == "nb":
            return negative_binomial(output, rna_counts[rows], library[rows], log_theta)
        return ((output - inputs[domain][rows]) ** 2).mean()

    generator = np.random.default_rng(seed)
    for _ in range(100):
        for batch in np.array_split(generator.permutation(train), int(np.ceil(len(train) / 64))):
            codes = [encoders[k](inputs[k][batch]) for k in range(2)]
            loss = sum(reconstruction(k, decoders[k](codes[k]), batch) for k in range(2))
            loss = loss + 10 * sum(nn.functional.cross_entropy(classifier(z), labels[batch]) for z in codes)
            loss = loss + (codes[0] - codes[1]).abs().mean()
            loss = loss + 0.1 * (reconstruction(1, decoders[1](codes[0]), batch) + reconstruction(0, decoders[0](codes[1]), batch))
            loss = loss + 0.01 * sum((z ** 2).sum(1).mean() for z in codes)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return [encoders[k](inputs[k][test]).numpy().astype(np.float64) for k in range(2)]


def scores(a, b):
    def foscttm(x, y):
        distances = ((x[:, None, :] - y[None, :, :]) ** 2).sum(2)
        own = np.diag(distances)[:, None]
        closer = (distances < own).sum(1) + 0.5 * ((distances == own).sum(1) - 1)
        return float((closer / (len(x) - 1)).mean())

    def recall(x, y, k=50):
        distances = np.abs(x[:, None, :] - y[None, :, :]).sum(2)
        own = np.diag(distances)[:, None]
        rank = (distances < own).sum(1) + 0.5 * ((distances == own).sum(1) - 1)
        return float((rank < k).mean())

    return {"foscttm_test": (foscttm(a, b) + foscttm(b, a)) / 2, "recall_at_50_test": (recall(a, b) + recall(b, a)) / 2}


results = []
for likelihood in ["mse", "nb"]:
    for seed in range(3):
        result = {"rna_likelihood": likelihood, "seed": seed, **scores(*fit(likelihood, seed))}
        print(json.dumps(result), flush=True)
        results.append(result)
for likelihood in ["mse", "nb"]:
    mine = [r for r in results if r["rna_likelihood"] == likelihood]
    print(json.dumps({"rna_likelihood": likelihood, "mean_foscttm_test": float(np.mean([r["foscttm_test"] for r in mine])),
                      "mean_recall_at_50_test": float(np.mean([r["recall_at_50_test"] for r in mine]))}))

#!/usr/bin/env python3
"""Reference for `latent-benchmarks train`: PyTorch (CPU) on the same work.

One epoch of the 784-1000-500-250-30-250-500-1000-784 autoencoder (logistic units, linear
code, binary cross-entropy from logits, Adam 1e-3, batches of 128, shuffled) over full
Fashion-MNIST train, and one CD-1 epoch of a 784 -> 1000 Bernoulli RBM (batches of 100,
momentum, weight decay, Hinton's update), written with plain tensor operations.

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install --no-deps /opt/wheels/torch-*+cpu-*.whl   # the machine's CPU wheel
    /tmp/torchenv/bin/pip install numpy typing_extensions sympy filelock jinja2 networkx fsspec mpmath MarkupSafe
    /tmp/torchenv/bin/python Benchmarks/reference/training_reference.py [--threads 2] [--epochs 3]
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch

ROOT = "/usr/share/datasets/fashion-mnist"


def images():
    data = gzip.open(f"{ROOT}/train-images-idx3-ubyte.gz", "rb").read()
    return torch.from_numpy((np.frombuffer(data, np.uint8, offset=16).reshape(-1, 784) / np.float32(255)).astype(np.float32))


def autoencoder_epoch(x, model, optimizer, generator):
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")
    order = torch.randperm(x.shape[0], generator=generator)
    start = time.perf_counter()
    for i in range(0, x.shape[0], 128):
        batch = x[order[i:i + 128]]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(batch), batch) / batch.shape[0]
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def rbm_epoch(x, generator, hidden=1000, rate=0.1, momentum=0.5, decay=2e-4):
    w = 0.1 * torch.randn(784, hidden, generator=generator)
    b, c = torch.zeros(784), torch.zeros(hidden)
    dw, db, dc = torch.zeros_like(w), torch.zeros_like(b), torch.zeros_like(c)
    order = torch.randperm(x.shape[0], generator=generator)
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, x.shape[0], 100):
            v0 = x[order[i:i + 100]]
            n = v0.shape[0]
            p0 = torch.sigmoid(v0 @ w + c)
            h0 = (p0 > torch.rand(p0.shape, generator=generator)).float()
            v1 = torch.sigmoid(h0 @ w.T + b)
            p1 = torch.sigmoid(v1 @ w + c)
            dw.mul_(momentum).add_(rate * ((v0.T @ p0 - v1.T @ p1) / n - decay * w))
            db.mul_(momentum).add_(rate * (v0 - v1).mean(0))
            dc.mul_(momentum).add_(rate * (p0 - p1).mean(0))
            w += dw
            b += db
            c += dc
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x = images()
    generator = torch.Generator().manual_seed(0)
    widths = [784, 1000, 500, 250, 30, 250, 500, 1000, 784]
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i != 3 and i != len(widths) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    epochs = [autoencoder_epoch(x, model, optimizer, generator) for _ in range(args.epochs)]
    products = sum(a * b for a, b in zip(widths, widths[1:]))
    flops = 2 * (3 * products - widths[0] * widths[1]) * x.shape[0]
    seconds = statistics.median(epochs)
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s): autoencoder epoch {seconds:.2f} s "
          f"(median of {len(epochs)}: {', '.join(f'{e:.2f}' for e in epochs)}), {x.shape[0] / seconds:.0f} samples/s, "
          f"{flops / seconds / 1e9:.1f} GFLOP/s useful")
    rbm = [rbm_epoch(x, generator) for _ in range(args.epochs)]
    print(f"RBM 784->1000 CD-1 epoch (batch 100): {statistics.median(rbm):.2f} s (median of {len(rbm)})")


if __name__ == "__main__":
    main()

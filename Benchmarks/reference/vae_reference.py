#!/usr/bin/env python3
"""Reference for the VAE rows of BENCHMARKS.md: PyTorch's `examples/vae` setup on full Fashion-MNIST.

784-400-20 encoder with ReLU, 20-400-784 decoder, Bernoulli decoder (binary cross-entropy summed
over pixels) plus the closed-form KL, Adam 1e-3, batches of 128, 10 epochs over all 60 000 training
images; the test loss (negative ELBO per image, one reparametrised draw) after each epoch, and the
training time of each epoch. The model's layers and loss follow the example; data are the grey
levels / 255 (the example's `ToTensor`), not binarised.

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install --no-deps /opt/wheels/torch-*+cpu-*.whl   # the machine's CPU wheel
    /tmp/torchenv/bin/pip install numpy typing_extensions sympy filelock jinja2 networkx fsspec mpmath MarkupSafe
    /tmp/torchenv/bin/python Benchmarks/reference/vae_reference.py [--threads 2] [--epochs 10] [--seed 1]
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = "/usr/share/datasets/fashion-mnist"


def images(name):
    data = gzip.open(f"{ROOT}/{name}-images-idx3-ubyte.gz", "rb").read()
    return torch.from_numpy((np.frombuffer(data, np.uint8, offset=16).reshape(-1, 784) / np.float32(255)).astype(np.float32))


class VAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 400)
        self.fc21 = torch.nn.Linear(400, 20)
        self.fc22 = torch.nn.Linear(400, 20)
        self.fc3 = torch.nn.Linear(20, 400)
        self.fc4 = torch.nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def loss_function(output, x):
    recon, mu, logvar = output
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, test = images("train"), images("t10k")
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(train.shape[0])
        total = 0.0
        start = time.perf_counter()
        for i in range(0, train.shape[0], 128):
            batch = train[order[i:i + 128]]
            optimizer.zero_grad()
            loss = loss_function(model(batch), batch)
            loss.backward()
            total += loss.item()
            optimizer.step()
        times.append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            test_loss = sum(loss_function(model(test[i:i + 128]), test[i:i + 128]).item() for i in range(0, test.shape[0], 128))
        print(f"epoch {epoch}: train {total / train.shape[0]:.2f}  test negative ELBO {test_loss / test.shape[0]:.2f} nats  {times[-1]:.3f} s", flush=True)
    print(f"PyTorch {torch.__version__}, {args.threads} threads: median epoch {statistics.median(times):.3f} s; "
          f"final test negative ELBO per sample {test_loss / test.shape[0]:.2f} nats")


if __name__ == "__main__":
    main()

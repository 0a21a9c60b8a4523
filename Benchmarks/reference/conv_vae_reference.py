#!/usr/bin/env python3
"""Reference for the convolutional VAE rows of BENCHMARKS.md, and for the convolution kernels' throughput.

The network is Latent's default convolutional VAE for 28 × 28 × 1 images and a code of 20 (issue 33):
encoder Conv(1→32, 4, stride 2, pad 1)–ReLU–Conv(32→64, 4, 2, 1)–ReLU–Flatten–Linear(3136 → 20) twice
(μ and log σ²); decoder Linear(20 → 3136)–ReLU–Reshape(64 × 7 × 7)–ConvTranspose(64→32, 4, 2, 1)–ReLU–
ConvTranspose(32→1, 4, 2, 1) giving logits; Bernoulli likelihood (binary cross-entropy on the logits,
summed over pixels) plus the closed-form KL; Adam 1e-3, batches of 128 over all 60 000 training images
(grey levels / 255); the test negative ELBO per image (one reparametrised draw) after each epoch, and
each epoch's training time. PyTorch's default layout (NCHW) and its default CPU convolution backend.

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install --no-deps /opt/wheels/torch-*+cpu-*.whl   # the machine's CPU wheel
    /tmp/torchenv/bin/pip install numpy typing_extensions sympy filelock jinja2 networkx fsspec mpmath MarkupSafe
    /tmp/torchenv/bin/python Benchmarks/reference/conv_vae_reference.py [--threads 2] [--epochs 3] [--seed 1]
    /tmp/torchenv/bin/python Benchmarks/reference/conv_vae_reference.py --kernels [--repetitions 21]

`--kernels` times `conv2d` and `conv_transpose2d` (forward, and forward + backward) on the training
shapes at batch 128 and prints GFLOP/s (2 · multiply-adds of each product / median time), as
`latent-benchmarks convolution` does for Latent's kernels.
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
    return torch.from_numpy((np.frombuffer(data, np.uint8, offset=16).reshape(-1, 1, 28, 28) / np.float32(255)).astype(np.float32))


class ConvVAE(torch.nn.Module):
    def __init__(self, code=20):
        super().__init__()
        self.encoder = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 4, 2, 1), torch.nn.ReLU(),
            torch.nn.Conv2d(32, 64, 4, 2, 1), torch.nn.ReLU(), torch.nn.Flatten())
        self.mean = torch.nn.Linear(3136, code)
        self.log_variance = torch.nn.Linear(3136, code)
        self.decoder = torch.nn.Sequential(
            torch.nn.Linear(code, 3136), torch.nn.ReLU(), torch.nn.Unflatten(1, (64, 7, 7)),
            torch.nn.ConvTranspose2d(64, 32, 4, 2, 1), torch.nn.ReLU(),
            torch.nn.ConvTranspose2d(32, 1, 4, 2, 1))

    def forward(self, x):
        h = self.encoder(x)
        mu, logvar = self.mean(h), self.log_variance(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decoder(z), mu, logvar


def loss_function(output, x):
    logits, mu, logvar = output
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train(args):
    torch.manual_seed(args.seed)
    train_images, test = images("train"), images("t10k")
    model = ConvVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(train_images.shape[0])
        total = 0.0
        start = time.perf_counter()
        for i in range(0, train_images.shape[0], 128):
            batch = train_images[order[i:i + 128]]
            optimizer.zero_grad()
            loss = loss_function(model(batch), batch)
            loss.backward()
            total += loss.item()
            optimizer.step()
        times.append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            test_loss = sum(loss_function(model(test[i:i + 128]), test[i:i + 128]).item() for i in range(0, test.shape[0], 128))
        print(f"epoch {epoch}: train {total / train_images.shape[0]:.2f}  test negative ELBO {test_loss / test.shape[0]:.2f} nats  {times[-1]:.3f} s", flush=True)
    print(f"PyTorch {torch.__version__}, {args.threads} threads: median epoch {statistics.median(times):.3f} s; "
          f"final test negative ELBO per sample {test_loss / test.shape[0]:.2f} nats")


def median_time(body, repetitions):
    body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kernels(args):
    """The four convolutions of the training network at batch 128: forward alone, and forward plus both gradients."""
    torch.manual_seed(args.seed)
    shapes = [  # (name, transposed, in channels, out channels, input side)
        ("conv 1→32, 28→14", False, 1, 32, 28),
        ("conv 32→64, 14→7", False, 32, 64, 14),
        ("convT 64→32, 7→14", True, 64, 32, 7),
        ("convT 32→1, 14→28", True, 32, 1, 14),
    ]
    n = 128
    for name, transposed, cin, cout, side in shapes:
        x = torch.rand(n, cin, side, side)
        if transposed:
            w = torch.randn(cin, cout, 4, 4) * 0.1
            op = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1)
        else:
            w = torch.randn(cout, cin, 4, 4) * 0.1
            op = lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)
        b = torch.zeros(cout)
        out_side = side * 2 if transposed else side // 2
        # multiply-adds of one product: every (output or input) position of the larger grid times the 16 taps
        grid = side * side if transposed else out_side * out_side
        macs = n * grid * cin * cout * 16
        with torch.no_grad():
            forward = median_time(lambda: op(x, w, b), args.repetitions)
        xg, wg, bg = x.clone().requires_grad_(cin > 1), w.clone().requires_grad_(), b.clone().requires_grad_()
        seed = torch.rand(n, cout, out_side, out_side)

        def step():
            y = op(xg, wg, bg)
            y.backward(seed)
            wg.grad = None
            bg.grad = None
            xg.grad = None
        both = median_time(step, args.repetitions)
        products = 3 if cin > 1 else 2  # the first layer needs no input gradient
        print(f"{name}: forward {forward * 1e3:.3f} ms ({2 * macs / forward / 1e9:.1f} GFLOP/s); "
              f"forward + backward {both * 1e3:.3f} ms ({2 * macs * products / both / 1e9:.1f} GFLOP/s)", flush=True)
    print(f"PyTorch {torch.__version__}, {args.threads} threads, batch {n}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kernels", action="store_true")
    parser.add_argument("--repetitions", type=int, default=21)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.kernels:
        kernels(args)
    else:
        train(args)


if __name__ == "__main__":
    main()

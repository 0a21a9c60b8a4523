#!/usr/bin/env python3
"""The cost model of data-parallel training (docs/distributed.md), as tables.

One step of N processes on N machines: each computes the gradient of B/N rows, then the
gradients (S = 4 bytes x parameters) are summed by recursive halving and doubling:

    T(N) = B / (N R) + F + 2 log2(N) alpha + 2 (N - 1) / N * S / beta

R: rows per second one machine trains (measured: Benchmarks/data_parallel.sh); F: what every
process does once per step whatever its share of rows (the optimizer's update of every
parameter, the gradient's copies; --fixed-ms); alpha: a message's latency; beta: the network's
bandwidth. The sum follows the backward pass (no overlap).

Usage: Benchmarks/cost_model.py DEEP-RATE VAE-RATE [--batches 100,1000,10000]
(the rates one machine trains each network at, rows per second: BENCHMARKS.md)
"""
import argparse
import math

MODELS = {  # parameters, counted from the layers; the argument that gives the model's rate
    "deep autoencoder 784-1000-500-250-30": (2 * (784 * 1000 + 1000 * 500 + 500 * 250 + 250 * 30) + (1000 + 500 + 250 + 30) + (250 + 500 + 1000 + 784), "deep_rate"),
    "VAE 784-400-20": (784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784, "vae_rate"),
}
NETWORKS = {"10 Gb/s (TCP, alpha 30 us)": (30e-6, 10e9 / 8), "100 Gb/s (RDMA, alpha 3 us)": (3e-6, 100e9 / 8)}


def step(batch, n, rate, parameters, alpha, beta, fixed=0.0):
    compute = batch / (n * rate) + fixed
    summing = 0.0 if n == 1 else 2 * math.log2(n) * alpha + 2 * (n - 1) / n * 4 * parameters / beta
    return compute, summing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("deep_rate", type=float, help="rows per second one machine trains the deep autoencoder at")
    parser.add_argument("vae_rate", type=float, help="rows per second one machine trains the VAE at")
    parser.add_argument("--batches", default="100,1000,10000")
    parser.add_argument("--fixed-ms", type=float, default=0.0, help="F, milliseconds per step for the deep autoencoder (scaled by parameters for the VAE)")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    processes = [1, 2, 4, 8, 16, 32, 64]
    for model, (parameters, rate_name) in MODELS.items():
        rate = getattr(args, rate_name)
        fixed = args.fixed_ms / 1e3 * parameters / MODELS["deep autoencoder 784-1000-500-250-30"][0]
        print(f"\n{model}: {parameters:,} parameters, {4 * parameters / 1e6:.2f} MB of gradient; R = {rate:.0f} rows/s per machine\n")
        for network, (alpha, beta) in NETWORKS.items():
            print(f"{network}: rows/s (efficiency) for N machines")
            print("| batch | " + " | ".join(f"N = {n}" for n in processes) + " | batch for 80 % at N = 64 |")
            print("|---|" + "---|" * (len(processes) + 1))
            for batch in batches:
                cells = []
                for n in processes:
                    compute, summing = step(batch, n, rate, parameters, alpha, beta, fixed)
                    single, _ = step(batch, 1, rate, parameters, alpha, beta, fixed)
                    rows = batch / (compute + summing)
                    cells.append(f"{rows:,.0f} ({100 * rows / (n * batch / single):.0f} %)")
                # 80 % efficiency: F + summing <= (B / (N R)) / 4.
                _, summing = step(1, 64, rate, parameters, alpha, beta)
                print(f"| {batch} | " + " | ".join(cells) + f" | {math.ceil(4 * 64 * rate * (summing + fixed)):,} |")
            print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The cost model of data-parallel training (docs/distributed.md), as tables.

One step of N processes on N machines: each computes the gradient of B/N rows, then the
gradients (S = 4 bytes x parameters) are summed by recursive halving and doubling:

    T(N) = B / (N R) + 2 log2(N) alpha + 2 (N - 1) / N * S / beta

R: rows per second one machine trains (measured: Benchmarks/data_parallel.sh); alpha: a
message's latency; beta: the network's bandwidth. The sum follows the backward pass (no overlap).

Usage: Benchmarks/cost_model.py RATE [--batches 100,1000,10000]
"""
import argparse
import math

MODELS = {  # parameters, counted from the layers
    "deep autoencoder 784-1000-500-250-30": 2 * (784 * 1000 + 1000 * 500 + 500 * 250 + 250 * 30) + (1000 + 500 + 250 + 30) + (250 + 500 + 1000 + 784),
    "VAE 784-400-20": 784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784,
}
NETWORKS = {"10 Gb/s (TCP, alpha 30 us)": (30e-6, 10e9 / 8), "100 Gb/s (RDMA, alpha 3 us)": (3e-6, 100e9 / 8)}


def step(batch, n, rate, parameters, alpha, beta):
    compute = batch / (n * rate)
    summing = 0.0 if n == 1 else 2 * math.log2(n) * alpha + 2 * (n - 1) / n * 4 * parameters / beta
    return compute, summing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rate", type=float, help="rows per second one machine trains (one process)")
    parser.add_argument("--batches", default="100,1000,10000")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    processes = [1, 2, 4, 8, 16, 32, 64]
    for model, parameters in MODELS.items():
        print(f"\n{model}: {parameters:,} parameters, {4 * parameters / 1e6:.2f} MB of gradient; R = {args.rate:.0f} rows/s per machine\n")
        for network, (alpha, beta) in NETWORKS.items():
            print(f"{network}: rows/s (efficiency) for N machines")
            print("| batch | " + " | ".join(f"N = {n}" for n in processes) + " | batch for 80 % at N = 64 |")
            print("|---|" + "---|" * (len(processes) + 1))
            for batch in batches:
                cells = []
                for n in processes:
                    compute, summing = step(batch, n, args.rate, parameters, alpha, beta)
                    rows = batch / (compute + summing)
                    cells.append(f"{rows:,.0f} ({100 * rows / (n * args.rate):.0f} %)")
                # 80 % efficiency: summing <= compute / 4, compute = B / (N R).
                _, summing = step(1, 64, args.rate, parameters, alpha, beta)
                print(f"| {batch} | " + " | ".join(cells) + f" | {math.ceil(4 * 64 * args.rate * summing):,} |")
            print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds the bundled fashion-mnist-mini subset from the full Fashion-MNIST IDX files.

Stratified and deterministic: the first TRAIN_PER_CLASS training images and the first
TEST_PER_CLASS test images of each class, in file order. Run from the repository root after
`apt-get install dataset-fashion-mnist`; writes Sources/DataFormats/Resources/fashion-mnist-mini/.
"""
import gzip
import struct
from pathlib import Path

SOURCE = Path("/usr/share/datasets/fashion-mnist")
TARGET = Path("Sources/DataFormats/Resources/fashion-mnist-mini")
TRAIN_PER_CLASS, TEST_PER_CLASS = 500, 100


def read_idx(path):
    data = gzip.open(path, "rb").read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return shape, data[4 + 4 * rank:]


def write_idx(path, type_code, shape, payload):
    header = bytes([0, 0, type_code, len(shape)]) + struct.pack(">" + "I" * len(shape), *shape)
    # mtime=0 keeps the output byte-identical from run to run.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(header + payload)


def subset(split, per_class):
    (n, rows, cols), pixels = read_idx(SOURCE / f"{split}-images-idx3-ubyte.gz")
    (_,), labels = read_idx(SOURCE / f"{split}-labels-idx1-ubyte.gz")
    taken, chosen = [0] * 10, []
    for index, label in enumerate(labels):
        if taken[label] < per_class:
            taken[label] += 1
            chosen.append(index)
    size = rows * cols
    images = b"".join(pixels[i * size:(i + 1) * size] for i in chosen)
    write_idx(TARGET / f"{split}-images-idx3-ubyte.gz", 0x08, (len(chosen), rows, cols), images)
    write_idx(TARGET / f"{split}-labels-idx1-ubyte.gz", 0x08, (len(chosen),), bytes(labels[i] for i in chosen))
    return len(chosen)


if __name__ == "__main__":
    TARGET.mkdir(parents=True, exist_ok=True)
    print("train", subset("train", TRAIN_PER_CLASS), "test", subset("t10k", TEST_PER_CLASS))

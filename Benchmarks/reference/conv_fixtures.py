#!/usr/bin/env python3
"""Writes Tests/NeuralNetworksTests/Fixtures/convolutions.json: PyTorch's values and gradients of
convolutions, transposed convolutions and nearest-neighbour upsampling, which the tests compare with
Latent's layers.

Each case holds the input, weight and bias (PyTorch draws them from a seeded generator), the output,
and the gradients of L = Σ w ⊙ y for fixed random w (`projection`): ∂L/∂x, ∂L/∂W, ∂L/∂b. Everything
is written in Latent's layout: images NHWC, convolution weights C′ × k × k × C (PyTorch's
`weight.permute(0, 2, 3, 1)`), transposed-convolution weights C × k × k × C′ (likewise). Values are
float32 printed with 9 significant digits, so they round-trip exactly.

    /tmp/torchenv/bin/python Benchmarks/reference/conv_fixtures.py   # (setup: conv_vae_reference.py)
"""
import json
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/NeuralNetworksTests/Fixtures/convolutions.json"

# (kind, samples, height, width, in channels, out channels, kernel, stride, padding, output padding)
CASES = [
    ("conv", 2, 5, 5, 3, 4, 3, 1, 1, 0),
    ("conv", 2, 7, 5, 2, 3, 3, 2, 0, 0),
    ("conv", 3, 8, 8, 1, 4, 4, 2, 1, 0),
    ("conv", 2, 6, 6, 4, 2, 1, 1, 0, 0),
    ("convT", 2, 4, 4, 3, 2, 4, 2, 1, 0),
    ("convT", 2, 3, 5, 2, 3, 3, 2, 1, 1),
    ("convT", 2, 5, 5, 4, 1, 3, 1, 1, 0),
    ("convT", 3, 3, 3, 2, 2, 2, 2, 0, 0),
    ("upsample", 2, 3, 4, 2, 2, 0, 2, 0, 0),
    ("upsample", 1, 2, 2, 3, 3, 0, 3, 0, 0),
    # Channels that fill the built-in kernel's column panels: the indirect convolution and the
    # phase-wise gather of the transposed convolution (and of both input gradients).
    ("conv", 1, 6, 6, 32, 32, 2, 2, 0, 0),
    ("convT", 1, 3, 3, 32, 32, 3, 2, 1, 1),
]


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def main():
    generator = torch.Generator().manual_seed(33)
    cases = []
    for kind, n, h, w, cin, cout, k, s, p, op in CASES:
        x = torch.rand(n, cin, h, w, generator=generator, dtype=torch.float32) * 2 - 1
        x.requires_grad_()
        case = {"kind": kind, "samples": n, "height": h, "width": w, "inputChannels": cin, "outputChannels": cout,
                "kernel": k, "stride": s, "padding": p, "outputPadding": op}
        if kind == "upsample":
            y = F.interpolate(x, scale_factor=s, mode="nearest")
            parameters = []
        else:
            shape = (cout, cin, k, k) if kind == "conv" else (cin, cout, k, k)
            weight = (torch.rand(*shape, generator=generator) * 2 - 1) * 0.5
            bias = torch.rand(cout, generator=generator) * 2 - 1
            weight.requires_grad_()
            bias.requires_grad_()
            if kind == "conv":
                y = F.conv2d(x, weight, bias, stride=s, padding=p)
            else:
                y = F.conv_transpose2d(x, weight, bias, stride=s, padding=p, output_padding=op)
            parameters = [weight, bias]
        projection = torch.rand(*y.shape, generator=generator) * 2 - 1
        (y * projection).sum().backward()
        case.update({"input": flat(nhwc(x)), "outputShape": list(nhwc(y).shape), "output": flat(nhwc(y)),
                     "projection": flat(nhwc(projection)), "inputGradient": flat(nhwc(x.grad))})
        if parameters:
            weight, bias = parameters
            case.update({"weight": flat(weight.permute(0, 2, 3, 1)), "bias": flat(bias),
                         "weightGradient": flat(weight.grad.permute(0, 2, 3, 1)), "biasGradient": flat(bias.grad)})
        cases.append(case)
    OUT.write_text(json.dumps({"generator": f"Benchmarks/reference/conv_fixtures.py, PyTorch {torch.__version__}", "cases": cases}) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()

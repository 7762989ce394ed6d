"""Time dlcore's convolutions against PyTorch on the CPU, side by side (see harness.py).

The workload: two 3x3 convolutions, 1 -> 32 -> 64 channels ("valid" padding, as in the
classic MNIST convnet: 28x28 -> 26x26 -> 24x24), batch 64, float32. "conv forward" is the
forward pass of both layers; "conv step" adds the backward pass (dL/dW and dL/db of both
layers and dL/dx of the second; neither library computes the first layer's dL/dx, which
nothing uses). dlcore runs channel-last (N, H, W, C); PyTorch its native (N, C, H, W).
PyTorch runs in a separate process named by TORCH_PYTHON (see torch_runner.py); the two take
turns round by round so both see the same machine load.

    python bench/bench_conv.py [--rounds 30] [--threads 1]
"""

from __future__ import annotations

import numpy as np
from harness import Workload, run_main  # bench/harness.py

BATCH, SIZE, KERNEL, CHANNELS = 64, 28, 3, (1, 32, 64)
GOALS = {"conv step": 1.5}  # dlcore should be at most this many times slower than PyTorch

TORCH_SETUP = """
import torch

def setup(p):
    batch, size, kernel, channels = p["batch"], p["size"], p["kernel"], p["channels"]
    conv1 = torch.nn.Conv2d(channels[0], channels[1], kernel)
    conv2 = torch.nn.Conv2d(channels[1], channels[2], kernel)
    x = torch.randn(batch, channels[0], size, size)

    def step():
        conv1.zero_grad(); conv2.zero_grad()
        z = conv2(conv1(x))
        z.backward(torch.ones_like(z))

    def forward():
        with torch.no_grad():
            conv2(conv1(x))

    return {"conv forward": forward, "conv step": step}
"""


def conv_flops(n: int, out_hw: int, k: int, c_in: int, c_out: int) -> float:
    """FLOPs of one convolution's forward pass (and of each of its dW and dx products)."""
    return 2.0 * n * out_hw * out_hw * k * k * c_in * c_out


def workloads() -> list[Workload]:
    from dlcore.conv import Conv2D

    conv1 = Conv2D(CHANNELS[0], CHANNELS[1], KERNEL, rng=0)
    conv2 = Conv2D(CHANNELS[1], CHANNELS[2], KERNEL, rng=1)
    conv1.needs_input_grad = False  # nothing uses dL/dx of the first layer (PyTorch skips it too)
    x = np.random.default_rng(0).standard_normal((BATCH, SIZE, SIZE, CHANNELS[0]), dtype=np.float32)

    def step():
        conv1.zero_grad()
        conv2.zero_grad()
        z = conv2(conv1(x))
        conv1.backward(conv2.backward(np.ones_like(z)))

    out1, out2 = SIZE - KERNEL + 1, SIZE - 2 * (KERNEL - 1)
    f1 = conv_flops(BATCH, out1, KERNEL, CHANNELS[0], CHANNELS[1])
    f2 = conv_flops(BATCH, out2, KERNEL, CHANNELS[1], CHANNELS[2])
    main = (BATCH * out2 * out2, KERNEL * KERNEL * CHANNELS[1], CHANNELS[2])  # conv2's im2col product
    return [
        Workload("conv forward", lambda: conv2(conv1(x)), f1 + f2, main),
        Workload("conv step", step, 2 * f1 + 3 * f2, main),  # forward, dW (both), dx (second)
    ]


def main() -> None:
    header = f"two 3x3 convs {CHANNELS[0]} -> {CHANNELS[1]} -> {CHANNELS[2]}, batch {BATCH}, {SIZE}x{SIZE}, float32"
    run_main(
        __doc__,
        __file__,
        workloads,
        TORCH_SETUP,
        {"batch": BATCH, "size": SIZE, "kernel": KERNEL, "channels": list(CHANNELS)},
        GOALS,
        header,
    )


if __name__ == "__main__":
    main()

"""Time one training step of an MLP 784-256-128-10 in dlcore and PyTorch, side by side (see harness.py).

One step = zero the gradients, forward, categorical cross-entropy, backward, Adam update, in
float32, batch 128. Neither library computes dL/dx of the first layer (nothing uses it;
``Sequential.fit`` skips it too). PyTorch runs in a separate process named by TORCH_PYTHON
(see torch_runner.py); the two take turns round by round so both see the same machine load.

    python bench/bench_mlp.py [--rounds 200] [--threads 1]
"""

from __future__ import annotations

import numpy as np
from harness import Workload, run_main  # bench/harness.py

SIZES = (784, 256, 128, 10)
BATCH = 128
GOALS = {"MLP step": 1.0}

TORCH_SETUP = """
import torch

def setup(p):
    sizes, batch = p["sizes"], p["batch"]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return {"MLP step": step}
"""


def workloads() -> list[Workload]:
    from dlcore import optim
    from dlcore.layers import Dense, ReLU
    from dlcore.losses import CategoricalCrossEntropy
    from dlcore.model import Sequential

    rng = np.random.default_rng(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        layers.append(Dense(n_in, n_out, rng=rng))
        if i < len(SIZES) - 2:
            layers.append(ReLU())
    layers[0].needs_input_grad = False  # as PyTorch, whose input does not require a gradient
    model = Sequential(layers)
    loss = CategoricalCrossEntropy()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)

    def step():
        opt.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        opt.step()

    products = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))
    flops = 2.0 * BATCH * (3 * products - SIZES[0] * SIZES[1])  # forward, dW, dx (not the first layer's)
    return [Workload("MLP step", step, flops, (BATCH, SIZES[0], SIZES[1]))]


def main() -> None:
    header = f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, cross-entropy, Adam"
    run_main(
        __doc__, __file__, workloads, TORCH_SETUP, {"sizes": list(SIZES), "batch": BATCH}, GOALS, header, rounds=200
    )


if __name__ == "__main__":
    main()

"""How depth, activation and initialisation scale set the size of activations and gradients (chapter 07).

A plain stack of ``depth`` Dense layers of equal width ``width``, each followed by the
activation, then a Dense output layer. Every hidden weight is drawn as

    W_ij ~ N(0, scale^2 / fan_in)

so ``scale = 1`` keeps the variance of a linear layer's output equal to that of its input
(LeCun; Xavier's choice when fan_in = fan_out, the one tanh wants) and ``scale = sqrt(2)`` is
He's choice for ReLU, which zeroes half of its inputs. One forward pass on a random batch and
one backward pass of a squared loss against random targets give, per hidden layer l:

- ``act_std[l]``: the standard deviation of the activations A^l,
- ``grad_norm[l]``: the Frobenius norm of dL/dW^l,
- ``activations[l]`` and ``deltas[l]``: the arrays A^l and dL/dZ^l, for histograms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.layers import Dense, ReLU, Sigmoid, Tanh
from dlcore.losses import MSE
from dlcore.model import Sequential
from dlcore.plotting import GRID_COLOR, PALETTE

ACTIVATIONS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}


@dataclass
class FlowStats:
    """Per hidden layer (index 0 = nearest the input): activation spread and gradient size."""

    act_std: np.ndarray  # (depth,)
    grad_norm: np.ndarray  # (depth,)
    activations: list[np.ndarray]  # depth arrays (n, width)
    deltas: list[np.ndarray]  # depth arrays (n, width): dL/dZ^l


def scaled_stack(depth: int, activation: str, scale: float, width: int = 64, rng: int = 0) -> Sequential:
    """depth x [Dense(width, width) with W ~ N(0, scale^2/width), activation] + Dense(width, 1), float64."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"scaled_stack: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if depth < 1 or scale <= 0:
        raise ValueError(f"scaled_stack: need depth >= 1 and scale > 0, got depth={depth}, scale={scale}")
    gen = np.random.default_rng(rng)
    layers = []
    for _ in range(depth):
        dense = Dense(width, width, rng=gen, dtype=np.float64)
        dense.W.value[...] = gen.normal(0.0, scale / np.sqrt(width), size=(width, width))
        layers += [dense, ACTIVATIONS[activation]()]
    out = Dense(width, 1, init="xavier", rng=gen, dtype=np.float64)
    return Sequential([*layers, out])


@lru_cache(maxsize=64)  # the widget draws and describes each frame: compute it once
def flow_stats(depth: int, activation: str, scale: float, width: int = 64, n: int = 256, rng: int = 0) -> FlowStats:
    """One forward and backward pass of ``scaled_stack`` on x ~ N(0, 1): (n, width), MSE to random targets.

    Cached: repeated calls return the same FlowStats object, so treat its arrays as read-only.
    """
    net = scaled_stack(depth, activation, scale, width, rng)
    gen = np.random.default_rng(rng + 1)
    x = gen.standard_normal((n, width))
    target = gen.standard_normal((n, 1))
    activations, deltas = [], []
    a = x
    for layer in net.layers:  # the forward pass, keeping each hidden activation A^l
        a = layer.forward(a)
        if not isinstance(layer, Dense):
            activations.append(a)
    loss = MSE()
    loss(a, target)
    net.zero_grad()
    grad = loss.backward()
    for layer in reversed(net.layers):  # the backward pass, keeping each dL/dZ^l
        grad = layer.backward(grad)
        if not isinstance(layer, Dense):
            deltas.insert(0, grad)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)][:-1]
    return FlowStats(
        act_std=np.array([a.std() for a in activations]),
        grad_norm=np.array([np.linalg.norm(layer.W.grad) for layer in dense]),
        activations=activations,
        deltas=deltas,
    )


def plot_gradient_flow(depth: int = 10, activation: str = "tanh", scale: float = 1.0) -> Figure:
    """Two panels against the layer index: the spread of the activations and the size of dL/dW (log scales)."""
    stats = flow_stats(depth, activation, scale)
    layers = np.arange(1, depth + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
    ax1.semilogy(layers, stats.act_std, "o-", color=PALETTE[0])
    ax1.set(title="spread of activations", xlabel="hidden layer", ylabel="std of $A^l$ (log scale)")
    ax2.semilogy(layers, stats.grad_norm, "s--", color=PALETTE[1])
    ax2.set(title="gradient reaching the weights", xlabel="hidden layer", ylabel="$\\|dL/dW^l\\|$ (log scale)")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", color=GRID_COLOR, alpha=0.4)
    fig.suptitle(f"{depth} {activation} layers, weights N(0, {scale:g}² / fan_in)")
    fig.tight_layout()
    return fig


def flow_alt(depth: int = 10, activation: str = "tanh", scale: float = 1.0) -> str:
    """The alternative text of ``plot_gradient_flow``: the numbers a reader should see."""
    s = flow_stats(depth, activation, scale)
    ratio = s.grad_norm[0] / s.grad_norm[-1]
    return (
        f"{depth} {activation} layers at scale {scale:g}: activation std goes from {s.act_std[0]:.2g} at "
        f"layer 1 to {s.act_std[-1]:.2g} at layer {depth}; the first layer's weight gradient is "
        f"{ratio:.2g} times the last hidden layer's"
    )

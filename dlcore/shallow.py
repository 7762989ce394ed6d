"""Shallow networks: one hidden layer, and the tools chapter 06 uses to look inside them.

A shallow network computes, for a batch X: (N, D),

    Z1 = X W1 + b1      (N, D) @ (D, H) + (H,) -> (N, H)   pre-activations of the H hidden units
    A1 = g(Z1)          (N, H)                              the hidden layer's activations
    Z2 = A1 W2 + b2     (N, H) @ (H, C) + (C,) -> (N, C)   the outputs (logits for classification)

``shallow_network`` builds it as a ``Sequential`` of Dense -> activation -> Dense.
``dead_unit_fraction`` measures how many ReLU units never fire on a data set, and
``relu_interpolant`` writes down, weight by weight, a one-hidden-layer ReLU network that
interpolates a function at given knots: a constructive glimpse of universal approximation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcore.layers import ACTIVATION_LAYERS, Dense, ReLU, activation_layer  # noqa: F401  (the registry, re-exported)
from dlcore.model import Sequential

RELU_LIKE = {"relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "softplus"}  # He initialisation; the others Xavier


def shallow_network(
    in_features: int,
    hidden: int,
    out_features: int,
    activation: str = "relu",
    rng: np.random.Generator | int | None = None,
    dtype=None,
) -> Sequential:
    """Dense(in -> hidden) -> activation -> Dense(hidden -> out).

    The hidden layer uses He initialisation for ReLU-like activations and Xavier otherwise;
    the output layer uses Xavier. rng: a Generator, an int seed or None (dlcore's generator).
    """
    if isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(int(rng))
    init = "he" if activation in RELU_LIKE else "xavier"
    return Sequential(
        [
            Dense(in_features, hidden, init=init, rng=rng, dtype=dtype),
            activation_layer(activation),
            Dense(hidden, out_features, init="xavier", rng=rng, dtype=dtype),
        ],
        name=f"shallow_{activation}_{hidden}",
    )


def hidden_preactivations(model: Sequential, x: np.ndarray) -> np.ndarray:
    """Z1 = X W1 + b1 of the model's first (Dense) layer: (N, D) -> (N, H)."""
    first = model.layers[0]
    if not isinstance(first, Dense):
        raise TypeError(f"hidden_preactivations: the first layer must be Dense, got {first!r}")
    return first.forward(x)


def dead_unit_fraction(model: Sequential, x: np.ndarray) -> float:
    """Fraction of the first hidden layer's units whose pre-activation is <= 0 for EVERY row of x.

    Such a ReLU unit outputs 0 and passes back a gradient of 0 on all of x, so gradient
    descent on x can never change its incoming weights again: it is dead.
    """
    z = hidden_preactivations(model, x)  # (N, H)
    return float(np.mean(np.all(z <= 0, axis=0)))


def relu_interpolant(f: Callable[[np.ndarray], np.ndarray], knots: np.ndarray, dtype=np.float64) -> Sequential:
    """A 1 -> H -> 1 ReLU network equal to the broken line through (k_i, f(k_i)), i = 0..H.

    On [k_0, k_H] the broken line is g(x) = f(k_0) + sum_{i<H} c_i relu(x - k_i), where c_0 is the
    slope of the first piece and c_i (i >= 1) the change of slope at k_i. So hidden unit i has
    weight 1 and bias -k_i, and the output layer has weights c_i and bias f(k_0). knots: (H + 1,)
    increasing. The network is exact at the knots; right of k_H it continues the last piece, and
    left of k_0 it is the constant f(k_0).
    """
    knots = np.asarray(knots, dtype=np.float64)
    if knots.ndim != 1 or len(knots) < 2 or np.any(np.diff(knots) <= 0):
        raise ValueError(f"relu_interpolant: knots must be an increasing 1-D array of at least 2 points, got {knots}")
    values = np.asarray(f(knots), dtype=np.float64)
    slopes = np.diff(values) / np.diff(knots)  # (H,) slope of each piece
    changes = np.diff(slopes, prepend=0.0)  # (H,) c_0 = slope_0, c_i = slope_i - slope_{i-1}
    H = len(slopes)
    layers = [Dense(1, H, init="zeros", dtype=dtype), ReLU(), Dense(H, 1, init="zeros", dtype=dtype)]
    model = Sequential(layers, name=f"relu_interpolant_{H}")
    first, last = model.layers[0], model.layers[2]
    first.W.value[...] = 1.0  # (1, H): every unit sees x itself
    first.b.value[...] = -knots[:-1]  # unit i switches on at x = k_i
    last.W.value[...] = changes[:, None]  # (H, 1)
    last.b.value[...] = values[0]
    return model

"""Weight initialisers.

Every initialiser has the signature

    f(shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray of ``shape``

- ``fan_in`` / ``fan_out``: how many inputs feed one unit and how many units one input
  feeds. For a Dense weight W: (in, out) they are ``in`` and ``out``. When left out they
  are read from ``shape`` as if it were (..., in, out) (see ``fans``); layers with another
  layout (e.g. convolution kernels) should pass them explicitly.
- ``rng``: a numpy Generator, an int seed or None (dlcore's global generator), resolved by
  ``dlcore.config.get_rng``; ``dtype``: None means the default dtype (float32).

Why not start from zeros? If every weight of a layer is equal, every unit of that layer
computes the same output and receives the same gradient, so after any number of updates
the units are still identical copies: the layer behaves like a single unit. This is the
*symmetry problem*; random initial weights break the symmetry. (Zero biases are fine,
because the random weights already make the units differ.)

How large should the random weights be? Large enough that signals neither shrink nor blow
up from layer to layer:
- Xavier / Glorot (for tanh, sigmoid): Var(W) = 2 / (fan_in + fan_out).
- He / Kaiming (for ReLU, which zeroes half its inputs): Var(W) = 2 / fan_in.
A uniform U(-l, l) has variance l^2 / 3, which gives the uniform limits below.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dlcore.config import get_rng, resolve_dtype

Shape = tuple[int, ...]
Initializer = Callable[..., np.ndarray]

SMALL_STD = 0.01  # the classic "small random numbers" scale of ``normal``


def fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight laid out as (..., in, out).

    (in, out) -> (in, out); (kh, kw, in, out) -> (kh*kw*in, kh*kw*out); (n,) -> (n, n).
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _fans(shape: Shape, fan_in: int | None, fan_out: int | None) -> tuple[int, int]:
    default_in, default_out = fans(shape)
    return (default_in if fan_in is None else fan_in), (default_out if fan_out is None else fan_out)


def _normal(shape: Shape, std: float, rng, dtype) -> np.ndarray:
    dtype = resolve_dtype(dtype)
    return get_rng(rng).standard_normal(shape, dtype=dtype) * dtype.type(std)


def _uniform(shape: Shape, limit: float, rng, dtype) -> np.ndarray:
    """U(-limit, limit) in ``dtype`` (drawn directly in that dtype, no float64 detour)."""
    dtype = resolve_dtype(dtype)
    u = get_rng(rng).random(shape, dtype=dtype)  # U[0, 1)
    return (u * dtype.type(2 * limit)) - dtype.type(limit)


# --- constants --------------------------------------------------------------------------
def zeros(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray:
    """All zeros. Right for biases; for weights it causes the symmetry problem (module docstring)."""
    return np.zeros(shape, dtype=resolve_dtype(dtype))


def constant(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None, value: float = 0.0) -> np.ndarray:
    """Every entry equal to ``value`` (same symmetry problem as zeros for weights)."""
    return np.full(shape, value, dtype=resolve_dtype(dtype))


# --- fixed-scale random -----------------------------------------------------------------
def normal(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None, std: float = SMALL_STD) -> np.ndarray:
    """N(0, std^2), ignoring the fans. With the default std = 0.01 deep nets' signals fade away."""
    return _normal(shape, std, rng, dtype)


def uniform(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None, limit: float = 0.05) -> np.ndarray:
    """U(-limit, limit), ignoring the fans."""
    return _uniform(shape, limit, rng, dtype)


# --- scaled by the fans -----------------------------------------------------------------
def xavier_normal(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray:
    """Glorot normal: N(0, 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape, fan_in, fan_out)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def xavier_uniform(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray:
    """Glorot uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), so Var = 2 / (fan_in + fan_out)."""
    fan_in, fan_out = _fans(shape, fan_in, fan_out)
    return _uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


def he_normal(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray:
    """He / Kaiming normal: N(0, 2 / fan_in)."""
    fan_in, _ = _fans(shape, fan_in, fan_out)
    return _normal(shape, math.sqrt(2.0 / fan_in), rng, dtype)


def he_uniform(shape: Shape, fan_in=None, fan_out=None, rng=None, dtype=None) -> np.ndarray:
    """He / Kaiming uniform: U(-l, l) with l = sqrt(6 / fan_in), so Var = 2 / fan_in."""
    fan_in, _ = _fans(shape, fan_in, fan_out)
    return _uniform(shape, math.sqrt(6.0 / fan_in), rng, dtype)


_INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "xavier": xavier_uniform,  # Glorot and Bengio's paper used the uniform form
    "glorot_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "he": he_normal,  # He et al.'s paper used the normal form
    "kaiming_normal": he_normal,
    "kaiming_uniform": he_uniform,
}


def get_initializer(name: str | Initializer) -> Initializer:
    """The initialiser called ``name`` (e.g. "he", "xavier_uniform"); a callable is returned as is."""
    if callable(name):
        return name
    key = name.lower() if isinstance(name, str) else name
    if key not in _INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(sorted(_INITIALIZERS))}")
    return _INITIALIZERS[key]

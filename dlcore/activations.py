"""Activation functions and their derivatives, as plain NumPy functions.

Every elementwise function ``f(x)`` has a neighbour ``f_grad(x)`` = df/dx, evaluated
elementwise at the same ``x`` (any shape in, same shape and dtype out). Softmax is not
elementwise: ``softmax_backward(s, grad_out)`` applies its Jacobian to an upstream gradient.

Numerical care:
- sigmoid, softplus, softmax and log_softmax never exponentiate a large positive number,
  so they stay finite for inputs like +-1000.
- When ``exp`` of a very negative number underflows to 0 that *is* the right answer, so
  those lines run under ``np.errstate(under="ignore")``; no other floating-point warning is
  silenced.
- float32 in gives float32 out (constants are Python floats, which NumPy does not upcast to).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

SQRT_2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_TANH_COEF = 0.044715  # the cubic coefficient of GELU's tanh approximation


def _as_float(x) -> np.ndarray:
    """``x`` as a floating-point array (integers and Python numbers become float64)."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


# --- step and sigmoid -------------------------------------------------------------------
def step(x: np.ndarray) -> np.ndarray:
    """Heaviside step: 1 where x > 0, else 0. x: any shape -> same shape."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def step_grad(x: np.ndarray) -> np.ndarray:
    """Zero everywhere (undefined at 0): the reason the perceptron cannot use gradient descent."""
    return np.zeros_like(_as_float(x))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), computed with exp(-|x|) <= 1 so it never overflows.

    For x >= 0: 1 / (1 + e); for x < 0: e / (1 + e), where e = exp(-|x|).
    """
    x = _as_float(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) (1 - sigma(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


# --- tanh -------------------------------------------------------------------------------
def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, range (-1, 1). x: any shape -> same shape."""
    return np.tanh(_as_float(x))


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2."""
    t = tanh(x)
    return 1.0 - t * t


# --- the ReLU family --------------------------------------------------------------------
def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(_as_float(x), 0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0 (we take 0 at x = 0, as PyTorch does)."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """x where x > 0, else alpha * x."""
    x = _as_float(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """1 where x > 0, else alpha."""
    x = _as_float(x)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype, copy=False)


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """x where x > 0, else alpha (exp(x) - 1). expm1 only ever sees x <= 0, so it cannot overflow."""
    x = _as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """1 where x > 0, else alpha exp(x)."""
    x = _as_float(x)
    with np.errstate(under="ignore"):
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype, copy=False)


# --- GELU -------------------------------------------------------------------------------
def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise (SciPy's; imported on first use, as SciPy is slow to import)."""
    from scipy.special import erf as scipy_erf

    return scipy_erf(x)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF."""
    x = _as_float(x)
    return 0.5 * (1.0 + erf(x / SQRT_2))


def normal_pdf(x: np.ndarray) -> np.ndarray:
    """phi(x) = exp(-x^2 / 2) / sqrt(2 pi), the standard normal density."""
    x = _as_float(x)
    with np.errstate(under="ignore", over="ignore"):  # x*x overflows to inf only when exp(-inf) = 0 is right
        return INV_SQRT_2PI * np.exp(-0.5 * x * x)


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, the EXACT form: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, with Phi the standard normal CDF.

    (``gelu_tanh`` is the tanh approximation that GPT-2 used.)
    """
    x = _as_float(x)
    return x * normal_cdf(x)


def gelu_grad(x: np.ndarray) -> np.ndarray:
    """d/dx [x Phi(x)] = Phi(x) + x phi(x)."""
    x = _as_float(x)
    return normal_cdf(x) + x * normal_pdf(x)


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """GELU's tanh approximation: x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3)."""
    x = _as_float(x)
    u = SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x)
    return 0.5 * x * (1.0 + np.tanh(u))


def gelu_tanh_grad(x: np.ndarray) -> np.ndarray:
    """(1 + tanh u) / 2 + x (1 - tanh^2 u) u' / 2, u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)."""
    x = _as_float(x)
    x2 = x * x
    t = np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x2 * x))
    du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * x2)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du


# --- softplus ---------------------------------------------------------------------------
def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)), rewritten as max(x, 0) + log(1 + exp(-|x|)) so exp never overflows."""
    x = _as_float(x)
    with np.errstate(under="ignore"):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x: np.ndarray) -> np.ndarray:
    """softplus'(x) = sigmoid(x)."""
    return sigmoid(x)


# --- softmax (not elementwise) ----------------------------------------------------------
def softmax(x: np.ndarray, axis: int = -1, mask: np.ndarray | None = None) -> np.ndarray:
    """exp(x_i) / sum_j exp(x_j) along ``axis``. x: (..., C) -> (..., C), each row sums to 1.

    Subtracting the row maximum first changes nothing mathematically (it cancels) but makes
    the largest exponent exp(0) = 1, so nothing overflows.
    mask: bool, broadcastable to x, or None. Where it is False the weight is exactly 0 (the
    entry counts as -inf); a row with no True entry comes out all zero instead of 0/0 = NaN.
    """
    x = _as_float(x)
    if mask is not None:
        x = np.where(mask, x, -np.inf)
    row_max = x.max(axis=axis, keepdims=True)
    if mask is not None:
        row_max = np.where(np.isfinite(row_max), row_max, 0.0)  # fully masked row: avoid -inf - (-inf)
    e = x - row_max  # a new array, so the steps below may work in place
    with np.errstate(under="ignore"):  # exp of a very negative number is 0, which is right
        np.exp(e, out=e)
    total = e.sum(axis=axis, keepdims=True)
    if mask is not None:
        total = np.where(total > 0, total, 1.0)  # fully masked row: 0 / 1 = 0
    e /= total
    return e


def softmax_backward(s: np.ndarray, grad_out: np.ndarray, axis: int = -1) -> np.ndarray:
    """dL/dx from s = softmax(x) and g = dL/ds: s * (g - sum(g * s)) along ``axis``.

    This is the Jacobian diag(s) - s s^T applied to g, without building the C x C matrix.
    s, grad_out: (..., C) -> (..., C).
    """
    dot = (grad_out * s).sum(axis=axis, keepdims=True)  # sum_j g_j s_j, one per row
    out = grad_out - dot  # a new array: the products below work in place
    out *= s
    return out


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(x) = (x - m) - log sum exp(x - m), m the row maximum; finite even where softmax is 0."""
    x = _as_float(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(log_s: np.ndarray, grad_out: np.ndarray, axis: int = -1) -> np.ndarray:
    """dL/dx from log_s = log_softmax(x) and g = dL/d(log_s): g - softmax(x) * sum(g) along ``axis``."""
    with np.errstate(under="ignore"):
        s = np.exp(log_s)
    return grad_out - s * grad_out.sum(axis=axis, keepdims=True)


# --- identity -------------------------------------------------------------------------
def linear(x: np.ndarray) -> np.ndarray:
    """The identity, f(x) = x: a "linear" (no) activation."""
    return _as_float(x)


def linear_grad(x: np.ndarray) -> np.ndarray:
    """1 everywhere."""
    return np.ones_like(_as_float(x))


# --- registry ---------------------------------------------------------------------------
class Activation(NamedTuple):
    """An elementwise activation: ``fn(x)`` and its derivative ``grad(x)``."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]


# The one table of activation names in dlcore: ``layers.ACTIVATION_LAYERS`` (and through it
# shallow networks, transformer MLPs and the widgets) uses the same keys.
ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation("linear", linear, linear_grad),
    "step": Activation("step", step, step_grad),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad),
    "tanh": Activation("tanh", tanh, tanh_grad),
    "relu": Activation("relu", relu, relu_grad),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_grad),
    "elu": Activation("elu", elu, elu_grad),
    "gelu": Activation("gelu", gelu, gelu_grad),
    "gelu_tanh": Activation("gelu_tanh", gelu_tanh, gelu_tanh_grad),
    "softplus": Activation("softplus", softplus, softplus_grad),
}


_ACTIVATIONS = ACTIVATIONS  # the old private name


def get_activation(name: str) -> Activation:
    """The elementwise activation called ``name``: ``act = get_activation("tanh"); act.fn(x), act.grad(x)``.

    Softmax is not here: it is not elementwise (use ``softmax`` / ``softmax_backward``).
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[key]

"""Gradient checking: compare a backward pass with finite differences.

A hand-written ``backward`` is easy to get subtly wrong; the derivative can always be
estimated from the forward pass alone,

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)     (central difference, error O(eps^2)),

at the price of two forward passes per entry. Everything here runs in float64: in float32
the rounding error of f (about 1e-7 relative) divided by eps would swamp the comparison.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcore.config import get_rng
from dlcore.module import Module

TINY = 1e-12  # denominator floor of relative_error, so two all-zero gradients compare as equal


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """df/dx by central differences. f: array of x's shape -> scalar; x: float64, any shape.

    x is perturbed IN PLACE one entry at a time (so f may read it through a reference, as a
    layer's parameter) and every entry is restored afterwards, even if f raises.
    Returns an array of x's shape.
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError(f"numerical_gradient needs a float64 array, got {getattr(x, 'dtype', type(x).__name__)}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        original = x[i]
        try:
            x[i] = original + eps
            f_plus = float(f(x))
            x[i] = original - eps
            f_minus = float(f(x))
        finally:
            x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, tiny: float = TINY) -> float:
    """max_i |a_i - b_i| / max( max_i (|a_i| + |b_i|), tiny ).

    One number for a whole array: the largest disagreement, relative to the size of the
    gradients themselves. Around 1e-9 means agreement to float64 finite-difference accuracy;
    1e-3 or more means a bug. ``tiny`` only prevents 0/0 when both arrays are all zeros.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), tiny))


def check_module_gradients(
    module: Module,
    x: np.ndarray,
    loss_fn: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
    rng: np.random.Generator | int | None = 0,
    eps: float = 1e-6,
) -> dict[str, float]:
    """Relative errors between ``module.backward`` and finite differences, for the input and every parameter.

    x: float64 input; the module's parameters must be float64 too (build it with dtype=np.float64).
    loss_fn(out) -> (loss, dloss/dout). By default L = sum(out * R) with R a fixed random array of
    out's shape (drawn from ``rng``, seed 0 by default so dlcore's global stream is untouched): every
    output then matters, with a different weight, so a wrong gradient cannot hide.
    The module must be deterministic (a training-mode Dropout draws a new mask each call).
    Returns {"input": err, "<parameter name>": err, ...} (names as in ``named_parameters``).
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError(f"check_module_gradients needs a float64 input, got {getattr(x, 'dtype', type(x).__name__)}")
    named = list(module.named_parameters())
    for name, p in named:
        if p.value.dtype != np.float64:
            raise TypeError(
                f"check_module_gradients: parameter {name} of {module!r} is {p.value.dtype}; "
                f"gradient checks need float64 (build the module with dtype=np.float64)"
            )
    x = x.copy()  # perturbed in place below; the caller's array stays untouched
    if loss_fn is None:
        R = get_rng(rng).standard_normal(module.forward(x).shape)

        def loss_fn(out):
            return float(np.sum(out * R)), R

    # analytic gradients
    module.zero_grad()
    _, grad_out = loss_fn(module.forward(x))
    grad_x = module.backward(grad_out)
    analytic = {"input": grad_x, **{name: p.grad.copy() for name, p in named}}

    # numerical gradients: the loss as a function of x, then of each parameter in turn
    def loss_of_output() -> float:
        return loss_fn(module.forward(x))[0]

    errors = {"input": relative_error(analytic["input"], numerical_gradient(lambda _: loss_of_output(), x, eps))}
    for name, p in named:
        errors[name] = relative_error(analytic[name], numerical_gradient(lambda _: loss_of_output(), p.value, eps))
    return errors


def check_loss_gradients(loss, y_pred: np.ndarray, y_true: np.ndarray, eps: float = 1e-6) -> float:
    """Relative error between ``loss.backward()`` and finite differences of ``loss.forward`` w.r.t. y_pred (float64)."""
    y_pred = np.array(y_pred, dtype=np.float64)
    loss.forward(y_pred, y_true)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda yp: loss.forward(yp, y_true), y_pred.copy(), eps)
    return relative_error(analytic, numeric)

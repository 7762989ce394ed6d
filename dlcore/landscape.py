"""Looking at a network's loss as a function of its weights (chapter 08).

All parameters of a model are treated as one long vector θ (``flat_params``/``set_flat_params``).
With that view:

- ``loss_and_grad(model, loss, x, y)``: the full-batch loss L(θ) and its gradient ∇L(θ), flat.
- ``sharpness(model, loss, x, y)``: the largest eigenvalue λ_max of the Hessian ∇²L(θ), found by
  power iteration on Hessian-vector products Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε. Gradient
  descent on the quadratic approximation around θ is stable only for η < 2 / λ_max.
- ``random_direction``: a random direction scaled per parameter array to that array's norm
  ("filter normalisation", Li et al. 2018, applied per array), so a step of size 1 changes every
  layer by about its own size, whatever the layer's scale.
- ``loss_slice_1d`` / ``loss_slice_2d``: L(θ + a d₁) and L(θ + a d₁ + b d₂) on a grid.

The model's weights are always restored afterwards.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng
from dlcore.model import Sequential


def flat_params(model: Sequential) -> np.ndarray:
    """All parameter values, concatenated in ``model.parameters()`` order: (P,) float64 copy."""
    return np.concatenate([p.value.ravel().astype(np.float64) for p in model.parameters()])


def set_flat_params(model: Sequential, theta: np.ndarray) -> None:
    """Write the flat vector theta: (P,) back into the model's parameter arrays (in place)."""
    params = model.parameters()
    total = sum(p.value.size for p in params)
    if theta.shape != (total,):
        raise ValueError(f"set_flat_params: expected a vector of shape ({total},), got {theta.shape}")
    start = 0
    for p in params:
        p.value[...] = theta[start : start + p.value.size].reshape(p.value.shape)
        start += p.value.size


def loss_and_grad(model: Sequential, loss, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Full-batch loss and flat gradient (P,) at the model's current weights (no update)."""
    model.zero_grad()
    value = loss(model.forward(x), y)
    model.backward(loss.backward())
    return float(value), np.concatenate([p.grad.ravel().astype(np.float64) for p in model.parameters()])


def sharpness(
    model: Sequential, loss, x: np.ndarray, y: np.ndarray, iters: int = 30, eps: float = 1e-4, rng=0
) -> float:
    """λ_max of the Hessian of the full-batch loss at the current weights (power iteration).

    Each iteration takes one Hessian-vector product by central differences of the gradient.
    Works best with a float64 model. Returns the Rayleigh quotient vᵀHv of the last iterate.
    """
    theta = flat_params(model)
    v = get_rng(rng).standard_normal(theta.shape)
    v /= np.linalg.norm(v)
    lam = 0.0
    try:
        for _ in range(iters):
            set_flat_params(model, theta + eps * v)
            g_plus = loss_and_grad(model, loss, x, y)[1]
            set_flat_params(model, theta - eps * v)
            g_minus = loss_and_grad(model, loss, x, y)[1]
            hv = (g_plus - g_minus) / (2 * eps)
            lam = float(v @ hv)
            v = hv / np.linalg.norm(hv)
    finally:
        set_flat_params(model, theta)
    return lam


def random_direction(model: Sequential, rng=None) -> np.ndarray:
    """A random flat direction (P,), each parameter array's piece scaled to that array's norm."""
    gen = get_rng(rng)
    pieces = []
    for p in model.parameters():
        d = gen.standard_normal(p.value.shape)
        norm_w = np.linalg.norm(p.value)
        d *= (norm_w if norm_w > 0 else 1.0) / np.linalg.norm(d)
        pieces.append(d.ravel())
    return np.concatenate(pieces)


def loss_slice_1d(model: Sequential, loss, x, y, direction: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """L(θ + a d) for each a in alphas: (K,) -> (K,)."""
    theta = flat_params(model)
    try:
        out = []
        for a in alphas:
            set_flat_params(model, theta + a * direction)
            out.append(float(loss(model.forward(x), y)))
    finally:
        set_flat_params(model, theta)
    return np.array(out)


def loss_slice_2d(model: Sequential, loss, x, y, d1: np.ndarray, d2: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """L(θ + a d1 + b d2) on the grid alphas x alphas: (K,) -> (K, K), rows indexed by b."""
    theta = flat_params(model)
    try:
        grid = np.empty((len(alphas), len(alphas)))
        for i, b in enumerate(alphas):
            for j, a in enumerate(alphas):
                set_flat_params(model, theta + a * d1 + b * d2)
                grid[i, j] = float(loss(model.forward(x), y))
    finally:
        set_flat_params(model, theta)
    return grid

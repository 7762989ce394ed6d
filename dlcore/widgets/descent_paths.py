"""Batch, stochastic and mini-batch gradient descent on a two-parameter loss surface (chapter 08).

The model is a line, ŷ = w x + b, fitted to ``n`` points by the mean squared error

    L(w, b) = mean_i (w x_i + b − y_i)²,

a quadratic bowl in θ = (w, b) with the constant Hessian H = 2 [[mean x², mean x], [mean x, 1]].
Because the inputs are not centred (x lies in [0, 3]) the bowl is long and narrow, as real loss
surfaces often are. Full-batch gradient descent on it converges exactly when η < 2 / λ_max(H).

``sgd_path`` runs mini-batch SGD: every epoch draws a new random order of the n points (unless
``reshuffle=False``, which keeps the first order for every epoch) and takes one step per batch
of ``batch_size`` points (the last batch may be smaller); ``clip_norm`` rescales a step's
gradient to at most that norm. It records θ after every step and the full loss after every epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.plotting import PALETTE

N_POINTS = 64
TRUE_W, TRUE_B, NOISE = 1.5, -1.0, 0.3
START = np.array([-1.0, 2.5])  # (w, b) where every run starts
EPOCHS = 20
BOX = (-1.6, 3.2, -3.2, 3.2)  # w_min, w_max, b_min, b_max of the contour plot


def make_line_data(n: int = N_POINTS, rng: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x: (n,) uniform on [0, 3]; y: (n,) = 1.5 x − 1 + 0.3 noise."""
    gen = np.random.default_rng(rng)
    x = gen.uniform(0.0, 3.0, n)
    return x, TRUE_W * x + TRUE_B + NOISE * gen.standard_normal(n)


def hessian(x: np.ndarray) -> np.ndarray:
    """The constant Hessian of L(w, b): (2, 2)."""
    return 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


def lr_limit(x: np.ndarray) -> float:
    """2 / λ_max(H): full-batch gradient descent converges for η below it and diverges above."""
    return 2.0 / np.linalg.eigvalsh(hessian(x)).max()


def minimizer(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-squares (w*, b*): (2,)."""
    A = np.stack([x, np.ones_like(x)], axis=1)
    return np.linalg.lstsq(A, y, rcond=None)[0]


def loss(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L at theta: (..., 2) -> (...); broadcasts over a grid of parameter pairs."""
    theta = np.asarray(theta, dtype=np.float64)
    pred = theta[..., :1] * x + theta[..., 1:]  # (..., n)
    return np.mean((pred - y) ** 2, axis=-1)


def gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇L on the points (x, y): (2,) -> (2,)."""
    r = theta[0] * x + theta[1] - y
    return 2 * np.array([np.mean(r * x), np.mean(r)])


@dataclass
class Path:
    thetas: np.ndarray  # (steps + 1, 2): θ after each step, the start first
    epoch_loss: np.ndarray  # (epochs + 1,): full loss at the start and after each epoch
    steps_per_epoch: int


def sgd_path(
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    batch_size: int,
    epochs: int = EPOCHS,
    rng: int = 0,
    reshuffle: bool = True,
    clip_norm: float | None = None,
    start: np.ndarray = START,
) -> Path:
    """Mini-batch SGD from ``start``; batch_size = n is full-batch gradient descent."""
    n = len(x)
    if not 1 <= batch_size <= n:
        raise ValueError(f"sgd_path: batch_size must be in 1..{n}, got {batch_size}")
    gen = np.random.default_rng(rng)
    theta = np.array(start, dtype=np.float64)
    thetas, losses = [theta.copy()], [float(loss(theta, x, y))]
    order = gen.permutation(n)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            if reshuffle and epoch > 0:
                order = gen.permutation(n)
            for start_i in range(0, n, batch_size):
                idx = order[start_i : start_i + batch_size]
                g = gradient(theta, x[idx], y[idx])
                norm = np.linalg.norm(g)
                if clip_norm is not None and norm > clip_norm:
                    g = g * (clip_norm / norm)
                theta = theta - lr * g
                thetas.append(theta.copy())
            losses.append(float(loss(theta, x, y)))
    return Path(np.array(thetas), np.array(losses), -(-n // batch_size))


def plot_descent(lr_factor: float = 0.5, batch_size: int = N_POINTS) -> Figure:
    """Left: the path on the contours of L; right: the full loss per epoch. lr = lr_factor · 2/λ_max."""
    x, y = make_line_data()
    lr = lr_factor * lr_limit(x)
    path = sgd_path(x, y, lr, batch_size)
    w_star = minimizer(x, y)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.5, 3.8))
    W, B = np.meshgrid(np.linspace(*BOX[:2], 120), np.linspace(*BOX[2:], 120))
    L = loss(np.stack([W, B], axis=-1), x, y)
    ax1.contour(W, B, L, levels=np.geomspace(L.min() + 1e-3, L.max(), 14), colors="#999999", linewidths=0.7)
    shown = path.thetas[np.all(np.isfinite(path.thetas), axis=1)]
    ax1.plot(shown[:, 0], shown[:, 1], ".-", color=PALETTE[0], lw=0.8, ms=2, label="path")
    ax1.plot(*w_star, "*", color=PALETTE[1], ms=12, label="minimum")
    ax1.plot(*START, "s", color="k", ms=5, label="start")
    ax1.set(xlim=BOX[:2], ylim=BOX[2:], xlabel="weight w", ylabel="bias b")
    ax1.set_title(f"η = {lr_factor:g} · 2/λ_max, batch {batch_size}", fontsize=10)
    ax1.legend(fontsize=7, loc="lower left")
    epochs = np.arange(len(path.epoch_loss))
    ax2.semilogy(epochs, np.where(np.isfinite(path.epoch_loss), path.epoch_loss, np.nan), "o-", color=PALETTE[0])
    ax2.axhline(float(loss(w_star, x, y)), color=PALETTE[1], ls="--", label="lowest possible")
    ax2.set(xlabel="epoch", ylabel="full-batch loss (log scale)", title=f"{path.steps_per_epoch} steps per epoch")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def descent_alt(lr_factor: float = 0.5, batch_size: int = N_POINTS) -> str:
    """The alternative text of ``plot_descent``, with its numbers."""
    x, y = make_line_data()
    path = sgd_path(x, y, lr_factor * lr_limit(x), batch_size)
    final = path.epoch_loss[-1]
    best = float(loss(minimizer(x, y), x, y))
    what = "diverges" if not np.isfinite(final) or final > path.epoch_loss[0] else f"ends at loss {final:.3g}"
    return (
        f"Mini-batch SGD with batch {batch_size} and learning rate {lr_factor:g} times 2/lambda_max on a "
        f"narrow bowl: the path {what} after {EPOCHS} epochs (lowest possible {best:.3g})"
    )

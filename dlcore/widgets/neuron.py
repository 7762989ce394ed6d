"""One sigmoid neuron on 2-D data, with its weights on sliders (chapter 05).

The neuron computes p = sigma(w1 x1 + w2 x2 + b), the probability it gives to class 1. Its
decision boundary, where p = 0.5, is the line w1 x1 + w2 x2 + b = 0: the weight vector
w = (w1, w2) is perpendicular to it and points towards class 1, |w| sets how sharply p goes
from 0 to 1 across it, and b / |w| is its distance from the origin (towards -w for b > 0).

``plot_neuron`` shows, on the left, the data on the neuron's probability map with the
boundary and w, and on the right the cost J (mean binary cross-entropy) over the (w1, w2)
plane for the current b, with the current weights and the best weights marked.
``neuron_widget`` puts w1, w2 and b on sliders.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.activations import sigmoid, softplus
from dlcore.linear_models import make_two_blobs, train_logistic_regression
from dlcore.plotting import GRID_COLOR, PALETTE, class_colors

DEFAULT_W1, DEFAULT_W2, DEFAULT_B = 1.0, -1.0, 0.0  # a poor start: the boundary points the wrong way
WEIGHT_RANGE = (-6.0, 6.0)  # slider range of w1, w2 and b
BEST_FIT_EPOCHS = 3000  # gradient-descent steps used to find the best weights shown on the cost map
BEST_FIT_LR = 1.0


def neuron_data(n: int = 200, rng: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The widget's default data: two overlapping blobs (``make_two_blobs``). X: (n, 2), y: (n,)."""
    return make_two_blobs(n, rng=rng)


def cost_and_accuracy(X: np.ndarray, y: np.ndarray, w1: float, w2: float, b: float) -> tuple[float, float]:
    """(mean binary cross-entropy, accuracy at the 0.5 threshold) of the neuron on (X, y)."""
    z = X @ np.array([w1, w2]) + b  # (N,)
    cost = float(np.mean(softplus(z) - y * z))
    accuracy = float(np.mean((z > 0) == (y == 1)))
    return cost, accuracy


def cost_surface(X: np.ndarray, y: np.ndarray, b: float, w1s: np.ndarray, w2s: np.ndarray) -> np.ndarray:
    """Cost J(w1, w2, b) on the grid w1s x w2s for a fixed b: (len(w2s), len(w1s)), rows along w2."""
    W1, W2 = np.meshgrid(w1s, w2s)
    weights = np.stack([W1.ravel(), W2.ravel()])  # (2, G)
    Z = X @ weights + b  # (N, 2) @ (2, G) -> (N, G): every example under every weight pair
    cost = np.mean(softplus(Z) - y[:, None] * Z, axis=0)  # (G,)
    return cost.reshape(W1.shape)


@lru_cache(maxsize=8)
def _best_fit_cached(key: bytes, shape: tuple[int, int], labels: bytes) -> tuple[float, float, float]:
    X = np.frombuffer(key, dtype=np.float64).reshape(shape)
    y = np.frombuffer(labels, dtype=np.int64)
    fit = train_logistic_regression(X, y, lr=BEST_FIT_LR, epochs=BEST_FIT_EPOCHS)
    return float(fit.w[0]), float(fit.w[1]), fit.b


def best_fit(X: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(w1, w2, b) found by gradient descent on the cost (cached per data set)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.int64)
    return _best_fit_cached(X.tobytes(), X.shape, y.tobytes())


def plot_neuron(
    w1: float = DEFAULT_W1,
    w2: float = DEFAULT_W2,
    b: float = DEFAULT_B,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> Figure:
    """Left: p = sigma(w . x + b) over the plane, the boundary p = 0.5, the vector w and the data.
    Right: the cost over (w1, w2) at this b, with the current and the best (w1, w2)."""
    if X is None or y is None:
        X, y = neuron_data()
    cost, accuracy = cost_and_accuracy(X, y, w1, w2, b)
    fig, (ax, ax_cost) = plt.subplots(1, 2, figsize=(11.5, 4.6), width_ratios=[1.15, 1])

    # left: the probability map
    lo, hi = X.min(axis=0) - 0.8, X.max(axis=0) + 0.8
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    p = sigmoid(w1 * g1 + w2 * g2 + b)
    filled = ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    fig.colorbar(filled, ax=ax, label=r"$\hat{y} = \sigma(z)$, P(class 1)")
    colors = class_colors(2)
    for k in (0, 1):
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, color=colors[k], edgecolors="k", linewidths=0.3, label=f"class {k}")
    norm = np.hypot(w1, w2)
    if norm > 0:  # the boundary w1 x1 + w2 x2 + b = 0 and w drawn from its point nearest the origin
        foot = -b * np.array([w1, w2]) / norm**2
        along = np.array([-w2, w1]) / norm
        ends = foot + np.outer([-50, 50], along)
        ax.plot(ends[:, 0], ends[:, 1], color="k", lw=1.5, label="boundary $z = 0$")
        tip = foot + np.array([w1, w2]) / norm
        ax.annotate("", xy=tip, xytext=foot, arrowprops=dict(arrowstyle="-|>", color=PALETTE[6], lw=2))
        ax.text(*tip, "  w", color=PALETTE[6], fontsize=11, va="center")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal", adjustable="box")
    ax.legend(loc="lower right", fontsize=8)
    ax.set(
        title=f"w = ({w1:.2f}, {w2:.2f}), b = {b:.2f}: cost {cost:.3f}, accuracy {accuracy:.1%}",
        xlabel="$x_1$",
        ylabel="$x_2$",
    )

    # right: the cost landscape over (w1, w2) at this b
    best = best_fit(X, y)
    reach = max(abs(w1), abs(w2), abs(best[0]), abs(best[1]), 3.0) * 1.25
    ws = np.linspace(-reach, reach, 121)
    J = cost_surface(X, y, b, ws, ws)
    levels = np.quantile(J, np.linspace(0, 1, 16)[1:-1])
    contours = ax_cost.contour(ws, ws, J, levels=np.unique(levels), colors=GRID_COLOR, linewidths=0.8)
    ax_cost.clabel(contours, fontsize=6, fmt="%.2f")
    ax_cost.plot(w1, w2, "o", ms=9, color=PALETTE[1], label=f"current, cost {cost:.3f}")
    best_cost = cost_and_accuracy(X, y, *best)[0]
    ax_cost.plot(
        best[0], best[1], "*", ms=13, color=PALETTE[0], label=f"best (b = {best[2]:.2f}), cost {best_cost:.3f}"
    )
    ax_cost.set_aspect("equal", adjustable="box")
    ax_cost.legend(loc="lower right", fontsize=8)
    ax_cost.set(title=f"Cost J(w1, w2) with b fixed at {b:.2f}", xlabel="$w_1$", ylabel="$w_2$")
    fig.tight_layout()
    return fig


def neuron_widget(
    w1: float = DEFAULT_W1,
    w2: float = DEFAULT_W2,
    b: float = DEFAULT_B,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
):
    """Sliders for w1, w2 and b driving ``plot_neuron``. Returns the ``ipywidgets.interactive``."""
    import ipywidgets as widgets

    if X is None or y is None:
        X, y = neuron_data()

    def show(w1: float, w2: float, b: float) -> None:
        fig = plot_neuron(w1, w2, b, X, y)
        plt.show()
        plt.close(fig)

    lo, hi = WEIGHT_RANGE

    def slider(name: str, value: float):
        return widgets.FloatSlider(
            value=value, min=lo, max=hi, step=0.1, description=name, readout_format=".1f", continuous_update=False
        )

    return widgets.interactive(show, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b))


def neuron_frames(
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    w1s: Sequence[float] = (-4.0, -1.0, 1.0, 3.0),
    bs: Sequence[float] = (-2.0, 0.0, 2.0),
    w2: float = DEFAULT_W2,
    w1: float = DEFAULT_W1,
    b: float = DEFAULT_B,
):
    """w1 and b as precomputed frames at a fixed w2 (``dlcore.widgets.frames``)."""
    from dlcore.widgets.frames import frame_view

    if X is None or y is None:
        X, y = neuron_data()

    def alt(w1: float, b: float) -> str:
        cost, accuracy = cost_and_accuracy(X, y, w1, w2, b)
        return (
            f"Neuron with w1 = {w1:g}, w2 = {w2:g}, b = {b:g}: decision line over the two classes, "
            f"cross-entropy {cost:.3f}, accuracy {accuracy:.0%}; right panel marks this w on the cost surface"
        )

    return frame_view(
        lambda w1, b: plot_neuron(w1, w2, b, X, y),
        {"w1": list(w1s), "b": list(bs)},
        alt=alt,
        defaults={"w1": w1, "b": b},
        caption=f"w2 stays at {w2:g} here; in JupyterLab, neuron_widget() moves all three weights freely.",
    )

"""Optimizers racing on 2-D test surfaces (chapter 09).

Each surface is a function f(p) of p = (x, y) with its gradient, a start and a plotting box:

- "bowl": f = (x² + 20 y²) / 2, an ill-conditioned quadratic (curvatures 1 and 20), minimum (0, 0);
- "rosenbrock": f = (1 − x)² + 100 (y − x²)², a curved narrow valley, minimum (1, 1);
- "saddle": f = x²/2 − y²/2 + y⁴/4, a saddle at (0, 0) between two minima (0, ±1), f = −1/4 there.

``race`` runs dlcore's own optimizers (``dlcore.optim``) on a single 2-vector Parameter, so the
paths are those of the library code; ``beta`` is the momentum of SGD-momentum and Nesterov and
β₁ of Adam. A path that leaves the plotting box far behind counts as diverged and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore import optim
from dlcore.module import Parameter
from dlcore.plotting import PALETTE


@dataclass(frozen=True)
class Surface:
    f: Callable[[np.ndarray], np.ndarray]  # (..., 2) -> (...)
    grad: Callable[[np.ndarray], np.ndarray]  # (2,) -> (2,)
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    f_min: float


SURFACES = {
    "bowl": Surface(
        f=lambda p: (p[..., 0] ** 2 + 20 * p[..., 1] ** 2) / 2,
        grad=lambda p: np.array([p[0], 20 * p[1]]),
        start=(-4.0, 1.0),
        box=(-5.0, 5.0, -2.0, 2.0),
        f_min=0.0,
    ),
    "rosenbrock": Surface(
        f=lambda p: (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2,
        grad=lambda p: np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]),
        start=(-1.2, 1.0),
        box=(-2.0, 2.0, -1.0, 3.0),
        f_min=0.0,
    ),
    "saddle": Surface(
        f=lambda p: p[..., 0] ** 2 / 2 - p[..., 1] ** 2 / 2 + p[..., 1] ** 4 / 4,
        grad=lambda p: np.array([p[0], -p[1] + p[1] ** 3]),
        start=(2.0, 1e-3),
        box=(-2.5, 2.5, -1.6, 1.6),
        f_min=-0.25,
    ),
}

OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "RMSprop", "Adam")
STYLES = {"SGD": "o-", "Momentum": "s--", "Nesterov": "^-.", "RMSprop": "d:", "Adam": "v-"}


def make_optimizer(name: str, param: Parameter, lr: float, beta: float) -> optim.Optimizer:
    """One of OPTIMIZERS with learning rate lr; beta is the momentum (or Adam's β₁)."""
    if name == "SGD":
        return optim.SGD([param], lr=lr)
    if name == "Momentum":
        return optim.Momentum([param], lr=lr, momentum=beta)
    if name == "Nesterov":
        return optim.Nesterov([param], lr=lr, momentum=beta)
    if name == "RMSprop":
        return optim.RMSprop([param], lr=lr)
    if name == "Adam":
        return optim.Adam([param], lr=lr, betas=(beta, 0.999))
    raise ValueError(f"make_optimizer: name must be one of {OPTIMIZERS}, got {name!r}")


def race(surface: str, name: str, lr: float, beta: float = 0.9, steps: int = 150) -> np.ndarray:
    """The path (k + 1, 2) of one optimizer from the surface's start; k < steps if it diverged."""
    s = SURFACES[surface]
    p = Parameter(np.array(s.start, dtype=np.float64))
    opt = make_optimizer(name, p, lr, beta)
    path = [p.value.copy()]
    span = max(s.box[1] - s.box[0], s.box[3] - s.box[2])
    for _ in range(steps):
        p.grad[...] = s.grad(p.value)
        opt.step()
        path.append(p.value.copy())
        if not np.all(np.isfinite(p.value)) or np.abs(p.value).max() > 10 * span:
            break
    return np.array(path)


def final_gaps(surface: str, lr: float, beta: float = 0.9, steps: int = 150) -> dict[str, float]:
    """f(end of path) − f_min for every optimizer (inf when it diverged)."""
    s = SURFACES[surface]
    out = {}
    for name in OPTIMIZERS:
        path = race(surface, name, lr, beta, steps)
        out[name] = float(s.f(path[-1]) - s.f_min) if len(path) == steps + 1 else float("inf")
    return out


def plot_race(surface: str = "bowl", lr: float = 0.03, beta: float = 0.9) -> Figure:
    """Left: every optimizer's path on the contours; right: f − f_min against step (log scale)."""
    s = SURFACES[surface]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
    X, Y = np.meshgrid(np.linspace(*s.box[:2], 150), np.linspace(*s.box[2:], 150))
    F = s.f(np.stack([X, Y], axis=-1)) - s.f_min
    ax1.contour(X, Y, F, levels=np.geomspace(max(F.min(), 1e-3), F.max(), 15), colors="#AAAAAA", linewidths=0.6)
    for name, color in zip(OPTIMIZERS, PALETTE, strict=False):
        path = race(surface, name, lr, beta)
        style = STYLES[name]
        ax1.plot(path[:, 0], path[:, 1], style, color=color, ms=2, lw=1, label=name, markevery=10)
        gap = s.f(path) - s.f_min
        ax2.semilogy(np.maximum(gap, 1e-12), style, color=color, ms=3, lw=1, label=name, markevery=15)
    ax1.plot(*s.start, "k*", ms=10)
    ax1.set(xlim=s.box[:2], ylim=s.box[2:], xlabel="x", ylabel="y", title=f"{surface}: paths from the star")
    ax2.set(xlabel="step", ylabel="f − f_min (log scale)", title=f"lr = {lr:g}, β = {beta:g}")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def race_alt(surface: str = "bowl", lr: float = 0.03, beta: float = 0.9) -> str:
    """The alternative text of ``plot_race``: who ends lowest and who diverged."""
    gaps = final_gaps(surface, lr, beta)
    finite = {k: v for k, v in gaps.items() if np.isfinite(v)}
    best = min(finite, key=finite.get) if finite else None
    diverged = [k for k, v in gaps.items() if not np.isfinite(v)]
    text = f"Five optimizers on the {surface} surface with learning rate {lr:g} and beta {beta:g}: "
    text += f"{best} ends lowest (gap {finite[best]:.2g})" if best else "all diverge"
    if diverged and best:
        text += f"; diverged: {', '.join(diverged)}"
    return text

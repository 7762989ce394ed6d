"""Feature scaling and the speed of gradient descent on a linear-regression loss (chapter 04).

Linear regression with parameters theta = (w_1, ..., w_D, b) and the mean squared error

    L(theta) = mean_i (x_i . w + b - y_i)^2 = theta^T H theta / 2 - g^T theta + c,
    H = 2 A^T A / N,  g = 2 A^T y / N,  c = mean(y^2),

where A = [X, 1] is the data with a column of ones for the bias, is a quadratic bowl with a
constant Hessian H. Gradient descent theta <- theta - lr (H theta - g) then

- converges only if lr < 2 / lambda_max (lambda are the eigenvalues of H), and
- with the best fixed rate lr = 2 / (lambda_max + lambda_min) shrinks the error along the
  slowest direction by (kappa - 1) / (kappa + 1) per step, kappa = lambda_max / lambda_min.

Scaling the features changes H, and with it kappa. Because theta - theta* evolves as
(I - lr H)^t (theta_0 - theta*), the number of steps to converge can also be computed exactly
from the eigen-decomposition of H (``steps_to_converge``), which is how a sweep over many
learning rates stays fast. ``gradient_descent`` runs the actual loop.

"Converged" means: the excess loss L - L* has fallen to ``REL_TOL`` times its starting value.
The start is theta = 0 for every scaling, which predicts 0 for every house whatever the
scaling, so every run starts from the same loss and faces the same target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcore.config import get_rng
from dlcore.plotting import GRID_COLOR, PALETTE
from dlcore.preprocessing import MinMaxScaler, StandardScaler

SCALINGS = ("none", "minmax", "standard")
SCALING_NAMES = {"none": "no scaling", "minmax": "min-max normalisation", "standard": "z-score standardisation"}
REL_TOL = 1e-6  # converged when L - L* <= REL_TOL * (L(theta_0) - L*)
DIVERGE_FACTOR = 1e6  # a loss above this many times the starting loss counts as diverged
MAX_CLOSED_FORM_STEPS = 10**9  # steps_to_converge gives up beyond this

# the synthetic houses: price (thousand euros) = PRICE_PER_M2 * area - PRICE_PER_YEAR * age + BASE_PRICE + noise
AREA_RANGE = (40.0, 200.0)  # m^2
AGE_RANGE = (0.0, 60.0)  # years
PRICE_PER_M2, PRICE_PER_YEAR, BASE_PRICE, PRICE_NOISE = 3.0, 2.0, 100.0, 25.0


# --- the data ---------------------------------------------------------------------------
def make_house_prices(n: int = 80, rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic houses. Returns X: (n, 2) = [floor area in m^2, age in years] and y: (n,) price in k-euro.

    Area is uniform on AREA_RANGE and age on AGE_RANGE, independently; the price is linear in both
    plus Gaussian noise. float64, since this is analysis, not a network.
    """
    rng = get_rng(rng)
    area = rng.uniform(*AREA_RANGE, n)
    age = rng.uniform(*AGE_RANGE, n)
    price = PRICE_PER_M2 * area - PRICE_PER_YEAR * age + BASE_PRICE + PRICE_NOISE * rng.standard_normal(n)
    return np.stack([area, age], axis=1), price


def scale(x: np.ndarray, method: str) -> np.ndarray:
    """x: (N, D) scaled column by column: "none", "minmax" (to [0, 1]) or "standard" (mean 0, std 1)."""
    if method not in SCALINGS:
        raise ValueError(f"scale: method must be one of {SCALINGS}, got {method!r}")
    x = np.asarray(x, dtype=np.float64)
    if method == "none":
        return x.copy()
    scaler = MinMaxScaler() if method == "minmax" else StandardScaler()
    return scaler.fit_transform(x)


# --- the quadratic loss -----------------------------------------------------------------
def with_bias_column(x: np.ndarray) -> np.ndarray:
    """A = [x, 1]: (N, D) -> (N, D + 1); theta's last entry is the bias b."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"expected features of shape (N, D), got {x.shape} (one feature: x.reshape(-1, 1))")
    return np.hstack([x, np.ones((len(x), 1))])


def mse_quadratic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(H, g, c) with L(theta) = theta^T H theta / 2 - g^T theta + c. x: (N, D), y: (N,) -> (D+1, D+1), (D+1,)."""
    A = with_bias_column(x)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    n = len(A)
    return 2.0 * A.T @ A / n, 2.0 * A.T @ y / n, float(np.mean(y * y))


def mse(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The loss at theta: (D+1,) -> float, or at many thetas (..., D+1) -> (...)."""
    A = with_bias_column(x)
    residual = np.asarray(theta, dtype=np.float64) @ A.T - np.asarray(y, dtype=np.float64).reshape(-1)  # (..., N)
    return np.mean(residual * residual, axis=-1)


def optimum(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """(theta*, L*): the least-squares solution and its loss."""
    A = with_bias_column(x)
    theta, *_ = np.linalg.lstsq(A, np.asarray(y, dtype=np.float64).reshape(-1), rcond=None)
    return theta, float(mse(theta, x, y))


@dataclass
class Conditioning:
    """The eigenvalues of the Hessian H and what they imply for gradient descent."""

    eigenvalues: np.ndarray  # ascending
    kappa: float  # lambda_max / lambda_min, the condition number
    lr_max: float  # gradient descent diverges for lr > 2 / lambda_max
    lr_best: float  # 2 / (lambda_max + lambda_min), the fastest fixed learning rate


def conditioning(x: np.ndarray) -> Conditioning:
    """Eigenvalues, condition number and learning-rate limits of the MSE Hessian for features x: (N, D)."""
    A = with_bias_column(x)
    lam = np.linalg.eigvalsh(2.0 * A.T @ A / len(A))
    lo, hi = float(lam[0]), float(lam[-1])
    return Conditioning(eigenvalues=lam, kappa=hi / lo, lr_max=2.0 / hi, lr_best=2.0 / (hi + lo))


# --- gradient descent, run and predicted --------------------------------------------------
@dataclass
class DescentResult:
    """What one run of gradient descent did.

    path: (T+1, D+1) parameters after 0..T steps; losses: (T+1,);
    converged_at: first step whose excess loss is within REL_TOL of the start, or None;
    diverged: True if the loss blew up (the run stopped there).
    """

    path: np.ndarray
    losses: np.ndarray
    converged_at: int | None
    diverged: bool


def gradient_descent(
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    max_steps: int = 1000,
    rel_tol: float = REL_TOL,
    stop_when_converged: bool = False,
) -> DescentResult:
    """Full-batch gradient descent theta <- theta - lr * grad L(theta) from theta = 0.

    The gradient is H theta - g (``mse_quadratic``), the same as 2 A^T (A theta - y) / N.
    Runs ``max_steps`` steps, or stops early on divergence, or when converged if asked.
    """
    H, g, c = mse_quadratic(x, y)
    _, best = optimum(x, y)
    theta = np.zeros(len(g))
    start = c  # L(0) = mean(y^2)
    target = best + rel_tol * (start - best)
    path, losses = [theta], [start]
    converged_at, diverged = (0 if start <= target else None), False
    for step in range(1, max_steps + 1):
        theta = theta - lr * (H @ theta - g)
        loss = float(theta @ H @ theta / 2 - g @ theta + c)
        if not np.isfinite(loss) or loss > DIVERGE_FACTOR * start:
            diverged = True
            break
        path.append(theta)
        losses.append(loss)
        if converged_at is None and loss <= target:
            converged_at = step
            if stop_when_converged:
                break
    return DescentResult(np.array(path), np.array(losses), converged_at, diverged)


def steps_to_converge(
    x: np.ndarray, y: np.ndarray, lr: float, rel_tol: float = REL_TOL, max_steps: int = MAX_CLOSED_FORM_STEPS
) -> int | None:
    """Steps gradient descent from theta = 0 needs to converge, computed without running it.

    With H = Q diag(lambda) Q^T and e_0 = Q^T (theta_0 - theta*), after t steps the excess loss is
    sum_i lambda_i e_0i^2 (1 - lr lambda_i)^(2t) / 2, which never increases while every
    |1 - lr lambda_i| <= 1. Returns None if the run diverges, oscillates forever (|1 - lr lambda| = 1),
    or needs more than ``max_steps``.
    """
    H, _, _ = mse_quadratic(x, y)
    theta_star, _ = optimum(x, y)
    lam, Q = np.linalg.eigh(H)
    e0 = Q.T @ (0.0 - theta_star)  # (D+1,) starting error in the eigenbasis
    weight = lam * e0 * e0 / 2  # each direction's share of the starting excess loss
    factor = np.abs(1.0 - lr * lam)  # how much each direction's error shrinks per step
    relevant = weight > 1e-300
    if np.any(factor[relevant] >= 1.0):
        return None

    def excess(t: int) -> float:
        return float(np.sum(weight * factor ** (2.0 * t)))

    target = rel_tol * excess(0)
    if excess(0) <= target:
        return 0
    if excess(max_steps) > target:
        return None
    lo, hi = 0, max_steps  # excess(lo) > target >= excess(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if excess(mid) > target:
            lo = mid
        else:
            hi = mid
    return hi


# --- pictures -------------------------------------------------------------------------------
PATH_COLOR, OPT_COLOR = PALETTE[1], PALETTE[0]


def _steps(n: int) -> str:
    return f"{n:,} step" + ("" if n == 1 else "s")


def _status(result: DescentResult, steps: int) -> str:
    if result.diverged:
        return f"diverged at step {len(result.losses)}"
    if result.converged_at is not None:
        return f"converged after {_steps(result.converged_at)}"
    return f"not converged after {_steps(steps)}"


def _match_box(ax: Axes, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Widen the window [lo, hi] along one axis so that, drawn with equal units on both axes,
    it fills the Axes box (whose width/height ratio we read from the figure)."""
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    ratio = (box.width * fig_w) / (box.height * fig_h)  # box width / box height
    centre, span = (lo + hi) / 2, hi - lo
    if span[0] < ratio * span[1]:
        span = np.array([ratio * span[1], span[1]])
    else:
        span = np.array([span[0], span[0] / ratio])
    return centre - span / 2, centre + span / 2


FEATURE_UNITS = {"none": "m²", "minmax": "unit of min-max area", "standard": "std of area"}


def plot_descent_contours(
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    steps: int = 100,
    ax: Axes | None = None,
    title: str | None = None,
    feature_unit: str = "unit of the feature",
) -> Axes:
    """Contours of the loss over (w, b) for ONE feature x: (N, 1), and the descent path from (0, 0).

    The loss of a one-feature model is exactly a function of the two numbers (w, b), so the
    picture is the whole story (no slice or projection). Levels are spaced logarithmically in
    the excess loss L - L*.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 1:
        raise ValueError(f"plot_descent_contours: expected one feature, shape (N, 1), got {x.shape}")
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4.2))[1]
    result = gradient_descent(x, y, lr, max_steps=steps)
    theta_star, best = optimum(x, y)
    # a window holding the start (0, 0), the optimum and the path (unless it flies far away), plus a margin
    corners = np.array([[0.0, 0.0], theta_star])
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    reach = np.maximum(hi - lo, 1e-3)
    lo = np.maximum(np.minimum(lo, result.path.min(axis=0)), lo - 3 * reach)
    hi = np.minimum(np.maximum(hi, result.path.max(axis=0)), hi + 3 * reach)
    pad = 0.15 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    lo, hi = _match_box(ax, lo, hi)
    w_grid, b_grid = np.meshgrid(np.linspace(lo[0], hi[0], 220), np.linspace(lo[1], hi[1], 220))
    thetas = np.stack([w_grid, b_grid], axis=-1)  # (220, 220, 2)
    excess = mse(thetas, x, y) - best
    levels = np.geomspace(max(excess.min(), 1e-6 * excess.max()) * 1.5, excess.max(), 14)
    ax.contour(w_grid, b_grid, excess, levels=levels, colors=GRID_COLOR, linewidths=0.8)
    path = result.path
    ax.plot(
        path[:, 0],
        path[:, 1],
        "o-",
        ms=2.5,
        lw=1,
        color=PATH_COLOR,
        label=f"gradient descent ({_steps(len(path) - 1)})",
    )
    ax.plot(0, 0, "s", ms=6, color=PATH_COLOR, label="start (0, 0)")
    ax.plot(*theta_star, "*", ms=13, color=OPT_COLOR, label="minimum")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal", adjustable="box")  # circles look round, and a narrow valley looks narrow
    ax.legend(loc="best", fontsize=7)
    ax.set(
        title=title or f"lr = {lr:.3g}: {_status(result, steps)}",
        xlabel=f"weight $w$ (k€ per {feature_unit})",
        ylabel="bias $b$ (k€)",
    )
    return ax


def plot_excess_loss(
    x: np.ndarray, y: np.ndarray, lr: float, steps: int = 100, ax: Axes | None = None, label: str | None = None
) -> Axes:
    """The excess loss L - L* against the step, on a log scale, with the convergence target."""
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4.2))[1]
    result = gradient_descent(x, y, lr, max_steps=steps)
    H, _, _ = mse_quadratic(x, y)
    theta_star, _ = optimum(x, y)
    error = result.path - theta_star  # (T+1, D+1)
    excess = np.maximum(0.5 * np.einsum("ti,ij,tj->t", error, H, error), 1e-300)  # exact, no cancellation
    ax.semilogy(np.arange(len(excess)), excess, lw=1.5, label=label or f"lr = {lr:.3g}")
    ax.axhline(REL_TOL * excess[0], color=PALETTE[6], ls=":", lw=1, label=f"target: {REL_TOL:g} x start")
    ax.set_xlim(0, steps)
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.legend(fontsize=7)
    ax.set(title="Distance to the best loss", xlabel="step", ylabel="$L - L^*$ (k€², log scale)")
    return ax


def plot_scaling_descent(method: str = "standard", lr: float = 0.1, steps: int = 100, n: int = 80) -> Figure:
    """The widget's picture for the houses' floor area (one feature) scaled by ``method``.

    Left: loss contours over (w, b) and the path of ``steps`` steps of gradient descent.
    Right: the excess loss per step. The suptitle reports the condition number and the number
    of steps this learning rate needs (computed by ``steps_to_converge``).
    """
    X, y = make_house_prices(n)
    x = scale(X[:, :1], method)
    info = conditioning(x)
    fig, (ax_left, ax_right) = plt.subplots(1, 2, figsize=(11, 4.3))
    plot_descent_contours(x, y, lr, steps, ax=ax_left, feature_unit=FEATURE_UNITS[method])
    plot_excess_loss(x, y, lr, steps, ax=ax_right)
    needed = steps_to_converge(x, y, lr)
    if lr > info.lr_max:
        verdict = "diverges"
    elif needed is None:
        verdict = f"does not converge within {MAX_CLOSED_FORM_STEPS:,} steps"
    else:
        verdict = f"needs {_steps(needed)}"
    fig.suptitle(
        f"{SCALING_NAMES[method]} of the floor area: condition number κ = {info.kappa:,.1f}, "
        f"stable for lr < 2/λmax = {info.lr_max:.3g}; lr = {lr:.3g} {verdict}"
    )
    fig.tight_layout()
    return fig


def scaling_descent_widget(method: str = "standard", lr: float = 0.1, steps: int = 100):
    """A dropdown for the scaling, a log slider for the learning rate and a slider for the steps,
    driving ``plot_scaling_descent``. Returns the ``ipywidgets.interactive`` object."""
    import ipywidgets as widgets

    def show(method: str, lr: float, steps: int) -> None:
        fig = plot_scaling_descent(method, lr, steps)
        plt.show()
        plt.close(fig)

    return widgets.interactive(
        show,
        method=widgets.Dropdown(
            options=[(SCALING_NAMES[m], m) for m in SCALINGS], value=method, description="scaling"
        ),
        lr=widgets.FloatLogSlider(
            value=lr, base=10, min=-6, max=0.3, step=0.05, description="lr", readout_format=".2e",
            continuous_update=False,
        ),
        steps=widgets.IntSlider(value=steps, min=5, max=1000, step=5, description="steps", continuous_update=False),
    )  # fmt: skip


def scaling_descent_frames(
    method: str = "standard",
    lr: float = 0.1,
    steps: int = 100,
    methods: Sequence[str] = ("none", "minmax", "standard"),
    lrs: Sequence[float] = (0.01, 0.1, 0.5, 1.0),
):
    """The scaling and the learning rate as precomputed frames (``dlcore.widgets.frames``)."""
    from dlcore.widgets.frames import frame_view

    X, y = make_house_prices()

    def alt(method: str, lr: float) -> str:
        x = scale(X[:, :1], method)
        info, needed = conditioning(x), steps_to_converge(x, y, lr)
        if lr > info.lr_max:
            verdict = "diverges"
        elif needed is None:
            verdict = "does not converge in time"
        else:
            verdict = f"converges in {needed:,} steps"
        return (
            f"Gradient descent on the house prices with {SCALING_NAMES[method]}: condition number "
            f"{info.kappa:,.1f}, stable below lr {info.lr_max:.3g}; lr {lr:g} {verdict}"
        )

    return frame_view(
        lambda method, lr: plot_scaling_descent(method, lr, steps),
        {"method": list(methods), "lr": list(lrs)},
        alt=alt,
        defaults={"method": method, "lr": lr},
        labels={"method": "scaling", "lr": "learning rate"},
    )

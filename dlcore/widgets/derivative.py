"""The derivative as a limit, and where floating point stops the limit (chapter 02).

A finite difference replaces the limit h -> 0 by one small h:

    forward:  (f(x + h) - f(x)) / h          truncation error ~ |f''(x)| h / 2
    central:  (f(x + h) - f(x - h)) / (2 h)  truncation error ~ |f'''(x)| h^2 / 6

A computer only knows f(x) to about eps * |f(x)| (eps = machine epsilon, 2.2e-16 in
float64), and dividing the difference of two such values by h magnifies that to about
eps * |f(x)| / h. Truncation shrinks with h, round-off grows as h shrinks, so the total
error is smallest in between: near sqrt(eps) for the forward difference and near
eps^(1/3) for the central one. ``error_model`` and ``optimal_steps`` write this out;
``plot_derivative_demo`` and ``derivative_widget`` show it.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcore.plotting import GRID_COLOR, PALETTE

EPS64 = float(np.finfo(np.float64).eps)  # gap between 1.0 and the next float64
DEFAULT_STEPS = np.logspace(-16, 0, 161)  # h from 1e-16 to 1, 10 points per decade

Function = Callable[[np.ndarray | float], np.ndarray | float]


# --- the two estimates ------------------------------------------------------------------
def forward_difference(f: Function, x: float | np.ndarray, h: float | np.ndarray) -> float | np.ndarray:
    """(f(x + h) - f(x)) / h, the slope of the secant from x to x + h. x and h broadcast."""
    return (f(x + h) - f(x)) / h


def central_difference(f: Function, x: float | np.ndarray, h: float | np.ndarray) -> float | np.ndarray:
    """(f(x + h) - f(x - h)) / (2 h), the slope of the secant from x - h to x + h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def difference_errors(f: Function, df: Function, x: float, steps: np.ndarray = DEFAULT_STEPS) -> dict[str, np.ndarray]:
    """Absolute errors |estimate - f'(x)| of both estimates for every step h.

    steps: (S,) -> {"forward": (S,), "central": (S,)}. An error that happens to be exactly
    0 (a lucky rounding) is returned as NaN so that log-scale plots skip it.
    """
    steps = np.asarray(steps, dtype=np.float64)
    exact = df(x)
    errors = {}
    for name, estimate in (("forward", forward_difference), ("central", central_difference)):
        err = np.abs(estimate(f, x, steps) - exact)
        errors[name] = np.where(err > 0, err, np.nan)
    return errors


def typical_difference_errors(
    f: Function, df: Function, xs: np.ndarray, steps: np.ndarray = DEFAULT_STEPS
) -> dict[str, np.ndarray]:
    """Median over the points xs (P,) of ``difference_errors``: (S,) per estimate.

    The round-off part of the error at one point is erratic (a lucky rounding can be exact);
    the median over many nearby points shows the typical error and its V shape clearly.
    """
    per_point = [difference_errors(f, df, float(x), steps) for x in np.asarray(xs, dtype=np.float64)]
    return {name: np.nanmedian([e[name] for e in per_point], axis=0) for name in ("forward", "central")}


# --- the model of the error: truncation + round-off ---------------------------------------
def error_model(f_x: float, d2f_x: float, d3f_x: float, steps: np.ndarray, eps: float = EPS64) -> dict[str, np.ndarray]:
    """Predicted error of each estimate: truncation + round-off.

    f_x, d2f_x, d3f_x: f(x), f''(x), f'''(x); steps: (S,) -> {"forward": (S,), "central": (S,)}.
    forward: |f''| h / 2 + eps |f| / h;   central: |f'''| h^2 / 6 + eps |f| / (2 h).
    """
    h = np.asarray(steps, dtype=np.float64)
    roundoff = eps * abs(f_x) / h
    return {
        "forward": abs(d2f_x) * h / 2 + roundoff,
        "central": abs(d3f_x) * h**2 / 6 + roundoff / 2,
    }


def optimal_steps(f_x: float, d2f_x: float, d3f_x: float, eps: float = EPS64) -> dict[str, float]:
    """The h that minimises each line of ``error_model`` (set its derivative in h to zero).

    forward: h* = sqrt(2 eps |f| / |f''|)            (proportional to eps^(1/2))
    central: h* = (3 eps |f| / (2 |f'''|))^(1/3)     (proportional to eps^(1/3))
    """
    return {
        "forward": float(np.sqrt(2 * eps * abs(f_x) / abs(d2f_x))),
        "central": float(np.cbrt(3 * eps * abs(f_x) / (2 * abs(d3f_x)))),
    }


def best_measured_step(steps: np.ndarray, errors: np.ndarray) -> tuple[float, float]:
    """(h, error) at the smallest measured error. steps, errors: (S,); NaN errors are skipped."""
    i = int(np.nanargmin(errors))
    return float(steps[i]), float(errors[i])


# --- pictures -----------------------------------------------------------------------------
FORWARD_COLOR, CENTRAL_COLOR = PALETTE[1], PALETTE[2]


def plot_secant(f: Function, df: Function, x0: float, h: float, ax: Axes | None = None, window: float = 2.5) -> Axes:
    """The curve, its tangent at x0 and the secant through x0 and x0 + h."""
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    xs = np.linspace(x0 - window, x0 + window, 400)
    slope = forward_difference(f, x0, h)
    ax.plot(xs, f(xs), color=PALETTE[6], lw=2, label="$f(x)$")
    ax.plot(xs, f(x0) + df(x0) * (xs - x0), color=PALETTE[0], lw=1.5, label=f"tangent, slope {df(x0):.6f}")
    ax.plot(xs, f(x0) + slope * (xs - x0), color=FORWARD_COLOR, ls="--", lw=1.5, label=f"secant, slope {slope:.6f}")
    ax.plot([x0, x0 + h], [f(x0), f(x0 + h)], "o", color=FORWARD_COLOR, ms=6)
    y = f(xs)
    ax.set_ylim(y.min() - 0.5, y.max() + 0.5)
    ax.set_xlim(xs[0], xs[-1])
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.legend(loc="lower right", fontsize=8)
    ax.set(title=f"Secant from $x_0$ = {x0:g} over a step h = {h:.1e}", xlabel="$x$", ylabel="$f(x)$")
    return ax


def plot_difference_errors(
    f: Function,
    df: Function,
    x0: float,
    h: float | None = None,
    ax: Axes | None = None,
    steps: np.ndarray = DEFAULT_STEPS,
    model: dict[str, np.ndarray] | None = None,
) -> Axes:
    """Log-log error of the forward and central differences at x0 against h.

    h: mark this step with a vertical line and dots; model: ``error_model(...)`` evaluated on
    ``steps``, drawn as thin lines under the measured errors.
    """
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    errors = difference_errors(f, df, x0, steps)
    colors = {"forward": FORWARD_COLOR, "central": CENTRAL_COLOR}
    for name in ("forward", "central"):
        ax.loglog(steps, errors[name], ".", color=colors[name], ms=4, label=f"{name} difference (measured)")
        if model is not None:
            ax.loglog(steps, model[name], "-", color=colors[name], lw=1, alpha=0.7, label=f"{name}: model")
    ax.axvline(np.sqrt(EPS64), color=FORWARD_COLOR, ls=":", lw=1.2, label=r"$h=\sqrt{\varepsilon}$")
    ax.axvline(np.cbrt(EPS64), color=CENTRAL_COLOR, ls=":", lw=1.2, label=r"$h=\varepsilon^{1/3}$")
    if h is not None:
        ax.axvline(h, color=PALETTE[6], lw=1)
        for name, estimate in (("forward", forward_difference), ("central", central_difference)):
            err = abs(estimate(f, x0, h) - df(x0))
            if err > 0:
                ax.plot([h], [err], "o", color=colors[name], mec="black", ms=8)
    ax.set_ylim(1e-15, 1e1)
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.legend(loc="upper center", fontsize=7, ncols=2)
    ax.set(
        title=f"Error of the estimate of $f'({x0:g})$",
        xlabel="step $h$ (log scale)",
        ylabel="absolute error (log scale)",
    )
    return ax


def plot_derivative_demo(h: float = 0.5, x0: float = 1.0) -> Figure:
    """For f = sin at x0. Left: secant and tangent for step h. Right: the error of both
    estimates for every h, with the truncation + round-off model."""
    fig, (ax_left, ax_right) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_secant(np.sin, np.cos, x0, h, ax=ax_left)
    model = error_model(np.sin(x0), -np.sin(x0), -np.cos(x0), DEFAULT_STEPS)
    plot_difference_errors(np.sin, np.cos, x0, h=h, ax=ax_right, model=model)
    fig.tight_layout()
    return fig


def step_choices(smallest_exponent: int = -16) -> list[tuple[str, float]]:
    """Slider positions for h: 1, 0.5, 0.2, 0.1, 0.05, ... down to 10**smallest_exponent, as (label, h)."""
    values = [m * 10.0**e for e in range(0, smallest_exponent - 1, -1) for m in (5, 2, 1)]
    values = [v for v in values if 10.0**smallest_exponent <= v <= 1.0]
    return [(f"{v:.0e}", v) for v in values[::-1]]  # smallest first, so the slider grows to the right


def derivative_widget(x0: float = 1.0, h: float = 0.5):
    """A slider for h (1e-16 .. 1 in 1-2-5 steps) driving ``plot_derivative_demo``."""
    import ipywidgets as widgets

    def show(h: float) -> None:
        plot_derivative_demo(h, x0)
        plt.show()

    choices = step_choices()
    if not any(v == h for _, v in choices):
        raise ValueError(f"derivative_widget: h must be one of the 1-2-5 steps, got {h}")
    slider = widgets.SelectionSlider(options=choices, value=h, description="h", continuous_update=False)
    return widgets.interactive(show, h=slider)


def derivative_frames(x0: float = 1.0, h: float = 0.5):
    """The step h as precomputed frames, one per second power of ten from 1e-16 to 1, plus ``h``
    (``dlcore.widgets.frames``): it moves in the static book too."""
    from dlcore.widgets.frames import frame_view

    steps = sorted({10.0**e for e in range(-16, 1, 2)} | {h})

    def alt(h: float) -> str:
        forward = abs(forward_difference(np.sin, x0, h) - np.cos(x0))
        central = abs(central_difference(np.sin, x0, h) - np.cos(x0))
        return (
            f"Secant of sin at x = {x0} with step h = {h:.0e}: forward-difference error {forward:.1e}, "
            f"central-difference error {central:.1e}; right panel marks h on both error curves"
        )

    return frame_view(
        lambda h: plot_derivative_demo(h, x0), {"h": steps}, alt=alt, defaults={"h": h}, labels={"h": "step h"}
    )

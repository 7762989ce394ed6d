"""Underfitting and overfitting with polynomials of growing degree (chapter 00).

Fit a polynomial of degree d, y_hat = w_0 + w_1 x + ... + w_d x^d, to a few noisy points by
least squares and measure the mean squared error (1/n) sum_i (y_hat_i - y_i)^2 on the
training points and on fresh test points. The training error can only fall as d grows (a
degree-(d+1) polynomial can copy any degree-d one); the test error falls, then climbs once
the polynomial starts to chase the noise. ``polynomial_errors`` runs that sweep,
``plot_polynomial_errors`` and ``plot_polynomial_fit`` draw it, and ``polynomial_fit_widget``
puts the degree on a slider.

A data set is passed as a pair ``(x, y)`` of 1-D arrays of the same length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.polynomial import Polynomial

from dlcore.plotting import GRID_COLOR, PALETTE

Data = tuple[np.ndarray, np.ndarray]  # (x: (n,), y: (n,))
Curve = Callable[[np.ndarray], np.ndarray]

PLOT_POINTS = 400  # grid points used to draw a fitted polynomial
Y_LIMITS = (-2.0, 2.0)  # a wild high-degree fit leaves the picture instead of squashing the data


def _check_data(name: str, data: Data) -> Data:
    x, y = (np.asarray(a, dtype=np.float64) for a in data)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"{name}: expected (x, y) as two 1-D arrays of the same length, got {x.shape} and {y.shape}")
    return x, y


def fit_polynomial(degree: int, x: np.ndarray, y: np.ndarray) -> Polynomial:
    """Least-squares polynomial of the given degree through the points (x, y).

    x, y: (n,). Returns a callable ``Polynomial``: ``p(x_new)`` evaluates it. NumPy maps x to
    [-1, 1] before fitting, which keeps high degrees well conditioned.
    """
    if degree < 0:
        raise ValueError(f"fit_polynomial: degree must be >= 0, got {degree}")
    x, y = _check_data("fit_polynomial", (x, y))
    return Polynomial.fit(x, y, degree)


def mse(model: Curve, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error (1/n) sum_i (model(x_i) - y_i)^2. x, y: (n,)."""
    return float(np.mean((model(np.asarray(x)) - np.asarray(y)) ** 2))


def polynomial_errors(degrees: Sequence[int] | np.ndarray, train: Data, test: Data) -> tuple[np.ndarray, np.ndarray]:
    """Fit one polynomial per degree on ``train``; measure it on ``train`` and on ``test``.

    degrees: (D,) -> (train_err: (D,), test_err: (D,)), mean squared errors.
    """
    train, test = _check_data("polynomial_errors", train), _check_data("polynomial_errors", test)
    models = [fit_polynomial(int(d), *train) for d in degrees]
    train_err = np.array([mse(model, *train) for model in models])
    test_err = np.array([mse(model, *test) for model in models])
    return train_err, test_err


# --- pictures -----------------------------------------------------------------------------
def plot_polynomial_errors(
    degrees: Sequence[int] | np.ndarray,
    train_err: np.ndarray,
    test_err: np.ndarray,
    noise_variance: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Training and test error against the degree on a log scale, with the best test degree
    marked and, if given, the noise variance sigma^2 as the floor no model beats on average."""
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    degrees = np.asarray(degrees)
    best = int(degrees[np.argmin(test_err)])
    ax.semilogy(degrees, train_err, "o-", color=PALETTE[0], label="training error")
    ax.semilogy(degrees, test_err, "s--", color=PALETTE[1], label="test error")
    if noise_variance is not None:
        ax.axhline(noise_variance, color=GRID_COLOR, ls=":", label=r"noise variance $\sigma^2$")
    ax.axvline(best, color=PALETTE[2], lw=1, label=f"best test error (degree {best})")
    ax.set(
        xlabel="polynomial degree $d$",
        ylabel="mean squared error (log scale)",
        title="Training error keeps falling; test error falls, then explodes",
    )
    ax.legend()
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    return ax


def plot_polynomial_fit(
    degree: int,
    train: Data,
    test: Data,
    ax: Axes | None = None,
    truth: Curve | None = None,
    truth_label: str = "truth",
) -> Axes:
    """The training points, the true curve (if given) and the degree-``degree`` fit on train,
    with the training and test errors in the title.

    The curves span all x of train and test, so a fit's swings between and beyond the training
    points show where the test points judge it.
    """
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    train, test = _check_data("plot_polynomial_fit", train), _check_data("plot_polynomial_fit", test)
    model = fit_polynomial(degree, *train)
    x_all = np.concatenate([train[0], test[0]])
    grid = np.linspace(x_all.min(), x_all.max(), PLOT_POINTS)
    if truth is not None:
        ax.plot(grid, truth(grid), color=GRID_COLOR, lw=3, label=truth_label)
    ax.plot(grid, model(grid), color=PALETTE[1], lw=2, label=f"degree-{degree} fit")
    ax.plot(*train, "o", color=PALETTE[0], label=f"{len(train[0])} training points")
    ax.set(
        ylim=Y_LIMITS,
        xlabel="$x$",
        ylabel="$y$",
        title=f"degree {degree}: train MSE {mse(model, *train):.3f}, test MSE {mse(model, *test):.3f}",
    )
    ax.legend(loc="lower left", fontsize=8)
    return ax


def polynomial_fit_widget(
    train: Data,
    test: Data,
    degree: int,
    max_degree: int = 12,
    truth: Curve | None = None,
    truth_label: str = "truth",
):
    """An integer slider for the degree (0 .. max_degree, starting at ``degree``) driving
    ``plot_polynomial_fit``. Returns the ``ipywidgets.interactive`` object."""
    import ipywidgets as widgets

    if not 0 <= degree <= max_degree:
        raise ValueError(f"polynomial_fit_widget: degree must be in 0..{max_degree}, got {degree}")

    def show(degree: int) -> None:
        fig, ax = plt.subplots(figsize=(7, 4))
        plot_polynomial_fit(degree, train, test, ax=ax, truth=truth, truth_label=truth_label)
        plt.show()
        plt.close(fig)

    slider = widgets.IntSlider(value=degree, min=0, max=max_degree, description="degree")
    return widgets.interactive(show, degree=slider)


def polynomial_fit_frames(
    train: Data,
    test: Data,
    degree: int,
    degrees: Sequence[int] = (0, 1, 2, 3, 4, 5, 7, 9, 12),
    truth: Curve | None = None,
    truth_label: str = "truth",
):
    """The degree slider as precomputed frames (``dlcore.widgets.frames``): it moves in the static book too."""
    from dlcore.widgets.frames import frame_view

    def draw(degree: int) -> Figure:
        fig, ax = plt.subplots(figsize=(7, 4))
        plot_polynomial_fit(degree, train, test, ax=ax, truth=truth, truth_label=truth_label)
        return fig

    def alt(degree: int) -> str:
        model = fit_polynomial(degree, *train)
        return (
            f"Polynomial of degree {degree} fitted to {len(train[0])} training points: training MSE "
            f"{mse(model, *train):.3g}, test MSE {mse(model, *test):.3g}"
        )

    grid = sorted(set(degrees) | {degree})
    return frame_view(draw, {"degree": grid}, alt=alt, defaults={"degree": degree})

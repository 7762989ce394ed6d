"""What the trained MNIST-1D baselines say about one test signal, and about shifted signals (appendix A1).

Pick a test signal, slide it along the time axis by ``shift`` samples, and compare the class
probabilities softmax(logits) that the trained models give it. A model with a built-in
sense of "the same pattern somewhere else" (the CNN's shared kernels and global average
pool) keeps its answer when the signal moves; a model that gives every position its own
weights (logistic regression, the MLP) need not. ``shifted_accuracy`` measures that over the
whole test set (``plot_shifted_accuracy`` draws it), ``plot_predictions`` draws one signal,
and ``prediction_widget`` puts the signal's index and the shift on sliders.

The shift is circular (``np.roll``): samples pushed off one end come back at the other, so
every shifted signal still has 40 samples and no made-up values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcore.activations import softmax
from dlcore.model import Sequential
from dlcore.plotting import GRID_COLOR, PALETTE

Models = Mapping[str, Sequential]  # label -> trained model taking (N, 40)


def shift_signals(x: np.ndarray, shift: int) -> np.ndarray:
    """Move every signal ``shift`` samples later in time (earlier if negative), wrapping around.

    x: (L,) or (N, L) -> the same shape, a new array.
    """
    return np.roll(x, int(shift), axis=-1)


def class_probabilities(models: Models, signal: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's softmax probabilities for one signal. signal: (L,) -> {label: (10,)}."""
    signal = np.asarray(signal)
    if signal.ndim != 1:
        raise ValueError(f"class_probabilities: expected one signal of shape (L,), got shape {signal.shape}")
    return {label: softmax(model.predict(signal[None, :]))[0] for label, model in models.items()}


def shifted_accuracy(model: Sequential, x: np.ndarray, y: np.ndarray, shifts: Sequence[int]) -> np.ndarray:
    """Accuracy of ``model`` on x shifted by each amount. x: (N, L), y: (N,), shifts: (S,) -> (S,)."""
    accuracies = []
    for shift in shifts:
        predicted = np.argmax(model.predict(shift_signals(x, shift)), axis=1)  # (N, 10) -> (N,)
        accuracies.append(np.mean(predicted == y))
    return np.array(accuracies)


# --- pictures -----------------------------------------------------------------------------
def plot_predictions(
    models: Models,
    signal: np.ndarray,
    label: int,
    shift: int = 0,
    title: str = "",
    axes: tuple[Axes, Axes] | None = None,
) -> tuple[Axes, Axes]:
    """Left: the signal (after the shift); right: each model's probability for every class,
    with the true class shaded and each model's choice named in the legend.

    signal: (L,) one test signal, label: its true class. Returns the two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
    ax_signal, ax_probs = axes
    shifted = shift_signals(np.asarray(signal), shift)
    ax_signal.plot(np.arange(len(shifted)), shifted, color=PALETTE[6], lw=1.5)
    ax_signal.set(
        xlabel="position in the signal (sample index)",
        ylabel="value (arbitrary units)",
        title=title or f"a digit {label}, shifted by {shift} samples",
    )
    ax_signal.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)

    probabilities = class_probabilities(models, shifted)
    classes = np.arange(len(next(iter(probabilities.values()))))
    width = 0.8 / len(probabilities)
    ax_probs.axvspan(label - 0.45, label + 0.45, color=GRID_COLOR, alpha=0.35, label=f"true class {label}")
    for k, (name, p) in enumerate(probabilities.items()):
        offset = (k - (len(probabilities) - 1) / 2) * width
        ax_probs.bar(classes + offset, p, width, color=PALETTE[k], label=f"{name}: says {int(np.argmax(p))}")
    ax_probs.set(
        xticks=classes,
        ylim=(0, 1),
        xlabel="class (digit)",
        ylabel="probability",
        title="What each trained model answers",
    )
    ax_probs.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax_signal, ax_probs


def plot_shifted_accuracy(shifts: Sequence[int], curves: Mapping[str, np.ndarray], ax: Axes | None = None) -> Axes:
    """Test accuracy against the shift applied to every test signal, one line per model.

    shifts: (S,); curves: {label: (S,) accuracies in 0..1}, e.g. from ``shifted_accuracy``.
    """
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    markers = "osD^"
    for k, (label, accuracy) in enumerate(curves.items()):
        ax.plot(shifts, 100 * np.asarray(accuracy), marker=markers[k % len(markers)], color=PALETTE[k], label=label)
    ax.set(
        xlabel="shift of every test signal (samples, circular)",
        ylabel="test accuracy (%)",
        ylim=(0, 100),
        title="Moving the digits: accuracy on shifted test signals",
    )
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def prediction_widget(
    models: Models, x: np.ndarray, y: np.ndarray, index: int = 0, shift: int = 0, max_shift: int = 10
):
    """Sliders for the test signal's index (0 .. N-1) and the shift (-max_shift .. max_shift)
    driving ``plot_predictions``. x: (N, L), y: (N,). Returns the ``ipywidgets.interactive``."""
    import ipywidgets as widgets

    if not 0 <= index < len(x):
        raise ValueError(f"prediction_widget: index must be in 0..{len(x) - 1}, got {index}")
    if abs(shift) > max_shift:
        raise ValueError(f"prediction_widget: shift must be in -{max_shift}..{max_shift}, got {shift}")

    def show(index: int, shift: int) -> None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
        plot_predictions(models, x[index], int(y[index]), shift, axes=axes)
        fig.tight_layout()
        plt.show()
        plt.close(fig)

    index_slider = widgets.IntSlider(value=index, min=0, max=len(x) - 1, description="test signal")
    shift_slider = widgets.IntSlider(value=shift, min=-max_shift, max=max_shift, description="shift")
    return widgets.interactive(show, index=index_slider, shift=shift_slider)


def prediction_frames(
    models: Models,
    x: np.ndarray,
    y: np.ndarray,
    indices: Sequence[int] = (0, 1, 2, 3),
    shifts: Sequence[int] = (-8, -4, 0, 4, 8),
):
    """Test signal and shift as precomputed frames (``dlcore.widgets.frames``)."""
    from dlcore.widgets.frames import frame_view

    def draw(index: int, shift: int) -> Figure:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
        plot_predictions(models, x[index], int(y[index]), shift, axes=axes)
        fig.tight_layout()
        return fig

    def alt(index: int, shift: int) -> str:
        probs = class_probabilities(models, shift_signals(x[index], shift))
        choices = ", ".join(f"{name} says {int(np.argmax(p))}" for name, p in probs.items())
        return f"Test signal {index} (class {int(y[index])}) shifted by {shift} samples: {choices}"

    return frame_view(
        draw, {"index": list(indices), "shift": list(shifts)}, alt=alt, defaults={"index": indices[0], "shift": 0},
        labels={"index": "test signal"},
    )  # fmt: skip

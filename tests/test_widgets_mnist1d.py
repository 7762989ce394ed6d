"""The MNIST-1D prediction widget of appendix A1 (dlcore.widgets.mnist1d)."""

import matplotlib

matplotlib.use("agg")
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.layers import Dense
from dlcore.mnist1d import AddChannelAxis
from dlcore.model import Sequential
from dlcore.pooling import GlobalAvgPool1D
from dlcore.widgets import mnist1d as W

L = 40


def position_model():
    """Logits = the signal's values at positions 0, 4, ..., 36: it answers "where is the bump?"."""
    layer = Dense(L, 10, rng=0)
    layer.W.value[...] = 0.0
    layer.W.value[4 * np.arange(10), np.arange(10)] = 1.0
    layer.b.value[...] = 0.0
    return Sequential([layer])


def mean_model():
    """Logits depend only on the signal's mean: blind to where anything sits."""
    return Sequential([AddChannelAxis(), GlobalAvgPool1D(), Dense(1, 10, rng=0)])


def bump_signals(n=50, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = 0.1 * rng.standard_normal((n, L)).astype(np.float32)
    x[np.arange(n), 4 * y] += 2.0
    return x, y


def test_shift_moves_samples_later_and_wraps_around():
    x = np.arange(L, dtype=np.float32)
    shifted = W.shift_signals(x, 3)
    assert shifted[3] == x[0] and shifted[0] == x[L - 3]
    np.testing.assert_array_equal(W.shift_signals(shifted, -3), x)
    np.testing.assert_array_equal(W.shift_signals(x, L), x)
    batch = np.stack([x, 2 * x])
    np.testing.assert_array_equal(W.shift_signals(batch, 1)[1], W.shift_signals(2 * x, 1))  # along time only
    assert W.shift_signals(x, 0) is not x  # a new array, never the caller's


def test_class_probabilities_are_each_models_softmax():
    x, _ = bump_signals()
    models = {"position": position_model(), "mean": mean_model()}
    probabilities = W.class_probabilities(models, x[0])
    assert list(probabilities) == ["position", "mean"]
    logits = x[0, 4 * np.arange(10)].astype(np.float64)
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(probabilities["position"], expected, rtol=1e-5)
    for p in probabilities.values():
        assert p.shape == (10,) and p.sum() == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match=r"one signal of shape \(L,\)"):
        W.class_probabilities(models, x[:2])


def test_shifted_accuracy_separates_position_blind_and_position_bound_models():
    x, y = bump_signals(200)
    shifts = [-4, -1, 0, 1, 4]
    blind = W.shifted_accuracy(mean_model(), x, y, shifts)
    assert blind.shape == (5,)
    np.testing.assert_allclose(blind, blind[2], atol=0.011)  # a circular shift leaves the mean alone
    bound = W.shifted_accuracy(position_model(), x, y, shifts)
    assert bound[2] == 1.0  # unshifted: every bump where this model looks
    assert bound[4] < 0.5 and bound[0] < 0.5  # moved by one class's width: the model reads the wrong digit


def test_plot_predictions_shows_the_shifted_signal_and_one_bar_per_model_and_class():
    x, y = bump_signals()
    models = {"position": position_model(), "mean": mean_model()}
    ax_signal, ax_probs = W.plot_predictions(models, x[1], int(y[1]), shift=2)
    np.testing.assert_array_equal(ax_signal.get_lines()[0].get_ydata(), np.roll(x[1], 2))
    bars = [p for p in ax_probs.patches if p.get_width() < 0.5]  # the shaded true class is wider
    assert len(bars) == 2 * 10
    legend = [t.get_text() for t in ax_probs.get_legend().get_texts()]
    assert f"true class {y[1]}" in legend and any(t.startswith("position: says") for t in legend)
    assert ax_signal.get_xlabel() and ax_probs.get_ylabel() and ax_probs.get_title()
    plt.close("all")


def test_plot_shifted_accuracy_draws_one_curve_per_model_in_percent():
    ax = W.plot_shifted_accuracy([-2, 0, 2], {"position": np.array([0.1, 1.0, 0.1]), "mean": np.full(3, 0.3)})
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["position", "mean"]
    np.testing.assert_allclose(lines[0].get_ydata(), [10.0, 100.0, 10.0])
    np.testing.assert_array_equal(lines[0].get_xdata(), [-2, 0, 2])
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close("all")


def test_widget_has_index_and_shift_sliders_whose_callback_redraws(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf().axes[0].get_title()))
    x, y = bump_signals(20)
    w = W.prediction_widget({"position": position_model()}, x, y, index=3, shift=1, max_shift=5)
    index, shift = w.children[0], w.children[1]
    assert isinstance(index, widgets.IntSlider) and isinstance(shift, widgets.IntSlider)
    assert (index.value, index.min, index.max) == (3, 0, 19)
    assert (shift.value, shift.min, shift.max) == (1, -5, 5)
    shift.value = -2
    assert shown[-1] == f"a digit {y[3]}, shifted by -2 samples"
    assert plt.get_fignums() == []  # each redraw closes its figure
    with pytest.raises(ValueError, match="index must be in 0..19"):
        W.prediction_widget({"position": position_model()}, x, y, index=20)
    with pytest.raises(ValueError, match="shift must be in -5..5"):
        W.prediction_widget({"position": position_model()}, x, y, shift=6, max_shift=5)

"""The single-neuron widget of chapter 05 (dlcore.widgets.neuron)."""

import ipywidgets as widgets
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import neuron as N


@pytest.fixture(scope="module")
def data():
    return N.neuron_data(120, rng=3)


def test_cost_and_accuracy_of_a_zero_neuron_are_log2_and_the_share_of_class_zero(data):
    X, y = data
    cost, accuracy = N.cost_and_accuracy(X, y, 0.0, 0.0, 0.0)
    assert cost == pytest.approx(np.log(2))  # p = 0.5 for every example
    assert accuracy == pytest.approx(np.mean(y == 0))  # z = 0 is not > 0, so every prediction is class 0


def test_flipping_the_weights_flips_every_prediction(data):
    X, y = data
    _, acc = N.cost_and_accuracy(X, y, 1.5, 0.5, 0.2)
    _, acc_flipped = N.cost_and_accuracy(X, y, -1.5, -0.5, -0.2)
    assert acc + acc_flipped == pytest.approx(1.0)


def test_cost_surface_agrees_with_the_cost_at_each_grid_point(data):
    X, y = data
    w1s, w2s = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    J = N.cost_surface(X, y, 0.3, w1s, w2s)
    assert J.shape == (4, 5)
    for i, w2 in enumerate(w2s):
        for j, w1 in enumerate(w1s):
            assert J[i, j] == pytest.approx(N.cost_and_accuracy(X, y, w1, w2, 0.3)[0])


def test_best_fit_has_zero_gradient_and_beats_nearby_weights(data):
    X, y = data
    w1, w2, b = N.best_fit(X, y)
    best = N.cost_and_accuracy(X, y, w1, w2, b)[0]
    for dw1, dw2, db in [(0.1, 0, 0), (0, -0.1, 0), (0, 0, 0.1)]:
        assert N.cost_and_accuracy(X, y, w1 + dw1, w2 + dw2, b + db)[0] > best


def test_plot_reports_cost_and_accuracy_in_its_title(data):
    X, y = data
    fig = N.plot_neuron(1.0, 2.0, -0.5, X, y)
    cost, accuracy = N.cost_and_accuracy(X, y, 1.0, 2.0, -0.5)
    titles = [ax.get_title() for ax in fig.axes]
    assert any(f"cost {cost:.3f}" in t and f"{accuracy:.1%}" in t for t in titles)
    plt.close(fig)


def test_plot_handles_zero_weights_without_a_boundary(data):
    X, y = data
    with np.errstate(all="raise"):
        fig = N.plot_neuron(0.0, 0.0, 0.0, X, y)
    plt.close(fig)


def test_widget_has_three_sliders_and_redraws_with_their_values(monkeypatch, data):
    X, y = data
    calls = []
    monkeypatch.setattr(N, "plot_neuron", lambda w1, w2, b, X, y: calls.append((w1, w2, b)) or plt.figure())
    w = N.neuron_widget(X=X, y=y)
    sliders = [c for c in w.children if isinstance(c, widgets.FloatSlider)]
    assert [s.description for s in sliders] == ["w1", "w2", "b"]
    sliders[2].value = 1.5
    assert calls[-1] == pytest.approx((N.DEFAULT_W1, N.DEFAULT_W2, 1.5))
    plt.close("all")


def test_widget_callback_closes_its_figure(data):
    plt.close("all")
    w = N.neuron_widget(X=data[0], y=data[1])
    w.update()
    assert plt.get_fignums() == []

"""The neural-network playground of chapter 06 (dlcore.widgets.playground)."""

import ipywidgets as widgets
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import playground as P


@pytest.mark.parametrize("name", P.DATASETS)
def test_every_dataset_is_2d_binary_float32_and_repeatable(name):
    X, y = P.make_dataset(name, n=60, rng=4)
    X2, y2 = P.make_dataset(name, n=60, rng=4)
    assert X.shape == (60, 2) and X.dtype == np.float32 and set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_unknown_dataset_and_activation_are_rejected():
    with pytest.raises(ValueError, match="moons"):
        P.make_dataset("swiss roll")
    with pytest.raises(ValueError, match="relu"):
        P.train_playground(activation="swish", epochs=1)


def test_same_settings_give_the_same_run():
    a = P.train_playground("xor", "relu", width=4, lr=0.1, epochs=5, n=50, seed=2)
    b = P.train_playground("xor", "relu", width=4, lr=0.1, epochs=5, n=50, seed=2)
    assert a.losses == b.losses


def test_a_hidden_layer_learns_xor_and_a_linear_one_cannot():
    relu = P.train_playground("xor", "relu", width=8, lr=0.1, epochs=100, n=200, seed=0)
    linear = P.train_playground("xor", "linear", width=8, lr=0.1, epochs=100, n=200, seed=0)
    assert relu.accuracies[-1] > 0.9
    assert linear.accuracies[-1] < 0.8  # a line gets at most about 3/4 of the XOR square right
    assert relu.losses[-1] < relu.losses[0]


def test_predicted_probabilities_lie_in_zero_one():
    run = P.train_playground("moons", "tanh", width=4, lr=0.1, epochs=3, n=40)
    p = P.predict_proba(run, np.array([[0.0, 0.0], [5.0, -5.0]], dtype=np.float32))
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))


def test_a_huge_learning_rate_does_not_raise_and_still_plots():
    run = P.train_playground("moons", "relu", width=8, lr=1e6, epochs=20, n=60)
    assert len(run.losses) <= 20
    fig = P.plot_playground(run)
    plt.close(fig)


def test_plot_titles_report_the_settings_and_the_final_loss():
    run = P.train_playground("circles", "sigmoid", width=3, lr=0.2, epochs=4, n=40)
    fig = P.plot_playground(run)
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "circles" in titles and "sigmoid" in titles and "3 hidden units" in titles
    assert f"loss {run.losses[-1]:.3f}" in titles
    plt.close(fig)


def _find(widget, kind):
    found = []
    for child in getattr(widget, "children", ()):
        if isinstance(child, kind):
            found.append(child)
        found.extend(_find(child, kind))
    return found


def test_widget_trains_only_when_the_button_is_pressed_with_the_chosen_settings(monkeypatch):
    calls = []
    real_train = P.train_playground

    def fake_train(**settings):
        calls.append(settings)
        return real_train(**{**settings, "epochs": 1, "n": 20})

    monkeypatch.setattr(P, "train_playground", fake_train)
    box = P.playground_widget()
    assert calls == []
    dropdowns = _find(box, widgets.Dropdown)
    dropdowns[0].value = "spirals"
    dropdowns[1].value = "relu"
    _find(box, widgets.Button)[0].click()
    assert calls[-1]["dataset"] == "spirals" and calls[-1]["activation"] == "relu"
    assert "trained" in _find(box, widgets.Label)[0].value
    plt.close("all")


def test_widget_offers_all_datasets_and_activations():
    box = P.playground_widget()
    dataset_menu, activation_menu = _find(box, widgets.Dropdown)
    assert tuple(dataset_menu.options) == P.DATASETS
    assert tuple(activation_menu.options) == P.ACTIVATIONS

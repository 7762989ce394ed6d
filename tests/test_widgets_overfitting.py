"""Polynomial fits of growing degree: under- and overfitting (dlcore.widgets.overfitting)."""

import matplotlib

matplotlib.use("agg")
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import overfitting as O


def noisy_sine(n, seed, noise=0.2):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    return x, np.sin(np.pi * x) + noise * rng.standard_normal(n)


def cubic(x):
    return 0.5 - 2.0 * x + 3.0 * x**3


def test_mse_averages_squared_differences():
    assert O.mse(lambda x: np.zeros_like(x), np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 3.0])) == pytest.approx(
        11 / 3
    )


def test_fit_of_matching_degree_recovers_an_exact_polynomial():
    x = np.linspace(-2, 3, 9)
    model = O.fit_polynomial(3, x, cubic(x))
    assert O.mse(model, x, cubic(x)) < 1e-20
    x_new = np.array([-1.7, 0.3, 2.9])  # between the fitted points: the same curve, not just the same points
    np.testing.assert_allclose(model(x_new), cubic(x_new), atol=1e-10)


def test_fit_with_as_many_coefficients_as_points_interpolates_them():
    x, y = noisy_sine(8, seed=0)
    assert O.mse(O.fit_polynomial(7, x, y), x, y) < 1e-20


def test_training_error_never_rises_with_degree_on_fixed_data():
    train, test = noisy_sine(15, seed=1), noisy_sine(200, seed=2)
    train_err, test_err = O.polynomial_errors(np.arange(13), train, test)
    assert train_err.shape == test_err.shape == (13,)
    assert np.all(np.diff(train_err) <= 1e-12)
    assert train_err[-1] < train_err[0] / 10


def test_test_error_falls_then_rises_on_noisy_sine():
    train, test = noisy_sine(15, seed=1), noisy_sine(500, seed=2)
    degrees = np.arange(13)
    _, test_err = O.polynomial_errors(degrees, train, test)
    best = int(np.argmin(test_err))
    assert 0 < best < 12  # neither the flattest nor the wildest polynomial generalises best
    assert test_err[0] > 2 * test_err[best]  # underfitting
    assert test_err[12] > 2 * test_err[best]  # overfitting
    assert test_err[best] > 0.2**2 * 0.5  # no model gets far below the noise variance


def test_errors_do_not_change_the_data():
    train, test = noisy_sine(15, seed=3), noisy_sine(50, seed=4)
    copies = [a.copy() for a in (*train, *test)]
    O.polynomial_errors([0, 3], train, test)
    for original, copy in zip((*train, *test), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_bad_inputs_are_rejected_with_a_named_message():
    with pytest.raises(ValueError, match="fit_polynomial: degree"):
        O.fit_polynomial(-1, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="same length"):
        O.polynomial_errors([1], (np.zeros(3), np.zeros(4)), (np.zeros(3), np.zeros(3)))


def test_fit_plot_shows_data_and_fit_with_both_errors_in_title():
    train, test = noisy_sine(15, seed=1), noisy_sine(100, seed=2)
    ax = O.plot_polynomial_fit(4, train, test, truth=lambda x: np.sin(np.pi * x), truth_label="sine")
    train_err, test_err = O.polynomial_errors([4], train, test)
    title = ax.get_title()
    assert title.startswith("degree 4")
    assert f"train MSE {train_err[0]:.3f}" in title and f"test MSE {test_err[0]:.3f}" in title
    assert ax.get_xlabel() and ax.get_ylabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["sine", "degree-4 fit", "15 training points"]
    plt.close("all")


def test_error_plot_is_log_scaled_and_marks_the_best_degree():
    degrees = np.arange(5)
    test_err = np.array([1.0, 0.5, 0.1, 0.3, 2.0])
    ax = O.plot_polynomial_errors(degrees, np.array([1.0, 0.4, 0.05, 0.02, 0.01]), test_err, noise_variance=0.04)
    assert ax.get_yscale() == "log"
    assert ax.get_title() and ax.get_xlabel() and "log" in ax.get_ylabel()
    assert any("degree 2" in line.get_label() for line in ax.get_lines())
    plt.close("all")


def test_widget_has_a_degree_slider_whose_callback_redraws_the_fit(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf().axes[0].get_title()))
    train, test = noisy_sine(15, seed=1), noisy_sine(100, seed=2)
    w = O.polynomial_fit_widget(train, test, degree=5, max_degree=10)
    slider = w.children[0]
    assert isinstance(slider, widgets.IntSlider)
    assert (slider.value, slider.min, slider.max) == (5, 0, 10)
    slider.value = 2
    assert shown[-1].startswith("degree 2:")
    with pytest.raises(ValueError, match="degree must be in 0..10"):
        O.polynomial_fit_widget(train, test, degree=11, max_degree=10)
    plt.close("all")

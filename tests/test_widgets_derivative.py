"""Finite differences and their error (dlcore.widgets.derivative)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import derivative as D


def cube(x):
    return x**3


def test_central_difference_is_exact_up_to_rounding_for_a_quadratic():
    # (x+h)^2 - (x-h)^2 = 4xh, so the central difference has no truncation error for quadratics.
    f = np.square
    for h in [1e-1, 1e-2, 1e-3]:
        assert D.central_difference(f, 3.0, h) == pytest.approx(6.0, rel=1e-10)
    # The forward difference of x^2 is 2x + h: its error is exactly the step.
    assert D.forward_difference(f, 3.0, 1e-2) - 6.0 == pytest.approx(1e-2, rel=1e-8)


def test_truncation_error_shrinks_like_h_for_forward_and_h_squared_for_central():
    steps = np.array([1e-2, 1e-3])
    errors = D.difference_errors(np.exp, np.exp, 0.5, steps)
    assert errors["forward"][0] / errors["forward"][1] == pytest.approx(10, rel=0.05)
    assert errors["central"][0] / errors["central"][1] == pytest.approx(100, rel=0.05)


def test_round_off_makes_tiny_steps_worse_than_moderate_ones():
    errors = D.difference_errors(np.sin, np.cos, 1.0, np.array([1e-13, 1e-8, 1e-5]))
    assert errors["forward"][0] > 100 * errors["forward"][1]
    assert errors["central"][0] > 100 * errors["central"][2]


def test_a_step_below_the_float_spacing_gives_a_zero_slope():
    # 1.0 + 1e-17 == 1.0 in float64, so the secant is flat and the error is all of f'(1).
    assert D.forward_difference(np.sin, 1.0, 1e-17) == 0.0


def test_measured_best_steps_sit_near_sqrt_eps_and_cube_root_eps():
    # Median over many points x0 smooths out the luck of individual roundings.
    steps = D.DEFAULT_STEPS
    typical = D.typical_difference_errors(np.sin, np.cos, np.linspace(0.5, 1.5, 41), steps)
    err_f, err_c = typical["forward"], typical["central"]
    h_f, _ = D.best_measured_step(steps, err_f)
    h_c, _ = D.best_measured_step(steps, err_c)
    assert np.sqrt(D.EPS64) / 10 < h_f < np.sqrt(D.EPS64) * 10
    assert np.cbrt(D.EPS64) / 10 < h_c < np.cbrt(D.EPS64) * 10
    assert err_c.min() < err_f.min() / 100  # the central difference is much more accurate at its best


def test_optimal_steps_minimise_the_error_model():
    f_x, d2, d3 = np.sin(1.0), -np.sin(1.0), -np.cos(1.0)
    best = D.optimal_steps(f_x, d2, d3)
    for name in ("forward", "central"):
        h = best[name]
        around = D.error_model(f_x, d2, d3, np.array([h / 1.5, h, h * 1.5]))[name]
        assert around[1] < around[0] and around[1] < around[2]


def test_error_model_follows_measurements_in_the_truncation_regime():
    steps = np.array([1e-1, 1e-2])
    measured = D.difference_errors(np.sin, np.cos, 1.0, steps)
    model = D.error_model(np.sin(1.0), -np.sin(1.0), -np.cos(1.0), steps)
    np.testing.assert_allclose(measured["forward"], model["forward"], rtol=0.1)
    np.testing.assert_allclose(measured["central"], model["central"], rtol=0.1)


def test_difference_errors_accept_vectorised_functions_and_return_one_error_per_step():
    errors = D.difference_errors(cube, lambda x: 3 * x**2, 2.0, D.DEFAULT_STEPS)
    assert errors["forward"].shape == errors["central"].shape == D.DEFAULT_STEPS.shape


def test_demo_figure_has_secant_and_error_panels_with_labels():
    fig = D.plot_derivative_demo(h=1e-3)
    left, right = fig.axes
    assert left.get_xlabel() and left.get_ylabel() and left.get_title()
    assert right.get_xscale() == "log" and right.get_yscale() == "log"
    assert "h" in right.get_xlabel()
    plt.close(fig)


def test_step_choices_run_from_1e_16_to_1_in_1_2_5_steps():
    values = [v for _, v in D.step_choices()]
    assert values[0] == pytest.approx(1e-16) and values[-1] == 1.0
    assert values == sorted(values)
    ratios = np.array(values[1:]) / np.array(values[:-1])
    np.testing.assert_allclose(sorted(set(np.round(ratios, 6))), [2.0, 2.5])


def test_widget_slider_starts_at_the_static_figures_step_and_drives_the_plot():
    w = D.derivative_widget()
    slider = w.children[0]
    assert slider.value == 0.5
    figures_before = len(plt.get_fignums())
    slider.value = 1e-10  # redraws without error
    assert len(plt.get_fignums()) == figures_before + 1
    with pytest.raises(ValueError, match="1-2-5"):
        D.derivative_widget(h=0.3)
    plt.close("all")

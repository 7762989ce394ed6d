"""Feature scaling and gradient descent on the linear-regression loss (dlcore.widgets.scaling_descent)."""

import ipywidgets as widgets
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.widgets import scaling_descent as S


@pytest.fixture(scope="module")
def houses():
    return S.make_house_prices(60, rng=1)


# --- data and scaling ------------------------------------------------------------------
def test_house_prices_are_repeatable_and_inside_their_ranges():
    X, y = S.make_house_prices(50, rng=3)
    X2, y2 = S.make_house_prices(50, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.shape == (50, 2) and y.shape == (50,)
    assert S.AREA_RANGE[0] <= X[:, 0].min() and X[:, 0].max() <= S.AREA_RANGE[1]
    assert S.AGE_RANGE[0] <= X[:, 1].min() and X[:, 1].max() <= S.AGE_RANGE[1]


def test_scalings_map_features_to_their_promised_ranges(houses):
    X, _ = houses
    mm = S.scale(X, "minmax")
    np.testing.assert_allclose(mm.min(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(mm.max(axis=0), 1.0, atol=1e-12)
    st = S.scale(X, "standard")
    np.testing.assert_allclose(st.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(st.std(axis=0), 1.0, atol=1e-12)
    none = S.scale(X, "none")
    np.testing.assert_array_equal(none, X)
    assert not np.shares_memory(none, X)


def test_unknown_scaling_is_rejected_with_the_valid_names(houses):
    with pytest.raises(ValueError, match="minmax"):
        S.scale(houses[0], "log")


# --- the quadratic ------------------------------------------------------------------------
def test_quadratic_form_equals_the_mean_squared_error(houses):
    X, y = houses
    H, g, c = S.mse_quadratic(X, y)
    rng = np.random.default_rng(0)
    for theta in rng.normal(size=(5, 3)):
        direct = np.mean((X @ theta[:2] + theta[2] - y) ** 2)
        assert theta @ H @ theta / 2 - g @ theta + c == pytest.approx(direct, rel=1e-10)
        assert S.mse(theta, X, y) == pytest.approx(direct, rel=1e-12)


def test_gradient_H_theta_minus_g_matches_finite_differences(houses):
    X, y = houses
    x = S.scale(X, "standard")
    H, g, _ = S.mse_quadratic(x, y)
    theta = np.array([10.0, -5.0, 300.0])
    numeric = numerical_gradient(lambda t: S.mse(t, x, y), theta.copy())
    assert relative_error(H @ theta - g, numeric) < 1e-7


def test_optimum_has_zero_gradient_and_lowest_loss(houses):
    X, y = houses
    theta, best = S.optimum(X, y)
    H, g, _ = S.mse_quadratic(X, y)
    np.testing.assert_allclose(H @ theta - g, 0.0, atol=1e-6 * np.abs(g).max())
    assert best < S.mse(theta + np.array([0.01, 0.0, 0.0]), X, y)


def test_standardising_one_feature_makes_the_hessian_twice_the_identity(houses):
    X, _ = houses
    info = S.conditioning(S.scale(X[:, :1], "standard"))
    np.testing.assert_allclose(info.eigenvalues, [2.0, 2.0], rtol=1e-10)
    assert info.kappa == pytest.approx(1.0)
    assert info.lr_max == pytest.approx(1.0) and info.lr_best == pytest.approx(0.5)


def test_scaling_lowers_the_condition_number_in_the_expected_order(houses):
    X, _ = houses
    kappas = [S.conditioning(S.scale(X, m)).kappa for m in ("none", "minmax", "standard")]
    assert kappas[0] > 1000 * kappas[1] and kappas[1] > 10 * kappas[2] and kappas[2] >= 1.0


# --- gradient descent ---------------------------------------------------------------------
def test_descent_diverges_just_above_the_stability_limit_and_converges_just_below(houses):
    X, y = houses
    x = S.scale(X, "minmax")
    info = S.conditioning(x)
    above = S.gradient_descent(x, y, lr=1.05 * info.lr_max, max_steps=5000)
    below = S.gradient_descent(x, y, lr=0.95 * info.lr_max, max_steps=5000)
    assert above.diverged and above.converged_at is None
    assert not below.diverged and below.converged_at is not None


def test_descent_path_starts_at_zero_and_follows_the_update_rule(houses):
    X, y = houses
    x = S.scale(X, "standard")
    H, g, _ = S.mse_quadratic(x, y)
    result = S.gradient_descent(x, y, lr=0.1, max_steps=3)
    np.testing.assert_array_equal(result.path[0], 0.0)
    for before, after in zip(result.path[:-1], result.path[1:], strict=True):
        np.testing.assert_allclose(after, before - 0.1 * (H @ before - g))
    np.testing.assert_allclose(result.losses, S.mse(result.path, x, y))


@pytest.mark.parametrize(
    "method, lr_fraction", [("minmax", 0.3), ("minmax", 0.9), ("standard", 0.05), ("standard", 0.8)]
)
def test_closed_form_step_count_equals_the_count_of_the_actual_loop(houses, method, lr_fraction):
    X, y = houses
    x = S.scale(X, method)
    lr = lr_fraction * S.conditioning(x).lr_max
    run = S.gradient_descent(x, y, lr, max_steps=20_000, stop_when_converged=True)
    assert run.converged_at is not None
    assert S.steps_to_converge(x, y, lr) == run.converged_at


def test_closed_form_reports_divergence_and_the_edge_of_stability_as_none(houses):
    X, y = houses
    x = S.scale(X, "standard")
    lr_max = S.conditioning(x).lr_max
    assert S.steps_to_converge(x, y, 1.01 * lr_max) is None
    assert S.steps_to_converge(x, y, 1e-9, max_steps=1000) is None  # too slow to finish within the cap


def test_standardised_features_converge_fastest_at_half_the_stability_limit(houses):
    X, y = houses
    steps = {}
    for m in S.SCALINGS:
        x = S.scale(X, m)
        steps[m] = S.steps_to_converge(x, y, S.conditioning(x).lr_max / 2)
    assert steps["standard"] < steps["minmax"] < steps["none"]


# --- pictures and widget -----------------------------------------------------------------
def test_contour_plot_is_labelled_and_reports_the_run(houses):
    X, y = houses
    x = S.scale(X[:, :1], "standard")
    ax = S.plot_descent_contours(x, y, lr=0.5, steps=10)
    assert ax.get_title().endswith("converged after 1 step")
    assert ax.get_xlabel() and ax.get_ylabel()
    plt.close(ax.figure)


def test_contour_plot_needs_exactly_one_feature(houses):
    with pytest.raises(ValueError, match=r"\(N, 1\)"):
        S.plot_descent_contours(houses[0], houses[1], lr=0.1)


def test_figure_title_says_when_the_learning_rate_diverges():
    fig = S.plot_scaling_descent("none", lr=0.1, steps=10)
    assert "diverges" in fig._suptitle.get_text()
    plt.close(fig)


def test_widget_offers_three_scalings_and_redraws_with_the_chosen_values(monkeypatch):
    calls = []
    monkeypatch.setattr(
        S, "plot_scaling_descent", lambda method, lr, steps: calls.append((method, lr, steps)) or plt.figure()
    )
    w = S.scaling_descent_widget()
    dropdown = next(c for c in w.children if isinstance(c, widgets.Dropdown))
    assert [value for _, value in dropdown.options] == list(S.SCALINGS)
    dropdown.value = "minmax"
    assert calls[-1][0] == "minmax"
    plt.close("all")


def test_widget_callback_closes_its_figure():
    plt.close("all")
    w = S.scaling_descent_widget(steps=5)
    w.update()
    assert plt.get_fignums() == []

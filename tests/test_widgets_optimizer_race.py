"""Optimizers racing on 2-D surfaces (dlcore.widgets.optimizer_race)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.widgets import optimizer_race as R


@pytest.mark.parametrize("name", list(R.SURFACES))
def test_surface_gradients_match_finite_differences_and_minima_are_where_stated(name):
    s = R.SURFACES[name]
    p = np.array([0.3, -0.7])
    assert relative_error(s.grad(p), numerical_gradient(lambda q: float(s.f(q)), p.copy())) < 1e-7
    argmin = {"bowl": (0.0, 0.0), "rosenbrock": (1.0, 1.0), "saddle": (0.0, 1.0)}[name]
    assert float(s.f(np.array(argmin))) == pytest.approx(s.f_min)
    assert np.allclose(s.grad(np.array(argmin)), 0)


def test_plain_sgd_path_is_the_gradient_descent_recursion():
    path = R.race("bowl", "SGD", 0.03, steps=5)
    p = np.array(R.SURFACES["bowl"].start)
    for k in range(1, 6):
        p = p - 0.03 * R.SURFACES["bowl"].grad(p)
        np.testing.assert_allclose(path[k], p)


def test_momentum_beats_plain_sgd_on_the_ill_conditioned_bowl_and_divergence_is_reported():
    gaps = R.final_gaps("bowl", 0.01, 0.9)
    assert gaps["Momentum"] < 1e-3 * gaps["SGD"]
    assert R.final_gaps("rosenbrock", 0.03, 0.9)["SGD"] == float("inf")
    assert len(R.race("rosenbrock", "SGD", 0.03)) < 151


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match="name must be one of"):
        R.make_optimizer("Lion", None, 0.1, 0.9)


def test_plot_and_alt_text():
    fig = R.plot_race("saddle", 0.03, 0.9)
    assert len(fig.axes) == 2 and fig.axes[1].get_yscale() == "log"
    assert len(fig.axes[0].get_lines()) == len(R.OPTIMIZERS) + 1
    plt.close(fig)
    alt = R.race_alt("rosenbrock", 0.03, 0.9)
    assert "rosenbrock" in alt and "diverged: SGD" in alt


def test_book_frames_each_show_their_own_picture_and_numbers():
    from dlcore.widgets.frames import frame_view

    view = frame_view(R.plot_race, controls={"surface": ["bowl", "saddle"], "lr": [0.003, 0.03]}, alt=R.race_alt)
    html = [frame.value for frame in view.frames.values()]
    alts = [h.split('alt="')[1].split('"')[0] for h in html]
    assert len(set(html)) == len(set(alts)) == 4 and all(any(c.isdigit() for c in a) for a in alts)

"""Batch, stochastic and mini-batch descent on the line-fitting bowl (dlcore.widgets.descent_paths)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.widgets import descent_paths as D

X, Y = D.make_line_data()


def test_gradient_and_hessian_match_finite_differences():
    theta = np.array([0.3, -0.7])
    num = numerical_gradient(lambda t: float(D.loss(t, X, Y)), theta.copy())
    assert relative_error(D.gradient(theta, X, Y), num) < 1e-8
    num_h = np.stack([numerical_gradient(lambda t, i=i: D.gradient(t, X, Y)[i], theta.copy()) for i in range(2)])
    np.testing.assert_allclose(num_h, D.hessian(X), rtol=1e-6)


def test_full_batch_descent_converges_just_below_two_over_lambda_max_and_diverges_just_above():
    limit = D.lr_limit(X)
    below = D.sgd_path(X, Y, 0.95 * limit, len(X), epochs=400)
    above = D.sgd_path(X, Y, 1.05 * limit, len(X), epochs=400)
    best = float(D.loss(D.minimizer(X, Y), X, Y))
    assert below.epoch_loss[-1] == pytest.approx(best, rel=1e-6)
    assert above.epoch_loss[-1] > 1e6 * above.epoch_loss[0]


def test_steps_per_epoch_and_path_length_follow_the_batch_size():
    path = D.sgd_path(X, Y, 0.01, 10, epochs=3)
    assert path.steps_per_epoch == 7  # ceil(64 / 10)
    assert path.thetas.shape == (3 * 7 + 1, 2) and path.epoch_loss.shape == (4,)


def test_reshuffling_changes_the_batches_of_later_epochs_only():
    a = D.sgd_path(X, Y, 0.05, 8, epochs=2, reshuffle=True)
    b = D.sgd_path(X, Y, 0.05, 8, epochs=2, reshuffle=False)
    steps = a.steps_per_epoch
    np.testing.assert_array_equal(a.thetas[: steps + 1], b.thetas[: steps + 1])
    assert not np.allclose(a.thetas[steps + 1 :], b.thetas[steps + 1 :])


def test_clipping_bounds_every_step():
    lr, clip = 0.1, 0.5
    path = D.sgd_path(X, Y, lr, 4, epochs=2, clip_norm=clip)
    steps = np.linalg.norm(np.diff(path.thetas, axis=0), axis=1)
    assert steps.max() <= lr * clip + 1e-12


def test_bad_batch_size_is_rejected():
    with pytest.raises(ValueError, match="batch_size must be in 1..64"):
        D.sgd_path(X, Y, 0.1, 0)


def test_plot_and_alt_text():
    fig = D.plot_descent(0.5, 8)
    assert [ax.get_xlabel() for ax in fig.axes] == ["weight w", "epoch"]
    plt.close(fig)
    assert "diverges" in D.descent_alt(1.05, 64)
    assert "ends at loss" in D.descent_alt(0.5, 64)


def test_book_frames_each_show_their_own_picture_and_numbers():
    from dlcore.widgets.frames import frame_view

    view = frame_view(D.plot_descent, controls={"lr_factor": [0.5, 1.05], "batch_size": [8, 64]}, alt=D.descent_alt)
    html = [frame.value for frame in view.frames.values()]
    alts = [h.split('alt="')[1].split('"')[0] for h in html]
    assert len(set(html)) == len(set(alts)) == 4 and all(any(c.isdigit() for c in a) for a in alts)

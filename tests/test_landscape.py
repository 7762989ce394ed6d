"""Loss-landscape tools: flat parameter vectors, sharpness and slices (dlcore.landscape)."""

import numpy as np
import pytest

from dlcore import landscape
from dlcore.layers import Dense, Tanh
from dlcore.losses import MSE
from dlcore.model import Sequential


def linear_model(rng=0):
    return Sequential([Dense(3, 1, rng=rng, dtype=np.float64)])


def test_flat_params_round_trip():
    model = Sequential([Dense(3, 4, rng=0, dtype=np.float64), Tanh(), Dense(4, 2, rng=1, dtype=np.float64)])
    theta = landscape.flat_params(model)
    assert theta.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    landscape.set_flat_params(model, theta * 2)
    np.testing.assert_allclose(landscape.flat_params(model), theta * 2)
    with pytest.raises(ValueError, match="expected a vector of shape"):
        landscape.set_flat_params(model, theta[:-1])


def test_sharpness_of_a_linear_model_with_mse_is_the_top_hessian_eigenvalue():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)) * [1.0, 2.0, 0.5], rng.normal(size=(50, 1))
    model = linear_model()
    before = landscape.flat_params(model)
    A = np.hstack([x, np.ones((50, 1))])
    H = 2 * A.T @ A / 50  # Hessian of mean squared error in (w, b)
    assert landscape.sharpness(model, MSE(), x, y, iters=60) == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-4)
    np.testing.assert_array_equal(landscape.flat_params(model), before)  # weights restored


def test_random_direction_has_each_arrays_norm_and_slices_pass_through_the_current_loss():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    model = linear_model()
    d = landscape.random_direction(model, rng=2)
    W = model.layers[0].W.value
    assert np.linalg.norm(d[: W.size]) == pytest.approx(np.linalg.norm(W))
    loss = MSE()
    here = loss(model.forward(x), y)
    line = landscape.loss_slice_1d(model, loss, x, y, d, np.array([-1.0, 0.0, 1.0]))
    assert line[1] == pytest.approx(here)
    plane = landscape.loss_slice_2d(
        model, loss, x, y, d, landscape.random_direction(model, rng=3), np.array([0.0, 1.0])
    )
    assert plane.shape == (2, 2) and plane[0, 0] == pytest.approx(here) and plane[0, 1] == pytest.approx(line[2])

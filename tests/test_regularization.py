"""dlcore.regularization: double descent, L1's exact zeros, weight decay against L2, scale through depth."""

import numpy as np
import pytest

from dlcore import regularization as R


def test_double_descent_peaks_where_the_features_equal_the_training_points():
    widths = [10, 20, 40, 80, 400]
    train, test = R.random_features_errors(widths, n_train=40, repeats=8)
    assert np.all(train[2:] < 1e-8)  # p >= n interpolates the training set
    assert test.argmax() == 2  # the peak at p = n = 40
    assert test[-1] < test[2] / 5 and test[0] < test[2] / 5  # falling on both sides of it


def test_soft_threshold_is_the_proximal_minimiser_of_the_l1_penalty():
    w, t = np.array([-2.0, -0.3, 0.0, 0.5, 3.0]), 0.5
    u = np.linspace(-4, 4, 80_001)
    brute = [u[np.argmin(0.5 * (u - wi) ** 2 + t * np.abs(u))] for wi in w]
    assert np.allclose(R.soft_threshold(w, t), brute, atol=1e-4)
    assert np.array_equal(R.soft_threshold(w, t)[1:4], np.zeros(3))


def test_proximal_lasso_gives_exact_zeros_and_the_subgradient_method_does_not():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 20))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=100)
    prox, sub = R.lasso(X, y, 0.1), R.lasso(X, y, 0.1, method="subgradient")
    assert np.count_nonzero(prox == 0) >= 15 and np.count_nonzero(sub == 0) == 0
    assert np.allclose(prox[:3], sub[:3], atol=0.05)  # the large weights agree
    with pytest.raises(ValueError, match="method"):
        R.lasso(X, y, 0.1, method="newton")


def test_weight_decay_equals_l2_under_sgd_but_not_under_adam():
    assert np.allclose(R.decay_paths("sgd+l2"), R.decay_paths("sgd+decay"), rtol=0, atol=1e-12)
    adam, adamw = R.decay_paths("adam+l2")[-1], R.decay_paths("adamw")[-1]
    assert adam[0] > 0.9 and adam[1] < 0.01  # coupled: the large-gradient weight barely decays
    assert np.isclose(adamw[0], adamw[1], atol=1e-6)  # decoupled: both decay alike


def test_he_initialisation_keeps_relu_activations_at_scale_and_small_normal_does_not():
    he, small = R.activation_scales("he", rng=0), R.activation_scales("normal", rng=0)
    assert 0.5 < he[-1] < 2.0 and small[-1] < 1e-10


def test_bias_variance_variance_peaks_at_p_equals_n_and_bias_falls_with_width():
    widths = [5, 20, 40, 400]
    bias2, variance = R.bias_variance(widths, repeats=8)
    assert variance.argmax() == 2 and variance[-1] < variance[2] / 100
    assert bias2[0] > bias2[1] and bias2[-1] < bias2[0]


def test_bias_variance_add_up_to_the_mean_test_error_minus_noise():
    # with many test points, mean test MSE = bias² + variance + noise² (0.3² = 0.09)
    bias2, variance = R.bias_variance([10], repeats=30, n_test=2000)
    errors = []
    for r in range(30):
        x_tr, y_tr = R.random_features_data(40, np.random.default_rng(r))
        x_te = np.random.default_rng(999).normal(size=(2000, R.INPUT_DIM))
        f_te = np.sin(x_te[:, 0]) + 0.5 * x_te[:, 1]
        both = R.random_features(np.concatenate([x_tr, x_te]), 10, np.random.default_rng(10_000 + 1000 * r + 10))
        w, *_ = np.linalg.lstsq(both[:40], y_tr, rcond=None)
        errors.append(np.mean((both[40:] @ w - f_te) ** 2))
    assert np.isclose(np.mean(errors), bias2[0] + variance[0], rtol=1e-6)

"""L1/L2 penalties: values, gradients, and how fit uses a layer's ``regularizer``."""

import numpy as np
import pytest

from dlcore import optim, regularizers
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.regularizers import L1, L2

W = np.array([[1.0, -2.0], [0.5, 0.0]])


def test_l2_penalty_is_half_lambda_sum_of_squares_and_its_gradient_lambda_w():
    reg = L2(0.1)
    assert reg.loss(W) == pytest.approx(0.5 * 0.1 * (1 + 4 + 0.25))
    np.testing.assert_allclose(reg.grad(W), 0.1 * W)


def test_l1_penalty_is_lambda_sum_of_abs_and_its_gradient_lambda_sign():
    reg = L1(0.1)
    assert reg.loss(W) == pytest.approx(0.1 * 3.5)
    np.testing.assert_allclose(reg.grad(W), [[0.1, -0.1], [0.1, 0.0]])


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.3)])
def test_penalty_gradients_match_numerical_gradients(reg):
    V = np.random.default_rng(0).standard_normal((3, 4))  # no zeros, where |w| has no derivative
    numeric = numerical_gradient(reg.loss, V.copy())
    assert relative_error(reg.grad(V), numeric) < 1e-6


def test_penalty_grads_are_found_in_nested_modules_and_skip_layers_without_regularizer():
    inner = Sequential([Dense(2, 3, rng=0), ReLU()])
    inner.layers[0].regularizer = L2(0.5)
    model = Sequential([inner, Dense(3, 1, rng=1)])
    model.layers[1].regularizer = None
    found = list(regularizers.regularized(model))
    assert len(found) == 1 and found[0][1] is inner.layers[0].W
    W0 = inner.layers[0].W.value
    assert regularizers.penalty(model) == pytest.approx(0.25 * np.sum(W0.astype(np.float64) ** 2), rel=1e-6)
    regularizers.add_penalty_grads(model)
    np.testing.assert_allclose(inner.layers[0].W.grad, 0.5 * W0, rtol=1e-6)


def test_fit_with_l2_regularizer_equals_sgd_with_weight_decay():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = rng.standard_normal((64, 1)).astype(np.float32)

    def trained(with_regularizer):
        layer = Dense(5, 1, bias=False, rng=3)  # weight_decay would also decay a bias
        if with_regularizer:
            layer.regularizer = L2(0.1)
        model = Sequential([layer])
        opt = optim.SGD(model.parameters(), lr=0.05, weight_decay=0.0 if with_regularizer else 0.1)
        model.compile("mse", opt)
        model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        return layer

    a, b = trained(True), trained(False)
    np.testing.assert_allclose(a.W.value, b.W.value, rtol=1e-5, atol=1e-6)


def test_fit_reports_the_penalty_in_the_loss():
    x = np.zeros((8, 2), dtype=np.float32)
    y = np.zeros((8, 1), dtype=np.float32)
    layer = Dense(2, 1, rng=0)
    layer.regularizer = L1(1.0)
    model = Sequential([layer])
    model.compile("mse", optim.SGD(model.parameters(), lr=0.0))  # lr 0: weights fixed, data loss 0
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    expected = float(np.abs(layer.W.value).sum())
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)
    assert model.evaluate(x, y)["loss"] == pytest.approx(expected, rel=1e-6)


def test_negative_lambda_is_rejected():
    with pytest.raises(ValueError, match="lam must be >= 0"):
        L2(-1.0)

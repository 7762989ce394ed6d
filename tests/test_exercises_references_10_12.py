"""The reference solutions of exercises 10-12, checked against independent computations.

The grader's expected answers come from these solutions, so they must be right: here they meet
dlcore's gradient-checked layers, finite differences and scikit-learn.
"""

import numpy as np
import pytest
import sklearn.metrics

from dlcore.gradcheck import numerical_gradient
from dlcore.layers import BatchNorm
from dlgrade import grade

RNG = np.random.default_rng(1012)


@pytest.fixture(scope="module")
def ref():
    namespace = {}
    for slug in ("10_batchnorm_dropout", "11_metrics", "12_residual_class"):
        namespace.update(vars(grade.reference(slug)))
    return type("Ref", (), {k: staticmethod(v) if callable(v) else v for k, v in namespace.items()})


# --- exercise 10 ----------------------------------------------------------------------------------
def test_batchnorm_train_and_eval_match_dlcore_batchnorm(ref):
    x = RNG.normal(2.0, 3.0, size=(5, 3))
    layer = BatchNorm(3, momentum=0.2, dtype=np.float64)
    layer.gamma.value[:] = [0.5, 1.5, 2.0]
    layer.beta.value[:] = [0.1, -0.2, 0.3]
    y, mean, var = ref.batchnorm_train(
        x, layer.gamma.value, layer.beta.value, layer.running_mean, layer.running_var, 0.2, layer.eps
    )
    assert np.allclose(y, layer.forward(x))
    assert np.allclose(mean, layer.running_mean) and np.allclose(var, layer.running_var)
    layer.eval()
    x_new = RNG.normal(size=(2, 3))
    expected = layer.forward(x_new)
    assert np.allclose(ref.batchnorm_eval(x_new, layer.gamma.value, layer.beta.value, mean, var, layer.eps), expected)


def test_batchnorm_backward_matches_finite_differences(ref):
    x, dy, gamma = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3)), RNG.uniform(0.5, 2, 3)
    beta = np.zeros(3)

    def loss():
        y, _, _ = ref.batchnorm_train(x, gamma, beta, np.zeros(3), np.ones(3), 0.1, 1e-5)
        return float(np.sum(y * dy))

    dx, dgamma, dbeta = ref.batchnorm_backward(dy, x, gamma, 1e-5)
    assert np.allclose(dx, numerical_gradient(lambda _: loss(), x), atol=1e-6)
    assert np.allclose(dgamma, numerical_gradient(lambda _: loss(), gamma), atol=1e-6)
    assert np.allclose(dbeta, numerical_gradient(lambda _: loss(), beta), atol=1e-6)


def test_inverted_dropout_keeps_the_mean_and_is_off_at_inference(ref):
    x = np.ones((200, 500))
    u = RNG.random(x.shape)
    y = ref.inverted_dropout(x, 0.3, u, True)
    assert abs(y.mean() - 1.0) < 0.01 and np.isclose(np.mean(y == 0), 0.3, atol=0.01)
    assert np.array_equal(ref.inverted_dropout(x, 0.3, u, False), x)


# --- exercise 11 ----------------------------------------------------------------------------------
def test_metrics_match_scikit_learn(ref):
    y_true, y_pred = RNG.integers(0, 4, 100), RNG.integers(0, 4, 100)
    y_pred[y_true == 3] = 0  # class 3 is never predicted right
    assert np.array_equal(
        ref.confusion_matrix(y_true, y_pred, 5), sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(5))
    )
    for average in ("macro", "micro"):
        expected = sklearn.metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=range(5), average=average, zero_division=0
        )[:3]
        assert np.allclose(ref.precision_recall_f1(y_true, y_pred, 5, average), expected)


def test_roc_auc_matches_scikit_learn_with_ties(ref):
    y = RNG.integers(0, 2, 60)
    s = np.round(RNG.normal(size=60) + y, 1)  # rounding makes ties
    assert np.isclose(ref.roc_auc(y, s), sklearn.metrics.roc_auc_score(y, s))


# --- exercise 12 ----------------------------------------------------------------------------------
def test_residual_block_gradients_match_finite_differences(ref):
    x, g = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    W1, b1, W2, b2 = RNG.normal(size=(4, 5)), RNG.normal(size=5), RNG.normal(size=(5, 4)), RNG.normal(size=4)

    def loss():
        return float(np.sum(ref.residual_forward(x, W1, b1, W2, b2) * g))

    grads = ref.residual_backward(x, W1, b1, W2, b2, g)
    for analytic, wrt in zip(grads, (x, W1, b1, W2, b2), strict=True):
        assert np.allclose(analytic, numerical_gradient(lambda _: loss(), wrt), atol=1e-6)


def test_linear_layer_accumulates_its_gradients(ref):
    x, W, b, g = RNG.normal(size=(3, 2)), RNG.normal(size=(2, 4)), RNG.normal(size=4), RNG.normal(size=(3, 4))
    y, dx, dW, db = ref.linear_layer(x, W, b, g)
    assert np.allclose(y, x @ W + b) and np.allclose(dx, g @ W.T)
    assert np.allclose(dW, 2 * x.T @ g) and np.allclose(db, 2 * g.sum(axis=0))

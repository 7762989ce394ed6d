"""The perceptron and logistic regression of chapter 05 (dlcore.linear_models)."""

import numpy as np
import pytest

from dlcore import linear_models as lm
from dlcore.gradcheck import numerical_gradient, relative_error

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


# --- data -----------------------------------------------------------------------------------
def test_separable_data_keep_their_margin_from_the_labelling_line():
    X, y = lm.make_separable(300, margin=0.15, rng=2)
    assert X.shape == (300, 2) and y.shape == (300,)
    distance = (X @ lm.SEPARABLE_W + lm.SEPARABLE_B) / np.linalg.norm(lm.SEPARABLE_W)
    assert np.all(np.abs(distance) >= 0.15)
    np.testing.assert_array_equal(y, (distance > 0).astype(int))
    assert 0 < y.mean() < 1


def test_two_blobs_have_two_balanced_classes_around_opposite_centres():
    X, y = lm.make_two_blobs(401, distance=4.0, std=0.5, rng=0)
    assert X.shape == (401, 2) and np.bincount(y).tolist() == [201, 200]
    centre0, centre1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    np.testing.assert_allclose(centre1 - centre0, 4.0 * np.array([2.0, 1.0]) / np.sqrt(5.0), atol=0.2)


# --- the perceptron -------------------------------------------------------------------------
def test_perceptron_separates_separable_data_within_novikoffs_bound():
    X, y = lm.make_separable(200, margin=0.1, rng=0)
    result = lm.train_perceptron(X, y, rng=0)
    assert result.converged and result.mistakes_per_epoch[-1] == 0
    np.testing.assert_array_equal(lm.perceptron_predict(X, result.w, result.b), y)
    _, _, bound = lm.perceptron_mistake_bound(X, y, lm.SEPARABLE_W, lm.SEPARABLE_B)
    assert 0 < result.total_mistakes <= bound


def test_perceptron_update_moves_the_weights_by_lr_times_error_times_x():
    X = np.array([[2.0, -1.0]])
    result = lm.train_perceptron(X, np.array([1]), lr=0.5, max_epochs=1)  # z = 0 -> predicts 0, error +1
    np.testing.assert_allclose(result.w, 0.5 * X[0])
    assert result.b == 0.5 and result.mistakes_per_epoch == [1]


def test_perceptron_never_fits_xor():
    result = lm.train_perceptron(XOR_X, XOR_Y, max_epochs=50, rng=0)
    assert not result.converged
    assert all(m > 0 for m in result.mistakes_per_epoch)
    for w, b in result.history:
        assert np.mean(lm.perceptron_predict(XOR_X, w, b) == XOR_Y) <= 0.75


def test_mistake_bound_rejects_a_line_that_does_not_separate():
    with pytest.raises(ValueError, match="does not separate"):
        lm.perceptron_mistake_bound(XOR_X, XOR_Y, np.array([1.0, 1.0]), -0.5)


def test_labels_other_than_zero_and_one_are_rejected():
    with pytest.raises(ValueError, match="0 or 1"):
        lm.train_perceptron(XOR_X, np.array([0, 1, 2, 1]))


# --- logistic regression --------------------------------------------------------------------
def test_cost_is_the_binary_cross_entropy_of_the_sigmoid():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20)
    w, b = rng.normal(size=3), 0.3
    p = 1 / (1 + np.exp(-(X @ w + b)))
    direct = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert lm.logistic_cost(X, y, w, b) == pytest.approx(direct, rel=1e-12)


def test_cost_stays_finite_for_confidently_wrong_predictions():
    X, y = np.array([[1.0], [-1.0]]), np.array([0, 1])
    with np.errstate(all="raise"):
        cost = lm.logistic_cost(X, y, np.array([1000.0]), 0.0)
    assert cost == pytest.approx(1000.0)


def test_gradients_match_finite_differences_of_the_cost():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 2, 30)
    w, b = rng.normal(size=4), -0.2
    dw, db = lm.logistic_gradients(X, y, w, b)
    assert relative_error(dw, numerical_gradient(lambda v: lm.logistic_cost(X, y, v, b), w.copy())) < 1e-7
    numeric_db = numerical_gradient(lambda v: lm.logistic_cost(X, y, w, float(v[0])), np.array([b]))
    assert relative_error(np.array([db]), numeric_db) < 1e-7


def test_loop_gradients_equal_the_vectorised_ones():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(15, 5)), rng.integers(0, 2, 15)
    w, b = rng.normal(size=5), 0.1
    dw_vec, db_vec = lm.logistic_gradients(X, y, w, b)
    dw_loop, db_loop = lm.logistic_gradients_loop(X, y, w, b)
    np.testing.assert_allclose(dw_loop, dw_vec, rtol=1e-12)
    assert db_loop == pytest.approx(db_vec, rel=1e-12)


def test_gradient_descent_lowers_the_cost_every_step_and_classifies_blobs():
    X, y = lm.make_two_blobs(200, distance=3.0, rng=0)
    fit = lm.train_logistic_regression(X, y, lr=0.5, epochs=200)
    assert len(fit.costs) == 201 and fit.costs[0] == pytest.approx(np.log(2))
    assert np.all(np.diff(fit.costs) <= 1e-12)
    accuracy = np.mean((lm.logistic_predict_proba(X, fit.w, fit.b) > 0.5) == y)
    assert accuracy > 0.9


def test_float32_data_give_float32_weights():
    X, y = lm.make_two_blobs(50, rng=0, dtype=np.float32)
    fit = lm.train_logistic_regression(X, y, lr=0.1, epochs=3)
    assert fit.w.dtype == np.float32
    dw, _ = lm.logistic_gradients(X, y, fit.w, fit.b)
    assert dw.dtype == np.float32


def test_training_does_not_modify_its_inputs():
    X, y = lm.make_two_blobs(40, rng=0)
    w0 = np.array([0.5, -0.5])
    X_before, y_before, w0_before = X.copy(), y.copy(), w0.copy()
    lm.train_logistic_regression(X, y, epochs=5, w0=w0)
    lm.train_perceptron(X, y, max_epochs=2, rng=0)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(w0, w0_before)

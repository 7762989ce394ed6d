import math

import numpy as np
import pytest
from scipy.special import ndtr

from dlcore import activations as A
from dlcore.gradcheck import numerical_gradient, relative_error

ELEMENTWISE = ["step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "softplus"]
SMOOTH = [name for name in ELEMENTWISE if name != "step"]
EXTREME = np.array([-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0])


def away_from_zero(shape, seed=0):
    """Random inputs with |x| >= 0.1, so finite differences never straddle a kink at 0."""
    x = np.random.default_rng(seed).uniform(0.1, 3.0, size=shape)
    return x * np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("shape", [(1,), (7,), (3, 4)])
def test_derivative_matches_finite_differences(name, shape):
    act = A.get_activation(name)
    x = away_from_zero(shape)
    numeric = numerical_gradient(lambda v: np.sum(act.fn(v)), x.copy())  # elementwise: d sum f / dx_i = f'(x_i)
    assert relative_error(act.grad(x), numeric) < 1e-6


def test_step_is_zero_or_one_and_has_zero_derivative():
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(A.step(x), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(A.step_grad(x), np.zeros(5))


def test_known_values():
    assert A.sigmoid(np.array(0.0)) == 0.5
    np.testing.assert_allclose(A.tanh(np.array([0.5])), [math.tanh(0.5)])
    np.testing.assert_allclose(A.relu(np.array([-2.0, 3.0])), [0.0, 3.0])
    np.testing.assert_allclose(A.leaky_relu(np.array([-2.0, 3.0]), alpha=0.1), [-0.2, 3.0])
    np.testing.assert_allclose(A.elu(np.array([-1.0, 2.0])), [math.exp(-1) - 1, 2.0])
    np.testing.assert_allclose(A.softplus(np.array([0.0])), [math.log(2.0)])


def test_gelu_is_the_exact_erf_form():
    x = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(A.gelu(x), x * ndtr(x), rtol=1e-12, atol=1e-15)  # x * standard normal CDF


def test_gelu_tanh_approximation_is_close_to_exact_gelu():
    x = np.linspace(-6, 6, 241)
    assert np.max(np.abs(A.gelu_tanh(x) - A.gelu(x))) < 1e-3


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_and_derivatives_are_finite_without_warnings_at_extremes(name, dtype):
    act = A.get_activation(name)
    x = EXTREME.astype(dtype)
    with np.errstate(all="raise"):
        y, dy = act.fn(x), act.grad(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))
    assert y.dtype == dtype and dy.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_softplus_saturate_correctly_for_large_inputs(dtype):
    x = np.array([-1000.0, 1000.0], dtype=dtype)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(A.sigmoid(x), [0.0, 1.0])
        np.testing.assert_array_equal(A.softplus(x), [0.0, 1000.0])
        np.testing.assert_array_equal(A.sigmoid_grad(x), [0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_large_logits(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]], dtype=dtype)
    with np.errstate(all="raise"):
        s = A.softmax(x)
        log_s = A.log_softmax(x)
    assert s.dtype == dtype and log_s.dtype == dtype
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(log_s))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(s[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(log_s[0], [0.0, -2000.0, -1000.0], rtol=1e-6)  # where softmax rounds to 0


def test_softmax_ignores_a_constant_shift_and_respects_axis():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(A.softmax(x + 50.0), A.softmax(x), rtol=1e-12)
    np.testing.assert_allclose(A.softmax(x, axis=0).sum(axis=0), np.ones(4))
    np.testing.assert_allclose(A.log_softmax(x), np.log(A.softmax(x)), rtol=1e-12)


@pytest.mark.parametrize("shape, axis", [((1, 5), -1), ((4, 3), -1), ((2, 3, 4), -1), ((4, 3), 0)])
def test_softmax_backward_matches_finite_differences(shape, axis):
    rng = np.random.default_rng(1)
    x, R = rng.standard_normal(shape), rng.standard_normal(shape)
    s = A.softmax(x, axis)
    numeric = numerical_gradient(lambda v: np.sum(A.softmax(v, axis) * R), x.copy())
    assert relative_error(A.softmax_backward(s, R, axis), numeric) < 1e-6


@pytest.mark.parametrize("shape", [(1, 5), (4, 3), (2, 3, 4)])
def test_log_softmax_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(2)
    x, R = rng.standard_normal(shape), rng.standard_normal(shape)
    numeric = numerical_gradient(lambda v: np.sum(A.log_softmax(v) * R), x.copy())
    assert relative_error(A.log_softmax_backward(A.log_softmax(x), R), numeric) < 1e-6


def test_float32_is_preserved_by_softmax_helpers():
    x = np.ones((2, 3), dtype=np.float32)
    s = A.softmax(x)
    assert A.softmax_backward(s, x).dtype == np.float32
    assert A.log_softmax_backward(A.log_softmax(x), x).dtype == np.float32


def test_integer_and_scalar_inputs_are_treated_as_float():
    assert A.relu(np.array([-1, 2])).dtype == np.float64
    assert float(A.sigmoid(0)) == 0.5


def test_get_activation_rejects_unknown_names_and_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu.*sigmoid"):
        A.get_activation("swish")
    assert A.get_activation("ReLU").fn is A.relu

import numpy as np
import pytest

from dlcore import layers as L
from dlcore import losses
from dlcore.gradcheck import check_loss_gradients, check_module_gradients, numerical_gradient, relative_error
from dlcore.module import Module, Parameter


@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_of_known_functions(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v * v), x.copy()), 2 * x, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x.copy()), np.cos(x), atol=1e-8)


def test_numerical_gradient_restores_every_entry():
    x = np.random.default_rng(1).standard_normal((3, 3))
    original = x.copy()
    numerical_gradient(lambda v: float(np.prod(v)), x)
    np.testing.assert_array_equal(x, original)


def test_numerical_gradient_restores_the_entry_when_f_raises():
    x = np.array([1.0, 2.0])

    def explode(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(explode, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_insists_on_float64():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(np.sum, np.ones(3, dtype=np.float32))


def test_relative_error_formula():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # max |a - b| = 0.1, max (|a| + |b|) = 6
    assert relative_error(np.array([1.0, -3.0]), np.array([1.1, -3.0])) == pytest.approx(0.1 / 6.0)
    assert relative_error(np.zeros(4), np.zeros(4)) == 0.0
    assert relative_error(np.zeros(1), np.array([1e-3])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


class WrongInputGrad(L.Dense):
    def backward(self, grad_out):
        return 2 * super().backward(grad_out)


class WrongBiasGrad(Module):
    """y = x + b, but backward forgets to sum the bias gradient over the batch."""

    def __init__(self):
        super().__init__()
        self.b = Parameter(np.array([0.5, -0.5]), "b")

    def forward(self, x):
        return x + self.b.value

    def backward(self, grad_out):
        self.b.grad += grad_out[0]
        return grad_out


def test_check_module_gradients_catches_a_wrong_input_gradient():
    errors = check_module_gradients(WrongInputGrad(3, 2, rng=0, dtype=np.float64), np.ones((4, 3)))
    assert errors["input"] > 0.1
    assert errors["W"] < 1e-6 and errors["b"] < 1e-6


def test_check_module_gradients_catches_a_wrong_parameter_gradient():
    errors = check_module_gradients(WrongBiasGrad(), np.random.default_rng(0).standard_normal((3, 2)))
    assert errors["input"] < 1e-6
    assert errors["b"] > 0.1


def test_check_module_gradients_leaves_the_input_untouched_and_accepts_a_loss():
    x = np.random.default_rng(0).standard_normal((4, 3))
    x_copy = x.copy()
    mse, target = losses.MSE(), np.zeros((4, 2))

    def loss_fn(out):
        return mse(out, target), mse.backward()

    errors = check_module_gradients(L.Dense(3, 2, rng=0, dtype=np.float64), x, loss_fn=loss_fn)
    assert max(errors.values()) < 1e-6
    np.testing.assert_array_equal(x, x_copy)


def test_check_module_gradients_explains_that_it_needs_float64():
    with pytest.raises(TypeError, match=r"parameter W of Dense\(3 -> 2\) is float32.*dtype=np.float64"):
        check_module_gradients(L.Dense(3, 2), np.ones((2, 3)))
    with pytest.raises(TypeError, match="float64 input"):
        check_module_gradients(L.ReLU(), np.ones((2, 3), dtype=np.float32))


class HalfGradientMSE(losses.MSE):
    def _backward(self):
        return 0.5 * super()._backward()


def test_check_loss_gradients_catches_a_wrong_loss_gradient():
    y_pred, y_true = np.array([[0.3, -1.0]]), np.array([[0.0, 0.5]])
    assert check_loss_gradients(losses.MSE(), y_pred, y_true) < 1e-6
    assert check_loss_gradients(HalfGradientMSE(), y_pred, y_true) > 0.1

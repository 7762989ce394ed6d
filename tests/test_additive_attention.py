"""Additive (Bahdanau) attention: gradients against finite differences, masks, shapes."""

import numpy as np
import pytest

from dlcore.additive_attention import AdditiveAttention
from dlcore.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


def _setup(mask=None):
    rng = np.random.default_rng(0)
    layer = AdditiveAttention(3, 4, attn_dim=5, rng=1, dtype=np.float64)
    layer.b.value[:] = rng.normal(size=5)  # nonzero bias so its gradient is exercised
    q = rng.normal(size=(2, 3, 3))
    k = rng.normal(size=(2, 4, 4))
    R = rng.normal(size=(2, 3, 4))
    return layer, q, k, R


@pytest.mark.parametrize("masked", [False, True])
def test_additive_attention_gradients_match_finite_differences(masked):
    layer, q, k, R = _setup()
    mask = np.array([[[True, True, False, False]], [[True, True, True, True]]]) if masked else None

    def loss():
        return float(np.sum(layer.forward(q, k, mask) * R))

    layer.zero_grad()
    layer.forward(q, k, mask)
    dq, dk = layer.backward(R)
    assert relative_error(dq, numerical_gradient(lambda _: loss(), q)) < TOL
    assert relative_error(dk, numerical_gradient(lambda _: loss(), k)) < TOL
    for name, p in layer.named_parameters():
        analytic = p.grad.copy()
        assert relative_error(analytic, numerical_gradient(lambda _: loss(), p.value)) < TOL, name


def test_additive_attention_weights_are_a_masked_distribution():
    layer, q, k, _ = _setup()
    mask = np.array([[[True, False, True, False]], [[True, True, True, False]]])
    out = layer(q, k, mask)
    A = layer.attention_weights
    assert out.shape == (2, 3, 4) and A.shape == (2, 3, 4)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0)
    assert np.all(A[0][:, [1, 3]] == 0.0) and np.all(A[1][:, 3] == 0.0)
    np.testing.assert_allclose(out, A @ k)  # the keys double as values


def test_additive_attention_rejects_bad_shapes():
    layer = AdditiveAttention(3, 4, attn_dim=5, rng=0)
    with pytest.raises(ValueError, match="AdditiveAttention.*query"):
        layer(np.zeros((2, 3, 2)), np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="AdditiveAttention.*keys"):
        layer(np.zeros((2, 3, 3)), np.zeros((1, 4, 4)))
    with pytest.raises(TypeError, match="boolean"):
        layer(np.zeros((2, 3, 3)), np.zeros((2, 4, 4)), mask=np.ones((2, 3, 4)))

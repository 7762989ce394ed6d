"""Distillation loss: value (T^2 KL), gradient against finite differences, hard-label mixing."""

import numpy as np
import pytest

from dlcore.distillation import DistillationLoss
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.losses import CategoricalCrossEntropy


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(("T", "alpha"), [(1.0, 1.0), (4.0, 1.0), (2.5, 0.3)])
def test_distillation_gradient_matches_finite_differences(T, alpha):
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(4, 5)) * 3, rng.normal(size=(4, 5)) * 3
    y = rng.integers(0, 5, 4)
    loss = DistillationLoss(T, alpha)
    loss(s, t, y)
    grad = loss.backward()
    assert relative_error(grad, numerical_gradient(lambda z: loss(z, t, y), s.copy())) < 1e-7


def test_distillation_value_is_t_squared_kl_plus_weighted_cross_entropy():
    rng = np.random.default_rng(1)
    s, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    y = np.array([0, 3, 1])
    T = 3.0
    p, q = _softmax(t / T), _softmax(s / T)
    kl = np.mean(np.sum(p * np.log(p / q), axis=1))
    assert DistillationLoss(T)(s, t) == pytest.approx(T * T * kl)
    ce = CategoricalCrossEntropy()(s, y)
    assert DistillationLoss(T, alpha=0.25)(s, t, y) == pytest.approx(0.25 * T * T * kl + 0.75 * ce)
    assert DistillationLoss(T)(t, t) == pytest.approx(0.0, abs=1e-12)  # a perfect copy costs nothing


def test_t_squared_keeps_the_gradient_size_as_temperature_grows():
    rng = np.random.default_rng(2)
    s, t = rng.normal(size=(200, 10)), rng.normal(size=(200, 10))
    sizes = []
    for T in (2.0, 8.0):
        loss = DistillationLoss(T)
        loss(s, t)
        sizes.append(np.abs(loss.backward()).mean())
    assert sizes[1] / sizes[0] == pytest.approx(1.0, abs=0.1)  # ~ (1/T) without the T^2


def test_distillation_checks_its_inputs():
    with pytest.raises(ValueError, match="temperature"):
        DistillationLoss(0.0)
    with pytest.raises(ValueError, match="pass labels"):
        DistillationLoss(2.0, alpha=0.5)(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        DistillationLoss(2.0)(np.zeros((2, 3)), np.zeros((2, 4)))

import math

import numpy as np
import pytest

from dlcore import config
from dlcore import init as I
from dlcore import layers as L

FAN_IN, FAN_OUT = 800, 400
BIG = (FAN_IN, FAN_OUT)  # 320,000 draws: sample std within about 0.3% of the truth


@pytest.mark.parametrize(
    "name, expected_std",
    [
        ("he_normal", math.sqrt(2 / FAN_IN)),
        ("he_uniform", math.sqrt(2 / FAN_IN)),
        ("xavier_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("xavier_uniform", math.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("normal", 0.01),
        ("uniform", 0.05 / math.sqrt(3)),
    ],
)
def test_initialiser_statistics_match_their_formulas(name, expected_std):
    W = I.get_initializer(name)(BIG, FAN_IN, FAN_OUT, rng=0)
    assert W.shape == BIG
    assert abs(W.std() / expected_std - 1) < 0.02
    assert abs(W.mean()) < 0.01 * expected_std  # about 5 standard errors of the mean


def test_he_normal_std_is_sqrt_two_over_fan_in_by_default_from_the_shape():
    W = I.he_normal((1000, 300), rng=1)  # fans read from (in, out)
    assert W.std() == pytest.approx(math.sqrt(2 / 1000), rel=0.02)


@pytest.mark.parametrize("name, limit", [("he_uniform", math.sqrt(6 / FAN_IN)), ("uniform", 0.05)])
def test_uniform_initialisers_stay_within_their_limits(name, limit):
    W = I.get_initializer(name)(BIG, FAN_IN, FAN_OUT, rng=2)
    assert W.min() >= -limit and W.max() <= limit
    assert W.max() > 0.99 * limit and W.min() < -0.99 * limit


def test_xavier_uniform_limit_uses_both_fans():
    W = I.xavier_uniform(BIG, rng=3)
    limit = math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


@pytest.mark.parametrize("name", ["zeros", "constant", "normal", "uniform", "xavier", "he", "he_uniform"])
def test_initialisers_use_the_default_dtype_unless_told(name):
    f = I.get_initializer(name)
    assert f((3, 2), rng=0).dtype == np.float32
    assert f((3, 2), rng=0, dtype=np.float64).dtype == np.float64


def test_same_seed_gives_the_same_weights():
    np.testing.assert_array_equal(I.he_normal((5, 4), rng=7), I.he_normal((5, 4), rng=7))
    assert not np.array_equal(I.he_normal((5, 4), rng=7), I.he_normal((5, 4), rng=8))
    config.seed(0)
    a = I.xavier_uniform((5, 4))
    config.seed(0)
    np.testing.assert_array_equal(a, I.xavier_uniform((5, 4)))


def test_constants():
    assert not I.zeros((2, 3)).any()
    np.testing.assert_array_equal(I.constant((2, 2), value=0.5), np.full((2, 2), 0.5, dtype=np.float32))


def test_fans_of_dense_and_kernel_shapes():
    assert I.fans((784, 256)) == (784, 256)
    assert I.fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)
    assert I.fans((10,)) == (10, 10)


def test_aliases_point_to_the_papers_forms():
    assert I.get_initializer("he") is I.he_normal
    assert I.get_initializer("xavier") is I.xavier_uniform
    assert I.get_initializer("glorot_normal") is I.xavier_normal


def test_get_initializer_passes_callables_through_and_rejects_unknown_names():
    def mine(shape, fan_in=None, fan_out=None, rng=None, dtype=None):
        return np.ones(shape)

    assert I.get_initializer(mine) is mine
    with pytest.raises(ValueError, match="unknown initializer 'lecun'.*he_normal.*xavier_uniform"):
        I.get_initializer("lecun")


def test_equal_initial_weights_give_identical_hidden_units_forever():
    """The symmetry problem: units that start equal get equal gradients, so they stay equal."""
    rng = np.random.default_rng(0)
    x, target = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    hidden = L.Dense(3, 4, init=lambda shape, *a, **k: I.constant(shape, dtype=np.float64, value=0.3), dtype=np.float64)
    act, out = L.Tanh(), L.Dense(4, 1, init="constant", dtype=np.float64)
    out.W.value[...] = 0.5
    for _ in range(20):  # a few steps of gradient descent on a squared error
        h = act(hidden(x))
        y = out(h)
        for layer in (hidden, out):
            layer.zero_grad()
        hidden.backward(act.backward(out.backward(2 * (y - target) / len(x))))
        for p in hidden.parameters() + out.parameters():
            p.value -= 0.1 * p.grad
    W = hidden.W.value
    assert not np.allclose(W, 0.3)  # it did learn something ...
    np.testing.assert_allclose(W, W[:, :1] * np.ones((1, 4)))  # ... but every hidden unit is the same

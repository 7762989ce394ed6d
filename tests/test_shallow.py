"""Shallow networks and the tools of chapter 06 (dlcore.shallow)."""

import numpy as np
import pytest

from dlcore import shallow
from dlcore.layers import Dense, Identity, ReLU, Tanh


def test_shallow_network_has_the_promised_layers_and_parameter_count():
    model = shallow.shallow_network(5, 7, 3, "tanh", rng=0)
    first, act, last = model.layers
    assert isinstance(first, Dense) and isinstance(act, Tanh) and isinstance(last, Dense)
    assert model.num_parameters() == 5 * 7 + 7 + 7 * 3 + 3
    assert model.forward(np.zeros((4, 5), dtype=np.float32)).shape == (4, 3)


def test_shallow_network_forward_is_the_matrix_formula():
    model = shallow.shallow_network(3, 4, 2, "relu", rng=1, dtype=np.float64)
    X = np.random.default_rng(0).normal(size=(6, 3))
    W1, b1 = model.layers[0].W.value, model.layers[0].b.value
    W2, b2 = model.layers[2].W.value, model.layers[2].b.value
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model.forward(X), expected, rtol=1e-12)


def test_same_seed_gives_the_same_network():
    a = shallow.shallow_network(2, 8, 1, "gelu", rng=3)
    b = shallow.shallow_network(2, 8, 1, "gelu", rng=3)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_linear_activation_is_the_identity_and_unknown_names_are_rejected():
    assert isinstance(shallow.activation_layer("linear"), Identity)
    assert isinstance(shallow.activation_layer("relu"), ReLU)
    with pytest.raises(ValueError, match="choose from"):
        shallow.activation_layer("swish")


def test_dead_unit_fraction_counts_units_that_never_fire():
    model = shallow.shallow_network(2, 4, 1, "relu", rng=0, dtype=np.float64)
    first = model.layers[0]
    first.W.value[...] = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    first.b.value[...] = np.array([0.0, 0.0, -10.0, -1.0])  # units 2 and 3 can never reach z > 0 on X below
    X = np.array([[0.5, 0.5], [1.0, -1.0], [-1.0, 1.0]])
    assert shallow.dead_unit_fraction(model, X) == pytest.approx(0.5)


def test_relu_interpolant_passes_through_the_knots_and_is_linear_between_them():
    knots = np.array([-1.0, -0.2, 0.5, 1.0])
    model = shallow.relu_interpolant(np.cos, knots)
    assert model.layers[0].out_features == 3
    at_knots = model.forward(knots[:, None])[:, 0]
    np.testing.assert_allclose(at_knots, np.cos(knots), atol=1e-12)
    mid = (knots[:-1] + knots[1:]) / 2
    np.testing.assert_allclose(model.forward(mid[:, None])[:, 0], (np.cos(knots[:-1]) + np.cos(knots[1:])) / 2)


def test_relu_interpolant_error_shrinks_about_fourfold_when_the_width_doubles():
    grid = np.linspace(-1, 1, 4001)[:, None]

    def sup_error(width):
        model = shallow.relu_interpolant(np.sin, np.linspace(-1, 1, width + 1))
        return np.abs(model.forward(grid) - np.sin(grid)).max()

    ratio = sup_error(16) / sup_error(32)
    assert 3.5 < ratio < 4.5  # error ~ max|f''| h^2 / 8 for a smooth f


def test_relu_interpolant_rejects_unsorted_knots():
    with pytest.raises(ValueError, match="increasing"):
        shallow.relu_interpolant(np.sin, np.array([0.0, 1.0, 0.5]))

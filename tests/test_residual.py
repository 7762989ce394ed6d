"""ResidualBlock: out = f(x) + shortcut(x), and gradients along both paths."""

import numpy as np
import pytest

from dlcore.conv import Conv2D
from dlcore.gradcheck import check_module_gradients
from dlcore.layers import Dense, Tanh
from dlcore.model import Sequential
from dlcore.residual import ResidualBlock

GRAD_TOL = 1e-6


def test_identity_block_adds_its_input_to_the_body_output():
    conv = Conv2D(3, 3, 3, padding="same", rng=0, dtype=np.float64)
    block = ResidualBlock([conv, Tanh()])
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 3))
    np.testing.assert_allclose(block(x), np.tanh(conv(x)) + x)


def test_identity_block_gradients_match_finite_differences():
    block = ResidualBlock(
        [
            Conv2D(2, 2, 3, padding="same", rng=0, dtype=np.float64),
            Tanh(),
            Conv2D(2, 2, 3, padding=1, rng=1, dtype=np.float64),
        ]
    )
    errors = check_module_gradients(block, np.random.default_rng(1).standard_normal((2, 4, 5, 2)))
    assert set(errors) == {"input", "layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"}
    assert max(errors.values()) < GRAD_TOL, errors


def test_projection_block_gradients_match_finite_differences():
    body = [Conv2D(2, 4, 3, stride=2, padding=1, rng=0, dtype=np.float64), Tanh()]
    block = ResidualBlock(body, shortcut=Conv2D(2, 4, 1, stride=2, rng=1, dtype=np.float64))
    x = np.random.default_rng(2).standard_normal((2, 6, 6, 2))
    assert block(x).shape == (2, 3, 3, 4)
    errors = check_module_gradients(block, x)
    assert {"shortcut.W", "shortcut.b"} <= set(errors)
    assert max(errors.values()) < GRAD_TOL, errors


def test_a_sequential_body_works_like_a_list_of_layers():
    layers = [Conv2D(2, 2, 3, padding="same", rng=0, dtype=np.float64), Tanh()]
    as_list, as_model = ResidualBlock(layers), ResidualBlock(Sequential(layers))
    x = np.random.default_rng(5).standard_normal((1, 4, 4, 2))
    np.testing.assert_array_equal(as_list(x), as_model(x))
    errors = check_module_gradients(as_model, x)
    assert max(errors.values()) < GRAD_TOL, errors


def test_backward_sums_the_body_and_the_shortcut_gradients():
    body = Dense(3, 3, rng=0, dtype=np.float64)
    block = ResidualBlock(body)
    x = np.random.default_rng(3).standard_normal((4, 3))
    block(x)
    delta = np.random.default_rng(4).standard_normal((4, 3))
    body_only = delta @ body.W.value.T  # what the Dense path alone sends back
    np.testing.assert_allclose(block.backward(delta), body_only + delta)


def test_mismatched_shapes_without_projection_explain_what_to_do():
    block = ResidualBlock([Conv2D(2, 4, 3, padding="same", rng=0)])
    with pytest.raises(ValueError, match=r"\(1, 5, 5, 2\) to \(1, 5, 5, 4\).*projection"):
        block(np.zeros((1, 5, 5, 2), dtype=np.float32))


def test_parameters_of_body_and_shortcut_are_collected_and_modes_propagate():
    body, shortcut = Conv2D(2, 4, 3, rng=0), Conv2D(2, 4, 3, rng=1)
    block = ResidualBlock(body, shortcut=shortcut)
    assert block.num_parameters() == body.num_parameters() + shortcut.num_parameters()
    block.eval()
    assert not body.training and not shortcut.training


def test_rejects_a_body_that_is_not_made_of_modules():
    with pytest.raises(TypeError, match="ResidualBlock"):
        ResidualBlock([])
    with pytest.raises(TypeError, match="ResidualBlock"):
        ResidualBlock([np.tanh])


def test_float32_stays_float32():
    block = ResidualBlock([Conv2D(3, 3, 3, padding="same", rng=0), Tanh()])
    x = np.ones((1, 4, 4, 3), dtype=np.float32)
    out = block(x)
    assert out.dtype == block.backward(np.ones_like(out)).dtype == np.float32


def test_repr_lists_body_and_shortcut():
    block = ResidualBlock([Conv2D(2, 2, 3, padding="same")])
    assert repr(block) == "ResidualBlock([Conv2D(2 -> 2, kernel=3, padding='same')], shortcut=identity)"

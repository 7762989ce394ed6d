"""Pooling layers: forward against plain loops, gradients, ties, padding, errors, dtypes."""

import itertools

import numpy as np
import pytest

from dlcore.gradcheck import check_module_gradients
from dlcore.pooling import AvgPool1D, AvgPool2D, GlobalAvgPool1D, GlobalAvgPool2D, MaxPool1D, MaxPool2D

GRAD_TOL = 1e-6


def naive_pool2d(x, pool, stride, padding, reduce, fill):
    """x: (N, H, W, C) -> (N, H_out, W_out, C), one window at a time."""
    N, H, W, C = x.shape
    xp = np.full((N, H + 2 * padding, W + 2 * padding, C), fill)
    xp[:, padding : padding + H, padding : padding + W] = x
    rows = range(0, xp.shape[1] - pool + 1, stride)
    cols = range(0, xp.shape[2] - pool + 1, stride)
    out = np.zeros((N, len(rows), len(cols), C))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            out[:, i, j, :] = reduce(xp[:, r : r + pool, c : c + pool, :].reshape(N, -1, C), axis=1)
    return out


POOL_GRID = [(p, s, pad) for p, s, pad in itertools.product([2, 3], [None, 1, 2], [0, 1]) if pad <= p // 2]


@pytest.mark.parametrize("pool, stride, padding", POOL_GRID)
def test_maxpool2d_forward_equals_a_loop_over_windows(pool, stride, padding):
    x = np.random.default_rng(0).standard_normal((2, 7, 6, 3))
    expected = naive_pool2d(x, pool, stride or pool, padding, np.max, -np.inf)
    np.testing.assert_array_equal(MaxPool2D(pool, stride, padding)(x), expected)


@pytest.mark.parametrize("pool, stride, padding", POOL_GRID)
def test_avgpool2d_forward_equals_a_loop_over_windows(pool, stride, padding):
    x = np.random.default_rng(0).standard_normal((2, 7, 6, 3))
    expected = naive_pool2d(x, pool, stride or pool, padding, np.mean, 0.0)
    np.testing.assert_allclose(AvgPool2D(pool, stride, padding)(x), expected, rtol=1e-12)


@pytest.mark.parametrize("pool, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 0)])
def test_1d_pooling_is_2d_pooling_of_an_image_of_height_one(pool, stride, padding):
    x = np.random.default_rng(1).standard_normal((2, 9, 4))
    for layer1, layer2 in [
        (MaxPool1D(pool, stride, padding), MaxPool2D((1, pool), None if stride is None else (1, stride), (0, padding))),
        (AvgPool1D(pool, stride, padding), AvgPool2D((1, pool), None if stride is None else (1, stride), (0, padding))),
    ]:
        np.testing.assert_allclose(layer1(x), layer2(x[:, None])[:, 0])


@pytest.mark.parametrize("layer_class", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("pool, stride, padding", POOL_GRID)
def test_pool2d_gradients_match_finite_differences(layer_class, pool, stride, padding):
    x = np.random.default_rng(2).standard_normal((2, 6, 5, 2))  # distinct values: no ties
    errors = check_module_gradients(layer_class(pool, stride, padding), x)
    assert errors["input"] < GRAD_TOL, errors


@pytest.mark.parametrize(
    "layer", [MaxPool1D(2), MaxPool1D(3, 2, 1), AvgPool1D(2), AvgPool1D(3, 1, 1), GlobalAvgPool1D()], ids=repr
)
def test_pool1d_gradients_match_finite_differences(layer):
    x = np.random.default_rng(3).standard_normal((1, 8, 3))
    assert check_module_gradients(layer, x)["input"] < GRAD_TOL


def test_global_avg_pool2d_is_the_mean_over_positions_and_its_gradient_checks():
    x = np.random.default_rng(4).standard_normal((3, 4, 5, 2))
    layer = GlobalAvgPool2D()
    np.testing.assert_allclose(layer(x), x.reshape(3, 20, 2).mean(axis=1))
    assert check_module_gradients(layer, x)["input"] < GRAD_TOL


def test_maxpool_ties_send_the_whole_gradient_to_the_first_maximum_in_row_major_order():
    x = np.zeros((1, 4, 4, 1))
    x[0, 2:, 2:, 0] = [[5.0, 1.0], [5.0, 5.0]]  # bottom-right window: three tied maxima
    layer = MaxPool2D(2)
    layer(x)
    dx = layer.backward(np.ones((1, 2, 2, 1)))
    assert dx.sum() == 4  # one unit per window, never duplicated
    expected = np.zeros((4, 4))
    expected[0, 0] = expected[0, 2] = expected[2, 0] = 1  # all-zero windows: the top-left entry
    expected[2, 2] = 1  # the first 5, not the two below it
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def test_overlapping_max_windows_add_their_gradients_on_a_shared_maximum():
    x = np.array([0.0, 9.0, 1.0, 2.0])[None, :, None]  # 9 wins the windows [0, 9] and [9, 1]
    layer = MaxPool1D(2, stride=1)
    layer(x)
    dx = layer.backward(np.array([1.0, 10.0, 100.0])[None, :, None])
    np.testing.assert_array_equal(dx[0, :, 0], [0.0, 11.0, 0.0, 100.0])


def test_maxpool_padding_never_wins_even_when_every_input_is_negative():
    x = -1.0 - np.random.default_rng(5).random((1, 4, 4, 2))
    out = MaxPool2D(2, stride=2, padding=1)(x)
    assert out.shape == (1, 3, 3, 2)
    assert np.all(out < -1)


def test_avgpool_padding_zeros_count_in_the_mean():
    out = AvgPool2D(2, padding=1)(np.ones((1, 4, 4, 1)))
    np.testing.assert_allclose(out[0, :, :, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_leftover_rows_are_dropped_and_get_zero_gradient():
    layer = MaxPool2D(2)
    x = np.random.default_rng(6).standard_normal((1, 5, 5, 1))
    assert layer(x).shape == (1, 2, 2, 1)
    dx = layer.backward(np.ones((1, 2, 2, 1)))
    assert np.all(dx[0, 4, :, 0] == 0) and np.all(dx[0, :, 4, 0] == 0)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (MaxPool2D(2), (2, 6, 6, 3)),
        (AvgPool2D(3, 1, 1), (2, 6, 6, 3)),
        (MaxPool1D(2), (2, 7, 3)),
        (AvgPool1D(2), (2, 7, 3)),
        (GlobalAvgPool2D(), (2, 3, 3, 4)),
        (GlobalAvgPool1D(), (2, 5, 4)),
    ],
    ids=repr,
)
def test_float32_stays_float32_forward_and_backward(layer, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = layer(x)
    delta = np.ones_like(out)
    delta.setflags(write=False)  # backward must not write into its input
    dx = layer.backward(delta)
    assert out.dtype == dx.dtype == np.float32 and dx.shape == x.shape


def test_wrong_number_of_dimensions_names_the_layer_expected_and_got():
    with pytest.raises(ValueError, match=r"MaxPool2D\(pool_size=2\).*\(N, H, W, C\).*\(4, 4, 3\)"):
        MaxPool2D(2)(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r"GlobalAvgPool1D.*\(N, L, C\).*\(2, 3, 4, 5\)"):
        GlobalAvgPool1D()(np.zeros((2, 3, 4, 5)))


def test_input_smaller_than_the_pool_is_reported():
    with pytest.raises(ValueError, match=r"AvgPool1D\(pool_size=4\).*\(1, 3, 2\)"):
        AvgPool1D(4)(np.zeros((1, 3, 2)))


def test_padding_larger_than_half_the_pool_is_rejected():
    with pytest.raises(ValueError, match="pool_size // 2"):
        MaxPool2D(2, padding=2)
    with pytest.raises(ValueError, match="pool_size"):
        MaxPool1D(0)


def test_repr_shows_the_settings():
    assert repr(MaxPool2D(2)) == "MaxPool2D(pool_size=2)"
    assert repr(AvgPool1D(3, stride=1, padding=1)) == "AvgPool1D(pool_size=3, stride=1, padding=1)"

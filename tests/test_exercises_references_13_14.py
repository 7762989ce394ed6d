"""Reference solutions of exercises 13 and 14, checked against dlcore and finite differences."""

import numpy as np
import pytest

import dlcore as dl
from dlcore import cnn_tools
from dlgrade import exercises

RNG = np.random.default_rng(1313)


@pytest.fixture(scope="module")
def ref13():
    return exercises.reference("13")


@pytest.mark.parametrize("n, k, s, p, d", [(5, 3, 1, 0, 1), (7, 2, 2, 0, 1), (224, 7, 2, 3, 1), (20, 3, 2, 1, 3)])
def test_output_size_matches_dlcore(ref13, n, k, s, p, d):
    assert ref13.output_size(n, k, s, p, d) == dl.conv_output_size(n, k, s, p, d)


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (3, 1), (2, 3)])
def test_maxpool_matches_dlcore_forward_and_backward(ref13, size, stride):
    x = RNG.normal(size=(2, 3, 7, 6))
    layer = dl.MaxPool2D(size, stride=stride)
    out = layer.forward(x.transpose(0, 2, 3, 1))  # dlcore is channel-last
    assert np.allclose(ref13.maxpool_forward(x, size, stride), out.transpose(0, 3, 1, 2))
    delta = RNG.normal(size=out.shape)
    dx = layer.backward(delta).transpose(0, 3, 1, 2)
    assert np.allclose(ref13.maxpool_backward(delta.transpose(0, 3, 1, 2), x, size, stride), dx)


def test_maxpool_backward_is_the_gradient_without_ties_and_gives_ties_to_the_first(ref13):
    x = RNG.normal(size=(1, 2, 5, 5))
    delta = RNG.normal(size=(1, 2, 2, 2))
    numeric = dl.numerical_gradient(lambda v: np.sum(ref13.maxpool_forward(v, 2, 2) * delta), x.copy())
    assert np.allclose(ref13.maxpool_backward(delta, x, 2, 2), numeric, atol=1e-6)
    dx = ref13.maxpool_backward(np.ones((1, 1, 1, 1)), np.ones((1, 1, 2, 2)), 2, 2)
    assert dx[0, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_receptive_field_matches_dlcore(ref13):
    for kernels, strides, dil in [([3, 3, 3], [2, 1, 2], [1, 1, 1]), ([7, 3, 3], [2, 2, 1], [1, 2, 1])]:
        rf, _ = cnn_tools.receptive_fields(kernels, strides, dil)
        assert ref13.receptive_field(kernels, strides, dil).tolist() == rf[1:].tolist()

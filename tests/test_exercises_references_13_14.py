"""Reference solutions of exercises 13 and 14, checked against dlcore and finite differences."""

import numpy as np
import pytest

import dlcore as dl
from dlcore import cnn_tools
from dlgrade import grade

RNG = np.random.default_rng(1313)


@pytest.fixture(scope="module")
def ref13():
    return grade.reference("13")


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


@pytest.fixture(scope="module")
def ref14():
    return grade.reference("14")


def lstm_args(seed=0, N=3, D=2, H=4):
    rng = np.random.default_rng(seed)
    layer = dl.LSTM(D, H, rng=seed, dtype=np.float64)
    x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), 2 * rng.normal(size=(N, H))
    return layer, (x, h, c, layer.W.value, layer.U.value, layer.b.value)


def test_lstm_step_forward_matches_dlcore(ref14):
    layer, args = lstm_args()
    h, c = ref14.lstm_step_forward(*args)
    assert np.allclose(h, layer.forward(args[0][:, None], h0=args[1], c0=args[2])) and np.allclose(c, layer.c_n)


def test_lstm_step_backward_matches_finite_differences(ref14):
    _, args = lstm_args(1)
    rng = np.random.default_rng(5)
    dh, dc = rng.normal(size=args[1].shape), rng.normal(size=args[1].shape)
    grads = ref14.lstm_step_backward(dh, dc, *args)
    for k, g in enumerate(grads):
        arrays = [a.copy() for a in args]

        def loss(_, arrays=arrays):
            h, c = ref14.lstm_step_forward(*arrays)
            return np.sum(h * dh) + np.sum(c * dc)

        numeric = dl.numerical_gradient(loss, arrays[k])
        assert dl.relative_error(g, numeric) < 1e-7, k


def test_rnn_forward_and_bptt_match_dlcore(ref14):
    rng = np.random.default_rng(2)
    N, T, D, H = 2, 5, 3, 4
    layer = dl.SimpleRNN(D, H, return_sequences=True, rng=0, dtype=np.float64)
    x, h0, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    args = (x, h0, layer.W.value, layer.U.value, layer.b.value)
    assert np.allclose(ref14.rnn_forward(*args), layer.forward(x, h0=h0))
    dx, dh0, dW, dU, db = ref14.rnn_bptt(dhs, *args)
    assert np.allclose(dx, layer.backward(dhs)) and np.allclose(dh0, layer.dh0)
    assert np.allclose(dW, layer.W.grad) and np.allclose(dU, layer.U.grad) and np.allclose(db, layer.b.grad)

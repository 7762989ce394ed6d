"""Receptive fields, hand-made kernels, shifts, saliency and FGSM (dlcore.cnn_tools)."""

import numpy as np
import pytest

import dlcore as dl
from dlcore import cnn_tools as T


def test_receptive_field_formula_multiplies_later_growth_by_the_strides():
    rf, jump = T.receptive_fields([3, 3, 3], [1, 1, 1])
    assert rf.tolist() == [1, 3, 5, 7] and jump.tolist() == [1, 1, 1, 1]
    rf, jump = T.receptive_fields([3, 3, 3], [2, 2, 1])
    assert rf.tolist() == [1, 3, 7, 15] and jump.tolist() == [1, 2, 4, 4]  # 7 + 2*4, not 7 + 2
    rf, _ = T.receptive_fields([3, 3], [1, 1], [1, 2])
    assert rf.tolist() == [1, 3, 7]  # a dilation-2 tap spans 5


@pytest.mark.parametrize("kernels, strides", [([3, 3, 3], [1, 1, 1]), ([3, 2, 3], [2, 2, 1]), ([5, 3], [3, 2])])
def test_receptive_field_mask_agrees_with_the_formula_and_with_gradients(kernels, strides):
    rf, _ = T.receptive_fields(kernels, strides)
    mask = T.receptive_field_mask(64, kernels, strides)
    assert mask.sum(axis=1).tolist() == rf.tolist()
    # the same from a real network: the input gradient of output unit 0 is nonzero exactly on its field
    pairs = enumerate(zip(kernels, strides, strict=True))
    layers = [dl.Conv1D(1, 1, k, stride=s, rng=i, dtype=np.float64) for i, (k, s) in pairs]
    for layer in layers:
        layer.W.value[...] = np.abs(layer.W.value) + 0.1  # positive weights: no accidental cancellation
    net = dl.Sequential(layers)
    out = net.forward(np.ones((1, 64, 1)))
    g = np.zeros_like(out)
    g[0, 0, 0] = 1.0
    dx = net.backward(g)[0, :, 0]
    assert np.flatnonzero(dx).tolist() == np.flatnonzero(mask[-1]).tolist()


def test_receptive_fields_rejects_mismatched_lists():
    with pytest.raises(ValueError, match="one stride"):
        T.receptive_fields([3, 3], [1])


def test_edge_kernels_sum_to_zero_and_ignore_flat_regions():
    for name in ["Sobel (horizontal edges)", "Sobel (vertical edges)", "Laplacian"]:
        assert T.KERNELS[name].sum() == 0
    assert T.KERNELS["not an edge kernel (sums to 12)"].sum() == 12
    flat = np.full((6, 6), 0.5)
    assert np.allclose(T.filter_image(flat, T.KERNELS["Laplacian"])[1:-1, 1:-1], 0)
    assert np.allclose(T.filter_image(flat, T.KERNELS["not an edge kernel (sums to 12)"])[1:-1, 1:-1], 6.0)


def test_filter_image_is_cross_correlation_with_same_padding():
    rng = np.random.default_rng(0)
    img, K = rng.random((5, 6)), rng.random((3, 3))
    padded = np.pad(img, 1)
    expected = np.array([[np.sum(padded[i : i + 3, j : j + 3] * K) for j in range(6)] for i in range(5)])
    assert np.allclose(T.filter_image(img, K), expected)


def test_grayscale_and_shift():
    assert np.allclose(T.to_grayscale(np.ones((2, 2, 3))), 1.0)
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    s = T.shift_images(x, 1, -1)[0, :, :, 0]
    assert s.tolist() == [[0, 0, 0], [1, 2, 0], [4, 5, 0]]


def tiny_classifier():
    dl.seed(0)
    return dl.Sequential([dl.Flatten(), dl.Dense(16, 3, rng=0, dtype=np.float64)])


def test_input_gradient_matches_finite_differences():
    model = tiny_classifier()
    rng = np.random.default_rng(1)
    x, y = rng.random((2, 4, 4, 1)), np.array([0, 2])
    g = T.input_gradient(model, x, y)
    loss = dl.CategoricalCrossEntropy()
    num = dl.numerical_gradient(lambda v: loss.forward(model.forward(v), y) * len(x), x.copy())
    assert dl.relative_error(g, num) < 1e-7
    assert T.saliency_map(model, x, y).shape == (2, 4, 4)


def test_fgsm_raises_the_loss_and_stays_in_range():
    model = tiny_classifier()
    rng = np.random.default_rng(2)
    x, y = rng.random((8, 4, 4, 1)), rng.integers(0, 3, 8)
    loss = dl.CategoricalCrossEntropy()
    before = loss.forward(model.predict(x), y)
    adv = T.fgsm(model, x, y, eps=0.1)
    assert loss.forward(model.predict(adv), y) > before
    assert adv.min() >= 0 and adv.max() <= 1 and np.abs(adv - x).max() <= 0.1 + 1e-12

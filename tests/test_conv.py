"""Conv1D / Conv2D: output sizes, forward against a plain loop, gradients, errors, dtypes."""

import itertools

import numpy as np
import pytest

import dlcore.conv
from dlcore.conv import Conv1D, Conv2D, conv_output_size, padding_for
from dlcore.gradcheck import check_module_gradients

GRAD_TOL = 1e-6


# --- a reference written with plain loops, independent of the im2col engine ----------------
def expected_pads(padding, k, d):
    """The documented rule: "same" pads d(k-1) in total, the odd zero at the end."""
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        return (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
    return (padding, padding)


def naive_conv2d(x, W, b, stride, pads, dilation):
    """x: (N, H, W, C), W: (kh, kw, C, O) -> (N, H_out, W_out, O), one output number at a time."""
    N, H, Wd, C = x.shape
    kh, kw, _, O = W.shape
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = pads
    xp = np.zeros((N, H + top + bottom, Wd + left + right, C))
    xp[:, top : top + H, left : left + Wd] = x
    rows = range(0, xp.shape[1] - dh * (kh - 1), sh)  # every start where the kernel still fits
    cols = range(0, xp.shape[2] - dw * (kw - 1), sw)
    out = np.zeros((N, len(rows), len(cols), O))
    for n in range(N):
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                for o in range(O):
                    total = 0.0 if b is None else b[o]
                    for p in range(kh):
                        for q in range(kw):
                            total += np.dot(xp[n, r + p * dh, c + q * dw, :], W[p, q, :, o])
                    out[n, i, j, o] = total
    return out


def naive_conv1d(x, W, b, stride, pads, dilation):
    """x: (N, L, C), W: (k, C, O) -> (N, L_out, O)."""
    N, L, C = x.shape
    k, _, O = W.shape
    xp = np.zeros((N, L + pads[0] + pads[1], C))
    xp[:, pads[0] : pads[0] + L] = x
    starts = range(0, xp.shape[1] - dilation * (k - 1), stride)
    out = np.zeros((N, len(starts), O))
    for n in range(N):
        for t, s in enumerate(starts):
            for o in range(O):
                out[n, t, o] = b[o] + sum(np.dot(xp[n, s + q * dilation], W[q, :, o]) for q in range(k))
    return out


# --- output size ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [5, 8, 9])
@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
def test_conv_output_size_matches_the_shape_conv1d_produces(n, kernel, stride, padding, dilation):
    if n + 2 * padding < dilation * (kernel - 1) + 1:
        with pytest.raises(ValueError, match="kernel spans"):
            conv_output_size(n, kernel, stride, padding, dilation)
        return
    layer = Conv1D(1, 1, kernel, stride=stride, padding=padding, dilation=dilation, rng=0)
    out = layer(np.zeros((1, n, 1), dtype=np.float32))
    assert out.shape[1] == conv_output_size(n, kernel, stride, padding, dilation)


def test_conv_output_size_matches_conv2d_on_each_axis_separately():
    for (h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw) in itertools.product(
        [(7, 10)], [(3, 2), (1, 4)], [(1, 2), (3, 1)], [(0, 1), (2, 0)], [(1, 2), (2, 1)]
    ):
        layer = Conv2D(1, 1, (kh, kw), stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), rng=0)
        out = layer(np.zeros((1, h, w, 1), dtype=np.float32))
        assert out.shape[1:3] == (conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw))


@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("n", [6, 7])
def test_same_padding_keeps_the_length_at_stride_1_and_gives_ceil_n_over_s_at_stride_2(kernel, dilation, n):
    assert conv_output_size(n, kernel, 1, padding_for("same", kernel, dilation), dilation) == n
    assert conv_output_size(n, kernel, 2, padding_for("same", kernel, dilation), dilation) == -(-n // 2)


def test_same_padding_of_an_even_kernel_puts_the_extra_zero_at_the_end():
    assert padding_for("same", 4) == (1, 2)
    assert padding_for("same", 2, dilation=3) == (1, 2)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 3))
    same = Conv1D(3, 2, 4, padding="same", rng=1, dtype=np.float64)
    explicit = Conv1D(3, 2, 4, padding=(1, 2), rng=1, dtype=np.float64)
    np.testing.assert_allclose(same(x), explicit(x), rtol=1e-12)


def test_padding_for_rejects_unknown_or_negative_padding():
    with pytest.raises(ValueError, match="'full'"):
        padding_for("full", 3)
    with pytest.raises(ValueError, match="-1"):
        padding_for(-1, 3)


# --- forward equals the loop reference ------------------------------------------------------
CONV2D_GRID = list(
    itertools.product(
        [3, 2, (2, 3)],  # kernel: odd, even, rectangular
        [1, 2, (2, 1)],  # stride
        ["valid", "same", 1],  # padding
        [1, 2],  # dilation
    )
)


@pytest.mark.parametrize("kernel, stride, padding, dilation", CONV2D_GRID)
def test_conv2d_forward_equals_a_loop_over_output_pixels(kernel, stride, padding, dilation):
    rng = np.random.default_rng(1)
    layer = Conv2D(3, 4, kernel, stride=stride, padding=padding, dilation=dilation, rng=2, dtype=np.float64)
    layer.b.value[...] = rng.standard_normal(4)
    x = rng.standard_normal((2, 7, 8, 3))
    (kh, kw), (sh, sw), (dh, dw) = [(v, v) if isinstance(v, int) else v for v in (kernel, stride, dilation)]
    pads = (expected_pads(padding, kh, dh), expected_pads(padding, kw, dw))
    expected = naive_conv2d(x, layer.W.value, layer.b.value, (sh, sw), pads, (dh, dw))
    np.testing.assert_allclose(layer(x), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "kernel, stride, padding, dilation", list(itertools.product([1, 3, 4], [1, 2], ["valid", "same", 1], [1, 2]))
)
def test_conv1d_forward_equals_a_loop_over_output_steps(kernel, stride, padding, dilation):
    rng = np.random.default_rng(3)
    layer = Conv1D(2, 3, kernel, stride=stride, padding=padding, dilation=dilation, rng=4, dtype=np.float64)
    layer.b.value[...] = rng.standard_normal(3)
    x = rng.standard_normal((3, 11, 2))
    pads = expected_pads(padding, kernel, dilation)
    expected = naive_conv1d(x, layer.W.value, layer.b.value, stride, pads, dilation)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-10, atol=1e-12)


def test_conv1d_is_conv2d_on_an_image_of_height_one():
    rng = np.random.default_rng(5)
    conv1 = Conv1D(3, 5, 3, stride=2, padding=1, rng=0, dtype=np.float64)
    conv2 = Conv2D(3, 5, (1, 3), stride=(1, 2), padding=(0, 1), rng=0, dtype=np.float64)
    conv2.W.value[...] = conv1.W.value[None]
    x = rng.standard_normal((2, 10, 3))
    np.testing.assert_allclose(conv1(x), conv2(x[:, None])[:, 0], rtol=1e-12)


# --- gradients ------------------------------------------------------------------------------
GRAD_GRID = list(
    itertools.product(
        [3, 2],  # odd and even kernel
        [1, 2],  # stride
        ["valid", "same", 1],  # padding
        [1, 2],  # dilation
    )
)


@pytest.mark.parametrize("kernel, stride, padding, dilation", GRAD_GRID)
@pytest.mark.parametrize("batch", [1, 2])
def test_conv2d_gradients_match_finite_differences(kernel, stride, padding, dilation, batch):
    layer = Conv2D(2, 3, kernel, stride=stride, padding=padding, dilation=dilation, rng=0, dtype=np.float64)
    layer.b.value[...] = np.random.default_rng(1).standard_normal(3)
    x = np.random.default_rng(2).standard_normal((batch, 6, 7, 2))
    errors = check_module_gradients(layer, x)
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("kernel, stride, padding, dilation", GRAD_GRID)
@pytest.mark.parametrize("batch", [1, 2])
def test_conv1d_gradients_match_finite_differences(kernel, stride, padding, dilation, batch):
    layer = Conv1D(2, 3, kernel, stride=stride, padding=padding, dilation=dilation, rng=0, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((batch, 9, 2))
    errors = check_module_gradients(layer, x)
    assert max(errors.values()) < GRAD_TOL, errors


def test_conv2d_without_bias_has_only_a_weight_and_correct_gradients():
    layer = Conv2D(1, 2, (3, 2), stride=(2, 1), padding="same", bias=False, rng=0, dtype=np.float64)
    assert [name for name, _ in layer.named_parameters()] == ["W"]
    errors = check_module_gradients(layer, np.random.default_rng(0).standard_normal((2, 5, 5, 1)))
    assert max(errors.values()) < GRAD_TOL, errors


def test_a_batch_split_into_cache_sized_chunks_gives_the_same_results(monkeypatch):
    x = np.random.default_rng(0).standard_normal((5, 6, 7, 2))
    delta = np.random.default_rng(1).standard_normal((5, 3, 4, 3))
    whole = Conv2D(2, 3, 3, stride=2, padding="same", rng=0, dtype=np.float64)
    z, dx = whole(x), whole.backward(delta)
    monkeypatch.setattr(dlcore.conv, "CHUNK_BYTES", 1)  # one image per chunk
    chunked = Conv2D(2, 3, 3, stride=2, padding="same", rng=0, dtype=np.float64)
    np.testing.assert_allclose(chunked(x), z, rtol=1e-12)
    assert len(chunked._cache) == 5
    np.testing.assert_allclose(chunked.backward(delta), dx, rtol=1e-12)
    np.testing.assert_allclose(chunked.W.grad, whole.W.grad, rtol=1e-12)
    np.testing.assert_allclose(chunked.b.grad, whole.b.grad, rtol=1e-12)
    assert max(check_module_gradients(chunked, x).values()) < GRAD_TOL


def test_parameter_gradients_accumulate_over_backward_calls():
    layer = Conv2D(2, 3, 3, padding=1, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 2))
    delta = np.random.default_rng(1).standard_normal(layer(x).shape)
    layer.backward(delta)
    once = layer.W.grad.copy(), layer.b.grad.copy()
    layer.backward(delta)
    np.testing.assert_allclose(layer.W.grad, 2 * once[0])
    np.testing.assert_allclose(layer.b.grad, 2 * once[1])


def test_first_layer_can_skip_the_input_gradient_without_changing_parameter_gradients():
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 2))
    delta = np.random.default_rng(1).standard_normal((2, 3, 3, 4))
    full, first = (Conv2D(2, 4, 3, stride=2, padding="same", rng=0, dtype=np.float64) for _ in range(2))
    first.needs_input_grad = False
    full(x), first(x)
    assert full.backward(delta).shape == x.shape
    assert first.backward(delta) is None
    np.testing.assert_array_equal(first.W.grad, full.W.grad)
    np.testing.assert_array_equal(first.b.grad, full.b.grad)


def test_backward_leaves_its_inputs_untouched():
    layer = Conv1D(2, 3, 3, stride=2, padding="same", rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((2, 8, 2))
    x.setflags(write=False)
    delta = np.random.default_rng(1).standard_normal(layer(x).shape)
    delta.setflags(write=False)  # any in-place write would raise
    dx = layer.backward(delta)
    assert dx.shape == x.shape


# --- dtypes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "layer, shape",
    [(Conv2D(3, 4, 3, padding="same", rng=0), (2, 6, 6, 3)), (Conv1D(3, 4, 2, stride=2, rng=0), (2, 9, 3))],
)
def test_float32_stays_float32_forward_and_backward(layer, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = layer(x)
    dx = layer.backward(np.ones_like(out))
    assert out.dtype == dx.dtype == layer.W.value.dtype == layer.W.grad.dtype == layer.b.grad.dtype == np.float32


def test_float64_layer_computes_in_float64():
    layer = Conv2D(1, 2, 3, rng=0, dtype=np.float64)
    assert layer(np.ones((1, 4, 4, 1), dtype=np.float32)).dtype == np.float64


def test_he_initialisation_scales_with_the_fan_in_and_seeds_reproduce():
    layer = Conv2D(16, 64, 3, rng=0)
    assert layer.W.shape == (3, 3, 16, 64)
    assert layer.W.value.std() == pytest.approx(np.sqrt(2 / (3 * 3 * 16)), rel=0.05)
    np.testing.assert_array_equal(layer.W.value, Conv2D(16, 64, 3, rng=0).W.value)
    assert np.all(layer.b.value == 0)


# --- errors ---------------------------------------------------------------------------------
def test_wrong_number_of_channels_names_the_layer_expected_and_got():
    layer = Conv2D(3, 8, 3)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 8, 8, 4), dtype=np.float32))
    message = str(info.value)
    assert "Conv2D(3 -> 8" in message and "(N, H, W, 3)" in message and "(2, 8, 8, 4)" in message


def test_channels_first_input_gets_a_hint_to_move_channels_last():
    with pytest.raises(ValueError, match="channels last"):
        Conv2D(3, 8, 3)(np.zeros((2, 3, 8, 8), dtype=np.float32))


def test_wrong_number_of_dimensions_is_reported():
    with pytest.raises(ValueError, match=r"Conv1D\(2 -> 4.*\(N, L, 2\).*\(5, 2\)"):
        Conv1D(2, 4, 3)(np.zeros((5, 2), dtype=np.float32))


def test_input_smaller_than_the_kernel_is_reported():
    with pytest.raises(ValueError, match=r"Conv2D\(1 -> 1, kernel=5\).*large enough.*\(1, 3, 8, 1\)"):
        Conv2D(1, 1, 5)(np.zeros((1, 3, 8, 1), dtype=np.float32))


def test_integer_input_is_rejected_with_a_hint():
    with pytest.raises(TypeError, match="astype"):
        Conv1D(1, 1, 3)(np.zeros((1, 5, 1), dtype=np.int64))


def test_invalid_hyperparameters_are_rejected_when_the_layer_is_built():
    with pytest.raises(ValueError, match="stride"):
        Conv2D(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv1D(1, 1, (3, 3))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 1, 3, padding="full")


def test_repr_shows_the_shape_of_the_layer():
    assert repr(Conv2D(1, 32, 3, padding="same")) == "Conv2D(1 -> 32, kernel=3, padding='same')"
    assert repr(Conv1D(1, 25, 5, stride=2, padding=1, bias=False)) == (
        "Conv1D(1 -> 25, kernel=5, stride=2, padding=1, bias=False)"
    )

"""Scaled dot-product attention, masks, multi-head attention and positional encodings."""

import warnings

import numpy as np
import pytest

from dlcore.attention import (
    MultiHeadAttention,
    PositionalEmbedding,
    SinusoidalPositionalEncoding,
    attention_weights,
    causal_mask,
    masked_softmax,
    padding_mask,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
    sinusoidal_positional_encoding,
)
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.layers import Dropout
from dlcore.module import Module

GRAD_TOL = 1e-6


def randn(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def reference_attention(q, k, v, mask=None):
    """One query at a time with Python loops over a plain softmax of the allowed keys."""
    out = np.zeros(q.shape[:-1] + v.shape[-1:])
    for idx in np.ndindex(*q.shape[:-1]):
        batch = idx[:-1]
        s = k[batch] @ q[idx] / np.sqrt(q.shape[-1])  # (Tk,)
        allowed = np.ones(len(s), bool) if mask is None else np.broadcast_to(mask, q.shape[:-1] + (len(s),))[idx]
        if allowed.any():
            w = np.exp(s[allowed] - s[allowed].max())
            out[idx] = (w / w.sum()) @ v[batch][allowed]
    return out


# --- masks --------------------------------------------------------------------------------
def test_causal_mask_allows_only_the_past_and_present():
    m = causal_mask(4)
    assert m.dtype == bool and m.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert m[i, j] == (j <= i)


def test_padding_mask_marks_real_tokens_of_each_sequence():
    m = padding_mask(np.array([2, 0, 3]), 3)
    assert m.shape == (3, 1, 3) and m.dtype == bool
    np.testing.assert_array_equal(m[:, 0], [[True, True, False], [False, False, False], [True, True, True]])


def test_padding_mask_rejects_bad_lengths():
    with pytest.raises(ValueError, match=r"lengths must lie in \[0, 3\]"):
        padding_mask(np.array([4]), 3)
    with pytest.raises(ValueError, match="integer lengths"):
        padding_mask(np.array([1.5]), 3)


# --- the attention function -----------------------------------------------------------------
@pytest.mark.parametrize("masked", [False, True])
def test_attention_matches_a_loop_reference(masked):
    q, k, v = randn(2, 3, 4, seed=0), randn(2, 5, 4, seed=1), randn(2, 5, 6, seed=2)
    mask = padding_mask(np.array([5, 2]), 5) if masked else None
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    assert out.shape == (2, 3, 6) and weights.shape == (2, 3, 5)
    np.testing.assert_allclose(out, reference_attention(q, k, v, mask), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


@pytest.mark.parametrize(
    "mask",
    [None, causal_mask(4), padding_mask(np.array([4, 1]), 4), causal_mask(4) & padding_mask(np.array([3, 2]), 4)],
    ids=["none", "causal", "padding", "causal+padding"],
)
def test_attention_backward_matches_finite_differences(mask):
    q, k, v = randn(2, 4, 3, seed=0), randn(2, 4, 3, seed=1), randn(2, 4, 5, seed=2)
    R = randn(2, 4, 5, seed=3)

    def loss(_=None):
        return float(np.sum(scaled_dot_product_attention(q, k, v, mask)[0] * R))

    _, weights = scaled_dot_product_attention(q, k, v, mask)
    grads = scaled_dot_product_attention_backward(R, q, k, v, weights)
    for name, arr, g in zip("qkv", (q, k, v), grads, strict=True):
        assert g.shape == arr.shape
        assert relative_error(g, numerical_gradient(loss, arr)) < GRAD_TOL, name


def test_masked_positions_get_exactly_zero_weight():
    q, k, v = randn(2, 6, 4, seed=0), randn(2, 6, 4, seed=1), randn(2, 6, 4, seed=2)
    mask = causal_mask(6) & padding_mask(np.array([6, 4]), 6)
    _, weights = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(weights[~np.broadcast_to(mask, weights.shape)] == 0.0)
    assert np.all(weights[np.broadcast_to(mask, weights.shape)] > 0.0)


def test_huge_scores_next_to_masked_positions_still_get_zero_weight_there():
    q = np.full((1, 2, 2), 1e3)
    k = np.array([[[1e3, 1e3], [-1e3, -1e3], [5e2, 5e2]]])
    mask = np.array([[True, False, True]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _, weights = scaled_dot_product_attention(q, k, randn(1, 3, 2), mask)
    assert np.all(weights[..., 1] == 0.0) and np.all(np.isfinite(weights))


def test_a_fully_masked_row_gives_zero_weights_and_output_without_nan_or_warnings():
    q, k, v = randn(1, 3, 4, seed=0), randn(1, 3, 4, seed=1), randn(1, 3, 4, seed=2)
    mask = np.array([[True, True, False], [False, False, False], [True, False, False]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        dq, dk, dv = scaled_dot_product_attention_backward(np.ones_like(out), q, k, v, weights)
    np.testing.assert_array_equal(weights[0, 1], 0.0)
    np.testing.assert_array_equal(out[0, 1], 0.0)
    np.testing.assert_array_equal(dq[0, 1], 0.0)
    np.testing.assert_allclose(weights[0, [0, 2]].sum(axis=-1), 1.0)
    assert all(np.all(np.isfinite(g)) for g in (dq, dk, dv))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_attention_weights_equal_the_masked_softmax_of_the_scaled_scores(dtype):
    q, k = randn(2, 3, 5, 4, seed=0, dtype=dtype), randn(2, 3, 6, 4, seed=1, dtype=dtype)
    mask = padding_mask(np.array([6, 3]), 6)[:, None] & (np.arange(5)[:, None] != 2)  # query 2 sees nothing
    for m in (None, mask):
        A = attention_weights(q, k, m)
        expected = masked_softmax(q @ k.swapaxes(-1, -2) / 2.0, m)
        assert A.shape == (2, 3, 5, 6) and A.dtype == dtype
        np.testing.assert_allclose(A, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-7)
    np.testing.assert_array_equal(A[:, :, 2], 0.0)


def test_masked_softmax_without_mask_is_a_stable_softmax():
    s = np.array([[1000.0, 1000.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(masked_softmax(s), [[0.5, 0.5, 0.0]])


def test_attention_rejects_bad_shapes_and_masks():
    q, k, v = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 6)
    with pytest.raises(ValueError, match="must agree"):
        scaled_dot_product_attention(q, randn(2, 5, 3), v)
    with pytest.raises(ValueError, match="must agree"):
        scaled_dot_product_attention(q, k, randn(2, 4, 6))
    with pytest.raises(TypeError, match="boolean"):
        scaled_dot_product_attention(q, k, v, mask=np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\) does not broadcast.*\(2, 3, 5\)"):
        scaled_dot_product_attention(q, k, v, mask=causal_mask(3))


def test_float32_attention_stays_float32():
    q, k, v = (randn(2, 3, 4, seed=s, dtype=np.float32) for s in range(3))
    out, weights = scaled_dot_product_attention(q, k, v, causal_mask(3))
    grads = scaled_dot_product_attention_backward(np.ones_like(out), q, k, v, weights)
    assert out.dtype == weights.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


# --- multi-head attention ---------------------------------------------------------------------
def mha(d_model=8, heads=2, **kw):
    return MultiHeadAttention(d_model, heads, rng=0, dtype=np.float64, **kw)


class WithMask(Module):
    """A layer called with a fixed mask, so that check_module_gradients can call forward(x)."""

    def __init__(self, layer, mask):
        super().__init__()
        self.layer, self.mask = layer, mask

    def forward(self, x):
        return self.layer(x, mask=self.mask)

    def backward(self, grad_out):
        return self.layer.backward(grad_out)


def test_multi_head_equals_heads_computed_one_by_one():
    layer = mha(8, 2)
    x = randn(2, 5, 8)
    y = layer(x)
    q = x @ layer.q_proj.W.value + layer.q_proj.b.value
    kv = x @ layer.kv_proj.W.value + layer.kv_proj.b.value
    k, v = kv[..., :8], kv[..., 8:]
    heads = [reference_attention(q[..., s : s + 4], k[..., s : s + 4], v[..., s : s + 4]) for s in (0, 4)]
    expected = np.concatenate(heads, axis=-1) @ layer.out_proj.W.value + layer.out_proj.b.value
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)
    assert layer.attention_weights.shape == (2, 2, 5, 5)


@pytest.mark.parametrize(
    "mask",
    [None, causal_mask(5), padding_mask(np.array([5, 3]), 5), np.ones((2, 2, 5, 5), bool)],
    ids=["none", "causal", "padding", "per-head"],
)
@pytest.mark.parametrize("T", [1, 5])
def test_self_attention_gradients_match_finite_differences(mask, T):
    layer = mha()
    if mask is not None:
        mask = mask[..., :T, :T]

    errors = check_module_gradients(WithMask(layer, mask), randn(2, T, 8))
    assert max(errors.values()) < GRAD_TOL, errors


class SameMaskDropout(Module):
    """Attention dropout that draws the same mask at every call (re-seeded), so finite differences apply."""

    def __init__(self, p, seed):
        super().__init__()
        self.inner, self.seed = Dropout(p), seed

    def forward(self, x):
        self.inner.rng = np.random.default_rng(self.seed)
        return self.inner.forward(x)

    def backward(self, grad_out):
        return self.inner.backward(grad_out)


@pytest.mark.parametrize("mask", [None, causal_mask(5)], ids=["none", "causal"])
def test_self_attention_with_dropout_on_the_weights_passes_the_gradient_check(mask):
    layer = mha()
    layer.attn_drop = SameMaskDropout(0.3, seed=4)
    errors = check_module_gradients(WithMask(layer, mask), randn(2, 5, 8))
    assert max(errors.values()) < GRAD_TOL, errors
    assert np.any(layer.attn_drop.inner.mask == 0)  # some weights really were dropped


@pytest.mark.parametrize("masked", [False, True])
def test_cross_attention_gradients_match_finite_differences(masked):
    layer = mha()
    x, context = randn(2, 3, 8, seed=0), randn(2, 4, 8, seed=1)
    mask = padding_mask(np.array([4, 2]), 4) if masked else None
    R = randn(2, 3, 8, seed=2)

    def loss(_=None):
        return float(np.sum(layer(x, context=context, mask=mask) * R))

    layer.zero_grad()
    loss()
    grads = layer.backward(R)
    assert isinstance(grads, tuple) and len(grads) == 2
    dx, dcontext = grads
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL
    assert relative_error(dcontext, numerical_gradient(loss, context)) < GRAD_TOL
    for name, p in layer.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.value)) < GRAD_TOL, name
    if masked:
        np.testing.assert_array_equal(dcontext[1, 2:], 0.0)  # padded keys/values receive no gradient


def test_causal_self_attention_never_looks_ahead():
    layer = mha()
    x = randn(2, 6, 8)
    y = layer(x, mask=causal_mask(6))
    for t in range(6):
        changed = x.copy()
        changed[:, t + 1 :] = randn(2, 5 - t, 8, seed=t + 10)
        np.testing.assert_array_equal(layer(changed, mask=causal_mask(6))[:, : t + 1], y[:, : t + 1])
    w = layer.attention_weights
    assert np.all(w[..., np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0.0)


def test_padded_keys_do_not_change_the_outputs():
    layer = mha()
    x = randn(2, 5, 8)
    mask = padding_mask(np.array([5, 3]), 5)
    y = layer(x, mask=mask)
    x2 = x.copy()
    x2[1, 3:] = 100.0
    np.testing.assert_allclose(layer(x2, mask=mask)[1, :3], y[1, :3], rtol=1e-12, atol=1e-12)
    assert np.all(layer.attention_weights[1, :, :, 3:] == 0.0)


def test_cross_attention_weights_have_one_column_per_context_token():
    layer = mha()
    y = layer(randn(2, 3, 8), context=randn(2, 7, 8))
    assert y.shape == (2, 3, 8) and layer.attention_weights.shape == (2, 2, 3, 7)
    np.testing.assert_allclose(layer.attention_weights.sum(-1), 1.0)


def test_attention_dropout_is_active_only_in_training():
    layer = mha(dropout=0.5)
    x = randn(2, 5, 8)
    layer.eval()
    reference = mha()  # same seed, no dropout
    np.testing.assert_allclose(layer(x), reference(x))
    layer.train()
    assert not np.allclose(layer(x), reference(x))
    y = layer(x)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and np.all(np.isfinite(dx))


def test_multi_head_attention_rejects_bad_inputs():
    with pytest.raises(ValueError, match="not divisible"):
        MultiHeadAttention(10, 3)
    layer = mha()
    with pytest.raises(ValueError, match=r"MultiHeadAttention\(d_model=8, num_heads=2\).*\(N, T, 8\).*\(2, 5, 6\)"):
        layer(randn(2, 5, 6))
    with pytest.raises(ValueError, match=r"context \(2, Tk, 8\).*\(3, 4, 8\)"):
        layer(randn(2, 5, 8), context=randn(3, 4, 8))
    with pytest.raises(ValueError, match="does not broadcast"):
        layer(randn(2, 5, 8), mask=causal_mask(4))


def test_multi_head_attention_float32_stays_float32():
    layer = MultiHeadAttention(8, 2, rng=0, dtype=np.float32)
    x = randn(2, 5, 8, dtype=np.float32)
    y = layer(x, mask=causal_mask(5))
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.attention_weights.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())
    dx, dc = layer.backward(np.ones_like(layer(x, context=randn(2, 3, 8, dtype=np.float32))))
    assert dx.dtype == dc.dtype == np.float32


# --- positional information -------------------------------------------------------------------
def test_sinusoidal_encoding_follows_its_formula():
    pe = sinusoidal_positional_encoding(50, 6, dtype=np.float64)
    p = np.arange(50)
    for i in range(3):
        freq = 10000.0 ** (-2 * i / 6)
        np.testing.assert_allclose(pe[:, 2 * i], np.sin(p * freq), atol=1e-12)
        np.testing.assert_allclose(pe[:, 2 * i + 1], np.cos(p * freq), atol=1e-12)
    assert sinusoidal_positional_encoding(4, 5).shape == (4, 5)  # odd widths work
    assert sinusoidal_positional_encoding(4, 5).dtype == np.float32


def test_sinusoidal_encoding_of_a_shifted_position_is_a_rotation():
    pe = sinusoidal_positional_encoding(40, 8, dtype=np.float64)
    shift = 7
    for i in range(4):
        angle = shift * 10000.0 ** (-2 * i / 8)
        # [sin a, cos a] @ rotation = [sin(a + angle), cos(a + angle)]
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        pair = pe[:-shift, 2 * i : 2 * i + 2]  # (sin, cos) of position p
        np.testing.assert_allclose(pair @ rotation, pe[shift:, 2 * i : 2 * i + 2], atol=1e-12)


def test_sinusoidal_module_adds_the_encoding_and_passes_gradients_through():
    layer = SinusoidalPositionalEncoding(6, max_len=10, dtype=np.float64)
    x = randn(2, 4, 6)
    np.testing.assert_allclose(layer(x) - x, np.broadcast_to(sinusoidal_positional_encoding(4, 6), x.shape), atol=1e-7)
    errors = check_module_gradients(layer, x)
    assert max(errors.values()) < GRAD_TOL
    assert layer(x.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="exceeds max_len=10"):
        layer(randn(1, 11, 6))


def test_learned_positional_embedding_gradients_and_limits():
    layer = PositionalEmbedding(10, 6, rng=0, dtype=np.float64)
    for T in (1, 4):
        errors = check_module_gradients(layer, randn(3, T, 6))
        assert max(errors.values()) < GRAD_TOL, errors
    layer.zero_grad()
    layer(randn(3, 4, 6))
    layer.backward(np.ones((3, 4, 6)))
    np.testing.assert_array_equal(layer.P.grad[4:], 0.0)  # unused positions get no gradient
    np.testing.assert_array_equal(layer.P.grad[:4], 3.0)
    with pytest.raises(ValueError, match="exceeds max_len=10"):
        layer(randn(1, 11, 6))
    f32 = PositionalEmbedding(10, 6, rng=0)
    assert f32(randn(2, 3, 6, dtype=np.float32)).dtype == np.float32

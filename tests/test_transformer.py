"""Transformer encoder and decoder blocks: structure, gradients, causality, norm placement, dropout, dtypes."""

import numpy as np
import pytest

from dlcore.attention import padding_mask
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.layers import GELU, ReLU
from dlcore.model import Sequential
from dlcore.module import Module
from dlcore.transformer import MLP, GELUTanh, TransformerConfig, TransformerDecoderBlock, TransformerEncoderBlock

GRAD_TOL = 1e-6
D = 8


def config(norm_first=True, **kw):
    return TransformerConfig(d_model=D, num_heads=2, d_ff=12, norm_first=norm_first, **kw)


def randn(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def encoder(norm_first=True, causal=False, seed=0, **kw):
    return TransformerEncoderBlock(config(norm_first, **kw), causal=causal, rng=seed, dtype=np.float64)


def decoder(norm_first=True, seed=0, **kw):
    return TransformerDecoderBlock(config(norm_first, **kw), rng=seed, dtype=np.float64)


class WithMask(Module):
    """A block called with a fixed mask, so that check_module_gradients can call forward(x)."""

    def __init__(self, block, mask):
        super().__init__()
        self.block, self.mask = block, mask

    def forward(self, x):
        return self.block(x, mask=self.mask)

    def backward(self, grad_out):
        return self.block.backward(grad_out)


# --- structure ---------------------------------------------------------------------------------
def test_config_defaults_and_named_submodules():
    c = TransformerConfig()
    assert (c.d_model, c.num_heads, c.hidden, c.norm_first, c.dropout) == (64, 4, 256, True, 0.0)
    block = TransformerEncoderBlock(c)
    assert {"attn", "mlp", "ln_1", "ln_2"} <= dict(block.named_children()).keys()
    d, f = 64, 256
    attention = 4 * d * d + 4 * d  # W_q, W_k, W_v, W_o and their biases
    assert block.num_parameters() == attention + (d * f + f + f * d + d) + 2 * (2 * d)
    dec = TransformerDecoderBlock(c)
    assert {"attn", "cross_attn", "mlp", "ln_1", "ln_2", "ln_3"} <= dict(dec.named_children()).keys()
    assert dec.num_parameters() == block.num_parameters() + attention + 2 * d


@pytest.mark.parametrize("name, cls", [("gelu_tanh", GELUTanh), ("gelu", GELU), ("relu", ReLU)])
def test_mlp_activation_is_chosen_by_name(name, cls):
    mlp = MLP(D, 12, activation=name, rng=0, dtype=np.float64)
    assert isinstance(mlp.act, cls)
    errors = check_module_gradients(mlp, randn(2, 3, D))
    assert max(errors.values()) < GRAD_TOL, errors
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(D, 12, activation="swish")


def test_gelu_tanh_is_close_to_the_exact_gelu():
    x = np.linspace(-6, 6, 121)
    np.testing.assert_allclose(GELUTanh()(x), GELU()(x), atol=1e-3)


# --- gradients ----------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
@pytest.mark.parametrize("causal", [False, True], ids=["bidirectional", "causal"])
@pytest.mark.parametrize("T", [1, 4])
def test_encoder_block_gradients_match_finite_differences(norm_first, causal, T):
    errors = check_module_gradients(encoder(norm_first, causal), randn(2, T, D))
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
def test_encoder_block_with_padding_mask_gradients_match_finite_differences(norm_first):
    block = WithMask(encoder(norm_first), padding_mask(np.array([4, 2]), 4))
    errors = check_module_gradients(block, randn(2, 4, D))
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
@pytest.mark.parametrize("T, S", [(1, 1), (3, 5)])
def test_decoder_block_gradients_match_finite_differences(norm_first, T, S):
    block = decoder(norm_first)
    x, context = randn(2, T, D, seed=1), randn(2, S, D, seed=2)
    context_mask = padding_mask(np.array([S, max(S - 2, 1)]), S)
    R = randn(2, T, D, seed=3)

    def loss(_=None):
        return float(np.sum(block(x, context, context_mask=context_mask) * R))

    block.zero_grad()
    loss()
    dx, dcontext = block.backward(R)
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL
    assert relative_error(dcontext, numerical_gradient(loss, context)) < GRAD_TOL
    for name, p in block.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.value)) < GRAD_TOL, name


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
def test_stacked_encoder_blocks_in_sequential_have_correct_gradients(norm_first):
    model = Sequential([encoder(norm_first, seed=0), encoder(norm_first, causal=True, seed=1)])
    errors = check_module_gradients(model, randn(2, 3, D))
    assert max(errors.values()) < GRAD_TOL, errors


# --- behaviour ----------------------------------------------------------------------------------
def changed_after(x, t, seed):
    """x with every position after t replaced by new random vectors."""
    out = x.copy()
    out[:, t + 1 :] = randn(x.shape[0], x.shape[1] - t - 1, x.shape[2], seed=seed)
    return out


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-norm", "post-norm"])
def test_causal_blocks_never_look_ahead(norm_first):
    x, context = randn(2, 6, D), randn(2, 4, D, seed=1)
    enc, dec = encoder(norm_first, causal=True), decoder(norm_first)
    y_enc, y_dec = enc(x), dec(x, context)
    for t in range(5):
        x2 = changed_after(x, t, seed=10 + t)
        np.testing.assert_array_equal(enc(x2)[:, : t + 1], y_enc[:, : t + 1])
        np.testing.assert_array_equal(dec(x2, context)[:, : t + 1], y_dec[:, : t + 1])
        assert not np.allclose(enc(x2)[:, t + 1 :], y_enc[:, t + 1 :])


def test_bidirectional_encoder_block_does_look_ahead():
    x = randn(2, 6, D)
    block = encoder()
    assert not np.allclose(block(changed_after(x, 2, seed=5))[:, 0], block(x)[:, 0])


def test_decoder_output_depends_on_every_unmasked_context_token_only():
    block = decoder()
    x, context = randn(2, 3, D), randn(2, 5, D, seed=1)
    context_mask = padding_mask(np.array([5, 3]), 5)
    y = block(x, context, context_mask=context_mask)
    c2 = context.copy()
    c2[1, 3:] = 50.0  # padding of sequence 1
    np.testing.assert_allclose(block(x, c2, context_mask=context_mask), y, rtol=1e-12, atol=1e-12)
    c2[1, 2] += 1.0  # a real token of sequence 1
    assert not np.allclose(block(x, c2, context_mask=context_mask)[1], y[1])


def test_post_norm_output_is_normalised_and_pre_norm_output_is_not():
    x = 5.0 + 3.0 * randn(2, 4, D)
    post = encoder(norm_first=False)(x)
    np.testing.assert_allclose(post.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(post.std(axis=-1), 1.0, rtol=1e-3)
    pre = encoder(norm_first=True)(x)
    assert np.abs(pre.mean(axis=-1)).min() > 1.0  # the residual stream keeps x's offset


def test_pre_norm_block_is_the_identity_plus_its_sublayers():
    block = encoder()
    x = randn(2, 4, D)
    h = x + block.attn(block.ln_1(x))
    np.testing.assert_allclose(block(x), h + block.mlp(block.ln_2(h)), rtol=1e-12, atol=1e-12)


def test_dropout_only_acts_in_training_mode():
    with_dropout = TransformerEncoderBlock(config(dropout=0.3), rng=0, dtype=np.float64)
    without = encoder()
    x = randn(2, 5, D)
    with_dropout.eval()
    np.testing.assert_allclose(with_dropout(x), without(x), rtol=1e-12, atol=1e-12)
    with_dropout.train()
    a, b = with_dropout(x), with_dropout(x)
    assert not np.allclose(a, b)
    dx = with_dropout.backward(np.ones_like(b))
    assert dx.shape == x.shape and np.all(np.isfinite(dx))


def test_float32_stays_float32_in_both_blocks():
    x, context = randn(2, 4, D, dtype=np.float32), randn(2, 3, D, seed=1, dtype=np.float32)
    for norm_first in (True, False):
        enc = TransformerEncoderBlock(config(norm_first), causal=True, rng=0)
        y = enc(x)
        assert y.dtype == np.float32 and enc.backward(np.ones_like(y)).dtype == np.float32
        dec = TransformerDecoderBlock(config(norm_first), rng=0)
        y = dec(x, context)
        dx, dc = dec.backward(np.ones_like(y))
        assert y.dtype == dx.dtype == dc.dtype == np.float32
        assert all(p.grad.dtype == np.float32 for p in dec.parameters())


def test_blocks_reject_inputs_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"\(N, \.\.\., 8\).*\(2, 4, 6\)"):
        encoder()(randn(2, 4, 6))
    with pytest.raises(ValueError, match=r"context \(2, Tk, 8\)"):
        decoder()(randn(2, 4, D), randn(2, 3, 6))
    with pytest.raises(ValueError, match="not divisible"):
        TransformerEncoderBlock(TransformerConfig(d_model=10, num_heads=4))


def test_repr_describes_the_block():
    assert repr(encoder(norm_first=False, causal=True)) == (
        "TransformerEncoderBlock(d_model=8, heads=2, d_ff=12, post-norm, causal)"
    )
    assert repr(decoder()) == "TransformerDecoderBlock(d_model=8, heads=2, d_ff=12, pre-norm)"

"""Transformer blocks: an encoder block (self-attention + MLP) and a decoder block
(causal self-attention + cross-attention + MLP), each with residual connections and
layer norm placed before (pre-norm, ``norm_first=True``) or after (post-norm) each sublayer.

    pre-norm  (GPT-2 and most modern models):  x = x + sublayer(LN(x))
    post-norm (the original 2017 Transformer): x = LN(x + sublayer(x))

Pre-norm keeps an untouched residual path from input to output, which makes deep stacks
train without a learning-rate warm-up; post-norm normalises the residual stream itself.

Cost: attention is O(T^2 d) time and O(T^2) memory per head and layer, the MLP O(T d d_ff).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlcore.attention import MultiHeadAttention, causal_mask
from dlcore.config import get_rng
from dlcore.layers import ACTIVATION_LAYERS, Dense, Dropout, GELUTanh, LayerNorm, activation_layer  # noqa: F401
from dlcore.module import Module

MLP_EXPANSION = 4  # d_ff = 4 * d_model, as in the original Transformer and GPT


@dataclass
class TransformerConfig:
    """Sizes and switches of a transformer block.

    d_model: width of the residual stream; num_heads: attention heads (d_model % num_heads == 0);
    d_ff: hidden width of the MLP (None: 4 * d_model); dropout: probability used on the
    attention weights and on each sublayer's output before it joins the residual stream;
    norm_first: pre-norm (True) or post-norm (False); eps: layer norm's epsilon;
    activation: the MLP's nonlinearity, "gelu_tanh" (GPT-2's tanh approximation of GELU),
    "gelu" (the exact erf form: same curve within 1e-3, but erf is far slower than tanh in
    NumPy/SciPy) or "relu" (the original Transformer's).
    """

    d_model: int = 64
    num_heads: int = 4
    d_ff: int | None = None
    dropout: float = 0.0
    norm_first: bool = True
    eps: float = 1e-5
    activation: str = "gelu_tanh"

    @property
    def hidden(self) -> int:
        return self.d_ff if self.d_ff is not None else MLP_EXPANSION * self.d_model


class MLP(Module):
    """Position-wise feed-forward network: x: (N, T, d_model) -> act(x W1 + b1) W2 + b2, same shape.

    activation: a name from ``layers.ACTIVATION_LAYERS``, usually "gelu_tanh", "gelu" or "relu"
    (see ``TransformerConfig``).
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        activation: str = "gelu_tanh",
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"MLP: unknown activation {activation!r}; choose from {sorted(ACTIVATION_LAYERS)}")
        self.fc = Dense(d_model, d_ff, init="he", rng=rng, dtype=dtype)
        self.act = activation_layer(activation)
        self.proj = Dense(d_ff, d_model, init="xavier", rng=rng, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.proj(self.act(self.fc(x)))  # (N, T, d) -> (N, T, d_ff) -> (N, T, d)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return self.fc.backward(self.act.backward(self.proj.backward(grad_out)))

    def __repr__(self) -> str:
        return f"MLP({self.fc.in_features} -> {self.fc.out_features} -> {self.proj.out_features})"


class TransformerEncoderBlock(Module):
    """Self-attention and an MLP, each wrapped in a residual connection and a layer norm.

    x: (N, T, d_model), mask: bool broadcastable to (N, T, T), True = may attend -> (N, T, d_model).
    causal=True makes every position attend only to itself and earlier ones (a GPT block).
    """

    def __init__(
        self, config: TransformerConfig, causal: bool = False, rng: np.random.Generator | int | None = None, dtype=None
    ):
        super().__init__()
        rng = None if rng is None else get_rng(rng)  # one stream for all parts; None: the global one
        c = self.config = config
        self.causal = causal
        self.ln_1 = LayerNorm(c.d_model, eps=c.eps, dtype=dtype)
        self.attn = MultiHeadAttention(c.d_model, c.num_heads, dropout=c.dropout, rng=rng, dtype=dtype)
        self.drop_1 = Dropout(c.dropout, rng=rng)
        self.ln_2 = LayerNorm(c.d_model, eps=c.eps, dtype=dtype)
        self.mlp = MLP(c.d_model, c.hidden, c.activation, rng=rng, dtype=dtype)
        self.drop_2 = Dropout(c.dropout, rng=rng)

    def forward(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        if self.causal:
            mask = causal_mask(x.shape[1]) if mask is None else causal_mask(x.shape[1]) & mask
        if self.config.norm_first:
            x = x + self.drop_1(self.attn(self.ln_1(x), mask=mask))
            return x + self.drop_2(self.mlp(self.ln_2(x)))
        x = self.ln_1(x + self.drop_1(self.attn(x, mask=mask)))
        return self.ln_2(x + self.drop_2(self.mlp(x)))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dL/dy: (N, T, d_model) -> dL/dx. Each residual adds the identity path to the sublayer's path."""
        d = grad_out
        if self.config.norm_first:
            d = d + self.ln_2.backward(self.mlp.backward(self.drop_2.backward(d)))
            return d + self.ln_1.backward(self.attn.backward(self.drop_1.backward(d)))
        d = self.ln_2.backward(d)
        d = d + self.mlp.backward(self.drop_2.backward(d))
        d = self.ln_1.backward(d)
        return d + self.attn.backward(self.drop_1.backward(d))

    def __repr__(self) -> str:
        c = self.config
        kind = "pre-norm" if c.norm_first else "post-norm"
        causal = ", causal" if self.causal else ""
        return f"TransformerEncoderBlock(d_model={c.d_model}, heads={c.num_heads}, d_ff={c.hidden}, {kind}{causal})"


class TransformerDecoderBlock(Module):
    """Causal self-attention, cross-attention to an encoder's output, and an MLP.

    forward(x, context, mask=None, context_mask=None):
      x: (N, T, d_model) the target sequence so far; context: (N, S, d_model) the encoder output;
      mask: extra bool mask on self-attention, broadcastable to (N, T, T) (combined with the
      causal mask); context_mask: bool broadcastable to (N, T, S), e.g. padding of the source
      -> (N, T, d_model).
    backward(grad_out) returns the tuple (dx, dcontext).
    """

    def __init__(self, config: TransformerConfig, rng: np.random.Generator | int | None = None, dtype=None):
        super().__init__()
        rng = None if rng is None else get_rng(rng)  # one stream for all parts; None: the global one
        c = self.config = config
        self.ln_1 = LayerNorm(c.d_model, eps=c.eps, dtype=dtype)
        self.attn = MultiHeadAttention(c.d_model, c.num_heads, dropout=c.dropout, rng=rng, dtype=dtype)
        self.drop_1 = Dropout(c.dropout, rng=rng)
        self.ln_2 = LayerNorm(c.d_model, eps=c.eps, dtype=dtype)
        self.cross_attn = MultiHeadAttention(c.d_model, c.num_heads, dropout=c.dropout, rng=rng, dtype=dtype)
        self.drop_2 = Dropout(c.dropout, rng=rng)
        self.ln_3 = LayerNorm(c.d_model, eps=c.eps, dtype=dtype)
        self.mlp = MLP(c.d_model, c.hidden, c.activation, rng=rng, dtype=dtype)
        self.drop_3 = Dropout(c.dropout, rng=rng)

    def forward(
        self,
        x: np.ndarray,
        context: np.ndarray,
        mask: np.ndarray | None = None,
        context_mask: np.ndarray | None = None,
    ) -> np.ndarray:
        causal = causal_mask(x.shape[1])
        mask = causal if mask is None else causal & mask
        if self.config.norm_first:
            x = x + self.drop_1(self.attn(self.ln_1(x), mask=mask))
            x = x + self.drop_2(self.cross_attn(self.ln_2(x), context=context, mask=context_mask))
            return x + self.drop_3(self.mlp(self.ln_3(x)))
        x = self.ln_1(x + self.drop_1(self.attn(x, mask=mask)))
        x = self.ln_2(x + self.drop_2(self.cross_attn(x, context=context, mask=context_mask)))
        return self.ln_3(x + self.drop_3(self.mlp(x)))

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dL/dy: (N, T, d_model) -> (dL/dx, dL/dcontext)."""
        d = grad_out
        if self.config.norm_first:
            d = d + self.ln_3.backward(self.mlp.backward(self.drop_3.backward(d)))
            dx, dcontext = self.cross_attn.backward(self.drop_2.backward(d))
            d = d + self.ln_2.backward(dx)
            return d + self.ln_1.backward(self.attn.backward(self.drop_1.backward(d))), dcontext
        d = self.ln_3.backward(d)
        d = d + self.mlp.backward(self.drop_3.backward(d))
        d = self.ln_2.backward(d)
        dx, dcontext = self.cross_attn.backward(self.drop_2.backward(d))
        d = self.ln_1.backward(d + dx)
        return d + self.attn.backward(self.drop_1.backward(d)), dcontext

    def __repr__(self) -> str:
        c = self.config
        kind = "pre-norm" if c.norm_first else "post-norm"
        return f"TransformerDecoderBlock(d_model={c.d_model}, heads={c.num_heads}, d_ff={c.hidden}, {kind})"

"""Attention: scaled dot-product attention, masks, multi-head attention, positional encodings.

Scaled dot-product attention of queries q: (..., Tq, d) over keys k: (..., Tk, d) and values
v: (..., Tk, dv):

    S = q k^T / sqrt(d)          scores          (..., Tq, Tk)
    A = softmax(S) along keys    weights         (..., Tq, Tk), each row sums to 1
    out = A v                                    (..., Tq, dv)

Cost: the score matrix has Tq * Tk entries, so one head takes O(Tq * Tk * d) time and
O(Tq * Tk) memory; for self-attention (Tq = Tk = T) that is O(T^2 d) time and O(T^2) memory
per head: quadratic in the sequence length, which is what limits how long a context can be.

Masks are boolean arrays, broadcastable to the score shape, with **True = may attend** and
False = must not (the opposite of PyTorch's ``key_padding_mask``). A masked score is replaced
by -inf before the softmax, so its weight is exactly 0. A query whose whole row is masked
(e.g. a padding query with a padding mask on queries) gets all-zero weights, hence a zero
output and zero gradients: no NaN, no warning.
"""

from __future__ import annotations

import math

import numpy as np

from dlcore.activations import softmax, softmax_backward
from dlcore.config import get_rng, resolve_dtype
from dlcore.layers import Dense, Dropout
from dlcore.module import Module, Parameter, Workspace, check_input

POSITIONAL_BASE = 10000.0  # the wavelength base of the sinusoidal encoding (Vaswani et al.)


# --- masks ----------------------------------------------------------------------------
def causal_mask(T: int) -> np.ndarray:
    """(T, T) boolean, True on and below the diagonal: query i may attend keys 0..i only."""
    return np.tril(np.ones((T, T), dtype=bool))


def padding_mask(lengths, T: int) -> np.ndarray:
    """Key mask for a batch of sequences padded to length T.

    lengths: (N,) true lengths -> (N, 1, T) boolean, True at real tokens (position < length).
    Broadcasts against scores (N, Tq, T); combine with a causal mask by ``&``.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"padding_mask: expected integer lengths of shape (N,), got {lengths.dtype} {lengths.shape}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > T):
        raise ValueError(f"padding_mask: lengths must lie in [0, {T}], got {lengths.min()}..{lengths.max()}")
    return (np.arange(T) < lengths[:, None])[:, None, :]  # (N, T) -> (N, 1, T)


def _check_mask(mask: np.ndarray, scores_shape: tuple[int, ...], who: str) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"{who}: mask must be boolean (True = may attend), got dtype {mask.dtype}")
    try:
        shape = np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        shape = None
    if shape != tuple(scores_shape):
        raise ValueError(f"{who}: mask of shape {mask.shape} does not broadcast to the scores' shape {scores_shape}")
    return mask


# --- the attention function and its backward --------------------------------------------
def masked_softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis, giving weight exactly 0 where ``mask`` is False.

    scores: (..., Tq, Tk), mask: broadcastable bool or None -> weights of the same shape.
    Rows with no allowed position come out all zero (instead of 0/0 = NaN).
    (``activations.softmax`` with a mask.)
    """
    return softmax(scores, axis=-1, mask=mask)


def attention_weights(q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """A = softmax(q k^T / sqrt(d)) with masking. q: (..., Tq, d), k: (..., Tk, d) -> (..., Tq, Tk).

    The weights come back as a transposed view of a key-major array: NumPy finds the maximum
    and the sum of each query's row of scores several times faster when the Tk scores of a
    query lie down a column (a reduction across rows) than along a row only Tk long.
    """
    q = q * (1.0 / math.sqrt(q.shape[-1]))  # scaling q is cheaper than scaling the Tq x Tk scores
    scores = (k @ q.swapaxes(-1, -2)).swapaxes(-1, -2)  # q k^T: (..., Tq, Tk), stored key-major
    if mask is not None:
        mask = _check_mask(mask, scores.shape, "attention")
    return _softmax_in_place(scores, mask)


def _row_sums(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=-1) as a matrix-vector product x @ [1, ..., 1]: (..., Tq, Tk) -> (..., Tq).

    BLAS does it several times faster than NumPy's reduction over so short an axis.
    """
    return x @ np.ones(x.shape[-1], x.dtype)


def _softmax_in_place(scores: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``masked_softmax(scores, mask)``, overwriting ``scores`` (a new array the caller owns)."""
    if mask is not None:
        np.copyto(scores, -np.inf, where=~mask)  # weight exactly 0 after exp
    row_max = scores.max(axis=-1, keepdims=True)  # (..., Tq, 1)
    if mask is not None:
        row_max[~np.isfinite(row_max)] = 0.0  # fully masked row: avoid -inf - (-inf)
    scores -= row_max  # the largest exponent is exp(0) = 1: nothing overflows
    with np.errstate(under="ignore"):  # exp of a very negative number is 0, which is right
        np.exp(scores, out=scores)
    total = _row_sums(scores)  # (..., Tq)
    if mask is not None:
        total[total == 0] = 1.0  # fully masked row: 0 / 1 = 0
    scores *= (1.0 / total)[..., None]
    return scores


def attention_weights_backward(
    dA: np.ndarray, q: np.ndarray, k: np.ndarray, A: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """dL/dA: (..., Tq, Tk) -> (dq, dk) with the shapes of q and k.

    Softmax backward row by row: dS = A * (dA - sum_j dA_j A_j); masked entries have A = 0,
    so they pass no gradient. Then S = q k^T / sqrt(d) gives dq = dS k / sqrt(d), dk = dS^T q / sqrt(d).
    """
    dS = softmax_backward(A, dA)  # A * (dA - sum_j dA_j A_j)
    scale = 1.0 / math.sqrt(q.shape[-1])
    dq = dS @ k  # (..., Tq, Tk) @ (..., Tk, d) -> (..., Tq, d)
    dq *= scale
    dk = dS.swapaxes(-1, -2) @ q  # (..., Tk, Tq) @ (..., Tq, d) -> (..., Tk, d)
    dk *= scale
    return dq, dk


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """out = softmax(q k^T / sqrt(d)) v, and the weights.

    q: (..., Tq, d), k: (..., Tk, d), v: (..., Tk, dv), mask: bool broadcastable to (..., Tq, Tk)
    (True = may attend) or None -> out: (..., Tq, dv), weights: (..., Tq, Tk).
    Time O(Tq Tk (d + dv)), memory O(Tq Tk) for the weights.
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_input("scaled_dot_product_attention", t, ndim=tuple(range(2, 8)), expected=f"{name}: (..., T, d)")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv) must agree, "
            f"got q {q.shape}, k {k.shape}, v {v.shape}"
        )
    A = attention_weights(q, k, mask)
    return A @ v, A  # (..., Tq, Tk) @ (..., Tk, dv) -> (..., Tq, dv)


def scaled_dot_product_attention_backward(
    dout: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray, A: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dout: (..., Tq, dv) and the forward's weights A -> (dq, dk, dv).

    out = A v gives dA = dout v^T and dv = A^T dout; the rest is ``attention_weights_backward``.
    """
    dA = dout @ v.swapaxes(-1, -2)  # (..., Tq, dv) @ (..., dv, Tk) -> (..., Tq, Tk)
    dv = A.swapaxes(-1, -2) @ dout  # (..., Tk, Tq) @ (..., Tq, dv) -> (..., Tk, dv)
    dq, dk = attention_weights_backward(dA, q, k, A)
    return dq, dk, dv


# --- multi-head attention ---------------------------------------------------------------
class MultiHeadAttention(Module):
    """Multi-head attention, for self-attention and cross-attention.

    forward(x, context=None, mask=None):
      x: (N, Tq, d_model) gives the queries; context: (N, Tk, d_model) gives keys and values
      (None: x itself, i.e. self-attention); mask: bool broadcastable to (N, Tq, Tk) or
      (N, h, Tq, Tk), True = may attend -> (N, Tq, d_model).
    backward(grad_out) returns dx for self-attention and the tuple (dx, dcontext) for
    cross-attention.

    Each of the h heads attends in its own d_k = d_model / h dimensional subspace:
      q = x W_q, [k, v] = context W_kv, split into heads (N, h, T, d_k),
      head outputs softmax(q k^T / sqrt(d_k)) v, concatenated back to (N, Tq, d_model), then W_o.
    The weights of the last forward, (N, h, Tq, Tk) (before dropout), are kept in ``.attention_weights``
    for plotting.
    Cost per head: O(Tq Tk d_k) time and O(Tq Tk) memory, quadratic in the sequence length.
    dropout: probability of dropping an attention weight during training (0 = off).
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dropout: float = 0.0,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"MultiHeadAttention: d_model={d_model} is not divisible by num_heads={num_heads}")
        rng = None if rng is None else get_rng(rng)  # one stream for all parts; None: the global one
        self.d_model, self.num_heads, self.d_k = d_model, num_heads, d_model // num_heads
        self.q_proj = Dense(d_model, d_model, init="xavier", rng=rng, dtype=dtype)
        self.kv_proj = Dense(d_model, 2 * d_model, init="xavier", rng=rng, dtype=dtype)  # [W_k | W_v]
        self.out_proj = Dense(d_model, d_model, init="xavier", rng=rng, dtype=dtype)
        self.attn_drop = Dropout(dropout, rng=rng) if dropout > 0 else None
        self.attention_weights: np.ndarray | None = None
        self._workspace = Workspace()  # backward's two (N, h, Tq, Tk) scratch arrays, reused from step to step

    def _split_heads(self, t: np.ndarray) -> np.ndarray:
        N, T, _ = t.shape
        return t.reshape(N, T, self.num_heads, self.d_k).transpose(0, 2, 1, 3)  # (N, T, d) -> (N, h, T, d_k)

    def _head_buffer(self, N: int, T: int, parts: int, dtype) -> tuple[np.ndarray, list[np.ndarray]]:
        """A new (N, T, parts * d_model) array and, for each part, its (N, h, T, d_k) view.

        A batched product written into such a view (``np.matmul(..., out=view)``) lands
        directly in the (N, T, d) layout the projections use: no merge copy afterwards.
        """
        buffer = np.empty((N, T, parts, self.num_heads, self.d_k), dtype)
        views = [buffer[:, :, i].transpose(0, 2, 1, 3) for i in range(parts)]  # (N, h, T, d_k) each
        return buffer.reshape(N, T, parts * self.d_model), views

    def _head_mask(self, mask, N: int, Tq: int, Tk: int) -> np.ndarray | None:
        if mask is None:
            return None
        mask = np.asarray(mask)
        if mask.ndim == 3:
            mask = mask[:, None]  # (N, Tq, Tk) -> (N, 1, Tq, Tk): the same for every head
        return _check_mask(mask, (N, self.num_heads, Tq, Tk), repr(self))

    def forward(self, x: np.ndarray, context: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        d = self.d_model
        check_input(self, x, ndim=3, size={2: d}, expected=f"(N, T, {d})")
        self.cross = context is not None
        if self.cross:
            check_input(self, context, ndim=3, size={0: x.shape[0], 2: d}, expected=f"context ({x.shape[0]}, Tk, {d})")
        source = context if self.cross else x
        N, Tq, Tk = x.shape[0], x.shape[1], source.shape[1]
        kv = self.kv_proj(source)  # (N, Tk, 2d)
        q = self._split_heads(self.q_proj(x))  # (N, Tq, d) -> (N, h, Tq, d_k)
        k = self._split_heads(kv[..., :d])  # (N, h, Tk, d_k)
        v = self._split_heads(kv[..., d:])
        A = attention_weights(q, k, self._head_mask(mask, N, Tq, Tk))  # (N, h, Tq, Tk)
        A_used = self.attn_drop(A) if self.attn_drop is not None else A
        heads, (heads_h,) = self._head_buffer(N, Tq, 1, A.dtype)  # (N, Tq, d) and its (N, h, Tq, d_k) view
        np.matmul(A_used, v, out=heads_h)  # (N, h, Tq, Tk) @ (N, h, Tk, d_k): the heads, already concatenated
        self.cache = q, k, v, A, A_used, heads
        self.attention_weights = A
        return self.out_proj(heads)  # (N, Tq, d)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """dL/dy: (N, Tq, d) -> dx, or (dx, dcontext) for cross-attention."""
        q, k, v, A, A_used, heads = self.cache
        N, Tq, Tk = heads.shape[0], heads.shape[1], k.shape[2]
        dheads = self.out_proj.backward(grad_out)  # (N, Tq, d)
        dheads_h = self._split_heads(dheads)  # (N, h, Tq, d_k)
        dq, (dq_h,) = self._head_buffer(N, Tq, 1, A.dtype)
        dkv, (dk_h, dv_h) = self._head_buffer(N, Tk, 2, A.dtype)  # [dk | dv], the layout of kv
        np.matmul(A_used.swapaxes(-1, -2), dheads_h, out=dv_h)  # dv = A^T dheads: (N, h, Tk, d_k)
        dA_t = self._workspace.get("dA", (N, self.num_heads, Tk, Tq), A.dtype)
        dA = np.matmul(v, dheads_h.swapaxes(-1, -2), out=dA_t).swapaxes(-1, -2)  # dheads v^T, key-major as A
        if self.attn_drop is not None:
            dA = self.attn_drop.backward(dA)
        # softmax backward, in place: dS = A * (dA - sum_j dA_j A_j)
        dA_A = np.multiply(dA, A, out=self._workspace.get("dA_A", dA_t.shape, A.dtype).swapaxes(-1, -2))
        dA -= _row_sums(dA_A)[..., None]  # (N, h, Tq, 1)
        dS = np.multiply(dA, A, out=dA)
        scale = 1.0 / math.sqrt(self.d_k)  # S = q k^T * scale
        np.matmul(dS, k, out=dq_h)  # dq = dS k * scale: (N, h, Tq, d_k)
        dq *= scale
        np.matmul(dS.swapaxes(-1, -2), q, out=dk_h)  # dk = dS^T q * scale: (N, h, Tk, d_k)
        dkv[..., : self.d_model] *= scale
        dx = self.q_proj.backward(dq)
        dsource = self.kv_proj.backward(dkv)
        if self.cross:
            return dx, dsource
        dx += dsource
        return dx

    def __repr__(self) -> str:
        return f"MultiHeadAttention(d_model={self.d_model}, num_heads={self.num_heads})"


# --- positional information -------------------------------------------------------------
def sinusoidal_positional_encoding(num_positions: int, d_model: int, base: float = POSITIONAL_BASE, dtype=None):
    """The fixed encoding of Vaswani et al.: (num_positions, d_model).

    PE[p, 2i] = sin(p / base^(2i / d_model)), PE[p, 2i + 1] = cos(p / base^(2i / d_model)).
    Each pair of columns is a clock with its own wavelength, from 2 pi up to base * 2 pi, so
    every position gets a distinct pattern and PE[p + k] is a rotation of PE[p].
    """
    positions = np.arange(num_positions)[:, None]  # (T, 1)
    freqs = base ** (-np.arange(0, d_model, 2) / d_model)  # (ceil(d / 2),)
    angles = positions * freqs  # (T, ceil(d / 2))
    pe = np.empty((num_positions, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return pe.astype(resolve_dtype(dtype))


DEFAULT_MAX_LEN = 1024  # positions a SinusoidalPositionalEncoding covers unless told


class SinusoidalPositionalEncoding(Module):
    """Add the fixed sinusoidal encoding: x: (N, T, d_model) -> x + PE[:T], T <= max_len. No parameters.

    Arguments in the order of ``PositionalEmbedding`` and of the table PE: (max_len, d_model),
    e.g. ``SinusoidalPositionalEncoding(128, 64)``. The older calls, which put d_model first,
    keep working when max_len is a keyword or left out: ``SinusoidalPositionalEncoding(64)``
    (max_len 1024) and ``SinusoidalPositionalEncoding(64, max_len=128)``.
    """

    def __init__(self, *sizes: int, max_len: int | None = None, d_model: int | None = None, dtype=None):
        super().__init__()
        if len(sizes) == 2 and max_len is None and d_model is None:
            max_len, d_model = sizes
        elif len(sizes) == 1 and d_model is None:  # the older order: d_model first
            d_model = sizes[0]
        elif len(sizes) == 1 and max_len is None:
            max_len = sizes[0]
        elif sizes:
            raise TypeError(f"SinusoidalPositionalEncoding: expected (max_len, d_model), got {sizes}")
        if d_model is None:
            raise TypeError("SinusoidalPositionalEncoding: d_model is missing")
        max_len = DEFAULT_MAX_LEN if max_len is None else max_len
        self.d_model, self.max_len = int(d_model), int(max_len)
        self.pe = sinusoidal_positional_encoding(max_len, d_model, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=3, size={2: self.d_model}, expected=f"(N, T <= {self.max_len}, {self.d_model})")
        if x.shape[1] > self.max_len:
            raise ValueError(f"{self!r}: sequence length {x.shape[1]} exceeds max_len={self.max_len}")
        return x + self.pe[: x.shape[1]].astype(x.dtype, copy=False)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out  # adding a constant passes the gradient through unchanged

    def __repr__(self) -> str:
        return f"SinusoidalPositionalEncoding(max_len={self.max_len}, d_model={self.d_model})"


class PositionalEmbedding(Module):
    """Add a learned vector per position: x: (N, T, d_model) -> x + P[:T], P: (max_len, d_model)."""

    def __init__(
        self,
        max_len: int,
        d_model: int,
        init_std: float = 0.02,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        self.max_len, self.d_model = max_len, d_model
        P = init_std * get_rng(rng).standard_normal((max_len, d_model))
        self.P = Parameter(P.astype(resolve_dtype(dtype)), "P")

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=3, size={2: self.d_model}, expected=f"(N, T <= {self.max_len}, {self.d_model})")
        if x.shape[1] > self.max_len:
            raise ValueError(f"{self!r}: sequence length {x.shape[1]} exceeds max_len={self.max_len}")
        self.T = x.shape[1]
        return x + self.P.value[: self.T]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dL/dP[t] is the sum over the batch of dL/dy[:, t]; dL/dx = dL/dy."""
        self.P.grad[: self.T] += grad_out.sum(axis=0)
        return grad_out

    def __repr__(self) -> str:
        return f"PositionalEmbedding({self.max_len} positions, d_model={self.d_model})"

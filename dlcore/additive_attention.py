"""Additive (Bahdanau) attention: a small MLP scores every query against every key.

For queries q: (N, Tq, dq) and keys k: (N, Tk, dk) (the keys are also the values, as in
Bahdanau et al. 2015, where both are the encoder's hidden states):

    H[n, i, j] = tanh(q[n, i] W_q + k[n, j] W_k + b)     (N, Tq, Tk, da)
    S[n, i, j] = H[n, i, j] . v                          (N, Tq, Tk)   scores
    A = softmax(S) over j (masked)                       (N, Tq, Tk)   weights, rows sum to 1
    out = A k                                            (N, Tq, dk)

Dot-product attention replaces the MLP by q . k / sqrt(d): no parameters in the score,
one matrix product instead of an (N, Tq, Tk, da) tensor, which is why transformers use it.
Masks follow ``dlcore.attention``: boolean, True = may attend.
"""

from __future__ import annotations

import math

import numpy as np

from dlcore.attention import _check_mask, masked_softmax
from dlcore.config import get_rng, resolve_dtype
from dlcore.module import Module, Parameter, check_input


class AdditiveAttention(Module):
    """Bahdanau attention. forward(query, keys, mask=None) -> (N, Tq, dk); keys double as values.

    query: (N, Tq, query_dim); keys: (N, Tk, key_dim); mask: bool broadcastable to (N, Tq, Tk).
    Parameters W_q: (query_dim, attn_dim), W_k: (key_dim, attn_dim), b: (attn_dim,), v: (attn_dim,).
    The weights of the last forward, (N, Tq, Tk), are in ``.attention_weights``.
    backward(grad_out) returns (dquery, dkeys).
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int,
        attn_dim: int = 32,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        rng, dtype = get_rng(rng), resolve_dtype(dtype)
        self.query_dim, self.key_dim, self.attn_dim = query_dim, key_dim, attn_dim

        def glorot(fan_in: int, fan_out: int, shape) -> np.ndarray:
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, shape).astype(dtype)

        self.W_q = Parameter(glorot(query_dim, attn_dim, (query_dim, attn_dim)), "W_q")
        self.W_k = Parameter(glorot(key_dim, attn_dim, (key_dim, attn_dim)), "W_k")
        self.b = Parameter(np.zeros(attn_dim, dtype), "b")
        self.v = Parameter(glorot(attn_dim, 1, (attn_dim,)), "v")
        self.attention_weights: np.ndarray | None = None

    def forward(self, query: np.ndarray, keys: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        check_input(self, query, ndim=3, size={2: self.query_dim}, expected=f"query (N, Tq, {self.query_dim})")
        check_input(
            self, keys, ndim=3, size={0: query.shape[0], 2: self.key_dim}, expected=f"keys (N, Tk, {self.key_dim})"
        )
        pq = query @ self.W_q.value  # (N, Tq, da)
        pk = keys @ self.W_k.value + self.b.value  # (N, Tk, da)
        H = np.tanh(pq[:, :, None, :] + pk[:, None, :, :])  # (N, Tq, Tk, da)
        S = H @ self.v.value  # (N, Tq, Tk)
        if mask is not None:
            mask = _check_mask(mask, S.shape, repr(self))
        A = masked_softmax(S, mask)
        self.cache = query, keys, H, A
        self.attention_weights = A
        return A @ keys  # (N, Tq, Tk) @ (N, Tk, dk) -> (N, Tq, dk)

    def backward(self, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dL/dout: (N, Tq, dk) -> (dL/dquery, dL/dkeys); parameter gradients are added."""
        query, keys, H, A = self.cache
        dA = grad_out @ keys.swapaxes(-1, -2)  # (N, Tq, Tk)
        dkeys = A.swapaxes(-1, -2) @ grad_out  # keys as values: (N, Tk, dk)
        dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))  # softmax backward, row by row
        self.v.grad += np.einsum("nqka,nqk->a", H, dS)
        dZ = dS[..., None] * self.v.value * (1.0 - H * H)  # through v . H and tanh: (N, Tq, Tk, da)
        dpq = dZ.sum(axis=2)  # (N, Tq, da)
        dpk = dZ.sum(axis=1)  # (N, Tk, da)
        self.W_q.grad += query.reshape(-1, self.query_dim).T @ dpq.reshape(-1, self.attn_dim)
        self.W_k.grad += keys.reshape(-1, self.key_dim).T @ dpk.reshape(-1, self.attn_dim)
        self.b.grad += dpk.sum(axis=(0, 1))
        dquery = dpq @ self.W_q.value.T
        dkeys += dpk @ self.W_k.value.T
        return dquery, dkeys

    def __repr__(self) -> str:
        return f"AdditiveAttention(query_dim={self.query_dim}, key_dim={self.key_dim}, attn_dim={self.attn_dim})"

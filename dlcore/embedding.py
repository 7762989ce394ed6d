"""Embedding: a lookup table that turns integer tokens into learned vectors.

Looking up row ``i`` of a matrix ``W`` is the same as multiplying a one-hot vector by ``W``,
so the gradient of row ``i`` is the sum of the output gradients at every position where
token ``i`` appeared. A token that appears twice in a batch gets both contributions:
``np.add.at`` adds them instead of letting one overwrite the other.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng, resolve_dtype
from dlcore.module import Module, Parameter


class Embedding(Module):
    """Map integer indices to rows of a trainable table.

    indices: integers (N, T) (any shape works) -> out: (N, T, D), D = ``dim``.
    W: (num_embeddings, D), initialised from N(0, init_std^2).

    The input is not differentiable (it is made of integers), so ``backward`` returns ``None``;
    the layer must therefore come first in a model. ``takes_indices`` tells ``Sequential`` to
    accept integer inputs for a model that starts with this layer.
    """

    takes_indices = True

    def __init__(
        self,
        num_embeddings: int,
        dim: int,
        init_std: float = 1.0,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if num_embeddings < 1 or dim < 1:
            raise ValueError(f"Embedding: num_embeddings and dim must be >= 1, got {num_embeddings}, {dim}")
        dtype = resolve_dtype(dtype)
        rng = get_rng(rng)
        self.num_embeddings = num_embeddings
        self.dim = dim
        self.W = Parameter((init_std * rng.standard_normal((num_embeddings, dim))).astype(dtype), "W")

    def forward(self, indices: np.ndarray) -> np.ndarray:
        indices = np.asarray(indices)
        if not np.issubdtype(indices.dtype, np.integer):
            raise TypeError(
                f"{self!r}: expected integer token indices, got dtype {indices.dtype} (convert with x.astype(np.int64))"
            )
        if indices.size and (indices.min() < 0 or indices.max() >= self.num_embeddings):
            raise IndexError(
                f"{self!r}: indices must lie in [0, {self.num_embeddings - 1}], "
                f"got values from {indices.min()} to {indices.max()}"
            )
        self.indices = indices
        return self.W.value[indices]  # (N, T) -> (N, T, D)

    def backward(self, grad_out: np.ndarray) -> None:
        """grad_out: (N, T, D). Adds dL/dW (row i collects every position holding token i)."""
        np.add.at(self.W.grad, self.indices, grad_out)
        return None

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings} -> {self.dim})"

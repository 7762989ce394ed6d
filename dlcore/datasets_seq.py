"""Synthetic sequence-to-sequence tasks on digit strings, for testing sequence models.

Each task maps an input sequence of tokens to an output sequence of the same length, so a
model that predicts one output token per input position (an encoder with a classifier on
every position) can solve it. Tokens are integers 0..vocab_size-1, returned as int64.

- reverse: y = x read backwards         [3, 1, 4, 1, 5] -> [5, 1, 4, 1, 3]
  Needs attention from position t to position T-1-t: a purely positional pattern.
- sort:    y = x sorted ascending       [3, 1, 4, 1, 5] -> [1, 1, 3, 4, 5]
  Needs each position to find the right order statistic: a content-based pattern.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng


def _random_digits(n: int, length: int, vocab_size: int, rng) -> np.ndarray:
    if n < 1 or length < 1 or vocab_size < 2:
        raise ValueError(f"need n >= 1, length >= 1 and vocab_size >= 2, got {n}, {length}, {vocab_size}")
    return get_rng(rng).integers(0, vocab_size, size=(n, length), dtype=np.int64)


def make_reverse_task(
    n: int, length: int = 8, vocab_size: int = 10, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """n random digit strings and their reversals: x, y: (n, length) int64 in 0..vocab_size-1."""
    x = _random_digits(n, length, vocab_size, rng)
    return x, x[:, ::-1].copy()


def make_sort_task(
    n: int, length: int = 8, vocab_size: int = 10, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """n random digit strings and the same digits sorted ascending: x, y: (n, length) int64."""
    x = _random_digits(n, length, vocab_size, rng)
    return x, np.sort(x, axis=1)


def sequence_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of sequences predicted entirely right. y_true, y_pred: (n, length) integer tokens.

    Arguments in the order of ``dlcore.metrics`` (targets first). The score is symmetric, so
    calls written in the older (pred, y) order give the same number.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"sequence_accuracy: shapes differ, y_true {y_true.shape} vs y_pred {y_pred.shape}")
    return float(np.mean(np.all(y_true == y_pred, axis=1)))

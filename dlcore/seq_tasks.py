"""Generated sequence tasks for recurrent networks (chapter 14): a long-range memory task and a time series.

- ``make_remember_task``: the first step shows one of ``num_symbols`` signal symbols; then come
  ``gap`` steps of random distractor symbols; the label is the first symbol. Chance accuracy is
  1 / num_symbols. A network must carry one piece of information across ``gap`` steps while
  ignoring everything that arrives in between.
- ``make_series`` and ``forecast_windows``: a noisy sum of two sines and the (past window ->
  next value) pairs a forecaster learns from.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng


def make_remember_task(
    n: int,
    gap: int,
    num_symbols: int = 4,
    num_distractors: int = 4,
    rng: np.random.Generator | int | None = None,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """x: (n, gap + 1, num_symbols + num_distractors) one-hot, y: (n,) int64 in 0..num_symbols-1.

    Step 0 holds the signal symbol (ids 0..num_symbols-1); steps 1..gap hold distractors
    (ids num_symbols..num_symbols+num_distractors-1), drawn uniformly.
    """
    if n < 1 or gap < 0 or num_symbols < 2 or num_distractors < 1:
        raise ValueError(
            f"make_remember_task: need n >= 1, gap >= 0, num_symbols >= 2, num_distractors >= 1, "
            f"got {n}, {gap}, {num_symbols}, {num_distractors}"
        )
    rng = get_rng(rng)
    y = rng.integers(0, num_symbols, size=n)
    tokens = np.empty((n, gap + 1), dtype=np.int64)
    tokens[:, 0] = y
    tokens[:, 1:] = num_symbols + rng.integers(0, num_distractors, size=(n, gap))
    x = np.eye(num_symbols + num_distractors, dtype=dtype)[tokens]
    return x, y.astype(np.int64)


def make_series(n_steps: int, noise: float = 0.1, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """sin(2 pi t / 25) + 0.5 sin(2 pi t / 7) + Gaussian noise, t = 0..n_steps-1: (n_steps,) float64."""
    rng = get_rng(rng)
    t = np.arange(n_steps)
    return np.sin(2 * np.pi * t / 25) + 0.5 * np.sin(2 * np.pi * t / 7) + noise * rng.standard_normal(n_steps)


def forecast_windows(series: np.ndarray, window: int, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """(past ``window`` values -> the next value) pairs: x: (n, window, 1), y: (n, 1), n = len - window."""
    if len(series) <= window:
        raise ValueError(f"forecast_windows: a series of {len(series)} values has no window of {window} + 1")
    idx = np.arange(len(series) - window)[:, None] + np.arange(window)[None, :]
    x = series[idx][..., None].astype(dtype)
    y = series[window:][:, None].astype(dtype)
    return x, y

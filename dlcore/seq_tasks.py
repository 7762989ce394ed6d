"""Generated sequence tasks for recurrent networks (chapter 14): a long-range memory task and a time series.

- ``make_remember_task``: the first step shows one of ``num_symbols`` signal symbols; then come
  ``gap`` steps of random noise; the label is the first symbol. Chance accuracy is
  1 / num_symbols. A network must carry one piece of information across ``gap`` steps while
  shielding it from everything that arrives in between: a gate can shut the noise out, a
  plain tanh recurrence adds it to the state at every step.
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
    noise_dim: int = 4,
    noise: float = 1.0,
    rng: np.random.Generator | int | None = None,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """x: (n, gap + 1, num_symbols + noise_dim), y: (n,) int64 in 0..num_symbols-1.

    Step 0 holds the signal symbol, one-hot in the first num_symbols features (the noise
    features are 0 there); steps 1..gap hold Gaussian noise of standard deviation ``noise`` in
    the last noise_dim features (the symbol features are 0). The label is the step-0 symbol.
    """
    if n < 1 or gap < 0 or num_symbols < 2 or noise_dim < 1:
        raise ValueError(
            f"make_remember_task: need n >= 1, gap >= 0, num_symbols >= 2, noise_dim >= 1, "
            f"got {n}, {gap}, {num_symbols}, {noise_dim}"
        )
    rng = get_rng(rng)
    y = rng.integers(0, num_symbols, size=n)
    x = np.zeros((n, gap + 1, num_symbols + noise_dim), dtype=dtype)
    x[np.arange(n), 0, y] = 1.0
    x[:, 1:, num_symbols:] = noise * rng.standard_normal((n, gap, noise_dim))
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

"""Choosing the next token from a language model's logits: greedy, temperature, top-k.

logits z: (..., V), one row per sequence. With temperature T > 0,

    p_i = softmax(z / T)_i = exp(z_i / T) / sum_j exp(z_j / T).

T < 1 sharpens the distribution (T -> 0 is greedy argmax), T > 1 flattens it (T -> inf is
uniform). The temperature divides the LOGITS: raising probabilities to the power 1/T and
renormalising is the same thing, but dividing probabilities by T changes nothing at all
after renormalising, and applying T after a softmax is a common bug.

Top-k keeps exactly the k largest logits of each row (ties at the boundary go to the lower
index, the order of a stable sort) and sets the rest to -inf before the softmax.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng


def _check_logits(logits, who: str) -> np.ndarray:
    logits = np.asarray(logits)
    if logits.ndim < 1 or not np.issubdtype(logits.dtype, np.floating):
        raise TypeError(f"{who}: expected floating-point logits of shape (..., V), got {logits.dtype} {logits.shape}")
    return logits


def top_k_filter(logits: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest logits of each row, set the others to -inf. (..., V) -> (..., V).

    Exactly k entries survive per row, even with ties (the lower index wins a tie).
    """
    logits = _check_logits(logits, "top_k_filter")
    V = logits.shape[-1]
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= V:
        raise ValueError(f"top_k_filter: k must be an integer in [1, {V}], got {k!r}")
    order = np.argsort(-logits, axis=-1, kind="stable")  # descending; ties keep index order
    keep = np.zeros(logits.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :k], True, axis=-1)
    return np.where(keep, logits, -np.inf)


def sampling_probabilities(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """The distribution the next token is drawn from. (..., V) -> (..., V), rows sum to 1.

    temperature == 0 puts all the probability on the argmax (the first one if tied).
    """
    logits = _check_logits(logits, "sampling_probabilities")
    if temperature < 0:
        raise ValueError(f"sampling_probabilities: temperature must be >= 0, got {temperature}")
    if temperature == 0:
        probs = np.zeros_like(logits)
        np.put_along_axis(probs, logits.argmax(axis=-1)[..., None], 1.0, axis=-1)
        return probs
    z = logits / temperature  # divide the logits, before the softmax
    if top_k is not None:
        z = top_k_filter(z, top_k)
    z = z - z.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """Draw one token index per row. logits (..., V) -> int64 (...).

    One uniform u per row from ``rng`` (``rng.random(logits.shape[:-1])``); the token is the
    first index whose cumulative probability exceeds u (inverse-CDF sampling), so the same
    seed gives the same tokens.
    """
    probs = sampling_probabilities(logits, temperature, top_k)
    u = get_rng(rng).random(probs.shape[:-1])
    cdf = np.cumsum(probs, axis=-1)
    index = (cdf <= u[..., None]).sum(axis=-1)  # number of entries with cdf <= u
    return np.minimum(index, probs.shape[-1] - 1).astype(np.int64)  # guard u ~ 1 with cdf[-1] < 1

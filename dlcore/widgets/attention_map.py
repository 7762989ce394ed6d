"""Where one query looks: attention weights of one head and one query position (chapter 15).

``plot_query_attention(weights, tokens, query, head)`` draws, on the left, the head's whole
attention map (rows: queries, columns: keys) with the chosen query's row outlined, and on the
right that row as bars over the input tokens. weights: (h, T, T) for one sequence, e.g.
``MultiHeadAttention.attention_weights[n]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dlcore.plotting import PALETTE


def check_weights(weights: np.ndarray, query: int, head: int) -> np.ndarray:
    weights = np.asarray(weights)
    if weights.ndim != 3 or weights.shape[1] != weights.shape[2]:
        raise ValueError(f"plot_query_attention: expected weights of shape (h, T, T), got {weights.shape}")
    h, T, _ = weights.shape
    if not (0 <= head < h and 0 <= query < T):
        raise ValueError(
            f"plot_query_attention: head must be in 0..{h - 1} and query in 0..{T - 1}, got {head}, {query}"
        )
    return weights


def plot_query_attention(
    weights: np.ndarray, tokens: Sequence, query: int = 0, head: int = 0, title: str = ""
) -> Figure:
    """Figure: the head's (T, T) map with row ``query`` outlined, and that row as bars over ``tokens``."""
    weights = check_weights(weights, query, head)
    T = weights.shape[1]
    A = weights[head]
    labels = [str(t) for t in tokens]
    fig, (ax_map, ax_bar) = plt.subplots(1, 2, figsize=(8, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
    im = ax_map.imshow(A, cmap="viridis", vmin=0, vmax=1)
    ax_map.add_patch(Rectangle((-0.5, query - 0.5), T, 1, fill=False, edgecolor=PALETTE[1], linewidth=2.5))
    ax_map.set_xticks(range(T), labels)
    ax_map.set_yticks(range(T), [f"{i}: {lab}" for i, lab in enumerate(labels)])
    ax_map.set_xlabel("key (input token)")
    ax_map.set_ylabel("query position: token")
    ax_map.set_title(f"head {head}: all queries")
    fig.colorbar(im, ax=ax_map, fraction=0.046, pad=0.04)
    best = int(A[query].argmax())
    colors = [PALETTE[1] if j == best else PALETTE[0] for j in range(T)]
    ax_bar.bar(range(T), A[query], color=colors, edgecolor="black", hatch=["//" if j == best else "" for j in range(T)])
    ax_bar.set_xticks(range(T), [f"{j}: {lab}" for j, lab in enumerate(labels)], rotation=45)
    ax_bar.set_ylim(0, 1)
    ax_bar.set_ylabel("attention weight")
    ax_bar.set_title(f"query {query} ('{labels[query]}') looks most at key {best} ('{labels[best]}')")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig

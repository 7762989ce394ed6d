"""Sampled text at several temperatures (chapter 14), drawn as a figure so a frame widget can switch it.

``plot_sample`` draws one generated text, wrapped, with its temperature and the model's
average entropy per character at that temperature in the title.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.activations import softmax


def entropy_at_temperature(logits: np.ndarray, temperature: float) -> float:
    """Mean entropy (nats) of softmax(logits / T) over the rows of logits: (M, V) -> float."""
    p = softmax(np.asarray(logits, dtype=np.float64) / temperature)
    return float(-np.mean(np.sum(p * np.log(np.clip(p, 1e-300, None)), axis=-1)))


def plot_sample(sample: str, temperature: float, entropy: float | None = None, width: int = 80) -> Figure:
    """One generated text, wrapped to ``width`` characters per line (line breaks shown as ⏎)."""
    shown = sample.replace("\n", "⏎ ")
    lines = textwrap.wrap(shown, width) or [""]
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.28 * len(lines)))
    ax.text(0, 1, "\n".join(lines), va="top", ha="left", family="monospace", fontsize=9, transform=ax.transAxes)
    title = f"temperature {temperature:g}"
    if entropy is not None:
        title += f": mean entropy {entropy:.2f} nats per character"
    ax.set_title(title, fontsize=10, loc="left")
    ax.axis("off")
    return fig

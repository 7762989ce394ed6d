"""Temperature and top-k against the text a language model writes (chapter 16).

``plot_sampling(probs_fn, generate_fn, temperature, top_k)`` draws, on the left, the
next-character distribution after the prompt as bars (the top 12 characters) and, on the
right, a continuation sampled with those settings, wrapped to the panel's width.
probs_fn(temperature, top_k) -> (characters, probabilities) for the prompt's next character;
generate_fn(temperature, top_k) -> the generated text (str). Both come from the notebook,
which holds the trained model.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.plotting import PALETTE

SHOWN = 12  # bars drawn for the most likely next characters


def visible(c: str) -> str:
    """A printable label for a character: space and newline spelled out."""
    return {" ": "space", "\n": "newline"}.get(c, c)


def plot_sampling(
    probs_fn: Callable[[float, int | None], tuple[Sequence[str], np.ndarray]],
    generate_fn: Callable[[float, int | None], str],
    temperature: float,
    top_k: int | None,
    prompt: str = "",
) -> Figure:
    chars, probs = probs_fn(temperature, top_k)
    probs = np.asarray(probs)
    order = np.argsort(-probs, kind="stable")[:SHOWN]
    fig, (ax_bar, ax_text) = plt.subplots(1, 2, figsize=(9, 4), gridspec_kw={"width_ratios": [1, 1.4]})
    ax_bar.barh(range(len(order))[::-1], probs[order], color=PALETTE[0], edgecolor="black")
    ax_bar.set_yticks(range(len(order))[::-1], [visible(chars[i]) for i in order])
    ax_bar.set_xlim(0, 1)
    ax_bar.set_xlabel("probability of the next character")
    kept = int(np.count_nonzero(probs))
    ax_bar.set_title(f"T = {temperature:g}, top-k = {top_k}: {kept} characters possible")
    text = generate_fn(temperature, top_k)
    wrapped = "\n".join(textwrap.fill(line, 48) for line in text.split("\n"))
    ax_text.text(0.0, 1.0, wrapped, va="top", ha="left", family="monospace", fontsize=9, wrap=True)
    ax_text.set_axis_off()
    ax_text.set_title(f"sampled after the prompt {prompt!r}" if prompt else "sampled text")
    fig.tight_layout()
    return fig

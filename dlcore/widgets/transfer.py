"""Labelled examples per class and frozen layers against accuracy (chapter 17).

``results`` maps (method, n) to a list of test accuracies over seeds, for n labelled examples
per class and method "scratch" or "frozen0" / "frozen1" / "frozen2" (a pretrained backbone
with that many of its Dense layers frozen; 0 = fine-tune everything, 2 = feature extraction).
``plot_transfer(results, n, frozen)`` draws the mean accuracy against n for training from
scratch and for transfer with ``frozen`` layers frozen (each seed as a dot), and marks n.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.plotting import PALETTE

FROZEN_NAMES = {0: "fine-tune all layers", 1: "freeze layer 1, fine-tune the rest", 2: "freeze the backbone"}


def sizes(results: dict) -> list[int]:
    return sorted({n for _, n in results})


def mean_accuracy(results: dict, method: str, n: int) -> float:
    return float(np.mean(results[method, n]))


def plot_transfer(results: dict, n: int, frozen: int) -> Figure:
    ns = sizes(results)
    if n not in ns or f"frozen{frozen}" not in {m for m, _ in results}:
        raise ValueError(f"plot_transfer: no results for n={n}, frozen={frozen}; have n in {ns}")
    fig, ax = plt.subplots(figsize=(8, 4))
    for method, label, style, color in (
        ("scratch", "from scratch", "o--", PALETTE[0]),
        (f"frozen{frozen}", f"pretrained: {FROZEN_NAMES[frozen]}", "s-", PALETTE[1]),
    ):
        means = [mean_accuracy(results, method, m) for m in ns]
        ax.plot(ns, means, style, color=color, label=label)
        for m in ns:
            ax.plot([m] * len(results[method, m]), results[method, m], ".", color=color, alpha=0.5)
    ax.axvline(n, color="gray", linestyle=":")
    gain = mean_accuracy(results, f"frozen{frozen}", n) - mean_accuracy(results, "scratch", n)
    ax.set(
        xscale="log",
        xticks=ns,
        xticklabels=[str(m) for m in ns],
        xlabel="labelled examples per class (target task)",
        ylabel="test accuracy",
        title=f"{n} examples per class: transfer {gain:+.1%} against scratch",
    )
    ax.minorticks_off()  # log axis: only the sizes themselves are labelled
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig

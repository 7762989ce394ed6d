"""Which recurrent cell still remembers (chapter 14): test accuracy on the remember task against the gap.

``plot_memory`` draws, for one gap, a bar per cell (with chance level), and beside it every
cell's accuracy against the gap, with the chosen gap marked. ``results`` maps a cell name to
a list of accuracies, one per gap in ``gaps``; it is measured in the chapter and only drawn here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from dlcore.plotting import GRID_COLOR, PALETTE

MARKERS = ("o", "s", "^", "D")
HATCHES = ("", "//", "..", "xx")


def plot_memory(results: Mapping[str, Sequence[float]], gaps: Sequence[int], gap: int, chance: float) -> Figure:
    """results: cell name -> accuracies (one per gap); gap: the gap to highlight (one of ``gaps``)."""
    if gap not in gaps:
        raise ValueError(f"plot_memory: gap {gap} is not one of the measured gaps {list(gaps)}")
    k = list(gaps).index(gap)
    names = list(results)
    fig, (ax_bar, ax_line) = plt.subplots(1, 2, figsize=(8, 3.6))
    for i, name in enumerate(names):
        acc = results[name][k]
        ax_bar.bar(i, acc, color=PALETTE[i], hatch=HATCHES[i % 4], edgecolor="black")
        ax_bar.text(i, acc + 0.02, f"{acc:.2f}", ha="center", fontsize=9)
        ax_line.plot(gaps, results[name], marker=MARKERS[i % 4], color=PALETTE[i], label=name)
    for ax in (ax_bar, ax_line):
        ax.axhline(chance, color=GRID_COLOR, ls=":", label="chance")
        ax.set_ylim(0, 1.1)
    ax_bar.set_xticks(range(len(names)), names)
    ax_bar.set_ylabel("test accuracy")
    ax_bar.set_title(f"gap of {gap} noise steps", fontsize=10)
    ax_line.axvline(gap, color="black", lw=0.8)
    ax_line.set(xlabel="gap (steps between the symbol and the question)", title="all gaps")
    ax_line.legend(fontsize=8)
    fig.tight_layout()
    return fig


def memory_alt(results: Mapping[str, Sequence[float]], gaps: Sequence[int], gap: int) -> str:
    k = list(gaps).index(gap)
    parts = ", ".join(f"{name} {acc[k]:.2f}" for name, acc in results.items())
    return f"Test accuracy after a gap of {gap} steps: {parts}"

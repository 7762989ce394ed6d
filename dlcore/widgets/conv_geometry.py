"""Convolution geometry (chapter 13): kernel, stride, padding and dilation -> output size and receptive field.

``plot_conv_geometry`` draws one axis of a convolution: the input cells (padding shaded),
the output cells, and the taps of the first and last output unit; below it, the receptive
field of a unit after 1, 2 and 3 such layers stacked, from ``cnn_tools.receptive_fields``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.cnn_tools import receptive_fields
from dlcore.conv import conv_output_size
from dlcore.plotting import GRID_COLOR, PALETTE


def conv_geometry(n: int, kernel: int, stride: int, padding: int, dilation: int) -> dict:
    """Output length and the input indices (in the padded input) each output unit reads.

    Returns {"n_out": int, "taps": (n_out, kernel) int array, "rf": (4,) receptive fields of
    0..3 stacked layers, "jump": (4,)}.
    """
    n_out = conv_output_size(n, kernel, stride, padding, dilation)
    taps = np.arange(n_out)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    rf, jump = receptive_fields([kernel] * 3, [stride] * 3, [dilation] * 3)
    return {"n_out": n_out, "taps": taps, "rf": rf, "jump": jump}


def _cells(ax, x0: float, y: float, count: int, colors: list[str], labels: list[str] | None = None) -> None:
    for i in range(count):
        ax.add_patch(plt.Rectangle((x0 + i, y), 0.9, 0.9, facecolor=colors[i], edgecolor="black", lw=0.8))
        if labels is not None:
            ax.text(x0 + i + 0.45, y + 0.45, labels[i], ha="center", va="center", fontsize=8)


def plot_conv_geometry(n: int = 10, kernel: int = 3, stride: int = 1, padding: int = 0, dilation: int = 1) -> Figure:
    """One axis of a convolution, and the receptive field of 1-3 stacked layers. Returns the Figure."""
    geo = conv_geometry(n, kernel, stride, padding, dilation)
    n_out, taps = geo["n_out"], geo["taps"]
    n_pad = n + 2 * padding
    fig, (ax, ax_rf) = plt.subplots(2, 1, figsize=(8, 4.2), gridspec_kw={"height_ratios": [1.4, 1]})
    colors = ["#EEEEEE" if (i < padding or i >= padding + n) else "white" for i in range(n_pad)]
    labels = ["0" if c == "#EEEEEE" else f"x{i - padding}" for i, c in enumerate(colors)]
    _cells(ax, 0, 0, n_pad, colors, labels)
    out_x0 = (n_pad - n_out) / 2
    _cells(ax, out_x0, 2.2, n_out, ["#DDEEFF"] * n_out, [f"z{i}" for i in range(n_out)])
    for unit, color, style in ((0, PALETTE[0], "-"), (n_out - 1, PALETTE[1], "--")):
        for t in taps[unit]:
            ax.plot([out_x0 + unit + 0.45, t + 0.45], [2.2, 0.9], color=color, ls=style, lw=1.5)
    ax.set_xlim(-0.5, max(n_pad, 1) + 0.5)
    ax.set_ylim(-0.3, 3.4)
    ax.axis("off")
    ax.set_title(
        f"n={n}, k={kernel}, s={stride}, p={padding}, d={dilation}:  "
        f"n_out = floor(({n} + 2*{padding} - {dilation}*({kernel}-1) - 1)/{stride}) + 1 = {n_out}",
        fontsize=10,
    )
    rf = geo["rf"][1:]
    ax_rf.barh(np.arange(1, 4), rf, color=[PALETTE[2], PALETTE[4], PALETTE[5]], hatch="//", edgecolor="black")
    for layer, value in enumerate(rf, start=1):
        ax_rf.text(value + 0.3, layer, f"{value} inputs", va="center", fontsize=9)
    ax_rf.set_yticks([1, 2, 3], ["1 layer", "2 layers", "3 layers"])
    ax_rf.set_xlim(0, max(rf.max() * 1.25, 10))
    ax_rf.set_xlabel("receptive field of one unit (input positions), same layer stacked")
    ax_rf.grid(axis="x", color=GRID_COLOR, lw=0.5)
    fig.tight_layout()
    return fig


def geometry_alt(n: int = 10, kernel: int = 3, stride: int = 1, padding: int = 0, dilation: int = 1) -> str:
    """Alternative text for ``plot_conv_geometry`` with the computed numbers."""
    geo = conv_geometry(n, kernel, stride, padding, dilation)
    rf = geo["rf"]
    return (
        f"A length-{n} input with {padding} padding cells per side, kernel {kernel}, stride {stride}, "
        f"dilation {dilation}, gives {geo['n_out']} outputs; stacking the layer 1, 2, 3 times gives "
        f"receptive fields of {rf[1]}, {rf[2]} and {rf[3]} inputs"
    )

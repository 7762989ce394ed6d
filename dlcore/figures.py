"""Static illustrations used by the chapters: diagrams drawn with Matplotlib, no data fitted.

The content (the names, years, colours) stays in the chapter that shows it; these functions
only lay it out. Each draws on the ``Axes`` it is given, sets a title and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch

from dlcore.plotting import GRID_COLOR, PALETTE

# --- nested sets --------------------------------------------------------------------------
# Box i (0 = outermost) spans x in [SIDE_STEP i, 1 - SIDE_STEP i] and y in [BOTTOM_STEP i, TOP - TOP_STEP i].
SIDE_STEP, BOTTOM_STEP = 0.07, 0.04
TOP, TOP_STEP = 0.96, 0.17  # TOP_STEP leaves room for a box's two lines of text above the next box
MIN_BOX_HEIGHT = 0.1  # the innermost box must still hold its two lines


def draw_nested_sets(ax: Axes, sets: Sequence[tuple[str, str, str]], title: str = "Nested sets") -> Axes:
    """Rounded boxes one inside the other, outermost first, each labelled with its name and examples.

    sets: (name, examples, colour) per box, e.g. ("Machine learning", "decision trees, k-means", "#E69F00").
    Draws one patch per set; the axis frame is hidden.
    """
    innermost = len(sets) - 1
    if not sets or (TOP - TOP_STEP * innermost) - BOTTOM_STEP * innermost < MIN_BOX_HEIGHT:
        raise ValueError(f"draw_nested_sets: room for 1 to 5 nested sets, got {len(sets)}")
    for i, (name, examples, color) in enumerate(sets):
        x0, y0, top = SIDE_STEP * i, BOTTOM_STEP * i, TOP - TOP_STEP * i
        box = FancyBboxPatch(
            (x0, y0), 1 - 2 * x0, top - y0, boxstyle="round,pad=0,rounding_size=0.03", fc=color, ec="black", alpha=0.45
        )
        ax.add_patch(box)
        ax.text(0.5, top - 0.03, name, ha="center", va="top", fontsize=12, weight="bold")
        ax.text(0.5, top - 0.09, "e.g. " + examples, ha="center", va="top", fontsize=9, style="italic")
    ax.set(xlim=(-0.01, 1.01), ylim=(-0.01, TOP + 0.01), title=title)
    ax.axis("off")
    return ax


# --- timeline -----------------------------------------------------------------------------
LABEL_HEIGHTS = (0.9, -0.45)  # default: labels alternate above and below the axis
ROOM_BELOW, ROOM_ABOVE = 0.85, 1.0  # vertical space for up to four lines of label text
PAD_YEARS = 6  # empty years left and right of the first and last event


def draw_timeline(
    ax: Axes,
    events: Sequence[tuple[int, str]],
    periods: Sequence[tuple[float, float, str]] = (),
    heights: Sequence[float] | None = None,
    title: str = "Timeline",
) -> Axes:
    """Events as dots on a horizontal year axis, each with a stem to its label; periods as shaded bands.

    events: (year, label) per event; periods: (start, end, name) per shaded band (e.g. the AI winters);
    heights: where each event's label sits (> 0 above the axis, < 0 below); by default labels
    alternate above and below. Move crowded labels apart by passing your own heights.
    """
    if not events:
        raise ValueError("draw_timeline: expected at least one event, got none")
    if heights is None:
        heights = [LABEL_HEIGHTS[i % 2] for i in range(len(events))]
    if len(heights) != len(events):
        raise ValueError(f"draw_timeline: expected one height per event ({len(events)}), got {len(heights)}")
    years = [year for year, _ in events] + [year for start, end, _ in periods for year in (start, end)]
    y_low, y_high = min(0.0, *heights) - ROOM_BELOW, max(0.0, *heights) + ROOM_ABOVE
    for start, end, name in periods:
        ax.axvspan(start, end, color=PALETTE[5], alpha=0.3)
        ax.text((start + end) / 2, y_high - 0.15, name, ha="center", va="top", fontsize=9, style="italic")
    for (year, label), h in zip(events, heights, strict=True):
        ax.plot([year, year], [0, h], color=GRID_COLOR, lw=1)
        ax.plot(year, 0, "o", color=PALETTE[0])
        ax.text(year, h, f"{year}\n{label}", ha="center", va="bottom" if h > 0 else "top", fontsize=8)
    ax.axhline(0, color="black", lw=1)
    ax.set(
        xlim=(np.min(years) - PAD_YEARS, np.max(years) + PAD_YEARS),
        ylim=(y_low, y_high),
        yticks=[],
        xlabel="year",
        title=title,
    )
    return ax

"""Widgets that move without a kernel: every control value is drawn once, the page switches frames.

``frame_view(fn, controls, alt=...)`` calls the plain drawing function ``fn`` (one of the
``dlcore.widgets`` functions that return a Matplotlib Figure) for every combination of the
control values, renders each figure once to a PNG with its own alternative text, and stacks
the frames in nested ``ipywidgets.Stack`` containers. Each control (a labelled dropdown,
operable with the keyboard and read by screen readers) is linked to the stacks with
``jslink``, which runs in the browser: in the static book the controls switch
between the precomputed frames with no kernel, and in JupyterLab the same widget works
while the kernel is busy elsewhere.

The cost is one drawing per combination, so keep grids small: two controls of 4-6 values
each (at most a few dozen frames) keep a chapter page well under its 4 MB budget.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from dlcore.plotting import check_alt, figure_png, img_html

MAX_FRAMES = 48


def _control(name: str, values: Sequence, default: Any, label: str) -> widgets.Dropdown:
    """A labelled dropdown over ``values``.

    A dropdown is a native ``<select>`` linked to its ``<label>``: keyboards (Tab, arrow keys)
    and screen readers operate it in JupyterLab and in the book alike, which ipywidgets'
    sliders do not offer (their handle has no accessible name).
    """
    options = [(str(v), v) for v in values]
    return widgets.Dropdown(options=options, value=default, description=label, style={"description_width": "initial"})


def frame_view(
    fn: Callable[..., Any],
    controls: Mapping[str, Sequence],
    alt: Callable[..., str],
    defaults: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    dpi: int = 72,
) -> widgets.VBox:
    """Precompute ``fn(**fixed, **combo)`` for every combination of ``controls`` and link the controls to the frames.

    fn: returns a Matplotlib Figure for keyword arguments named like the controls (plus ``fixed``).
    controls: control name -> the values it can take, in slider order.
    alt: ``alt(**combo)`` -> the alternative text of that frame (numbers from the computation).
    defaults: the value each control starts at (the first value when not given).
    labels: what each control's visible label says (the control name when not given).
    caption: a line under the controls, e.g. which controls the book can move.
    Returns a VBox: the controls, the caption, then the stacked frames.
    """
    if not controls:
        raise ValueError("frame_view: expected at least one control, got none")
    names = list(controls)
    grids = [list(controls[name]) for name in names]
    for name, values in zip(names, grids, strict=True):
        if not values:
            raise ValueError(f"frame_view: control {name!r} has no values")
    count = 1
    for values in grids:
        count *= len(values)
    if count > MAX_FRAMES:
        raise ValueError(f"frame_view: {count} frames requested, at most {MAX_FRAMES}; move fewer controls in the book")
    defaults, fixed, labels = dict(defaults or {}), dict(fixed or {}), dict(labels or {})
    for name in defaults:
        if name not in controls or defaults[name] not in controls[name]:
            raise ValueError(f"frame_view: default {name}={defaults.get(name)!r} is not one of the control's values")

    frames = {}
    for combo in itertools.product(*grids):
        kwargs = dict(zip(names, combo, strict=True))
        fig = fn(**fixed, **kwargs)
        frames[combo] = widgets.HTML(img_html(figure_png(fig, dpi), check_alt(alt(**kwargs))))
        plt.close(fig)

    start = [values.index(defaults.get(name, values[0])) for name, values in zip(names, grids, strict=True)]
    stacks_by_level: list[list[widgets.Stack]] = [[] for _ in names]

    def build(level: int, prefix: tuple) -> widgets.Widget:
        if level == len(names):
            return frames[prefix]
        children = [build(level + 1, (*prefix, value)) for value in grids[level]]
        stack = widgets.Stack(children, selected_index=start[level])
        stack.add_class("dl-frames")  # lets the book's tests find the frames
        stacks_by_level[level].append(stack)
        return stack

    view = build(0, ())
    inputs, links = [], []
    for level, name in enumerate(names):
        control = _control(name, grids[level], grids[level][start[level]], labels.get(name, name))
        links += [widgets.jslink((control, "index"), (stack, "selected_index")) for stack in stacks_by_level[level]]
        inputs.append(control)
    parts = [*inputs]
    if caption:
        parts.append(widgets.HTML(f"<p>{caption}</p>"))
    parts.append(view)
    box = widgets.VBox(parts)
    box.controls, box.frames, box.links = inputs, frames, links  # for tests and notebooks that read them
    return box

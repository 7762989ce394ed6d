"""frame_view: every control value is drawn once, and the controls are linked to the frames in the browser."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from dlcore.plotting import FigureImage, check_alt, figure_png
from dlcore.widgets.frames import frame_view


def line(slope, style="solid"):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope], linestyle=style)
    ax.set_ylim(-3, 3)
    return fig


def test_every_combination_is_drawn_once_with_its_own_alt_text():
    calls = []

    def fn(slope, style):
        calls.append((slope, style))
        return line(slope, style)

    view = frame_view(
        fn, {"slope": [-2, 0, 2], "style": ["solid", "dashed"]}, alt=lambda slope, style: f"{style} {slope}"
    )
    assert sorted(calls) == sorted((s, t) for s in [-2, 0, 2] for t in ["solid", "dashed"])
    assert len(view.frames) == 6
    for (slope, style), frame in view.frames.items():
        assert f'alt="{style} {slope}"' in frame.value
    pictures = {frame.value for frame in view.frames.values()}
    assert len(pictures) == 6, "different control values must give different pictures"


def test_controls_are_labelled_and_linked_to_every_stack_of_their_level():
    view = frame_view(
        line,
        {"slope": [-1, 1], "style": ["solid", "dotted", "dashed"]},
        alt=lambda **k: f"line {k}",
        defaults={"slope": 1},
        labels={"slope": "slope of the line"},
    )
    slider, dropdown = view.controls
    assert isinstance(slider, widgets.Dropdown) and slider.description == "slope of the line"
    assert isinstance(dropdown, widgets.Dropdown) and dropdown.description == "style"
    assert slider.value == 1 and slider.index == 1
    sources = [link.source[0] for link in view.links]
    assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in view.links)
    assert sources.count(slider) == 1 and sources.count(dropdown) == 2  # one outer stack, two inner stacks
    outer = view.children[-1]
    assert isinstance(outer, widgets.Stack) and outer.selected_index == 1
    assert all(isinstance(child, widgets.Stack) and child.selected_index == 0 for child in outer.children)


def test_bad_grids_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="at most"):
        frame_view(line, {"slope": list(range(100))}, alt=lambda slope: f"slope {slope}")
    with pytest.raises(ValueError, match="default"):
        frame_view(line, {"slope": [1, 2]}, alt=lambda slope: "x y", defaults={"slope": 3})
    with pytest.raises(ValueError, match="alt text"):
        frame_view(line, {"slope": [1]}, alt=lambda slope: "figure")


def test_show_embeds_the_png_with_escaped_alt_text():
    fig = line(1)
    png = figure_png(fig)
    plt.close(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = FigureImage(png, 'slope "1" <steep>')._repr_html_()
    assert 'alt="slope &quot;1&quot; &lt;steep&gt;"' in html and "data:image/png;base64," in html
    with pytest.raises(ValueError):
        check_alt("  Image. ")

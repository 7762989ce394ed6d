"""Static illustrations (dlcore.figures)."""

from itertools import pairwise

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import pytest

from dlcore.figures import draw_nested_sets, draw_timeline

SETS = [
    ("Outer", "a, b", "#56B4E9"),
    ("Middle", "c", "#E69F00"),
    ("Inner", "d", "#009E73"),
]
EVENTS = [(1950, "first"), (1960, "second"), (1975, "third")]


def test_nested_sets_draw_one_box_per_set_each_inside_the_previous():
    _, ax = plt.subplots()
    assert draw_nested_sets(ax, SETS, title="Sets") is ax
    assert ax.get_title() == "Sets"
    boxes = ax.patches
    assert len(boxes) == len(SETS)
    for outer, inner in pairwise(boxes):
        assert outer.get_x() < inner.get_x() and inner.get_x() + inner.get_width() < outer.get_x() + outer.get_width()
        assert outer.get_y() < inner.get_y() and inner.get_y() + inner.get_height() < outer.get_y() + outer.get_height()
    texts = [t.get_text() for t in ax.texts]
    assert "Inner" in texts and "e.g. d" in texts
    plt.close("all")


def test_nested_sets_refuse_more_boxes_than_fit():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="draw_nested_sets"):
        draw_nested_sets(ax, SETS * 2)
    with pytest.raises(ValueError, match="draw_nested_sets"):
        draw_nested_sets(ax, [])
    plt.close("all")


def test_timeline_draws_one_marker_per_event_and_one_band_per_period():
    _, ax = plt.subplots()
    assert draw_timeline(ax, EVENTS, periods=[(1962, 1970, "quiet")], title="History") is ax
    assert ax.get_title() == "History" and ax.get_xlabel() == "year"
    markers = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert sorted(float(m.get_xdata()[0]) for m in markers) == [year for year, _ in EVENTS]
    assert len(ax.patches) == 1  # the shaded period
    lo, hi = ax.get_xlim()
    assert lo < 1950 and hi > 1975
    assert "quiet" in [t.get_text() for t in ax.texts]
    plt.close("all")


def test_timeline_labels_sit_at_the_given_heights_inside_the_view():
    _, ax = plt.subplots()
    heights = [1.5, -0.5, 0.8]
    draw_timeline(ax, EVENTS, heights=heights)
    label_y = [t.get_position()[1] for t in ax.texts]
    assert label_y == heights
    lo, hi = ax.get_ylim()
    assert lo < min(heights) and hi > max(heights)
    with pytest.raises(ValueError, match="one height per event"):
        draw_timeline(ax, EVENTS, heights=[1.0])
    plt.close("all")

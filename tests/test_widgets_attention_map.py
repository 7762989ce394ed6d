"""The attention-map widget of chapter 15 (dlcore.widgets.attention_map)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets.attention_map import plot_query_attention


def _weights():
    rng = np.random.default_rng(0)
    e = np.exp(rng.normal(size=(2, 4, 4)))
    return e / e.sum(axis=-1, keepdims=True)


def test_plot_shows_the_chosen_row_and_names_its_largest_key():
    w = _weights()
    fig = plot_query_attention(w, "abcd", query=2, head=1)
    ax_map, ax_bar = fig.axes[:2]  # the map and the bars (the colour bar comes last)
    heights = [p.get_height() for p in ax_bar.patches]
    np.testing.assert_allclose(heights, w[1, 2])
    best = int(w[1, 2].argmax())
    assert f"key {best}" in ax_bar.get_title()
    np.testing.assert_allclose(ax_map.images[0].get_array(), w[1])
    plt.close(fig)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"head must be in 0..1"):
        plot_query_attention(_weights(), "abcd", query=0, head=2)
    with pytest.raises(ValueError, match=r"\(h, T, T\)"):
        plot_query_attention(np.ones((4, 4)), "abcd")

"""The sampling widget of chapter 16 (dlcore.widgets.sampling_text)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np

from dlcore.sampling import sampling_probabilities
from dlcore.widgets.sampling_text import SHOWN, plot_sampling, visible


def test_bars_show_the_tempered_distribution_and_the_text_is_drawn():
    chars = list("abcdefghijklmnop ")
    logits = np.linspace(0, 3, len(chars))

    def probs_fn(t, k):
        return chars, sampling_probabilities(logits, t, k)

    fig = plot_sampling(probs_fn, lambda t, k: f"text at {t} and {k}", 0.5, 3, prompt="ab")
    ax_bar, ax_text = fig.axes
    widths = sorted((p.get_width() for p in ax_bar.patches), reverse=True)
    expected = np.sort(sampling_probabilities(logits, 0.5, 3))[::-1][:SHOWN]
    np.testing.assert_allclose(widths, expected)
    assert "3 characters possible" in ax_bar.get_title()
    assert ax_text.texts[0].get_text() == "text at 0.5 and 3"
    assert visible(" ") == "space" and visible("\n") == "newline"
    plt.close(fig)

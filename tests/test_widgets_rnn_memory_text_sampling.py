"""The chapter 14 widgets: which cell remembers (rnn_memory) and sampled text (text_sampling)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import rnn_memory, text_sampling
from dlcore.widgets.frames import frame_view

RESULTS = {"SimpleRNN": [1.0, 0.3], "LSTM": [1.0, 0.9]}
GAPS = [5, 40]


def test_memory_plot_marks_the_gap_and_labels_the_bars():
    fig = rnn_memory.plot_memory(RESULTS, GAPS, 40, chance=0.25)
    bar_ax, line_ax = fig.axes
    assert [t.get_text() for t in bar_ax.texts] == ["0.30", "0.90"]
    assert "40" in bar_ax.get_title() and len(line_ax.get_lines()) == 2 + 2  # two cells, chance, gap marker
    plt.close(fig)
    assert rnn_memory.memory_alt(RESULTS, GAPS, 5) == "Test accuracy after a gap of 5 steps: SimpleRNN 1.00, LSTM 1.00"
    with pytest.raises(ValueError, match="not one of"):
        rnn_memory.plot_memory(RESULTS, GAPS, 7, chance=0.25)


def test_entropy_grows_with_temperature():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    e = [text_sampling.entropy_at_temperature(logits, t) for t in (0.1, 1.0, 10.0)]
    assert e[0] < e[1] < e[2] < np.log(3) + 1e-12
    assert text_sampling.entropy_at_temperature(np.zeros((1, 4)), 1.0) == pytest.approx(np.log(4))


def test_sample_plot_and_frames():
    fig = text_sampling.plot_sample("line one\nline two " * 20, 0.5, entropy=1.234)
    assert "1.23" in fig.axes[0].get_title(loc="left") and "⏎" in fig.axes[0].texts[0].get_text()
    plt.close(fig)
    box = frame_view(
        lambda temperature: text_sampling.plot_sample("abc", temperature),
        controls={"temperature": [0.5, 1.0]},
        alt=lambda temperature: f"text at {temperature}",
    )
    assert len(box.frames) == 2

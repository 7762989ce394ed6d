"""The transfer-learning widget of chapter 17 (dlcore.widgets.transfer)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets.transfer import mean_accuracy, plot_transfer, sizes

RESULTS = {
    **{("scratch", n): [0.3 + n / 100, 0.32 + n / 100] for n in (5, 20)},
    **{(f"frozen{k}", n): [0.4 + n / 100 + k / 100] * 2 for k in (0, 1, 2) for n in (5, 20)},
}


def test_curves_follow_the_mean_accuracies_and_the_title_gives_the_gain():
    fig = plot_transfer(RESULTS, 20, 2)
    ax = fig.axes[0]
    scratch, transfer = ax.lines[0], ax.lines[3]  # each curve is followed by its per-n dots
    np.testing.assert_allclose(scratch.get_ydata(), [0.36, 0.51])
    np.testing.assert_allclose(transfer.get_ydata(), [0.47, 0.62])
    assert "+11.0%" in ax.get_title()
    assert sizes(RESULTS) == [5, 20] and mean_accuracy(RESULTS, "scratch", 5) == pytest.approx(0.36)
    plt.close(fig)


def test_unknown_settings_are_named():
    with pytest.raises(ValueError, match="n=7"):
        plot_transfer(RESULTS, 7, 2)

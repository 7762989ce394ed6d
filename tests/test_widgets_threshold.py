"""Chapter 11's threshold widget: the counts at a threshold and the point it marks on each curve."""

import matplotlib.pyplot as plt
import numpy as np
import sklearn.metrics

from dlcore.widgets.threshold import plot_confusion_matrix, plot_threshold, threshold_counts

RNG = np.random.default_rng(3)
Y = (RNG.random(300) < 0.4).astype(np.int64)
S = 1 / (1 + np.exp(-(RNG.normal(size=300) + 1.5 * Y - 0.5)))


def test_threshold_counts_match_scikit_learn():
    for t in (0.2, 0.5, 0.8):
        c = threshold_counts(Y, S, t)
        pred = (S >= t).astype(int)
        assert np.isclose(c["precision"], sklearn.metrics.precision_score(Y, pred))
        assert np.isclose(c["recall"], sklearn.metrics.recall_score(Y, pred))
        assert c["tp"] + c["fp"] + c["fn"] + c["tn"] == len(Y)


def test_raising_the_threshold_trades_recall_for_precision():
    low, high = threshold_counts(Y, S, 0.3), threshold_counts(Y, S, 0.7)
    assert low["recall"] > high["recall"] and low["precision"] < high["precision"] and low["fpr"] > high["fpr"]


def test_plot_threshold_marks_the_threshold_on_both_curves():
    fig = plot_threshold(Y, S, 0.5)
    _, ax_roc, ax_pr = fig.axes[:3]
    c = threshold_counts(Y, S, 0.5)
    roc_point = ax_roc.lines[-1].get_xydata()[0]
    pr_point = ax_pr.lines[-1].get_xydata()[0]
    assert np.allclose(roc_point, [c["fpr"], c["recall"]]) and np.allclose(pr_point, [c["recall"], c["precision"]])
    assert "precision" in fig.axes[0].get_title()
    plt.close(fig)


def test_plot_confusion_matrix_writes_every_count():
    ax = plot_confusion_matrix(np.array([[5, 1], [2, 7]]))
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "5", "7"]
    plt.close(ax.figure)


def test_the_book_frames_differ_per_threshold_and_carry_their_numbers():
    import re

    from dlcore.widgets.frames import frame_view

    def alt(threshold):
        c = threshold_counts(Y, S, threshold)
        return f"threshold {threshold}: precision {c['precision']:.2f}, recall {c['recall']:.2f}"

    view = frame_view(
        plot_threshold, controls={"threshold": [0.3, 0.5, 0.7]}, fixed={"y_true": Y, "scores": S}, alt=alt
    )
    html = [frame.value for frame in view.frames.values()]
    texts = [re.search(r'alt="([^"]*)"', h).group(1) for h in html]
    assert len(set(html)) == 3 and len(set(texts)) == 3 and all(re.search(r"\d", t) for t in texts)

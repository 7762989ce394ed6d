"""The decision threshold of a binary classifier (chapter 11's widget).

A classifier gives scores; a threshold t turns them into decisions (class 1 where score >= t).
``plot_threshold`` draws, for one t, the confusion matrix with precision and recall, and the
point that t picks on the ROC curve and on the precision-recall curve. Moving t trades false
positives for false negatives along both curves; the curves themselves do not move.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcore.evaluation import average_precision, precision_recall_curve, roc_auc, roc_curve
from dlcore.metrics import confusion_matrix
from dlcore.plotting import PALETTE


def plot_confusion_matrix(
    cm: np.ndarray, ax: Axes | None = None, labels: Sequence[str] | None = None, title: str = "Confusion matrix"
) -> Axes:
    """Draw counts cm: (C, C), rows = true class, columns = predicted class, each cell labelled."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    cm = np.asarray(cm)
    c = len(cm)
    labels = [str(k) for k in range(c)] if labels is None else list(labels)
    ax.imshow(cm, cmap="Blues")
    big = cm.max() / 2 if cm.size else 0
    for i in range(c):
        for j in range(c):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > big else "black")
    ax.set(xticks=range(c), yticks=range(c), xticklabels=labels, yticklabels=labels)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    return ax


def threshold_counts(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    """Counts and rates at one threshold: tp, fp, fn, tn, precision, recall (= tpr), fpr."""
    pred = (np.asarray(scores) >= threshold).astype(np.int64)
    (tn, fp), (fn, tp) = confusion_matrix(np.asarray(y_true), pred, num_classes=2)
    precision = tp / (tp + fp) if tp + fp else 1.0  # nothing predicted positive: no false alarm
    return {
        "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": float(precision),
        "recall": float(tp / (tp + fn)), "fpr": float(fp / (fp + tn)),
    }  # fmt: skip


def plot_threshold(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> Figure:
    """Confusion matrix at ``threshold`` and its point on the ROC and precision-recall curves.

    y_true: (N,) 0/1; scores: (N,) probabilities of class 1 (any scores work for the curves).
    """
    counts = threshold_counts(y_true, scores, threshold)
    fpr, tpr, _ = roc_curve(y_true, scores)
    precision, recall, _ = precision_recall_curve(y_true, scores)
    fig, (ax_cm, ax_roc, ax_pr) = plt.subplots(1, 3, figsize=(12, 3.9))
    cm = np.array([[counts["tn"], counts["fp"]], [counts["fn"], counts["tp"]]])
    plot_confusion_matrix(
        cm,
        ax_cm,
        title=f"t = {threshold:g}: precision {counts['precision']:.2f}, recall {counts['recall']:.2f}",
    )
    ax_roc.plot(fpr, tpr, "-", color=PALETTE[0], label=f"ROC, AUC {roc_auc(y_true, scores):.3f}")
    ax_roc.plot([0, 1], [0, 1], ":", color="grey", label="chance")
    ax_roc.plot(counts["fpr"], counts["recall"], "o", color=PALETTE[1], markersize=10, label=f"t = {threshold:g}")
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate (recall)", title="ROC curve")
    ax_roc.legend(loc="lower right")
    ax_pr.step(recall, precision, "-", where="post", color=PALETTE[2],
               label=f"PR, AP {average_precision(y_true, scores):.3f}")  # fmt: skip
    ax_pr.axhline(np.mean(y_true), linestyle=":", color="grey", label="chance (share of positives)")
    ax_pr.plot(counts["recall"], counts["precision"], "s", color=PALETTE[1], markersize=10, label=f"t = {threshold:g}")
    ax_pr.set(xlabel="recall", ylabel="precision", ylim=(0, 1.05), title="Precision-recall curve")
    ax_pr.legend(loc="lower left")
    fig.tight_layout()
    return fig

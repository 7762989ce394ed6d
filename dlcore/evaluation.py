"""Evaluation beyond one number: score-based curves, calibration, per-class reports and folds.

Argument order is ``metric(y_true, y_score)`` as in scikit-learn, whose functions these match
and are tested against (``dlcore.metrics`` holds the label-based metrics: accuracy, precision,
recall, F1, regression errors).

- ROC and precision-recall curves from *scores* (any monotone scores: probabilities or
  logits): ``roc_curve``, ``roc_auc``, ``precision_recall_curve``, ``average_precision``;
- probabilities: ``log_loss``, ``calibration_bins``, ``expected_calibration_error``,
  ``fit_temperature``;
- ``class_report``: precision, recall, F1 and support per class, with the macro, micro and
  weighted averages;
- ``k_fold_indices``: (train, validation) index pairs for k-fold cross-validation, optionally
  stratified.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from dlcore.activations import softmax
from dlcore.config import get_rng


def _binary(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_score = np.asarray(y_true).reshape(-1), np.asarray(y_score, dtype=np.float64).reshape(-1)
    if len(y_true) != len(y_score):
        raise ValueError(f"y_true has {len(y_true)} samples but y_score has {len(y_score)}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError(f"expected binary labels 0/1, got values {np.unique(y_true)[:5].tolist()}")
    return y_true.astype(np.int64), y_score


def _threshold_counts(y_true, y_score) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thresholds (distinct scores, decreasing) and the true/false positives when predicting 1 for score >= t."""
    y, s = _binary(y_true, y_score)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_each = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # tied scores move together
    tps = np.cumsum(y)[last_of_each]
    fps = (1 + last_of_each) - tps
    return s[last_of_each], tps, fps


# --- ROC ------------------------------------------------------------------------------------
def roc_curve(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) of the ROC curve, one point per distinct score plus the origin.

    y_true: (N,) 0/1 with both classes present; y_score: (N,) scores, larger = more likely 1.
    Point k predicts class 1 for score >= thresholds[k]; the first threshold is +inf (nothing
    predicted positive), so the curve starts at (0, 0) and ends at (1, 1).
    """
    thresholds, tps, fps = _threshold_counts(y_true, y_score)
    if tps[-1] == 0 or fps[-1] == 0:
        raise ValueError("roc_curve: y_true must contain both classes")
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, np.r_[np.inf, thresholds]


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve (trapezoids over every threshold; ties count one half).

    Equals the probability that a random positive scores above a random negative.
    """
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.trapezoid(tpr, fpr))


# --- precision-recall -----------------------------------------------------------------------
def precision_recall_curve(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, thresholds) for predicting 1 at score >= each distinct score.

    Ordered by increasing threshold like scikit-learn's, with the final point (precision 1,
    recall 0) appended, so thresholds is one shorter than precision and recall.
    """
    thresholds, tps, fps = _threshold_counts(y_true, y_score)
    if tps[-1] == 0:
        raise ValueError("precision_recall_curve: y_true has no positive sample")
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    keep = slice(None, None, -1)  # increasing thresholds
    return np.r_[precision[keep], 1.0], np.r_[recall[keep], 0.0], thresholds[keep]


def average_precision(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """AP = Σ_k (R_k - R_{k-1}) P_k over the thresholds: precision weighted by each recall step.

    A step function, not the trapezoidal area (which over-estimates a PR curve).
    """
    precision, recall, _ = precision_recall_curve(y_true, y_score)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


# --- probabilities --------------------------------------------------------------------------
def _probabilities(y_true, proba) -> tuple[np.ndarray, np.ndarray]:
    """Labels (N,) and class probabilities (N, C); a (N,) or (N, 1) input is P(class 1)."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1 or (proba.ndim == 2 and proba.shape[1] == 1):
        p1 = proba.reshape(-1)
        proba = np.stack([1 - p1, p1], axis=1)
    y = np.asarray(y_true).reshape(-1).astype(np.int64)
    if proba.ndim != 2 or len(proba) != len(y):
        raise ValueError(f"expected probabilities (N,) or (N, C) for {len(y)} labels, got shape {proba.shape}")
    return y, proba


def log_loss(y_true: np.ndarray, proba: np.ndarray, eps: float = 1e-15) -> float:
    """Mean negative log-probability of the true class: -(1/N) Σ log p_{n, y_n}.

    proba: (N, C) class probabilities, or (N,) P(class 1) for binary labels. Probabilities are
    clipped to [eps, 1 - eps] so a confident mistake costs a large but finite amount.
    """
    y, proba = _probabilities(y_true, proba)
    p = np.clip(proba[np.arange(len(y)), y], eps, 1 - eps)
    return float(-np.mean(np.log(p)))


def calibration_bins(
    y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence against accuracy in equal-width confidence bins (the reliability diagram).

    Confidence is the largest class probability, correctness whether that class is the true one.
    Returns (mean confidence, accuracy, count) per bin, each (n_bins,); empty bins give NaN.
    Bin k holds confidences in (k / n_bins, (k + 1) / n_bins].
    """
    y, proba = _probabilities(y_true, proba)
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(np.float64)
    bins = np.clip(np.ceil(confidence * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(bins, confidence, minlength=n_bins) / count
        accuracy = np.bincount(bins, correct, minlength=n_bins) / count
    return mean_conf, accuracy, count


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10) -> float:
    """ECE = Σ_bins (n_b / N) |accuracy_b - confidence_b| (Guo et al. 2017), in [0, 1]."""
    mean_conf, accuracy, count = calibration_bins(y_true, proba, n_bins)
    filled = count > 0
    return float(np.sum(count[filled] * np.abs(accuracy[filled] - mean_conf[filled])) / count.sum())


def fit_temperature(logits: np.ndarray, y_true: np.ndarray, grid: np.ndarray | None = None) -> float:
    """The temperature T > 0 minimising the log loss of softmax(logits / T) (temperature scaling).

    logits: (N, C) on a *validation* set; y_true: (N,) labels. T > 1 softens over-confident
    probabilities; the predicted classes (the argmax) do not change. Searched on a log grid of
    0.05..20, then refined by golden-section search around the best grid point.
    """
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y_true).reshape(-1).astype(np.int64)

    def nll(t: float) -> float:
        return log_loss(y, softmax(logits / t, axis=1))

    grid = np.geomspace(0.05, 20.0, 61) if grid is None else np.asarray(grid, dtype=np.float64)
    k = int(np.argmin([nll(t) for t in grid]))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):  # golden section on [lo, hi]
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return float((lo + hi) / 2)


# --- per-class report -----------------------------------------------------------------------
def class_report(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support of each class, and their averages.

    y_true, y_pred: (N,) integer labels 0..C-1. Returns {"precision", "recall", "f1": (C,),
    "support": (C,) counts, "macro", "micro", "weighted": (precision, recall, f1) triples}.
    macro: plain mean over classes; weighted: mean weighted by support; micro: from pooled
    counts (= accuracy for single-label data). A 0/0 ratio counts as 0.
    """
    t, p = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    c = int(max(t.max(initial=0), p.max(initial=0)) + 1) if num_classes is None else num_classes
    cm = np.bincount(t * c + p, minlength=c * c).reshape(c, c)
    tp = np.diag(cm).astype(np.float64)
    fp, fn = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
    support = cm.sum(axis=1)

    def ratio(num, den):
        num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)

    per = {"precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn), "f1": ratio(2 * tp, 2 * tp + fp + fn)}
    weights = support / max(support.sum(), 1)
    T, F, N = tp.sum(), fp.sum(), fn.sum()
    micro = (float(ratio(T, T + F)), float(ratio(T, T + N)), float(ratio(2 * T, 2 * T + F + N)))
    return {
        **per,
        "support": support,
        "macro": tuple(float(per[k].mean()) for k in ("precision", "recall", "f1")),
        "micro": micro,
        "weighted": tuple(float(np.sum(per[k] * weights)) for k in ("precision", "recall", "f1")),
    }


# --- cross-validation -----------------------------------------------------------------------
def k_fold_indices(
    n: int,
    k: int = 5,
    y: np.ndarray | None = None,
    rng: np.random.Generator | int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield k (train_idx, val_idx) pairs: every sample is in exactly one validation fold.

    Samples are shuffled with ``rng`` first. With labels ``y`` the folds are stratified: each
    class is dealt round-robin over the folds, so every fold has nearly its share of each class.
    """
    if not 2 <= k <= n:
        raise ValueError(f"k_fold_indices: need 2 <= k <= n, got k={k}, n={n}")
    rng = get_rng(rng)
    fold_of = np.empty(n, dtype=np.int64)
    if y is None:
        fold_of[rng.permutation(n)] = np.arange(n) % k
    else:
        y = np.asarray(y).reshape(-1)
        if len(y) != n:
            raise ValueError(f"k_fold_indices: y has {len(y)} labels for n={n}")
        start = 0
        for label in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == label))
            fold_of[members] = (start + np.arange(len(members))) % k
            start += len(members)
    for fold in range(k):
        yield np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)

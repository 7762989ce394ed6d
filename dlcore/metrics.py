"""Metrics: numbers that say how good predictions are (they are not differentiated).

Argument order is ``metric(y_true, y_pred)``, as in scikit-learn (whose functions these match
and are tested against). Note that the losses take ``loss(y_pred, y_true)``, as in PyTorch.

Classification metrics accept predictions in any of the forms a model produces:

- integer labels, shape (N,);
- class scores, shape (N, C) with C >= 2 (logits or probabilities): the class is the argmax;
- binary scores, float shape (N,) or (N, 1): the class is ``y_pred > threshold``.
  Use ``threshold=0.5`` (the default) for probabilities from a sigmoid, ``threshold=0.0``
  for logits.

and targets as integer labels (N,), binary labels (N, 1), or one-hot rows (N, C).

Regression metrics take arrays of equal shape, (N,) or (N, K); for K outputs each metric is
computed per output and then averaged (scikit-learn's ``"uniform_average"``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


# --- turning predictions and targets into labels -----------------------------------------
def to_labels(y: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Class labels (N,) from labels (N,), binary scores (N,)/(N, 1) or class scores (N, C)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] >= 2:
        return y.argmax(axis=1)  # (N, C) -> (N,)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # (N, 1) -> (N,)
    if y.ndim != 1:
        raise ValueError(f"expected labels (N,), binary scores (N,)/(N, 1) or class scores (N, C), got {y.shape}")
    if np.issubdtype(y.dtype, np.integer) or y.dtype == bool:
        return y.astype(np.int64, copy=False)
    if np.issubdtype(y.dtype, np.floating):
        return (y > threshold).astype(np.int64)
    raise TypeError(f"expected numeric labels or scores, got dtype {y.dtype}")


def _true_labels(y_true: np.ndarray) -> np.ndarray:
    """Targets as integer labels (N,): labels, binary labels (N, 1) or one-hot (N, C)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == 2 and y_true.shape[1] >= 2:
        return y_true.argmax(axis=1)
    y_true = y_true.reshape(len(y_true)) if y_true.ndim == 2 and y_true.shape[1] == 1 else y_true
    if y_true.ndim != 1:
        raise ValueError(f"expected targets as labels (N,) or one-hot (N, C), got shape {y_true.shape}")
    if np.issubdtype(y_true.dtype, np.floating):
        if not np.all(y_true == np.round(y_true)):
            raise ValueError("classification targets must be whole numbers (labels), got non-integer floats")
        return y_true.astype(np.int64)
    return y_true.astype(np.int64, copy=False)


def _pair(y_true, y_pred, threshold) -> tuple[np.ndarray, np.ndarray]:
    t, p = _true_labels(y_true), to_labels(y_pred, threshold)
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} samples but y_pred has {len(p)}")
    return t, p


# --- classification ----------------------------------------------------------------------
def accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of samples whose predicted class equals the true class (forms: module docstring)."""
    t, p = _pair(y_true, y_pred, threshold)
    return float(np.mean(t == p))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None, threshold=0.5):
    """Counts (C, C): entry [i, j] = number of samples of true class i predicted as class j.

    Labels must be 0..C-1; ``num_classes`` defaults to the largest label seen + 1.
    """
    t, p = _pair(y_true, y_pred, threshold)
    if t.size and min(t.min(), p.min()) < 0:
        raise ValueError("confusion_matrix: labels must be >= 0")
    seen = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    C = seen if num_classes is None else num_classes
    if seen > C:
        raise ValueError(f"confusion_matrix: found label {seen - 1} but num_classes={C}")
    return np.bincount(t * C + p, minlength=C * C).reshape(C, C)


def _counts(y_true, y_pred, threshold) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels present in y_true or y_pred, and true positives, false positives, false negatives per label."""
    t, p = _pair(y_true, y_pred, threshold)
    labels, idx = np.unique(np.concatenate([t, p]), return_inverse=True)
    K = len(labels)
    cm = np.bincount(idx[: len(t)] * K + idx[len(t) :], minlength=K * K).reshape(K, K)
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp  # predicted as the class, but another class
    fn = cm.sum(axis=1) - tp  # of the class, but predicted as another
    return labels, tp, fp, fn


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0 (scikit-learn's zero_division=0)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _prf(y_true, y_pred, average: str, pos_label: int, threshold: float, which: str) -> float:
    labels, tp, fp, fn = _counts(y_true, y_pred, threshold)
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    elif average == "binary":
        if len(labels) > 2:
            raise ValueError(f"average='binary' needs two classes, found labels {labels.tolist()}; use 'macro'")
        k = np.flatnonzero(labels == pos_label)
        if k.size == 0:  # the positive class never occurs: no positives, nothing found
            return 0.0
        tp, fp, fn = tp[k[0]], fp[k[0]], fn[k[0]]
    elif average != "macro":
        raise ValueError(f"average must be 'binary', 'macro' or 'micro', got {average!r}")
    if which == "precision":
        score = _ratio(tp, tp + fp)
    elif which == "recall":
        score = _ratio(tp, tp + fn)
    else:  # F1 = 2 P R / (P + R) = 2 tp / (2 tp + fp + fn)
        score = _ratio(2 * tp, 2 * tp + fp + fn)
    return float(np.mean(score))


def precision(y_true, y_pred, average: str = "binary", pos_label: int = 1, threshold: float = 0.5) -> float:
    """tp / (tp + fp): of the samples predicted as a class, the fraction that are.

    average: "binary" (class ``pos_label`` only), "macro" (mean over classes) or "micro"
    (pool the counts of all classes; equals accuracy for single-label problems).
    A class never predicted has precision 0 (as scikit-learn with zero_division=0).
    """
    return _prf(y_true, y_pred, average, pos_label, threshold, "precision")


def recall(y_true, y_pred, average: str = "binary", pos_label: int = 1, threshold: float = 0.5) -> float:
    """tp / (tp + fn): of the samples of a class, the fraction found. ``average`` as in ``precision``."""
    return _prf(y_true, y_pred, average, pos_label, threshold, "recall")


def f1(y_true, y_pred, average: str = "binary", pos_label: int = 1, threshold: float = 0.5) -> float:
    """Harmonic mean of precision and recall, 2 P R / (P + R). ``average`` as in ``precision``."""
    return _prf(y_true, y_pred, average, pos_label, threshold, "f1")


# --- regression --------------------------------------------------------------------------
def _regression_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Both as (N, K). A (N,) vs (N, 1) mismatch is reshaped (broadcasting would give (N, N))."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        if y_true.size != y_pred.size or len(y_true) != len(y_pred):
            raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
        y_true = y_true.reshape(y_pred.shape)
    return y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error, mean |y_pred - y_true|."""
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t), dtype=np.float64))


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error, mean (y_pred - y_true)²."""
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean(np.square(p - t), dtype=np.float64))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error, sqrt(mse), in the units of y (per output, then averaged)."""
    t, p = _regression_pair(y_true, y_pred)
    return float(np.mean(np.sqrt(np.mean(np.square(p - t), axis=0, dtype=np.float64))))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, 1 - Σ (y - ŷ)² / Σ (y - ȳ)² (per output, then averaged).

    1 is perfect, 0 is as good as predicting the mean, negative is worse. A constant target
    scores 1 if predicted exactly, else 0 (as scikit-learn).
    """
    t, p = _regression_pair(y_true, y_pred)
    ss_res = np.sum(np.square(t - p), axis=0, dtype=np.float64)
    ss_tot = np.sum(np.square(t - t.mean(axis=0, dtype=np.float64)), axis=0, dtype=np.float64)
    score = np.where(ss_tot > 0, 1 - _ratio(ss_res, ss_tot), np.where(ss_res == 0, 1.0, 0.0))
    return float(np.mean(score))


# --- lookup by name (for compile(metrics=[...])) ------------------------------------------
def _macro(fn: Callable) -> Callable:
    def metric(y_true, y_pred, threshold: float = 0.5) -> float:
        return fn(y_true, y_pred, average="macro", threshold=threshold)

    metric.__name__ = fn.__name__
    metric.__doc__ = f"{fn.__name__} with average='macro' (works for two or more classes)."
    return metric


METRICS: dict[str, Callable] = {
    "accuracy": accuracy,
    "precision": _macro(precision),
    "recall": _macro(recall),
    "f1": _macro(f1),
    "mae": mae,
    "mse": mse,
    "rmse": rmse,
    "r2": r2,
}
ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}

# metrics for which larger is better (EarlyStopping(mode="auto") maximises them)
HIGHER_IS_BETTER = {"accuracy", "precision", "recall", "f1", "r2"}

# metrics that turn scores into classes, and so take a ``threshold`` for binary scores
CLASSIFICATION = {"accuracy", "precision", "recall", "f1"}


def get_metric(name_or_fn: str | Callable) -> tuple[str, Callable]:
    """(name, function) from a registered name ("accuracy", "f1", "mae", ...) or a callable.

    A callable must take ``(y_true, y_pred)`` and return a float; its name is ``__name__``.
    The names "precision", "recall" and "f1" use average="macro".
    """
    if callable(name_or_fn):
        return getattr(name_or_fn, "__name__", "metric"), name_or_fn
    if isinstance(name_or_fn, str):
        key = ALIASES.get(name_or_fn.lower(), name_or_fn.lower())
        if key not in METRICS:
            raise ValueError(f"get_metric: unknown metric {name_or_fn!r}; choose from {sorted(METRICS)}")
        return key, METRICS[key]
    raise TypeError(f"get_metric: expected a name or a callable, got {type(name_or_fn).__name__}")

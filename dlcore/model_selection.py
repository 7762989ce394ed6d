"""Choosing models honestly (chapter 11): a small trainable model, search strategies, learning curves.

- ``fit_logistic``: L2-penalised logistic regression by full-batch gradient descent (cheap
  enough to train hundreds of times, so searches can be measured rather than described);
- ``grid_search`` / ``random_search`` over a log-scaled learning rate and L2 strength, scored
  on a validation set;
- ``learning_curve``: training and validation loss against the training-set size;
- ``make_groups``: data with a majority and a minority group whose labels follow different
  rules, to measure how a single model's error differs between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dlcore.activations import sigmoid
from dlcore.config import get_rng
from dlcore.evaluation import log_loss


@dataclass
class LogisticModel:
    """w: (D,), b: float. ``proba(X)``: P(class 1), (N,)."""

    w: np.ndarray
    b: float

    def proba(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(X @ self.w + self.b)


def fit_logistic(X: np.ndarray, y: np.ndarray, lr: float = 0.1, lam: float = 0.0, steps: int = 100) -> LogisticModel:
    """Minimise mean cross-entropy + (lam / 2) ||w||^2 (bias not penalised) by gradient descent.

    X: (N, D) float, y: (N,) 0/1. A learning rate that makes the loss diverge still returns
    the (useless) weights, so a search can score and discard it.
    """
    w, b = np.zeros(X.shape[1]), 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            delta = sigmoid(X @ w + b) - y  # (N,) dL/dz
            w = w - lr * (X.T @ delta / len(X) + lam * w)
            b = b - lr * float(delta.mean())
    return LogisticModel(w, b)


def validation_loss(model: LogisticModel, X: np.ndarray, y: np.ndarray) -> float:
    """Log loss on (X, y); inf when the weights diverged."""
    with np.errstate(over="ignore", invalid="ignore"):
        p = model.proba(X)
    return float(log_loss(y, p)) if np.all(np.isfinite(p)) else float("inf")


LR_RANGE = (1e-2, 100.0)
LAM_RANGE = (1e-6, 1e-1)


def _score(lr: float, lam: float, data) -> float:
    x_tr, y_tr, x_val, y_val = data
    return validation_loss(fit_logistic(x_tr, y_tr, lr, lam), x_val, y_val)


def grid_search(data: tuple, per_axis: int = 3) -> np.ndarray:
    """Score every pair of ``per_axis`` log-spaced learning rates and L2 strengths.

    data: (x_train, y_train, x_val, y_val). Returns (per_axis**2, 3) rows (lr, lam, val loss).
    """
    lrs, lams = np.geomspace(*LR_RANGE, per_axis), np.geomspace(*LAM_RANGE, per_axis)
    return np.array([(lr, lam, _score(lr, lam, data)) for lr in lrs for lam in lams])


def random_search(data: tuple, trials: int = 9, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Score ``trials`` pairs drawn log-uniformly from the same ranges. Returns (trials, 3)."""
    rng = get_rng(rng)
    lrs = np.exp(rng.uniform(*np.log(LR_RANGE), trials))
    lams = np.exp(rng.uniform(*np.log(LAM_RANGE), trials))
    return np.array([(lr, lam, _score(lr, lam, data)) for lr, lam in zip(lrs, lams, strict=True)])


def learning_curve(
    data: tuple, sizes: Sequence[int], lr: float = 0.5, lam: float = 1e-3, repeats: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Mean training and validation log loss for training sets of each size (random subsets).

    Returns (train_loss, val_loss), each (len(sizes),), averaged over ``repeats`` subsets.
    """
    x_tr, y_tr, x_val, y_val = data
    rng = np.random.default_rng(seed)
    train, val = np.zeros(len(sizes)), np.zeros(len(sizes))
    for k, n in enumerate(sizes):
        for _ in range(repeats):
            idx = rng.choice(len(x_tr), n, replace=False)
            model = fit_logistic(x_tr[idx], y_tr[idx], lr, lam, steps=300)
            train[k] += validation_loss(model, x_tr[idx], y_tr[idx]) / repeats
            val[k] += validation_loss(model, x_val, y_val) / repeats
    return train, val


def make_groups(
    n: int, minority: float = 0.1, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two features, a label and a group (0 majority, 1 minority; a share ``minority`` of n).

    The label depends on the features through a different line in each group (as when a
    measurement means something different for a sub-population). Returns X: (n, 2), y: (n,), g: (n,).
    The group is not one of the features.
    """
    rng = get_rng(rng)
    g = (rng.random(n) < minority).astype(np.int64)
    X = rng.normal(size=(n, 2))
    direction = np.where(g[:, None] == 0, [1.0, 1.0], [1.0, -1.0])  # (n, 2)
    logit = 3.0 * np.sum(X * direction, axis=1)
    y = (rng.random(n) < sigmoid(logit)).astype(np.int64)
    return X, y, g

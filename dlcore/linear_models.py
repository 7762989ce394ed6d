"""Single neurons: the perceptron and logistic regression, written out (chapter 05).

One neuron computes a weighted sum of its inputs plus a bias, z = w . x + b, and passes it
through an activation. With a batch X: (N, D) the sums for every example are one product,
z = X @ w + b: (N, D) @ (D,) -> (N,).

- The **perceptron** uses the step activation, y_hat = 1 if z > 0 else 0, and Rosenblatt's
  rule: after each example, w <- w + lr (y - y_hat) x and b <- b + lr (y - y_hat).
  Nothing changes when the prediction is right.
- **Logistic regression** uses the sigmoid, y_hat = sigma(z), the binary cross-entropy loss
  L = -[y log y_hat + (1 - y) log(1 - y_hat)] per example and its mean, the cost J, over the
  batch. Since dL/dz = y_hat - y, the gradients of J are dw = X^T (y_hat - y) / N and
  db = mean(y_hat - y).

Labels are 0/1 arrays of shape (N,). Everything here works in the dtype of X (float64 in the
chapter), and no function modifies its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlcore.activations import sigmoid, softplus
from dlcore.config import get_rng

RandomState = np.random.Generator | int | None


# --- data ---------------------------------------------------------------------------------
SEPARABLE_W, SEPARABLE_B = np.array([-0.5, 1.0]), -0.1  # the line x2 = 0.5 x1 + 0.1 that labels make_separable


def make_separable(
    n: int = 100, margin: float = 0.1, rng: RandomState = None, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]^2, labelled 1 above the line x2 = 0.5 x1 + 0.1 and 0 below
    (that is, by the sign of SEPARABLE_W . x + SEPARABLE_B).

    Points closer to the line than ``margin`` are redrawn, so the classes are linearly
    separable with at least that margin. Returns X: (n, 2), y: (n,) int64 in {0, 1}.
    """
    rng = get_rng(rng)
    scale = np.linalg.norm(SEPARABLE_W)
    normal, offset = SEPARABLE_W / scale, -SEPARABLE_B / scale  # unit normal and distance of the line from 0
    kept = np.empty((0, 2))
    while len(kept) < n:
        pts = rng.uniform(-1, 1, size=(2 * n, 2))
        distance = pts @ normal - offset  # signed distance to the line
        kept = np.concatenate([kept, pts[np.abs(distance) >= margin]])
    X = kept[:n]
    y = (X @ normal - offset > 0).astype(np.int64)
    return X.astype(dtype), y


def make_two_blobs(
    n: int = 200, distance: float = 2.5, std: float = 0.8, rng: RandomState = None, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Two round Gaussian clouds of n/2 points each, centres ``distance`` apart along (2, 1).

    With the defaults the clouds overlap a little, so no line separates them perfectly.
    Returns X: (n, 2), y: (n,) int64 in {0, 1} (class 1 is the cloud up and to the right).
    """
    rng = get_rng(rng)
    direction = np.array([2.0, 1.0]) / np.sqrt(5.0)
    half = distance / 2 * direction
    n1 = n // 2
    n0 = n - n1
    X = np.concatenate([rng.normal(-half, std, size=(n0, 2)), rng.normal(half, std, size=(n1, 2))])
    y = np.repeat([0, 1], [n0, n1]).astype(np.int64)
    order = rng.permutation(n)
    return X[order].astype(dtype), y[order]


# --- the perceptron -------------------------------------------------------------------------
def perceptron_predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Step activation of z = X @ w + b: 1 where z > 0, else 0. X: (N, D), w: (D,) -> (N,) int64."""
    return (X @ w + b > 0).astype(np.int64)


@dataclass
class PerceptronResult:
    """What training did. mistakes_per_epoch[e]: examples misclassified (and so updated) during epoch e;
    history: (w, b) at the end of every epoch; converged: an epoch passed without a mistake."""

    w: np.ndarray
    b: float
    mistakes_per_epoch: list[int] = field(default_factory=list)
    history: list[tuple[np.ndarray, float]] = field(default_factory=list)
    converged: bool = False

    @property
    def total_mistakes(self) -> int:
        return int(sum(self.mistakes_per_epoch))


def train_perceptron(
    X: np.ndarray, y: np.ndarray, lr: float = 1.0, max_epochs: int = 100, rng: RandomState = None
) -> PerceptronResult:
    """Rosenblatt's perceptron, one example at a time, from w = 0 and b = 0.

    For each example in a random order: y_hat = step(w . x + b); w += lr (y - y_hat) x;
    b += lr (y - y_hat). Stops after the first epoch without a mistake, or after ``max_epochs``.
    X: (N, D), y: (N,) in {0, 1}.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    _check_binary(X, y, "train_perceptron")
    rng = get_rng(rng)
    w = np.zeros(X.shape[1], dtype=X.dtype)
    b = 0.0
    result = PerceptronResult(w=w, b=b)
    for _ in range(max_epochs):
        mistakes = 0
        for i in rng.permutation(len(X)):
            error = y[i] - (1 if X[i] @ w + b > 0 else 0)  # -1, 0 or +1
            if error != 0:
                w = w + lr * error * X[i]
                b = b + lr * error
                mistakes += 1
        result.mistakes_per_epoch.append(mistakes)
        result.history.append((w.copy(), float(b)))
        if mistakes == 0:
            result.converged = True
            break
    result.w, result.b = w, float(b)
    return result


def perceptron_mistake_bound(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[float, float, float]:
    """Novikoff's bound for data that (w, b) separates: (R, gamma, (R / gamma)^2).

    With the bias folded in (x~ = (x, 1), v = (w, b) / |(w, b)|), gamma = min_i s_i v . x~_i
    (s_i = +1 for class 1, -1 for class 0) is the margin of this separating direction and
    R = max_i |x~_i|. The perceptron started from zero makes at most (R / gamma)^2 mistakes,
    whatever the order of the examples and the learning rate. Raises ValueError if (w, b)
    does not separate the data.
    """
    X_aug = np.hstack([X, np.ones((len(X), 1), dtype=X.dtype)])  # (N, D + 1)
    v = np.append(w, b)
    v = v / np.linalg.norm(v)
    signs = 2 * np.asarray(y) - 1
    gamma = float(np.min(signs * (X_aug @ v)))
    if gamma <= 0:
        raise ValueError(f"perceptron_mistake_bound: (w, b) does not separate the data (margin {gamma:.3g})")
    R = float(np.max(np.linalg.norm(X_aug, axis=1)))
    return R, gamma, (R / gamma) ** 2


# --- logistic regression --------------------------------------------------------------------
def logistic_predict_proba(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """y_hat = sigma(X @ w + b): the predicted probability of class 1. X: (N, D), w: (D,) -> (N,)."""
    return sigmoid(X @ w + b)


def logistic_cost(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """J = mean binary cross-entropy, computed from z without ever taking log(0).

    -[y log sigma(z) + (1 - y) log(1 - sigma(z))] = softplus(z) - y z, which stays finite
    for any z (see ``dlcore.activations.softplus``).
    """
    z = X @ w + b  # (N,)
    return float(np.mean(softplus(z) - np.asarray(y, dtype=z.dtype) * z))


def logistic_gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """(dJ/dw, dJ/db), vectorised. X: (N, D), y: (N,) -> dw: (D,), db: float.

    dz = y_hat - y: (N,);  dw = X^T dz / N: (D, N) @ (N,) -> (D,);  db = mean(dz).
    """
    y_hat = logistic_predict_proba(X, w, b)
    dz = y_hat - np.asarray(y, dtype=y_hat.dtype)  # (N,): dL/dz for every example
    return X.T @ dz / len(X), float(np.mean(dz))


def logistic_gradients_loop(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """The same gradients with explicit Python loops over examples and features (slow; for comparison)."""
    n, d = X.shape
    dw = [0.0] * d
    db = 0.0
    for i in range(n):
        z = b
        for j in range(d):
            z += w[j] * X[i, j]
        dz = 1.0 / (1.0 + np.exp(-z)) - y[i]
        for j in range(d):
            dw[j] += X[i, j] * dz
        db += dz
    return np.array(dw) / n, db / n


@dataclass
class LogisticResult:
    """Trained weights w: (D,), bias b, and the cost J before every step and after the last (epochs + 1,)."""

    w: np.ndarray
    b: float
    costs: list[float]


def train_logistic_regression(
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 0.1,
    epochs: int = 100,
    w0: np.ndarray | None = None,
    b0: float = 0.0,
) -> LogisticResult:
    """Full-batch gradient descent on the cost J: w <- w - lr dw, b <- b - lr db.

    Starts from w0 (zeros if None) and b0. X: (N, D), y: (N,) in {0, 1}.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    _check_binary(X, y, "train_logistic_regression")
    w = np.zeros(X.shape[1], dtype=X.dtype) if w0 is None else np.array(w0, dtype=X.dtype)
    b = float(b0)
    costs = [logistic_cost(X, y, w, b)]
    for _ in range(epochs):
        dw, db = logistic_gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
        costs.append(logistic_cost(X, y, w, b))
    return LogisticResult(w=w, b=b, costs=costs)


def _check_binary(X: np.ndarray, y: np.ndarray, name: str) -> None:
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"{name}: expected X of shape (N, D) and y of shape (N,), got {X.shape} and {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name}: labels must be 0 or 1, got values {np.unique(y)[:5].tolist()}")

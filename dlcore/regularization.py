"""Experiments behind chapter 10: double descent, L1's exact zeros, and signal scale through depth.

- ``random_features_errors``: least-squares fits on random ReLU features of growing number p;
  the minimum-norm solution (``np.linalg.lstsq``) interpolates once p >= n, and its test error
  peaks near p = n and falls again beyond it (double descent), measured, not drawn.
- ``soft_threshold`` and ``lasso``: the L1-penalised least-squares problem solved by proximal
  gradient descent (ISTA), whose soft-thresholding step sets weights to exactly 0, next to the
  plain subgradient method, whose weights only jitter around 0.
- ``activation_scales``: the standard deviation of the activations layer after layer of a deep
  ReLU stack, for a given initialiser (the forward half of the initialisation argument).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcore.config import get_rng
from dlcore.init import get_initializer

# --- double descent ------------------------------------------------------------------------
INPUT_DIM = 5


def random_features_data(
    n: int, rng: np.random.Generator | int | None = None, noise: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ N(0, I_5) and targets y = sin(x_1) + x_2 / 2 + noise * N(0, 1). x: (n, 5), y: (n,)."""
    rng = get_rng(rng)
    x = rng.normal(size=(n, INPUT_DIM))
    return x, np.sin(x[:, 0]) + 0.5 * x[:, 1] + noise * rng.normal(size=n)


def random_features(x: np.ndarray, p: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """p random ReLU features max(0, x v_j / sqrt(d)), v_j ~ N(0, I). x: (n, d) -> (n, p)."""
    rng = get_rng(rng)
    v = rng.normal(size=(x.shape[1], p)) / np.sqrt(x.shape[1])
    return np.maximum(x @ v, 0.0)


def random_features_errors(
    widths: Sequence[int], n_train: int = 40, n_test: int = 500, repeats: int = 10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test mean squared error of minimum-norm least squares on p random features.

    widths: the numbers of features p to try; each error is the median over ``repeats`` draws
    of the data and the features (the median, because single fits near p = n explode).
    Returns (train_mse, test_mse), each of shape (len(widths),).
    """
    train = np.empty((repeats, len(widths)))
    test = np.empty((repeats, len(widths)))
    for r in range(repeats):
        rng = np.random.default_rng(seed + r)
        x_tr, y_tr = random_features_data(n_train, rng)
        x_te, y_te = random_features_data(n_test, rng)
        for k, p in enumerate(widths):
            both = random_features(np.concatenate([x_tr, x_te]), p, np.random.default_rng(10_000 + 1000 * r + p))
            f_tr, f_te = both[:n_train], both[n_train:]  # the same p features for both sets
            w, *_ = np.linalg.lstsq(f_tr, y_tr, rcond=None)  # minimum-norm solution when p > n
            train[r, k] = np.mean((f_tr @ w - y_tr) ** 2)
            test[r, k] = np.mean((f_te @ w - y_te) ** 2)
    return np.median(train, axis=0), np.median(test, axis=0)


# --- L1: proximal gradient against subgradient -----------------------------------------------
def soft_threshold(w: np.ndarray, t: float) -> np.ndarray:
    """The proximal step of t |w|: sign(w) max(|w| - t, 0). w: any shape -> same shape.

    It is the exact minimiser of (1/2)(u - w)^2 + t |u| over u, and it returns exactly 0
    whenever |w| <= t: that is where L1's sparsity comes from.
    """
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def lasso(X: np.ndarray, y: np.ndarray, lam: float, steps: int = 2000, method: str = "proximal") -> np.ndarray:
    """Minimise (1/2N) ||X w - y||^2 + lam ||w||_1 by gradient steps. X: (N, D), y: (N,) -> w: (D,).

    method: "proximal" (ISTA: a gradient step on the squared error, then ``soft_threshold``)
    or "subgradient" (a step along the squared error's gradient + lam sign(w)).
    The step size is 1 / L with L the largest eigenvalue of X^T X / N.
    """
    if method not in ("proximal", "subgradient"):
        raise ValueError(f"lasso: method must be 'proximal' or 'subgradient', got {method!r}")
    n = len(X)
    lr = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / n  # (D,)
        if method == "proximal":
            w = soft_threshold(w - lr * grad, lr * lam)
        else:
            w = w - lr * (grad + lam * np.sign(w))
    return w


# --- initialisation: the scale of the signal through depth -----------------------------------
def activation_scales(
    init: str, depth: int = 20, width: int = 256, n: int = 512, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Standard deviation of the ReLU activations after each of ``depth`` dense layers (no bias).

    init: a ``dlcore.init`` name ("he", "xavier", "normal", ...). The input is (n, width)
    standard normal. Returns (depth,) standard deviations.
    """
    rng = get_rng(rng)
    initializer = get_initializer(init)
    a = rng.normal(size=(n, width))
    scales = np.empty(depth)
    for layer in range(depth):
        W = initializer((width, width), width, width, rng=rng, dtype=np.float64)
        a = np.maximum(a @ W, 0.0)
        scales[layer] = a.std()
    return scales


# --- weight decay against an L2 penalty --------------------------------------------------------
def decay_paths(
    optimizer: str, lam: float = 0.1, lr: float = 0.01, steps: int = 300, grad_scales: Sequence[float] = (10.0, 0.01)
) -> np.ndarray:
    """Trajectories of weights that start at 1 under an L2 penalty or weight decay λ.

    Weight k gets a data gradient that alternates +s_k, -s_k (mean zero: the data has nothing
    to say about the weight's size, only the penalty does), with s_k = ``grad_scales[k]``.
    optimizer: "sgd+l2" (g + λ w, plain SGD), "sgd+decay" (w <- (1 - η λ) w, then the SGD step),
    "adam+l2" (``optim.Adam(weight_decay=λ)``, coupled) or "adamw" (``optim.AdamW``, decoupled).
    Returns (steps + 1, K) weights, row 0 being the start.
    """
    from dlcore import optim
    from dlcore.module import Parameter

    w = Parameter(np.ones(len(grad_scales)), "w")
    scales = np.asarray(grad_scales, dtype=np.float64)
    builders = {
        "sgd+l2": lambda: optim.SGD([w], lr=lr, weight_decay=lam),
        "sgd+decay": lambda: optim.SGD([w], lr=lr),
        "adam+l2": lambda: optim.Adam([w], lr=lr, weight_decay=lam),
        "adamw": lambda: optim.AdamW([w], lr=lr, weight_decay=lam),
    }
    if optimizer not in builders:
        raise ValueError(f"decay_paths: optimizer must be one of {sorted(builders)}, got {optimizer!r}")
    opt = builders[optimizer]()
    path = [w.value.copy()]
    for t in range(steps):
        w.grad[...] = scales * (1.0 if t % 2 == 0 else -1.0)  # the data gradient
        if optimizer == "sgd+decay":
            w.value *= 1.0 - lr * lam  # decoupled decay, then the step on the data gradient alone
        opt.step()
        path.append(w.value.copy())
    return np.array(path)


def bias_variance(
    widths: Sequence[int], n_train: int = 40, n_test: int = 500, repeats: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Bias² and variance of minimum-norm least squares on p random features, per width.

    Each repeat draws a new training set and new features; on fixed test points x with true
    values f(x) = sin(x_1) + x_2 / 2, bias² = mean_x (mean_r ŷ_r(x) - f(x))² and
    variance = mean_x var_r ŷ_r(x). Expected test error = bias² + variance + noise² (0.09 here).
    Returns (bias2, variance), each (len(widths),).
    """
    x_test = np.random.default_rng(seed + 999).normal(size=(n_test, INPUT_DIM))
    f_test = np.sin(x_test[:, 0]) + 0.5 * x_test[:, 1]
    preds = np.empty((repeats, len(widths), n_test))
    for r in range(repeats):
        x_tr, y_tr = random_features_data(n_train, np.random.default_rng(seed + r))
        for k, p in enumerate(widths):
            both = random_features(np.concatenate([x_tr, x_test]), p, np.random.default_rng(10_000 + 1000 * r + p))
            w, *_ = np.linalg.lstsq(both[:n_train], y_tr, rcond=None)
            preds[r, k] = both[n_train:] @ w
    bias2 = np.mean((preds.mean(axis=0) - f_test) ** 2, axis=1)
    variance = np.mean(preds.var(axis=0), axis=1)
    return bias2, variance

"""Dropout, L2 and the amount of data against overfitting (chapter 10's widget).

``train_regularized`` trains a 2 -> 64 -> 64 -> 1 ReLU network on noisy moons with a given
dropout rate, L2 strength and training-set size, and records the training and validation loss
after every epoch (the validation set is fixed: 1000 fresh points). ``plot_regularized`` draws
the two curves next to the decision boundary; the chapter puts it on ``frame_view``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from dlcore.datasets import make_moons
from dlcore.layers import Dense, Dropout, ReLU
from dlcore.metrics import accuracy
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.plotting import PALETTE, plot_decision_boundary
from dlcore.regularizers import L2

NOISE = 0.35  # moons this noisy overlap, so a network that fits every training point overfits
N_VAL = 1000
HIDDEN = 64


@dataclass
class RegularizedRun:
    """A trained network and its curves. x, y: the training set; loss, val_loss: (epochs,)."""

    model: Sequential
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray
    train_acc: float
    val_acc: float


def regularized_network(dropout: float, l2: float, seed: int = 0) -> Sequential:
    """2 -> 64 -> 64 -> 1 with ReLU, dropout after each hidden layer, L2(l2) on every W."""
    reg = L2(l2) if l2 > 0 else None
    layers = [Dense(2, HIDDEN, rng=seed, regularizer=reg), ReLU(), Dropout(dropout, rng=seed + 1)]
    layers += [Dense(HIDDEN, HIDDEN, rng=seed + 2, regularizer=reg), ReLU(), Dropout(dropout, rng=seed + 3)]
    layers += [Dense(HIDDEN, 1, init="xavier", rng=seed + 4, regularizer=reg)]
    return Sequential(layers)


def train_regularized(
    dropout: float = 0.0, l2: float = 0.0, n_train: int = 60, epochs: int = 200, seed: int = 0
) -> RegularizedRun:
    """Train on ``n_train`` noisy moons (full batch, Adam lr 0.01); validate on 1000 fresh ones.

    Runs are cached by their arguments (a widget's frame and its alt text reuse one run):
    treat the returned run as read-only."""
    return _train_cached(float(dropout), float(l2), int(n_train), int(epochs), int(seed))


@lru_cache(maxsize=64)
def _train_cached(dropout: float, l2: float, n_train: int, epochs: int, seed: int) -> RegularizedRun:
    x, y = make_moons(n_train, noise=NOISE, rng=seed)
    x_val, y_val = make_moons(N_VAL, noise=NOISE, rng=seed + 100)
    model = regularized_network(dropout, l2, seed)
    model.compile("binary_crossentropy_logits", Adam(model.parameters(), lr=0.01))
    with threadpool_limits(limits=1, user_api="blas"):  # tiny matrices: threads only add overhead
        hist = model.fit(
            x,
            y[:, None].astype(x.dtype),
            epochs=epochs,
            batch_size=len(x),
            validation_data=(x_val, y_val[:, None].astype(x.dtype)),
            verbose=0,
            rng=seed,
        )
    train_acc = accuracy(y, model.predict(x)[:, 0], threshold=0.0)
    val_acc = accuracy(y_val, model.predict(x_val)[:, 0], threshold=0.0)
    return RegularizedRun(model, x, y, np.array(hist["loss"]), np.array(hist["val_loss"]), train_acc, val_acc)


def plot_regularized(dropout: float = 0.0, l2: float = 0.0, n_train: int = 60, epochs: int = 200) -> Figure:
    """Left: training and validation loss per epoch; right: the boundary over the training points."""
    run = train_regularized(dropout, l2, n_train, epochs)
    fig, (ax_loss, ax_map) = plt.subplots(1, 2, figsize=(9, 3.8))
    epochs_axis = np.arange(1, len(run.loss) + 1)
    ax_loss.plot(epochs_axis, run.loss, color=PALETTE[0], linestyle="-", label="training (with penalty)")
    ax_loss.plot(epochs_axis, run.val_loss, color=PALETTE[1], linestyle="--", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="binary cross-entropy", ylim=(0, 2.0), title="Loss")
    ax_loss.legend()
    plot_decision_boundary(
        lambda p: (run.model.predict(p)[:, 0] > 0).astype(int),
        run.x,
        run.y,
        ax=ax_map,
        resolution=80,
        title=f"train acc {run.train_acc:.0%}, validation acc {run.val_acc:.0%}",
    )
    fig.suptitle(f"dropout {dropout:g}, L2 {l2:g}, {n_train} training points")
    fig.tight_layout()
    return fig

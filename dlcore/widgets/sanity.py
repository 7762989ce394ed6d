"""Training sanity checks (chapter 12's widget): the loss at initialisation and the update-to-weight ratio.

``UpdateRatio`` is a callback that records, after every batch, ||ΔW|| / ||W|| for each Dense
layer: how much one optimizer step changes the weights relative to their size. Around 1e-3
is the usual healthy range; far below, the network hardly learns; near 1, every step
rewrites the weights. ``sanity_run`` trains a 64 -> 32 -> 32 -> 10 network on the digits with
plain SGD at a given learning rate and returns the losses and ratios; ``plot_sanity`` draws
them next to the expected initial loss log(10).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from dlcore.callbacks import Callback
from dlcore.datasets import load_digits
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import SGD
from dlcore.plotting import PALETTE


class UpdateRatio(Callback):
    """Record ||W_after - W_before|| / ||W_before|| of every Dense layer at every batch.

    After training, ``ratios`` is (batches, layers) and ``losses`` (batches,).
    """

    def on_train_begin(self, logs=None):
        self.dense = [layer for layer in self.model.layers if isinstance(layer, Dense)]
        self.rows: list[list[float]] = []
        self.batch_losses: list[float] = []

    def on_batch_begin(self, batch, logs=None):
        self.before = [layer.W.value.copy() for layer in self.dense]

    def on_batch_end(self, batch, logs=None):
        self.rows.append(
            [
                float(np.linalg.norm(layer.W.value - w0) / np.linalg.norm(w0))
                for layer, w0 in zip(self.dense, self.before, strict=True)
            ]
        )
        self.batch_losses.append(float((logs or {})["loss"]))

    @property
    def ratios(self) -> np.ndarray:
        return np.array(self.rows)

    @property
    def losses(self) -> np.ndarray:
        return np.array(self.batch_losses)


@dataclass
class SanityRun:
    """losses: (batches,) training loss per batch; ratios: (batches, 3) update-to-weight ratios."""

    losses: np.ndarray
    ratios: np.ndarray


def sanity_network(seed: int = 0, last_init: str = "normal") -> Sequential:
    """64 -> 32 -> 32 -> 10 with ReLU: He initialisation, zero biases, and a last layer drawn from
    ``last_init`` ("normal": N(0, 0.01^2), so the first logits are near 0 and the loss near log(10))."""
    return Sequential(
        [
            Dense(64, 32, rng=seed),
            ReLU(),
            Dense(32, 32, rng=seed + 1),
            ReLU(),
            Dense(32, 10, init=last_init, rng=seed + 2),
        ]
    )


def sanity_run(lr: float, epochs: int = 5, seed: int = 0) -> SanityRun:
    """Train ``sanity_network`` on the 1797 digits with SGD(lr), batches of 64; record every batch.

    Runs are cached by their arguments (a widget's frame and its alt text reuse one run):
    treat the returned run as read-only."""
    return _sanity_cached(float(lr), int(epochs), int(seed))


@lru_cache(maxsize=32)
def _sanity_cached(lr: float, epochs: int, seed: int) -> SanityRun:
    x, y = load_digits()
    model = sanity_network(seed)
    model.compile("categorical_crossentropy", SGD(model.parameters(), lr=lr))
    recorder = UpdateRatio()
    with threadpool_limits(limits=1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
        try:
            model.fit(x, y, epochs=epochs, batch_size=64, callbacks=[recorder], verbose=0, rng=seed)
        except Exception:  # a diverging run stops early (TrainingDiverged); keep what was recorded
            pass
    return SanityRun(recorder.losses, recorder.ratios)


def plot_sanity(lr: float = 0.1, epochs: int = 5) -> Figure:
    """Left: batch loss with the expected initial loss log(10); right: update-to-weight ratios (log scale)."""
    run = sanity_run(lr, epochs)
    fig, (ax_loss, ax_ratio) = plt.subplots(1, 2, figsize=(10, 3.8))
    steps = np.arange(1, len(run.losses) + 1)
    ax_loss.plot(steps, run.losses, "-", color=PALETTE[0], label="batch loss")
    ax_loss.axhline(np.log(10), color=PALETTE[1], linestyle="--", label="log(10): chance on 10 classes")
    ax_loss.set(xlabel="batch", ylabel="cross-entropy", ylim=(0, 4), title=f"SGD, learning rate {lr:g}")
    ax_loss.legend()
    for k, (ls, marker) in enumerate([("-", "o"), ("--", "s"), (":", "^")]):
        ax_ratio.plot(steps, run.ratios[:, k], linestyle=ls, marker=marker, markevery=20, color=PALETTE[k],
                      label=f"Dense layer {k + 1}")  # fmt: skip
    ax_ratio.axhspan(1e-4, 1e-2, color="grey", alpha=0.15, label="around 1e-3")
    ax_ratio.set(yscale="log", ylim=(1e-6, 10), xlabel="batch", ylabel="||update|| / ||W||",
                 title="Update-to-weight ratio")  # fmt: skip
    ax_ratio.legend(loc="upper right")
    fig.tight_layout()
    return fig

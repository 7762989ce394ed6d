"""Callbacks: code that ``Sequential.fit`` runs at fixed points of the training loop.

The loop calls, in this order::

    on_train_begin(logs)
    for each epoch:
        on_epoch_begin(epoch, logs)
        for each batch:
            on_batch_begin(batch, logs)
            ... forward, loss, backward, optimizer step ...
            on_batch_end(batch, logs)          logs: {"loss": batch loss, "size": batch size}
        ... validation ...
        on_epoch_end(epoch, logs)              logs: {"loss", metrics, "val_loss", val metrics, "lr"}
    on_train_end(logs)

``epoch`` and ``batch`` count from 0. Before training, ``fit`` sets ``callback.model`` to the
model; a callback stops training by setting ``self.model.stop_training = True``.
``fit`` always runs a ``StopOnNaN`` guard, so a diverging run stops with ``TrainingDiverged``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from dlcore.metrics import HIGHER_IS_BETTER

if TYPE_CHECKING:  # only for type hints; model.py imports this module
    from dlcore.model import Sequential


class Callback:
    """Base class: override the hooks you need; each gets a ``logs`` dict (see module docstring)."""

    model: Sequential | None = None

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_end(self, logs: dict | None = None) -> None: ...


# --- the divergence guard -----------------------------------------------------------------
class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite (usually: learning rate too large)."""


def diverged_message(what: str, epoch: int, batch: int, lr: float | None = None) -> str:
    """The text of ``TrainingDiverged``: where it happened, what happened, and what to try."""
    lr_text = f" (it is {lr:g})" if lr is not None else ""
    return (
        f"training diverged at epoch {epoch}, batch {batch}: {what}. "
        f"Try a lower learning rate{lr_text}, check that the inputs are scaled (e.g. standardised to "
        f"mean 0 and standard deviation 1) and that they contain no NaN or infinite values."
    )


class StopOnNaN(Callback):
    """Raise ``TrainingDiverged`` as soon as a batch loss is NaN or infinite.

    ``fit`` always adds one, so a run that blows up stops at the first bad batch with a
    message naming the epoch, the batch, the loss and what to try, instead of printing NaNs.
    """

    def __init__(self) -> None:
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            optimizer = getattr(self.model, "optimizer", None)
            raise TrainingDiverged(
                diverged_message(f"the loss is {loss}", self.epoch, batch, getattr(optimizer, "lr", None))
            )


# --- history ------------------------------------------------------------------------------
class History(Callback):
    """Records the epoch logs: ``history["loss"][e]`` is the loss of epoch ``e``.

    ``fit`` returns its History. ``.history`` maps each name ("loss", "val_loss", metric
    names, "lr") to a list with one value per epoch; ``.epoch`` lists the epoch indices.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> list[float]:
        return self.history[name]

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"

    def plot(self, keys: list[str] | None = None, title: str = "Training history"):
        """Plot the loss (left) and each metric (right) against the epoch (numbered from 1); returns the Figure.

        Training and validation curves of the same quantity share an axes. ``lr`` is left out
        unless named in ``keys``.
        """
        import matplotlib.pyplot as plt

        names = keys or [k for k in self.history if k != "lr" and not k.startswith("val_")]
        fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.5), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], names, strict=True):
            ax.plot(epochs, self.history[name], marker=".", label=f"training {name}")
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], marker=".", label=f"validation {name}")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.set_title(f"{name} per epoch")
            ax.grid(alpha=0.3)
            ax.legend()
        fig.suptitle(title)
        fig.tight_layout()
        return fig


# --- early stopping -----------------------------------------------------------------------
class MonitorCallback(Callback):
    """What EarlyStopping and ReduceLROnPlateau share: one logged value to watch and when it improves.

    monitor: a key of the epoch logs ("val_loss", "accuracy", ...); mode: "min", "max" or
    "auto" (max for accuracy-like names, else min); an epoch improves on the best value so far
    when it beats it by more than ``min_delta``.
    """

    def _watch(self, monitor: str, mode: str, min_delta: float) -> None:
        name = type(self).__name__
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{name}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if min_delta < 0:
            raise ValueError(f"{name}: min_delta must be >= 0, got {min_delta}")
        self.monitor, self.min_delta = monitor, min_delta
        base = monitor.removeprefix("val_")
        self.mode = mode if mode != "auto" else ("max" if base in HIGHER_IS_BETTER else "min")

    def _start(self) -> None:
        self.best = -math.inf if self.mode == "max" else math.inf
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def _value(self, logs: dict) -> float:
        if self.monitor not in logs:
            raise KeyError(
                f"{type(self).__name__}: monitor {self.monitor!r} is not in the epoch logs {sorted(logs)} "
                f"(monitoring 'val_...' needs validation_data or validation_split in fit)"
            )
        return logs[self.monitor]


class EarlyStopping(MonitorCallback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    An epoch counts as an improvement when it beats the best value so far by more than
    ``min_delta``. mode: "min", "max" or "auto" (max for accuracy-like names, else min).
    With ``restore_best_weights=True`` the model's weights are set back, at the end of
    training, to those of the best epoch (saved with ``state_dict`` after each improvement).
    Afterwards ``best``, ``best_epoch`` and ``stopped_epoch`` (None if it never stopped) tell
    what happened.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
        mode: str = "auto",
    ):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self._watch(monitor, mode, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        self._start()
        self.best_epoch: int | None = None
        self.best_state = None
        self.stopped_epoch: int | None = None

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs or {})
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = self.model.state_dict()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


# --- learning-rate schedules ----------------------------------------------------------------
class LearningRateScheduler(Callback):
    """Set ``model.optimizer.lr = schedule(t)`` before each epoch or each step.

    per="epoch": t is the epoch index (0, 1, ...), set at the start of every epoch.
    per="step": t is the number of optimizer steps taken so far in this fit, set before
    every batch.
    """

    def __init__(self, schedule: Callable[[int], float], per: str = "epoch"):
        if per not in ("epoch", "step"):
            raise ValueError(f"LearningRateScheduler: per must be 'epoch' or 'step', got {per!r}")
        self.schedule = schedule
        self.per = per
        self.step = 0

    def on_train_begin(self, logs=None):
        self.step = 0

    def on_epoch_begin(self, epoch, logs=None):
        if self.per == "epoch":
            self.model.optimizer.lr = float(self.schedule(epoch))

    def on_batch_begin(self, batch, logs=None):
        if self.per == "step":
            self.model.optimizer.lr = float(self.schedule(self.step))
            self.step += 1


class HeldOutAccuracy(Callback):
    """After every epoch, the accuracy on a held-out set, logged as "test_accuracy".

    x: the held-out inputs, y: (N,) integer labels; the model's outputs must be class scores
    (N, C). ``seconds`` adds up the time spent evaluating, so that the training time can leave
    it out.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y
        self.seconds = 0.0

    def on_epoch_end(self, epoch, logs=None):
        start = time.perf_counter()
        predicted = np.argmax(self.model.predict(self.x), axis=1)  # logits (N, 10) -> classes (N,)
        logs["test_accuracy"] = float(np.mean(predicted == self.y))
        self.seconds += time.perf_counter() - start


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    After every epoch: an epoch that beats the best value so far by more than ``min_delta``
    resets the count of bad epochs; any other epoch adds one. When ``patience`` bad epochs
    have accumulated, ``lr <- max(lr * factor, min_lr)``, the count restarts, and the next
    ``cooldown`` epochs are not counted. The new rate applies from the next epoch on.
    mode: "min", "max" or "auto" (max for accuracy-like names, else min).
    ``reductions`` lists the epochs after which the rate was cut.

    Keras counts the same way; PyTorch's ``ReduceLROnPlateau`` waits one epoch longer
    (it cuts when the bad epochs *exceed* ``patience``) and by default uses a relative threshold.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 0.0,
        cooldown: int = 0,
        min_lr: float = 0.0,
        mode: str = "auto",
    ):
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        if patience < 0 or cooldown < 0 or min_lr < 0:
            raise ValueError("ReduceLROnPlateau: patience, cooldown and min_lr must be >= 0")
        self._watch(monitor, mode, min_delta)
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.min_lr = min_lr

    def on_train_begin(self, logs=None):
        self._start()
        self.cooldown_left = 0
        self.reductions: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs or {})
        if self._improved(value):
            self.best, self.wait = value, 0
        elif self.cooldown_left > 0:
            self.cooldown_left -= 1
        else:
            self.wait += 1
            if self.wait >= self.patience:
                optimizer = self.model.optimizer
                optimizer.lr = max(optimizer.lr * self.factor, self.min_lr)
                self.reductions.append(epoch)
                self.wait = 0
                self.cooldown_left = self.cooldown

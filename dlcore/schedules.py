"""Learning-rate schedules: callables ``lr(t)`` that give the learning rate at time ``t``.

``t`` counts from 0. Whether it counts epochs or optimizer steps is up to whoever calls the
schedule: ``callbacks.LearningRateScheduler(schedule, per="epoch")`` calls it with the epoch
index at the start of every epoch, ``per="step"`` with the number of steps taken so far
before every batch. In a hand-written loop set the optimizer's rate yourself::

    opt.lr = schedule(epoch)

A schedule is just a function of ``t``; these classes only give the common ones a name,
a readable ``repr`` and their formula in the docstring.
"""

from __future__ import annotations

import math
from collections.abc import Callable


class Schedule:
    """Base class: ``schedule(t) -> learning rate`` for ``t = 0, 1, 2, ...``."""

    def __call__(self, t: int) -> float:
        raise NotImplementedError(f"{type(self).__name__}.__call__ is not implemented")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" if not isinstance(v, float) else f"{k}={v:g}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _check_t(t) -> None:
    if t < 0:
        raise ValueError(f"schedule: t must be >= 0, got {t}")


class Constant(Schedule):
    """lr(t) = lr0."""

    def __init__(self, lr0: float):
        self.lr0 = lr0

    def __call__(self, t: int) -> float:
        _check_t(t)
        return self.lr0


class TimeBased(Schedule):
    """Time-based (inverse) decay: lr(t) = lr0 / (1 + k t)."""

    def __init__(self, lr0: float, k: float):
        self.lr0 = lr0
        self.k = k

    def __call__(self, t: int) -> float:
        _check_t(t)
        return self.lr0 / (1 + self.k * t)


class StepDecay(Schedule):
    """Step decay: lr(epoch) = lr0 * drop ** floor((1 + epoch) / epochs_drop).

    This is the form printed in the common textbook/tutorial version of step decay (with
    ``epoch`` counted from 0). Because of the ``1 +``, the first drop happens at
    ``epoch = epochs_drop - 1``, one epoch earlier than "every epochs_drop epochs" suggests:
    with ``epochs_drop=10`` the rate is lr0 for epochs 0..8 and lr0 * drop from epoch 9.
    """

    def __init__(self, lr0: float, drop: float = 0.5, epochs_drop: int = 10):
        if epochs_drop <= 0:
            raise ValueError(f"StepDecay: epochs_drop must be positive, got {epochs_drop}")
        self.lr0 = lr0
        self.drop = drop
        self.epochs_drop = epochs_drop

    def __call__(self, t: int) -> float:
        _check_t(t)
        return self.lr0 * self.drop ** math.floor((1 + t) / self.epochs_drop)


class Exponential(Schedule):
    """Exponential decay: lr(t) = lr0 * exp(-k t)."""

    def __init__(self, lr0: float, k: float):
        self.lr0 = lr0
        self.k = k

    def __call__(self, t: int) -> float:
        _check_t(t)
        return self.lr0 * math.exp(-self.k * t)


class Cosine(Schedule):
    """Cosine annealing from lr0 down to lr_min over T steps (Loshchilov & Hutter 2017)::

    lr(t) = lr_min + (lr0 - lr_min) * (1 + cos(π t / T)) / 2     for t <= T
    lr(t) = lr_min                                                for t > T
    """

    def __init__(self, lr0: float, T: int, lr_min: float = 0.0):
        if T <= 0:
            raise ValueError(f"Cosine: T must be positive, got {T}")
        self.lr0 = lr0
        self.T = T
        self.lr_min = lr_min

    def __call__(self, t: int) -> float:
        _check_t(t)
        progress = min(t, self.T) / self.T
        return self.lr_min + (self.lr0 - self.lr_min) * (1 + math.cos(math.pi * progress)) / 2


class LinearWarmup(Schedule):
    """Linear warm-up for ``warmup`` steps, then another schedule (shifted to start at 0)::

        lr(t) = start + (after(0) - start) * t / warmup      for t < warmup
        lr(t) = after(t - warmup)                            for t >= warmup

    ``after`` is a schedule (any callable of t) or a number (a constant rate). The rate rises
    from ``start`` and joins ``after`` continuously at ``t = warmup``.
    """

    def __init__(self, after: Callable[[int], float] | float, warmup: int, start: float = 0.0):
        if warmup <= 0:
            raise ValueError(f"LinearWarmup: warmup must be positive, got {warmup}")
        self.after = after if callable(after) else Constant(float(after))
        self.warmup = warmup
        self.start = start

    def __call__(self, t: int) -> float:
        _check_t(t)
        if t < self.warmup:
            return self.start + (self.after(0) - self.start) * t / self.warmup
        return self.after(t - self.warmup)

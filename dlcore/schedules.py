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


class MultiStep(Schedule):
    """Multiply by ``gamma`` at each milestone: lr(t) = lr0 * gamma ** (number of milestones m with m <= t).

    With milestones (30, 80) and gamma 0.1 the rate is lr0 for t = 0..29, lr0/10 for 30..79 and
    lr0/100 from 80 on. This equals PyTorch's ``MultiStepLR`` after t scheduler steps.
    """

    def __init__(self, lr0: float, milestones, gamma: float = 0.1):
        milestones = [int(m) for m in milestones]
        if not milestones or any(m <= 0 for m in milestones) or milestones != sorted(set(milestones)):
            raise ValueError(f"MultiStep: milestones must be increasing positive integers, got {milestones}")
        self.lr0 = lr0
        self.milestones = milestones
        self.gamma = gamma

    def __call__(self, t: int) -> float:
        _check_t(t)
        return self.lr0 * self.gamma ** sum(m <= t for m in self.milestones)


class Cyclical(Schedule):
    """Cyclical learning rate (Smith 2017): a triangle wave between base_lr and max_lr.

    One cycle lasts ``2 * step_size`` steps: up for step_size, down for step_size::

        cycle = floor(1 + t / (2 step_size)),   x = |t / step_size - 2 cycle + 1|
        lr(t) = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale(cycle)

    mode "triangular": scale = 1; "triangular2": scale = 1 / 2 ** (cycle - 1), so each cycle's
    peak is half the previous one's. lr(0) = base_lr, lr(step_size) = max_lr.
    """

    def __init__(self, base_lr: float, max_lr: float, step_size: int, mode: str = "triangular"):
        if step_size <= 0:
            raise ValueError(f"Cyclical: step_size must be positive, got {step_size}")
        if mode not in ("triangular", "triangular2"):
            raise ValueError(f"Cyclical: mode must be 'triangular' or 'triangular2', got {mode!r}")
        self.base_lr = base_lr
        self.max_lr = max_lr
        self.step_size = step_size
        self.mode = mode

    def __call__(self, t: int) -> float:
        _check_t(t)
        cycle = math.floor(1 + t / (2 * self.step_size))
        x = abs(t / self.step_size - 2 * cycle + 1)
        scale = 1.0 if self.mode == "triangular" else 1 / 2 ** (cycle - 1)
        return self.base_lr + (self.max_lr - self.base_lr) * max(0.0, 1 - x) * scale


class OneCycle(Schedule):
    """The one-cycle policy (Smith & Topin 2019): up to max_lr, then far below where it started.

    Over ``total`` steps, with up = pct_start * total, start = max_lr / div_factor and
    end = start / final_div_factor, two cosine half-waves::

        lr(t) = start + (max_lr - start) * (1 - cos(π t / up)) / 2                 for t <= up
        lr(t) = end + (max_lr - end) * (1 + cos(π (t - up) / (total - up))) / 2     for up < t <= total
        lr(t) = end                                                                for t > total

    The defaults are PyTorch's ``OneCycleLR`` defaults; PyTorch places the phase ends one step
    earlier (at pct_start * total - 1 and total - 1), so the two differ by a step.
    """

    def __init__(
        self,
        max_lr: float,
        total: int,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
    ):
        if total <= 0:
            raise ValueError(f"OneCycle: total must be positive, got {total}")
        if not 0 < pct_start < 1:
            raise ValueError(f"OneCycle: pct_start must be in (0, 1), got {pct_start}")
        self.max_lr = max_lr
        self.total = total
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor

    def __call__(self, t: int) -> float:
        _check_t(t)
        start = self.max_lr / self.div_factor
        end = start / self.final_div_factor
        up = self.pct_start * self.total
        if t <= up:
            return start + (self.max_lr - start) * (1 - math.cos(math.pi * t / up)) / 2
        progress = min(t - up, self.total - up) / (self.total - up)
        return end + (self.max_lr - end) * (1 + math.cos(math.pi * progress)) / 2

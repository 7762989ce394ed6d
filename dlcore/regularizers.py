"""L1 and L2 weight penalties, attached per layer.

A regularizer adds a penalty R(W) to the loss, so training minimises ``L + R(W)`` and the
gradient of W gets ``dR/dW`` added::

    L2(λ):  R(W) = (λ / 2) Σ W²      dR/dW = λ W          (weight decay)
    L1(λ):  R(W) = λ Σ |W|           dR/dW = λ sign(W)    (pushes weights to exactly 0)

With the ``λ / 2`` convention, ``L2(λ)`` on every layer and plain SGD gives the same update as
``optim.SGD(weight_decay=λ)``. (Keras' ``l2(λ)`` means ``λ Σ W²``, twice this penalty.)

Contract with layers and the model
----------------------------------
A layer opts in by having two attributes: ``regularizer`` (an ``L1``/``L2`` object, or
``None`` for no penalty) and ``W`` (a ``Parameter``), e.g. ``Dense(64, 10, regularizer=L2(1e-4))``.
Biases are not penalised. ``Sequential.fit`` / ``evaluate`` call ``penalty(model)`` to add the
penalty to the reported loss, and ``fit`` calls ``add_penalty_grads(model)`` after ``backward``
so that ``W.grad`` holds ``dL/dW + dR/dW`` before the optimizer step. Nested modules are
searched too. In a hand-written loop, call the same two functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from dlcore.module import Module, Parameter


class Regularizer:
    """Base class: ``loss(W) -> float`` and ``grad(W) -> array like W``."""

    def __init__(self, lam: float):
        if lam < 0:
            raise ValueError(f"{type(self).__name__}: lam must be >= 0, got {lam}")
        self.lam = lam

    def loss(self, W: np.ndarray) -> float:
        raise NotImplementedError

    def grad(self, W: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, W: np.ndarray) -> float:
        return self.loss(W)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lam:g})"


class L2(Regularizer):
    """R(W) = (λ / 2) Σ W², dR/dW = λ W.  W: any shape -> float; grad: same shape as W."""

    def loss(self, W: np.ndarray) -> float:
        return 0.5 * self.lam * float(np.dot(W.ravel(), W.ravel()))

    def grad(self, W: np.ndarray) -> np.ndarray:
        return self.lam * W


class L1(Regularizer):
    """R(W) = λ Σ |W|, dR/dW = λ sign(W) (taking sign(0) = 0).  W: any shape -> float."""

    def loss(self, W: np.ndarray) -> float:
        return self.lam * float(np.abs(W).sum())

    def grad(self, W: np.ndarray) -> np.ndarray:
        return self.lam * np.sign(W)


def regularized(model: Module) -> Iterator[tuple[Regularizer, Parameter]]:
    """(regularizer, W) for ``model`` and every module inside it that has both attributes."""
    stack = [model]
    while stack:
        module = stack.pop()
        reg = getattr(module, "regularizer", None)
        W = getattr(module, "W", None)
        if reg is not None and isinstance(W, Parameter):
            yield reg, W
        stack.extend(reversed(module.children()))


def apply_penalties(pairs: Iterable[tuple[Regularizer, Parameter]], grads: bool = True) -> float:
    """The one penalty loop: Σ R(W) over (regularizer, W) pairs, adding dR/dW into each ``W.grad``
    on the way when ``grads`` is True (call it after ``backward``). Returns 0.0 for no pairs."""
    total = 0.0
    for reg, W in pairs:
        total += reg.loss(W.value)
        if grads:
            W.grad += reg.grad(W.value)
    return total


def penalty(model: Module) -> float:
    """Σ R(W) over all regularized layers of ``model`` (0.0 if none)."""
    return apply_penalties(regularized(model), grads=False)


def add_penalty_grads(model: Module) -> None:
    """Add dR/dW into ``W.grad`` for every regularized layer (call after ``backward``)."""
    apply_penalties(regularized(model))

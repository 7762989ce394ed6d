"""Residual (skip) connections: out = f(x) + shortcut(x).

A residual block lets a stack of layers f learn a *correction* to its input instead of a
whole new representation. In backward the gradient reaches x along both paths and the two
contributions add; the shortcut path passes delta through unchanged, which is why very deep
residual networks still train.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcore.module import Module


class ResidualBlock(Module):
    """out = f(x) + shortcut(x), where f runs ``layers`` in order.

    layers: a list of modules (or one module, e.g. a Sequential) mapping x to f(x).
    shortcut: None for the identity (then f(x) must have the shape of x), or a module that
    brings x to the shape of f(x), typically a 1x1 projection ``Conv2D(c_in, c_out, 1, stride=s)``
    when f changes the number of channels or the resolution.
    x: any shape the layers accept -> out: the shape of f(x).
    """

    def __init__(self, layers: Module | Sequence[Module], shortcut: Module | None = None):
        super().__init__()
        self.layers = [layers] if isinstance(layers, Module) else list(layers)
        if not self.layers or not all(isinstance(layer, Module) for layer in self.layers):
            raise TypeError(f"ResidualBlock: expected a Module or a non-empty list of Modules, got {layers!r}")
        self.shortcut = shortcut

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = x
        for layer in self.layers:
            a = layer.forward(a)  # f(x)
        skip = x if self.shortcut is None else self.shortcut.forward(x)
        if a.shape != skip.shape:
            hint = " (pass shortcut=a projection such as Conv2D(c_in, c_out, 1))" if self.shortcut is None else ""
            raise ValueError(
                f"{type(self).__name__}: the layers map {x.shape} to {a.shape} but the shortcut gives {skip.shape}; "
                f"they must match to be added{hint}"
            )
        return a + skip

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """delta reaches x through f and through the shortcut; the two gradients add."""
        delta = grad_out
        for layer in reversed(self.layers):
            delta = layer.backward(delta)  # dL/dx along f
        skip_delta = grad_out if self.shortcut is None else self.shortcut.backward(grad_out)
        return delta + skip_delta

    def __repr__(self) -> str:
        body = ", ".join(repr(layer) for layer in self.layers)
        shortcut = "identity" if self.shortcut is None else repr(self.shortcut)
        return f"ResidualBlock([{body}], shortcut={shortcut})"

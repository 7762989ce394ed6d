"""Pooling layers, channel-last like the convolutions in ``dlcore.conv``.

A pooling layer slides a window over each channel separately and keeps one number per
window: the largest (max pooling) or the mean (average pooling). It has no parameters.
1-D layers read x: (N, L, C), 2-D layers x: (N, H, W, C); channels are never mixed.

Sizes follow ``conv_output_size`` with kernel = pool_size, dilation 1 and stride
defaulting to pool_size (non-overlapping windows). Rows or columns left over at the end
(when the windows do not tile the input exactly) are dropped, as in PyTorch and Keras.
``padding`` adds that many cells on each side: -inf for max pooling (padding never wins),
zeros for average pooling (the zeros count in the mean). It may be at most half the window.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

from dlcore.conv import im2col, pad_hw, pair, tap_slice
from dlcore.module import Module, check_input


class _Pool(Module):
    """What the 1-D and 2-D, max and average pooling layers share.

    Every layer works on (N, H, W, C); the 1-D layers see their input as an image of height 1.
    """

    n_spatial = 2
    layout = "(N, H, W, C)"
    pad_value = 0.0

    def __init__(self, pool_size: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int], args: tuple):
        super().__init__()
        self.pool_size, self.stride = pool_size, stride
        self.pads = ((padding[0], padding[0]), (padding[1], padding[1]))
        for p, k in zip(padding, pool_size, strict=True):
            if p < 0 or p > k // 2:
                raise ValueError(
                    f"{type(self).__name__}: padding must be between 0 and pool_size // 2, got {args[2]!r}"
                )
        self._args = args  # (pool_size, stride, padding) as the user gave them, for repr
        self._cache: tuple | None = None

    def __repr__(self) -> str:
        pool_size, stride, padding = self._args
        parts = [f"pool_size={pool_size}"]
        if stride is not None:
            parts.append(f"stride={stride}")
        if padding not in (0, (0, 0)):
            parts.append(f"padding={padding}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _patches(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Check x, view it as (N, H, W, C) and return (x4, windows: (N, H_out, W_out, ph, pw, C))."""
        check_input(self, x, ndim=self.n_spatial + 2, expected=self.layout)
        x4 = x if self.n_spatial == 2 else x[:, None]  # 1-D: (N, L, C) -> (N, 1, L, C)
        for n, k, (before, after) in zip(x4.shape[1:3], self.pool_size, self.pads, strict=True):
            if n + before + after < k:
                raise ValueError(
                    f"{self!r}: expected input of shape {self.layout} at least as large as the pool, got {x.shape}"
                )
        xp = pad_hw(x4, self.pads, self.pad_value)
        return x4, im2col(xp, self.pool_size, self.stride)

    def _scatter(self, tap_grads: Iterable[np.ndarray], x4_shape: tuple[int, ...], dtype) -> np.ndarray:
        """Add each tap's gradient back to the pixels under it; drop the padding.

        tap_grads: one (N, H_out, W_out, C) array per window position (i, j), in row-major order.
        """
        (top, bottom), (left, right) = self.pads
        N, H, W, C = x4_shape
        dxp = np.zeros((N, H + top + bottom, W + left + right, C), dtype=dtype)
        for (i, j), grad in zip(np.ndindex(*self.pool_size), tap_grads, strict=True):
            dxp[tap_slice(i, j, grad.shape[1:3], self.stride, (1, 1))] += grad
        dx = dxp[:, top : top + H, left : left + W, :]  # (N, H, W, C)
        return dx if self.n_spatial == 2 else dx[:, 0]


class _MaxPool(_Pool):
    pad_value = -np.inf

    def forward(self, x: np.ndarray) -> np.ndarray:
        x4, windows = self._patches(x)  # windows: (N, H_out, W_out, ph, pw, C), a view
        out = windows[:, :, :, 0, 0, :].copy()  # (N, H_out, W_out, C)
        for i, j in itertools.islice(np.ndindex(*self.pool_size), 1, None):  # one pass per window position
            np.maximum(out, windows[:, :, :, i, j, :], out=out)
        self._cache = (windows, out, x4.shape)
        return out if self.n_spatial == 2 else out[:, 0]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Only the winning input of each window affected the output: it gets all of delta.

        Ties: the first maximum in row-major window order (top-left first) wins, so exactly
        one input per window receives the gradient, as with PyTorch.
        """
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        windows, out, x4_shape = self._cache
        delta = grad_out if self.n_spatial == 2 else grad_out[:, None]  # (N, H_out, W_out, C)

        def to_the_winners():
            unclaimed = np.ones(out.shape, dtype=bool)  # windows whose maximum has not had delta yet
            for i, j in np.ndindex(*self.pool_size):  # row-major: top-left first
                wins = (windows[:, :, :, i, j, :] == out) & unclaimed
                unclaimed &= ~wins
                yield delta * wins  # (N, H_out, W_out, C): delta where this position won, else 0

        return self._scatter(to_the_winners(), x4_shape, delta.dtype)


class _AvgPool(_Pool):
    def forward(self, x: np.ndarray) -> np.ndarray:
        x4, windows = self._patches(x)  # windows: (N, H_out, W_out, ph, pw, C)
        out = windows.mean(axis=(3, 4))  # (N, H_out, W_out, C)
        self._cache = x4.shape
        return out if self.n_spatial == 2 else out[:, 0]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Each of the ph*pw inputs of a window gets delta / (ph*pw)."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        x4_shape = self._cache
        delta = grad_out if self.n_spatial == 2 else grad_out[:, None]  # (N, H_out, W_out, C)
        taps = self.pool_size[0] * self.pool_size[1]
        share = delta / taps
        return self._scatter(itertools.repeat(share, taps), x4_shape, share.dtype)


def _pool2d_args(pool_size, stride, padding) -> tuple:
    pool = pair(pool_size, "pool_size")
    step = pool if stride is None else pair(stride, "stride")
    pad = (padding, padding) if isinstance(padding, (int, np.integer)) else tuple(padding)
    return pool, step, (int(pad[0]), int(pad[1])), (pool_size, stride, padding)


def _pool1d_args(pool_size, stride, padding) -> tuple:
    for name, value in (("pool_size", pool_size), ("stride", 1 if stride is None else stride)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    step = pool_size if stride is None else stride
    return (1, int(pool_size)), (1, int(step)), (0, int(padding)), (pool_size, stride, padding)


class MaxPool2D(_MaxPool):
    """Max over each pool_size window, per channel.

    x: (N, H, W, C) -> (N, H_out, W_out, C). pool_size, stride (default pool_size) and
    padding: an int or an (h, w) pair. Backward sends each window's gradient to its
    maximum (the first one, top-left, if several inputs tie).
    """

    def __init__(self, pool_size: int | tuple[int, int] = 2, stride=None, padding: int | tuple[int, int] = 0):
        super().__init__(*_pool2d_args(pool_size, stride, padding))


class AvgPool2D(_AvgPool):
    """Mean over each pool_size window, per channel (padding zeros count in the mean).

    x: (N, H, W, C) -> (N, H_out, W_out, C). pool_size, stride (default pool_size) and
    padding: an int or an (h, w) pair.
    """

    def __init__(self, pool_size: int | tuple[int, int] = 2, stride=None, padding: int | tuple[int, int] = 0):
        super().__init__(*_pool2d_args(pool_size, stride, padding))


class MaxPool1D(_MaxPool):
    """Max over each window of pool_size steps, per channel.

    x: (N, L, C) -> (N, L_out, C); stride defaults to pool_size. Backward sends each
    window's gradient to its maximum (the earliest one if several tie).
    """

    n_spatial = 1
    layout = "(N, L, C)"

    def __init__(self, pool_size: int = 2, stride: int | None = None, padding: int = 0):
        super().__init__(*_pool1d_args(pool_size, stride, padding))


class AvgPool1D(_AvgPool):
    """Mean over each window of pool_size steps, per channel (padding zeros count).

    x: (N, L, C) -> (N, L_out, C); stride defaults to pool_size.
    """

    n_spatial = 1
    layout = "(N, L, C)"

    def __init__(self, pool_size: int = 2, stride: int | None = None, padding: int = 0):
        super().__init__(*_pool1d_args(pool_size, stride, padding))


class _GlobalAvgPool(Module):
    """Mean over all positions, per channel: (N, *spatial, C) -> (N, C)."""

    n_spatial = 2
    layout = "(N, H, W, C)"

    def __init__(self) -> None:
        super().__init__()
        self._x_shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=self.n_spatial + 2, expected=self.layout)
        self._x_shape = x.shape
        return x.mean(axis=tuple(range(1, 1 + self.n_spatial)))  # (N, ..., C) -> (N, C)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Every position had weight 1 / (number of positions) in the mean."""
        if self._x_shape is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        positions = int(np.prod(self._x_shape[1:-1]))
        spread = (grad_out / positions).reshape(grad_out.shape[0], *[1] * self.n_spatial, grad_out.shape[1])
        return np.broadcast_to(spread, self._x_shape).copy()  # (N, C) -> (N, ..., C)


class GlobalAvgPool2D(_GlobalAvgPool):
    """Mean over height and width, per channel: x: (N, H, W, C) -> (N, C)."""


class GlobalAvgPool1D(_GlobalAvgPool):
    """Mean over the length, per channel: x: (N, L, C) -> (N, C)."""

    n_spatial = 1
    layout = "(N, L, C)"

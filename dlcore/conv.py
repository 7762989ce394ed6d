"""Convolution layers, channel-last, built on the im2col trick.

Layout. Conv1D reads x: (N, L, C_in) and Conv2D reads x: (N, H, W, C_in): the channels
come LAST (as in Keras and TensorFlow; PyTorch puts them second, (N, C, H, W)). With the
channels last, the patch a kernel sees at one output position is a block whose rows are
contiguous runs of C_in numbers, so "every patch of the image" is a strided *view* of the
(padded) input, reshaping it gives the im2col matrix, and the whole convolution is ONE
2-D matrix product whose result is already laid out as (N, H_out, W_out, C_out). For a
3x3, 32 -> 64 channel layer on the course's 2-core machine that forward pass measured
about 2x faster (1.4-2.2x over repeated runs) than the same convolution written for
(N, C, H, W) with ``np.tensordot``, which must gather each patch and transpose its result back.

Weights are stored as W: (kh, kw, C_in, C_out) for Conv2D and (k, C_in, C_out) for Conv1D,
so that W reshaped to (kh*kw*C_in, C_out) lines up with the im2col columns.

Output size. Along one axis, with input length n, kernel size k, stride s, dilation d and
p zeros of padding on each side, the output length is

    n_out = floor((n + 2p - d(k - 1) - 1) / s) + 1

(``conv_output_size``). Padding is how you choose that size: without it ("valid") every
layer shrinks the image by d(k - 1); with "same" padding and stride 1 the output is exactly
as long as the input, so deep stacks keep their resolution. Padding also lets border pixels
be seen as often as central ones: in a "valid" convolution a corner pixel falls inside a
single window, a central one inside k*k windows. (It has nothing to do with "aligning" the
filters: the kernel slides the same way with or without it; padding only decides how far
past the edge it may go.) Strides subsample the output; dilation spreads the kernel's taps
d apart, so it covers more input with the same number of weights.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from dlcore.config import get_rng, resolve_dtype
from dlcore.init import get_initializer, zeros
from dlcore.module import Module, Parameter, Workspace, check_input

PaddingSpec = str | int | tuple[int, int]

# The layers feed the batch to conv2d_forward/backward a few images at a time, so that each
# piece's im2col matrix stays in the CPU cache while the matrix product reads it; one huge
# matrix is written out to main memory and read back, which made the forward pass of a
# 32 -> 64 channel layer on a batch of 64 28x28 images about 1.5x slower. Small layers (the
# usual case in the course) take the whole batch at once. The matrix is rebuilt in backward
# rather than kept, since it is kh*kw times the size of the input.
CHUNK_BYTES = 4 * 2**20  # bytes of im2col matrix per piece


# --- sizes and padding ----------------------------------------------------------------
def conv_output_size(
    n: int, kernel: int, stride: int = 1, padding: int | tuple[int, int] = 0, dilation: int = 1
) -> int:
    """Output length of a convolution (or pooling) along one axis.

        n_out = floor((n + 2p - d(k - 1) - 1) / s) + 1

    n: input length; kernel: k; stride: s; dilation: d (the kernel spans d(k - 1) + 1 inputs);
    padding: p zeros on each side, or a (before, after) pair for uneven padding (then 2p is
    before + after). Raises ValueError when the kernel does not fit in the padded input.
    """
    before, after = (padding, padding) if isinstance(padding, (int, np.integer)) else padding
    span = dilation * (kernel - 1) + 1
    if n + before + after < span:
        raise ValueError(
            f"conv_output_size: the kernel spans {span} inputs but the padded input has only "
            f"{n + before + after} (n={n}, padding=({before}, {after}))"
        )
    return (n + before + after - span) // stride + 1


def padding_for(padding: PaddingSpec, kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Zeros to add (before, after) along one axis.

    "valid": none. "same": d(k - 1) in total, so that with stride 1 the output is as long
    as the input (with stride s it is ceil(n / s) long). When that total is odd (an even
    kernel), the extra zero goes AFTER (bottom/right), as TensorFlow and PyTorch do.
    An int p: p on both sides; a pair (before, after) is used as given.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0)
        if padding == "same":
            total = dilation * (kernel - 1)
            return (total // 2, total - total // 2)
        raise ValueError(f"padding must be 'valid', 'same', an int or a (before, after) pair, got {padding!r}")
    if isinstance(padding, (int, np.integer)):
        pads = (int(padding), int(padding))
    else:
        pads = tuple(int(p) for p in padding)
    if len(pads) != 2 or min(pads) < 0:
        raise ValueError(f"padding must be 'valid', 'same', an int >= 0 or a (before, after) pair, got {padding!r}")
    return pads


def pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """An int or a pair of ints -> a pair of positive ints (one per spatial axis)."""
    both = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(both) != 2 or any(int(v) < 1 for v in both):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    return (int(both[0]), int(both[1]))


_pair = pair  # the old private name


# --- im2col: every patch of the image as a view ---------------------------------------
def pad_hw(x: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]], value: float = 0.0) -> np.ndarray:
    """x: (N, H, W, C) -> (N, H + top + bottom, W + left + right, C), filled with ``value``."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    N, H, W, C = x.shape
    xp = np.full((N, H + top + bottom, W + left + right, C), value, dtype=x.dtype)
    xp[:, top : top + H, left : left + W, :] = x
    return xp


def im2col(
    xp: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int] = (1, 1), dilation: tuple[int, int] = (1, 1)
) -> np.ndarray:
    """All kernel-sized patches of a padded channel-last batch, as a strided VIEW (no copy).

    xp: (N, Hp, Wp, C) -> patches: (N, H_out, W_out, kh, kw, C), where patches[n, i, j] is
    what the kernel sees when it produces output pixel (i, j). Reshaping the view to
    (N * H_out * W_out, kh * kw * C) copies it into the im2col matrix. The view is
    read-only: several patches share the same memory.
    """
    N, Hp, Wp, C = xp.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    H_out = conv_output_size(Hp, kh, sh, 0, dh)
    W_out = conv_output_size(Wp, kw, sw, 0, dw)
    bn, bh, bw, bc = xp.strides  # bytes to step one sample / row / column / channel
    return as_strided(
        xp,
        shape=(N, H_out, W_out, kh, kw, C),
        strides=(bn, bh * sh, bw * sw, bh * dh, bw * dw, bc),
        writeable=False,
    )


def tap_slice(i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]) -> tuple:
    """Index of the pixels that kernel tap (i, j) touches, one per output pixel.

    xp[tap_slice(...)]: (N, H_out, W_out, C) is the input under tap (i, j) for every output
    position, so ``xp[tap_slice(i, j, ...)] += g`` sends a gradient g: (N, H_out, W_out, C)
    back through that tap (col2im done one tap at a time, no loop over pixels).
    """
    (H_out, W_out), (sh, sw), (dh, dw) = out_hw, stride, dilation
    rows = slice(i * dh, i * dh + sh * (H_out - 1) + 1, sh)
    cols = slice(j * dw, j * dw + sw * (W_out - 1) + 1, sw)
    return (slice(None), rows, cols, slice(None))


# --- the two equations, forward and backward ------------------------------------------
def im2col_matrix(
    xp: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    workspace: Workspace | None = None,
) -> np.ndarray:
    """The im2col matrix: every patch of xp as one row. xp: (N, Hp, Wp, C) -> (N*H_out*W_out, kh*kw*C).

    With a ``workspace`` the copy goes into a buffer kept from the previous call (same
    numbers, no new allocation); the matrix is then only valid until the next call.
    """
    patches = im2col(xp, kernel, stride, dilation)  # (N, H_out, W_out, kh, kw, C), a view
    N, H_out, W_out, kh, kw, C = patches.shape
    shape = (N * H_out * W_out, kh * kw * C)
    if workspace is None:
        return patches.reshape(shape)  # reshaping the view copies it
    cols = workspace.get("cols", shape, xp.dtype)
    cols.reshape(patches.shape)[...] = patches
    return cols


def conv2d_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, int] = (1, 1),
    pads: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    dilation: tuple[int, int] = (1, 1),
    workspace: Workspace | None = None,
) -> tuple[np.ndarray, tuple]:
    """z = im2col(x) @ W + b, channel-last.

    x: (N, H, W, C_in), W: (kh, kw, C_in, C_out), b: (C_out,) or None
    -> z: (N, H_out, W_out, C_out) and a cache for ``conv2d_backward``.
    """
    kh, kw, C_in, C_out = W.shape
    xp = pad_hw(x, pads)  # (N, Hp, Wp, C_in)
    cols = im2col_matrix(xp, (kh, kw), stride, dilation, workspace)  # the one copy: the im2col matrix
    N = xp.shape[0]
    H_out = conv_output_size(xp.shape[1], kh, stride[0], 0, dilation[0])
    W_out = conv_output_size(xp.shape[2], kw, stride[1], 0, dilation[1])
    z = cols @ W.reshape(kh * kw * C_in, C_out)  # (N*H_out*W_out, C_out)
    if b is not None:
        z += b
    cache = (xp, x.shape, pads, stride, dilation)  # not cols: kh*kw times bigger than x, cheap to rebuild
    return z.reshape(N, H_out, W_out, C_out), cache


def _spread_slices(before: int, stride: int, n_out: int, length: int) -> tuple[slice, slice]:
    """Where delta's entries land along one axis of the spread array, and which of them fit.

    Entry o goes to position before + o * stride; only positions in [0, length) are kept.
    Returns (slice of delta, slice of the spread array).
    """
    first = max(0, -(before // stride))  # first o with before + o*s >= 0: ceil(-before / s)
    last = min(n_out - 1, (length - 1 - before) // stride)  # last o with before + o*s < length
    if last < first:
        return slice(0, 0), slice(0, 0)
    start = before + first * stride
    return slice(first, last + 1), slice(start, start + (last - first) * stride + 1, stride)


def conv2d_input_grad(
    delta: np.ndarray,
    W: np.ndarray,
    x_shape: tuple[int, ...],
    pads: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    workspace: Workspace | None = None,
) -> np.ndarray:
    """dL/dx of a convolution, computed as another convolution: delta with the flipped kernel.

    Output pixel (i, j) took input pixel (i*s + p*d - top, ...) times W[p, q], so input pixel y
    receives delta[o] @ W[p]^T from every output o and tap p with y = o*s + p*d - top. Reading
    that sum from the input's side is a convolution: spread delta out (s - 1 zeros between
    its rows and columns, so each output sits at the input row it started from), pad it with
    d(k - 1) zeros so every tap reaches the border, and correlate it with W flipped in space
    (tap p becomes tap k-1-p) and with C_in and C_out swapped. That is one im2col matrix
    product, like the forward pass, instead of a scatter of kh*kw products into dx.

    delta: (N, H_out, W_out, C_out), W: (kh, kw, C_in, C_out), x_shape: (N, H, W, C_in)
    -> dx: (N, H, W, C_in).
    """
    N, H_out, W_out, C_out = delta.shape
    kh, kw, C_in, _ = W.shape
    _, H, W_in, _ = x_shape
    (top, _), (left, _) = pads
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    # spread: (N, H + span_h - 1, W + span_w - 1, C_out); output row o lands at row span_h - 1 - top + o*s
    shape = (N, H + span_h - 1, W_in + span_w - 1, C_out)
    spread = np.zeros(shape, delta.dtype)  # fresh zeros measured faster than refilling a kept buffer
    src_h, dst_h = _spread_slices(span_h - 1 - top, stride[0], H_out, shape[1])
    src_w, dst_w = _spread_slices(span_w - 1 - left, stride[1], W_out, shape[2])
    spread[:, dst_h, dst_w, :] = delta[:, src_h, src_w, :]
    W_flipped = np.ascontiguousarray(W[::-1, ::-1].transpose(0, 1, 3, 2))  # (kh, kw, C_out, C_in)
    dx, _ = conv2d_forward(spread, W_flipped, None, (1, 1), ((0, 0), (0, 0)), dilation, workspace)
    return dx  # (N, H, W, C_in)


def conv2d_backward(
    delta: np.ndarray, W: np.ndarray, cache: tuple, input_grad: bool = True, workspace: Workspace | None = None
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of a convolution, given delta = dL/dz: (N, H_out, W_out, C_out).

    dL/dW = im2col(x)^T delta      (every patch times the delta of the pixel it made)
    dL/db = delta summed over N, H_out, W_out
    dL/dx = delta convolved with the flipped kernel (see ``conv2d_input_grad``)
    -> dx: (N, H, W, C_in) (None when ``input_grad`` is False), dW: (kh, kw, C_in, C_out), db: (C_out,)
    """
    xp, x_shape, pads, stride, dilation = cache
    kh, kw, C_in, C_out = W.shape
    delta2 = delta.reshape(-1, C_out)  # (N*H_out*W_out, C_out)
    cols = im2col_matrix(xp, (kh, kw), stride, dilation, workspace)  # as in forward
    dW = (cols.T @ delta2).reshape(W.shape)  # (kh*kw*C_in, C_out) -> (kh, kw, C_in, C_out)
    db = delta2.sum(axis=0)
    if not input_grad:
        return None, dW, db
    return conv2d_input_grad(delta, W, x_shape, pads, stride, dilation, workspace), dW, db


# --- the layers -----------------------------------------------------------------------
class _Conv(Module):
    """What Conv1D and Conv2D share: a 2-D convolution, where Conv1D has height 1."""

    n_spatial = 2
    layout = "(N, H, W, C)"
    needs_input_grad: bool = True  # False on a network's first layer skips dL/dx (backward returns None)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[PaddingSpec, PaddingSpec],
        dilation: tuple[int, int],
        bias: bool,
        init,
        rng,
        dtype,
        regularizer=None,
    ):
        super().__init__()
        if in_channels < 1 or out_channels < 1:
            raise ValueError(f"{type(self).__name__}: channels must be >= 1, got {in_channels} -> {out_channels}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.padding = padding
        self.pads = (padding_for(padding[0], kernel[0], dilation[0]), padding_for(padding[1], kernel[1], dilation[1]))
        dtype = resolve_dtype(dtype)
        taps = kernel[0] * kernel[1]  # every output pixel sees taps * C_in inputs
        w_shape = (*kernel, in_channels, out_channels)[2 - self.n_spatial :]  # Conv1D stores (k, C_in, C_out)
        w = get_initializer(init)(w_shape, taps * in_channels, taps * out_channels, rng=get_rng(rng), dtype=dtype)
        self.W = Parameter(w, "W")
        self.b = Parameter(zeros((out_channels,), dtype=dtype), "b") if bias else None
        self.regularizer = regularizer
        self._cache: tuple | None = None
        self._workspace = Workspace()  # the im2col matrices, reused from one step to the next

    def _W4(self, array: np.ndarray) -> np.ndarray:
        """The weights (or their gradient) as (kh, kw, C_in, C_out); a view for Conv1D."""
        return array.reshape(*self.kernel, self.in_channels, self.out_channels)

    def _check(self, x: np.ndarray) -> None:
        expected = self.layout.replace("C)", f"{self.in_channels})")
        shape = getattr(x, "shape", ())
        if len(shape) == self.n_spatial + 2 and shape[-1] != self.in_channels and shape[1] == self.in_channels:
            order = (0, *range(2, len(shape)), 1)
            raise ValueError(
                f"{self!r}: expected input of shape {expected}, got {shape}; it looks channels-first, "
                f"dlcore puts channels last: use x.transpose{order}"
            )
        check_input(self, x, ndim=self.n_spatial + 2, size={-1: self.in_channels}, expected=expected)
        spatial = x.shape[1:-1] if self.n_spatial == 2 else (1, x.shape[1])
        for n, k, d, (before, after) in zip(spatial, self.kernel, self.dilation, self.pads, strict=True):
            if n + before + after < d * (k - 1) + 1:
                raise ValueError(
                    f"{self!r}: expected input of shape {expected} large enough for the kernel "
                    f"(span {d * (k - 1) + 1} with padding ({before}, {after})), got {x.shape}"
                )

    def _batch_chunks(self, x4: np.ndarray) -> list[slice]:
        """Split the batch so that each piece's im2col matrices take about CHUNK_BYTES.

        Forward builds one of (H_out*W_out, kh*kw*C_in) per image, the input gradient one of
        (H*W, kh*kw*C_out); the larger decides.
        """
        N, H, W, C_in = x4.shape
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        H_out = conv_output_size(H, kh, sh, self.pads[0], dh)
        W_out = conv_output_size(W, kw, sw, self.pads[1], dw)
        per_image = max(H_out * W_out * C_in, H * W * self.out_channels if self.needs_input_grad else 0)
        images = max(1, CHUNK_BYTES // (per_image * kh * kw * x4.itemsize))
        return [slice(start, start + images) for start in range(0, N, images)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        x = x.astype(self.W.value.dtype, copy=False)
        x4 = x if self.n_spatial == 2 else x[:, None]  # Conv1D: (N, L, C) -> (N, 1, L, C)
        W4, b = self._W4(self.W.value), None if self.b is None else self.b.value
        # a few images at a time (usually the whole batch): see CHUNK_BYTES
        pieces = [
            (chunk, *conv2d_forward(x4[chunk], W4, b, self.stride, self.pads, self.dilation, self._workspace))
            for chunk in self._batch_chunks(x4)
        ]
        self._cache = [(chunk, cache) for chunk, _, cache in pieces]
        z = np.concatenate([z for _, z, _ in pieces]) if len(pieces) > 1 else pieces[0][1]
        return z if self.n_spatial == 2 else z[:, 0]  # Conv1D: (N, 1, L_out, C_out) -> (N, L_out, C_out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        delta = grad_out if self.n_spatial == 2 else grad_out[:, None]
        W4, dxs = self._W4(self.W.value), []
        for chunk, cache in self._cache:
            dx, dW, db = conv2d_backward(delta[chunk], W4, cache, self.needs_input_grad, self._workspace)
            self.W.grad += dW.reshape(self.W.grad.shape)  # Conv1D: (1, k, C_in, C_out) -> (k, C_in, C_out)
            if self.b is not None:
                self.b.grad += db
            dxs.append(dx)
        if not self.needs_input_grad:
            return None
        dx = np.concatenate(dxs) if len(dxs) > 1 else dxs[0]
        return dx if self.n_spatial == 2 else dx[:, 0]

    def _describe(self, kernel, stride, padding, dilation) -> str:
        parts = [f"{self.in_channels} -> {self.out_channels}", f"kernel={kernel}"]
        if stride not in (1, (1, 1)):
            parts.append(f"stride={stride}")
        if padding not in ("valid", 0, (0, 0), ("valid", "valid")):
            parts.append(f"padding={padding!r}")
        if dilation not in (1, (1, 1)):
            parts.append(f"dilation={dilation}")
        if self.b is None:
            parts.append("bias=False")
        return f"{type(self).__name__}({', '.join(parts)})"


class Conv2D(_Conv):
    """2-D convolution (cross-correlation, as every framework computes it), channel-last.

    x: (N, H, W, C_in) -> z: (N, H_out, W_out, C_out), with
    z[n, i, j, o] = b[o] + sum_{p, q, c} W[p, q, c, o] * xpad[n, i*sh + p*dh, j*sw + q*dw, c].

    kernel_size, stride, dilation: an int or an (h, w) pair. padding: "valid" (none),
    "same" (stride 1 keeps H and W; even kernels put the extra row/column of zeros at the
    bottom/right), an int, or a per-axis pair. H_out and W_out follow ``conv_output_size``.
    Parameters: W: (kh, kw, C_in, C_out), b: (C_out,). init: a ``dlcore.init`` name ("he":
    N(0, 2 / fan_in) with fan_in = kh*kw*C_in, the default) or a callable.
    regularizer: an ``L1``/``L2`` penalty on W (see ``dlcore.regularizers``), or None.
    needs_input_grad: set it to False on a network's first layer to skip dL/dx (then
    ``backward`` returns None); ``Sequential.fit`` does that for its first layer.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: PaddingSpec | tuple[PaddingSpec, PaddingSpec] = "valid",
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype=None,
        regularizer=None,
    ):
        per_axis = padding if isinstance(padding, (tuple, list)) else (padding, padding)
        self._args = (kernel_size, stride, padding, dilation)
        super().__init__(
            in_channels,
            out_channels,
            pair(kernel_size, "kernel_size"),
            pair(stride, "stride"),
            tuple(per_axis),
            pair(dilation, "dilation"),
            bias,
            init,
            rng,
            dtype,
            regularizer,
        )

    def __repr__(self) -> str:
        return self._describe(*self._args)


class Conv1D(_Conv):
    """1-D convolution over sequences, channel-last.

    x: (N, L, C_in) -> z: (N, L_out, C_out), with
    z[n, t, o] = b[o] + sum_{q, c} W[q, c, o] * xpad[n, t*s + q*d, c].

    padding: "valid", "same" (stride 1 keeps L; an even kernel gets the extra zero at the
    end), an int p (p zeros at both ends) or a (before, after) pair. L_out follows
    ``conv_output_size``. Parameters: W: (k, C_in, C_out), b: (C_out,).
    init: a ``dlcore.init`` name ("he", fan_in = k*C_in, by default) or a callable.
    regularizer, needs_input_grad: as for Conv2D.
    Internally a Conv2D on an image of height 1.
    """

    n_spatial = 1
    layout = "(N, L, C)"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: PaddingSpec = "valid",
        dilation: int = 1,
        bias: bool = True,
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype=None,
        regularizer=None,
    ):
        for name, value in (("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Conv1D: {name} must be a positive int, got {value!r}")
        self._args = (kernel_size, stride, padding, dilation)
        super().__init__(
            in_channels,
            out_channels,
            (1, kernel_size),
            (1, stride),
            (0, padding),
            (1, dilation),
            bias,
            init,
            rng,
            dtype,
            regularizer,
        )

    def __repr__(self) -> str:
        return self._describe(*self._args)

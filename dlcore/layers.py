"""Layers: Dense, activations, Dropout, BatchNorm, LayerNorm, Flatten, AddChannelAxis.

Every layer is a ``Module``: ``forward(x)`` caches what ``backward`` needs, and
``backward(grad_out)`` returns dL/dx and *adds* dL/dparameter into each ``Parameter.grad``.
Notation follows the chapters: ``a`` is a layer's input (the previous activation), ``z`` a
pre-activation, ``delta`` = dL/dz the error signal flowing backwards.

Inputs must be floating-point NumPy arrays; a layer with parameters casts its input to the
parameters' dtype (so a float64 batch fed to a float32 model is computed in float32, never
the other way round). No layer modifies an array it was given.
"""

from __future__ import annotations

import math

import numpy as np

from dlcore import activations as A
from dlcore.config import get_rng, resolve_dtype
from dlcore.init import get_initializer, zeros
from dlcore.module import Module, Parameter, Workspace, check_input


def _check_last_axis(layer: Module, x, features: int) -> None:
    """``x`` must be (N, ..., features) with at least two dimensions."""
    expected = f"(N, {features})" if np.ndim(x) <= 2 else f"(N, ..., {features})"
    check_input(layer, x, ndim=None if np.ndim(x) >= 2 else 2, size={-1: features}, expected=expected)


def _sum_rows(x: np.ndarray) -> np.ndarray:
    """Sum over every axis but the last: (N, ..., D) -> (D,), as the product [1, ..., 1] @ x.

    Equal to ``x.sum(axis=tuple(range(x.ndim - 1)))``; BLAS computes the matrix-vector
    product several times faster than NumPy's reduction.
    """
    x = x.reshape(-1, x.shape[-1])
    return np.ones(x.shape[0], x.dtype) @ x


def _mean_last_axis(x: np.ndarray) -> np.ndarray:
    """Mean over the last axis: (N, ..., D) -> (N, ..., 1), as the product x @ [1/D, ..., 1/D].

    Equal to ``x.mean(axis=-1, keepdims=True)``; NumPy's own reduction is several times
    slower over an axis as short as a layer's features.
    """
    return (x @ np.full(x.shape[-1], 1.0 / x.shape[-1], x.dtype))[..., None]


# ========================================================================================
# Dense
# ========================================================================================
class Dense(Module):
    """Fully connected layer z = a W + b.

    W: (in_features, out_features), b: (out_features,).
    a: (N, in_features) -> z: (N, out_features); also (N, ..., in_features) -> (N, ..., out_features)
    (leading dimensions are flattened into one batch, as a transformer needs).
    init: an initialiser name from ``dlcore.init`` ("he", "xavier", "normal", ...) or callable.
    regularizer: an ``L1``/``L2`` penalty on W (see ``dlcore.regularizers``), or None.
    needs_input_grad: set it to False on a network's first layer to skip computing dL/da, which
    nothing uses there (backward then returns None); that saves about a third of its backward pass.
    ``Sequential.fit`` does this for its first layer while it trains.
    """

    needs_input_grad: bool = True

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str = "he",
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
        dtype=None,
        regularizer=None,
    ):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.regularizer = regularizer
        dtype = resolve_dtype(dtype)
        initializer = get_initializer(init)
        W = initializer((in_features, out_features), in_features, out_features, rng=get_rng(rng), dtype=dtype)
        self.W = Parameter(W, "W")
        self.b = Parameter(zeros((out_features,), dtype=dtype), "b") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_last_axis(self, x, self.in_features)
        a = x.astype(self.W.value.dtype, copy=False)
        self.a_shape = a.shape
        self.a = a.reshape(-1, self.in_features)  # (N, ..., in) -> (M, in), a view
        z = self.a @ self.W.value  # (M, in) @ (in, out) -> (M, out)
        if self.b is not None:
            z += self.b.value  # z is our own new array, so adding in place is safe
        return z.reshape(*self.a_shape[:-1], self.out_features)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """delta = dL/dz: (N, ..., out) -> dL/da: (N, ..., in); dW += a^T delta, db += sum_n delta."""
        delta = grad_out.reshape(-1, self.out_features)  # (M, out)
        self.W.grad += self.a.T @ delta  # (in, M) @ (M, out) -> (in, out)
        if self.b is not None:
            self.b.grad += delta.sum(axis=0)
        if not self.needs_input_grad:
            return None
        return (delta @ self.W.value.T).reshape(self.a_shape)  # (M, out) @ (out, in) -> (N, ..., in)

    def __repr__(self) -> str:
        return f"Dense({self.in_features} -> {self.out_features}{'' if self.b is not None else ', bias=False'})"


# ========================================================================================
# Activation layers: dL/dx = dL/dy * f'(x), elementwise (softmax: its Jacobian)
# ========================================================================================
def _check_any(layer: Module, x) -> None:
    check_input(layer, x, expected="(any shape)")


class Identity(Module):
    """y = x. x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y). x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.y = A.sigmoid(x)
        return self.y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * self.y * (1.0 - self.y)


class Tanh(Module):
    """y = tanh(x); dy/dx = 1 - y^2. x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * (1.0 - self.y * self.y)


class ReLU(Module):
    """y = max(x, 0); dy/dx = 1 where x > 0, else 0. x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * self.mask


class LeakyReLU(Module):
    """y = x where x > 0, else alpha x; dy/dx = 1 or alpha. x: any shape -> same shape."""

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.x = x
        return A.leaky_relu(x, self.alpha)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * A.leaky_relu_grad(self.x, self.alpha)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class ELU(Module):
    """y = x where x > 0, else alpha (exp(x) - 1); dy/dx = 1 or y + alpha. x: any shape -> same shape."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.x = x
        self.y = A.elu(x, self.alpha)
        return self.y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * np.where(self.x > 0, 1.0, self.y + self.alpha).astype(self.y.dtype, copy=False)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class GELU(Module):
    """y = x Phi(x) (exact erf form, see ``activations.gelu``). x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.x = x
        self.cdf = A.normal_cdf(x)  # Phi(x), kept for backward: erf is the expensive part
        return x * self.cdf

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dy/dx = Phi(x) + x phi(x)."""
        return grad_out * (self.cdf + self.x * A.normal_pdf(self.x))


CACHE_BLOCK = 1 << 16  # elements per block (256 KiB in float32): the five arrays of a block fit a 2 MiB L2 cache


def _cache_blocks(size: int):
    """Slices of ``range(size)`` in blocks of CACHE_BLOCK elements.

    A chain of elementwise steps over a large array runs faster block by block: each step
    then finds the block's data in the cache instead of streaming the whole array from memory.
    """
    return (slice(start, start + CACHE_BLOCK) for start in range(0, size, CACHE_BLOCK))


class GELUTanh(Module):
    """GELU's tanh approximation (GPT-2): y = x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3).

    x: any shape -> same shape. The same function as ``activations.gelu_tanh``, written with
    in-place steps, block by block (``_cache_blocks``), because a transformer's MLP feeds it
    large arrays; the scratch arrays are reused from call to call (see ``Workspace``).
    Forward keeps x^2 and s = (1 + tanh(u)) / 2, so y = x s, for the backward pass:
    dy/dx = s + x u' (1 - tanh^2(u)) / 2 = s + 2 x u' s (1 - s), u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
    (1 - tanh^2 = (1 - tanh)(1 + tanh) = 4 s (1 - s)).
    """

    def __init__(self) -> None:
        super().__init__()
        self._workspace = Workspace()

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.x = x
        x = x.reshape(-1)  # flat: any shape
        x2 = self._workspace.get("x2", x.shape, x.dtype)  # x^2, kept for backward
        s = self._workspace.get("s", x.shape, x.dtype)  # (1 + tanh(u)) / 2, kept for backward
        y = np.empty_like(x)
        for b in _cache_blocks(x.size):
            np.multiply(x[b], x[b], out=x2[b])
            np.multiply(x2[b], A.SQRT_2_OVER_PI * A.GELU_TANH_COEF, out=s[b])
            s[b] += A.SQRT_2_OVER_PI
            s[b] *= x[b]  # u = sqrt(2/pi) (x + 0.044715 x^3)
            np.tanh(s[b], out=s[b])
            s[b] *= 0.5
            s[b] += 0.5
            np.multiply(x[b], s[b], out=y[b])
        self.x2, self.s = x2, s
        return y.reshape(self.x.shape)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x, x2, s, g = self.x.reshape(-1), self.x2, self.s, grad_out.reshape(-1)
        two_du = self._workspace.get("du", x.shape, x.dtype)
        d = np.empty_like(x)  # the result
        for b in _cache_blocks(x.size):
            np.multiply(x2[b], 6.0 * A.SQRT_2_OVER_PI * A.GELU_TANH_COEF, out=two_du[b])
            two_du[b] += 2.0 * A.SQRT_2_OVER_PI  # 2 u'
            np.subtract(1.0, s[b], out=d[b])
            d[b] *= s[b]  # s (1 - s) first: it is 0 for large |x|, so the products below stay finite
            d[b] *= x[b]
            d[b] *= two_du[b]
            d[b] += s[b]  # s + 2 x u' s (1 - s)
            d[b] *= g[b]
        return d.reshape(self.x.shape)


class Softplus(Module):
    """y = log(1 + exp(x)); dy/dx = sigmoid(x). x: any shape -> same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.x = x
        return A.softplus(x)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * A.sigmoid(self.x)


class Softmax(Module):
    """Softmax along ``axis``. x: (..., C) -> (..., C), rows summing to 1.

    For classification prefer logits + ``CategoricalCrossEntropy``, which fuses the softmax
    into the loss (simpler gradient, no log of a rounded-to-zero probability).
    """

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        self.s = A.softmax(x, self.axis)
        return self.s

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return A.softmax_backward(self.s, grad_out, self.axis)

    def __repr__(self) -> str:
        return f"Softmax(axis={self.axis})"


# The activation layers by name. The names are those of ``activations.ACTIVATIONS`` (the one
# registry of activation names), so a string that picks a function there picks its layer here;
# shallow networks, transformer MLPs and the widgets all look layers up through this table.
ACTIVATION_LAYERS: dict[str, type[Module]] = {
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "gelu_tanh": GELUTanh,
    "softplus": Softplus,
}
assert set(ACTIVATION_LAYERS) <= set(A.ACTIVATIONS), "every activation layer is named in activations.ACTIVATIONS"


def activation_layer(name: str) -> Module:
    """A new activation layer by name, e.g. ``activation_layer("relu")``; "linear" is the identity.

    Valid names: ``ACTIVATION_LAYERS`` (every name of ``activations.ACTIVATIONS`` except
    "step", which has no useful gradient).
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in ACTIVATION_LAYERS:
        raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATION_LAYERS)}")
    return ACTIVATION_LAYERS[key]()


# ========================================================================================
# Dropout
# ========================================================================================
class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability p and scale the
    survivors by 1 / (1 - p) so the expected output equals x; in evaluation, y = x.

    x: any shape -> same shape. The mask keeps a unit where u >= p, u ~ U[0, 1) drawn from
    ``rng`` in x's dtype. rng=None draws from dlcore's global generator at each call (so
    ``dlcore.seed`` controls it); an int or Generator gives this layer its own stream.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}")
        self.p = p
        self.rng = None if rng is None else get_rng(rng)

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_any(self, x)
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        u = get_rng(self.rng).random(x.shape, dtype=x.dtype)
        self.mask = (u >= self.p) * x.dtype.type(1.0 / (1.0 - self.p))  # 0 or 1/(1-p), x's dtype
        return x * self.mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out if self.mask is None else grad_out * self.mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


# ========================================================================================
# Normalisation
# ========================================================================================
class BatchNorm(Module):
    """Batch normalisation over every axis but the last (the channel/feature axis).

    x: (N, C) or channel-last (N, ..., C) -> same shape. gamma, beta: (C,).
    Training: x_hat = (x - mu) / sqrt(var + eps) with mu, var the batch mean and (biased)
    variance of each channel over the M = x.size / C values it has; y = gamma x_hat + beta.
    The running averages move as r = (1 - momentum) r + momentum * batch_stat (PyTorch's
    convention: momentum weights the NEW value; the running variance uses the unbiased
    M / (M - 1) correction). Evaluation: the running mean and variance replace mu and var.
    """

    buffers = ("running_mean", "running_var")

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5, dtype=None):
        super().__init__()
        dtype = resolve_dtype(dtype)
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.gamma = Parameter(np.ones(num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(num_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_last_axis(self, x, self.num_features)
        x = x.astype(self.gamma.value.dtype, copy=False)
        axes = tuple(range(x.ndim - 1))  # every axis but the channels
        M = x.size // self.num_features  # values per channel
        if self.training:
            if M < 2:
                raise ValueError(
                    f"{self!r}: training needs more than one value per channel, got input of shape {x.shape} "
                    f"(use a batch larger than 1, or call .eval())"
                )
            mu = x.mean(axis=axes)
            xc = x - mu
            var = (xc * xc).mean(axis=axes)  # biased: divides by M
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * (M / (M - 1))
        else:
            xc = x - self.running_mean
            var = self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)  # (C,)
        self.x_hat = xc * self.inv_std
        self.batch_stats = self.training  # backward needs to know which formula applies
        return self.x_hat * self.gamma.value + self.beta.value

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dL/dy: (N, ..., C) -> dL/dx: same shape.

        With g = dL/dx_hat = dL/dy * gamma, in training mode (mu and var depend on x):
        dL/dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), means over the M values of a channel.
        In evaluation mode the statistics are constants: dL/dx = g * inv_std.
        """
        axes = tuple(range(grad_out.ndim - 1))
        self.gamma.grad += (grad_out * self.x_hat).sum(axis=axes)
        self.beta.grad += grad_out.sum(axis=axes)
        g = grad_out * self.gamma.value
        if not self.batch_stats:
            return g * self.inv_std
        return self.inv_std * (g - g.mean(axis=axes) - self.x_hat * (g * self.x_hat).mean(axis=axes))

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features})"


class LayerNorm(Module):
    """Layer normalisation over the last axis (each example / token on its own).

    x: (N, ..., D) -> same shape; gamma, beta: (D,).
    x_hat = (x - mean) / sqrt(var + eps), mean and (biased) var over the last axis; y = gamma x_hat + beta.
    Same computation in training and evaluation, so there are no running statistics.
    """

    def __init__(self, normalized_shape: int, eps: float = 1e-5, dtype=None):
        super().__init__()
        dtype = resolve_dtype(dtype)
        self.normalized_shape, self.eps = normalized_shape, eps
        self.gamma = Parameter(np.ones(normalized_shape, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(normalized_shape, dtype=dtype), "beta")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_last_axis(self, x, self.normalized_shape)
        x = x.astype(self.gamma.value.dtype, copy=False)
        xc = x - _mean_last_axis(x)  # centred first, then the variance: no cancellation
        var = _mean_last_axis(xc * xc)  # (N, ..., 1)
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = xc
        self.x_hat *= self.inv_std  # xc is our own new array: normalise it in place
        y = self.x_hat * self.gamma.value
        y += self.beta.value
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dL/dy: (N, ..., D) -> dL/dx, with g = dL/dy * gamma:
        dL/dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), means over the last axis."""
        g_x_hat = grad_out * self.x_hat
        self.gamma.grad += _sum_rows(g_x_hat)
        self.beta.grad += _sum_rows(grad_out)
        g = grad_out * self.gamma.value
        mean_g = _mean_last_axis(g)
        np.multiply(g, self.x_hat, out=g_x_hat)
        mean_gx = _mean_last_axis(g_x_hat)
        dx = g  # a new array: the steps below work in place
        dx -= mean_g
        dx -= np.multiply(self.x_hat, mean_gx, out=g_x_hat)
        dx *= self.inv_std
        return dx

    def __repr__(self) -> str:
        return f"LayerNorm({self.normalized_shape})"


# ========================================================================================
# Reshaping
# ========================================================================================
class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...); backward restores the shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=None if np.ndim(x) >= 1 else 1, expected="(N, ...)")
        self.x_shape = x.shape
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out.reshape(self.x_shape)


class AddChannelAxis(Module):
    """View a batch of signals as sequences of one-channel samples: x: (N, L) -> (N, L, 1).

    Put it first in a Conv1D or recurrent model that should take the same (N, L) signals as
    an MLP (the MNIST-1D baselines do).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, ndim=2, expected="(N, L)")
        return x[:, :, None]  # (N, L) -> (N, L, 1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out[:, :, 0]  # (N, L, 1) -> (N, L)

    def __repr__(self) -> str:
        return "AddChannelAxis((N, L) -> (N, L, 1))"

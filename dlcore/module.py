"""The building blocks every layer shares: ``Parameter``, ``Module`` and input checks.

A module computes ``forward(x)`` and, given dL/d(output), ``backward`` returns dL/d(input)
and *adds* dL/d(parameter) into each parameter's ``grad`` (so gradients accumulate until
``zero_grad``). This is the contract PyTorch's autograd hides; here it is written out.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    value: any shape; grad: same shape and dtype as value.
    """

    def __init__(self, value: np.ndarray, name: str = ""):
        self.value = np.asarray(value)
        self.grad = np.zeros_like(self.value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}, shape={self.shape}, dtype={self.value.dtype})"


class Module:
    """Base class of layers and models: the protocol every layer follows.

    Subclasses implement two methods:

    - ``forward(x, ...)`` returns the output and keeps what ``backward`` will need;
    - ``backward(grad_out)`` takes dL/d(output) of the last forward, ADDS dL/d(parameter)
      into each parameter's ``grad`` and returns dL/dx, an array of x's shape. Two
      exceptions: it returns None when the layer was told not to compute dL/dx
      (``needs_input_grad = False``), and a layer with two inputs returns a tuple
      (dL/dx, dL/dcontext) (cross-attention, ``TransformerDecoderBlock``).

    Capabilities that training code reads, declared here with their defaults:

    - ``needs_input_grad``: None when the layer always computes dL/dx; layers that can skip
      it (Dense, Conv1D, Conv2D) have True, and ``Sequential.fit`` sets it to False on the
      first layer, whose dL/dx nothing uses.
    - ``takes_indices``: True for a layer whose input is integer indices (``Embedding``), so
      ``Sequential`` does not cast its input to floats.
    - ``regularizer``: an ``L1``/``L2`` penalty on the layer's ``W`` (None: no penalty);
      layers with weights (Dense, Conv1D, Conv2D) take it as ``regularizer=``.
    - ``buffers``: names of arrays that are state but not trained (BatchNorm's running mean),
      so that ``state_dict`` saves them too.

    Parameters and sub-modules found in attributes (directly, or in lists/tuples) are
    collected by ``parameters()``.
    """

    buffers: tuple[str, ...] = ()
    needs_input_grad: bool | None = None
    takes_indices: bool = False
    regularizer = None

    def __init__(self) -> None:
        self.training = True

    # --- the two methods every layer writes -------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, grad_out: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...] | None:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def __call__(self, *args, **kwargs):
        if args and getattr(args[0], "is_symbolic", False) or _symbolic_list(args):  # functional API
            from dlcore.functional import call_symbolic

            return call_symbolic(self, *args, **kwargs)
        return self.forward(*args, **kwargs)

    # --- walking the tree -------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def children(self) -> list[Module]:
        return [m for _, m in self.named_children()]

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs in a fixed order, each parameter once."""
        seen: set[int] = set()
        for name, p in self._named_parameters_all(prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def _named_parameters_all(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Parameter):
                        yield f"{prefix}{name}.{i}", item
        for name, child in self.named_children():
            yield from child._named_parameters_all(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    # --- modes ------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm uses batch statistics)."""
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off, batch norm uses running statistics)."""
        return self.train(False)

    # --- saving and restoring ---------------------------------------------------------
    def state_dict(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Copies of every parameter value and buffer, by dotted name."""
        state = {name: p.value.copy() for name, p in self.named_parameters(prefix)}
        self._collect_buffers(prefix, state)
        return state

    def _collect_buffers(self, prefix: str, state: dict[str, np.ndarray]) -> None:
        for name in self.buffers:
            state[prefix + name] = np.array(getattr(self, name), copy=True)
        for name, child in self.named_children():
            child._collect_buffers(f"{prefix}{name}.", state)

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore values saved by ``state_dict`` (in place, so optimizers keep working)."""
        expected = self.state_dict()
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected))
        if missing or unexpected:
            raise KeyError(f"{type(self).__name__}.load_state_dict: missing {missing}, unexpected {unexpected}")
        for name, p in self.named_parameters():
            if state[name].shape != p.value.shape:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: {name} expected shape {p.value.shape}, "
                    f"got {state[name].shape}"
                )
            p.value[...] = state[name]
        self._restore_buffers("", state)

    def _restore_buffers(self, prefix: str, state: dict[str, np.ndarray]) -> None:
        for name in self.buffers:
            setattr(self, name, np.array(state[prefix + name], copy=True))
        for name, child in self.named_children():
            child._restore_buffers(f"{prefix}{name}.", state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _symbolic_list(args: tuple) -> bool:
    """True when the first argument is a list of symbolic tensors (a merge layer in a functional model)."""
    first = args[0] if args else None
    return isinstance(first, (list, tuple)) and bool(first) and getattr(first[0], "is_symbolic", False)


class Workspace:
    """Scratch arrays a layer reuses from one step to the next instead of allocating anew.

    ``get(name, shape, dtype)`` returns an uninitialised array of that shape, carved from a
    buffer kept under ``name`` (grown when too small). Each step of training allocates the
    same large temporaries (a convolution's im2col matrix); reusing them saves the time the
    operating system spends handing fresh memory over. What ``get`` returns is only valid
    until the next ``get`` with the same name, so never return it to a caller.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = self._buffers[name] = np.empty(size, dtype)
        return buffer[:size].reshape(shape)

    def clear(self) -> None:
        """Free every buffer."""
        self._buffers.clear()

    def __getstate__(self) -> dict:
        return {"_buffers": {}}  # a copied or pickled layer starts with empty scratch space


def check_input(
    layer: Module | str,
    x: np.ndarray,
    ndim: int | tuple[int, ...] | None = None,
    size: dict[int, int] | None = None,
    expected: str = "",
) -> None:
    """Raise a clear error when ``x`` is not what ``layer`` expects.

    ndim: allowed number(s) of dimensions; size: {axis: required length};
    expected: how the layer describes its input, e.g. "(N, 64)".
    The message names the layer, what it expected and what came.
    """

    def name() -> str:  # built only when there is an error to report
        return layer if isinstance(layer, str) else repr(layer)

    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name()}: expected a numpy array {expected}, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name()}: expected a floating-point array {expected}, got dtype {x.dtype} "
            f"(convert with x.astype(np.float32))"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.ndim not in allowed:
            raise ValueError(f"{name()}: expected input of shape {expected or f'with {ndim} dims'}, got {x.shape}")
    for axis, length in (size or {}).items():
        if x.shape[axis] != length:
            raise ValueError(f"{name()}: expected input of shape {expected or '?'}, got {x.shape}")

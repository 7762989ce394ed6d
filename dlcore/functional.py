"""The functional API: models whose layers form a directed acyclic graph, built Keras-style.

::

    x = Input((8,), name="features")
    h = ReLU()(Dense(8, 16)(x))
    y = Add()([x, Dense(16, 8)(h)])          # a residual connection
    model = Model(x, Dense(8, 1)(y))
    model.compile("mse", "adam"); model.fit(X, Y)

``Input`` makes a *symbolic tensor*: no numbers, only a shape (without the batch axis) and
where it came from. Calling a layer on symbolic tensors records a *node* (layer, inputs,
output) instead of computing, and returns a new symbolic tensor whose shape is found by
running the layer once on a zero probe. ``Model(inputs, outputs)`` walks back from the output
to the inputs, sorts the nodes topologically, and then works like ``Sequential`` (it inherits
``compile``/``fit``/``evaluate``/``predict``):

- ``forward`` runs the nodes in topological order, keeping each tensor's value;
- ``backward`` runs them in *reverse* topological order. A tensor used by several nodes (the
  input of a residual block, say) receives the *sum* of the gradients that come back from
  each use: the multivariable chain rule.

Multi-input models take a list of arrays in the order of ``inputs``. Each layer may be called
once per model (a layer caches its input for backward, so a second call would overwrite the
first); build a new layer for each use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcore.config import get_default_dtype
from dlcore.model import Sequential
from dlcore.module import Module


# --- symbolic tensors and nodes ---------------------------------------------------------------
class SymbolicTensor:
    """A placeholder for an array of shape (N, *shape): where it comes from, not what it holds.

    node: the ``Node`` that produces it, or None for an ``Input``.
    """

    is_symbolic = True

    def __init__(self, shape: tuple[int, ...], dtype, node: Node | None, name: str):
        self.shape, self.dtype, self.node, self.name = tuple(shape), np.dtype(dtype), node, name

    def __repr__(self) -> str:
        return f"<SymbolicTensor {self.name}: (N, {', '.join(map(str, self.shape))}) {self.dtype}>"


class Node:
    """One call of a layer in the graph: ``output = layer(inputs)``."""

    def __init__(self, layer: Module, inputs: list[SymbolicTensor], multi: bool):
        self.layer, self.inputs, self.multi = layer, inputs, multi  # multi: layer takes a list
        self.output: SymbolicTensor | None = None


def Input(shape: int | Sequence[int], dtype=None, name: str | None = None) -> SymbolicTensor:
    """The entry point of a functional model. shape: one sample's shape, without the batch axis."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    Input.count += 1
    return SymbolicTensor(shape, dtype or get_default_dtype(), None, name or f"input_{Input.count}")


Input.count = 0


def is_symbolic(arg) -> bool:
    """True for a symbolic tensor or a non-empty list/tuple of them."""
    if isinstance(arg, (list, tuple)):
        return bool(arg) and all(getattr(a, "is_symbolic", False) for a in arg)
    return getattr(arg, "is_symbolic", False)


_NAME_COUNTS: dict[str, int] = {}  # "dense" -> how many dense outputs have been named


def call_symbolic(layer: Module, arg) -> SymbolicTensor:
    """Record ``layer(arg)`` as a node; the output shape comes from one eval-mode probe forward."""
    multi = isinstance(arg, (list, tuple))
    inputs = list(arg) if multi else [arg]
    if getattr(layer, "_functional_node", None) is not None:
        raise ValueError(
            f"{layer!r} is already used in a graph; each layer can be called once (it caches its input "
            f"for backward), so build a new layer for each use"
        )
    probes = [np.zeros((2, *t.shape), dtype=t.dtype) for t in inputs]
    was_training = layer.training
    layer.eval()
    try:
        out = layer.forward(probes if multi else probes[0])
    except Exception as err:
        shapes = ", ".join(f"(N, {', '.join(map(str, t.shape))})" for t in inputs)
        raise ValueError(f"{layer!r} cannot take input of shape {shapes}: {err}") from err
    finally:
        layer.train(was_training)
    node = Node(layer, inputs, multi)
    kind = type(layer).__name__.lower()
    _NAME_COUNTS[kind] = _NAME_COUNTS.get(kind, 0) + 1
    node.output = SymbolicTensor(out.shape[1:], out.dtype, node, f"{kind}_{_NAME_COUNTS[kind]}")
    layer._functional_node = node
    return node.output


# --- merge layers -------------------------------------------------------------------------------
class Add(Module):
    """Elementwise sum of a list of arrays of equal shape. backward: the same gradient to each."""

    def forward(self, xs: list[np.ndarray]) -> np.ndarray:
        shapes = {x.shape for x in xs}
        if len(xs) < 2 or len(shapes) != 1:
            raise ValueError(f"Add: expected two or more arrays of one shape, got shapes {[x.shape for x in xs]}")
        self.count = len(xs)
        out = xs[0].copy()
        for x in xs[1:]:
            out += x
        return out

    def backward(self, grad_out: np.ndarray) -> list[np.ndarray]:
        return [grad_out] * self.count  # d(sum)/d(each input) = 1


class Concatenate(Module):
    """Join a list of arrays (N, ..., d_k) along the last axis -> (N, ..., sum d_k)."""

    def forward(self, xs: list[np.ndarray]) -> np.ndarray:
        if len(xs) < 2 or len({x.shape[:-1] for x in xs}) != 1:
            raise ValueError(
                f"Concatenate: expected two or more arrays equal but for the last axis, got {[x.shape for x in xs]}"
            )
        self.splits = np.cumsum([x.shape[-1] for x in xs])[:-1]
        return np.concatenate(xs, axis=-1)

    def backward(self, grad_out: np.ndarray) -> list[np.ndarray]:
        return np.split(grad_out, self.splits, axis=-1)  # each input gets its slice back


# --- the model ----------------------------------------------------------------------------------
class MultiInput:
    """Several input arrays that are batched together: ``x[idx]`` indexes each one."""

    def __init__(self, arrays: Sequence[np.ndarray]):
        self.arrays = list(arrays)

    def __getitem__(self, idx) -> MultiInput:
        return MultiInput([a[idx] for a in self.arrays])

    def __len__(self) -> int:
        return len(self.arrays[0])

    @property
    def shape(self) -> tuple:
        return tuple(a.shape for a in self.arrays)


class Model(Sequential):
    """A model over the graph from ``inputs`` to ``outputs`` (see the module docstring).

    inputs: one ``Input`` or a list of them (the order of the arrays ``forward`` takes);
    outputs: the symbolic tensor the model returns. ``layers`` lists the layers in
    topological order (a valid order to compute them).
    """

    def __init__(
        self, inputs: SymbolicTensor | Sequence[SymbolicTensor], outputs: SymbolicTensor, name: str | None = None
    ):
        super().__init__(name=name or "model")
        self.multi_input = isinstance(inputs, (list, tuple))
        self.inputs = list(inputs) if self.multi_input else [inputs]
        if not all(isinstance(t, SymbolicTensor) and t.node is None for t in self.inputs):
            raise TypeError(f"Model: inputs must be Input(...) tensors, got {inputs!r}")
        if not isinstance(outputs, SymbolicTensor):
            raise TypeError(f"Model: outputs must be one symbolic tensor (a layer's output), got {outputs!r}")
        self.output = outputs
        self.nodes = self._topological_order()
        self.layers = [node.layer for node in self.nodes]

    def _topological_order(self) -> list[Node]:
        """Nodes that the output depends on, each after every node it needs (depth-first post-order)."""
        order: list[Node] = []
        done: set[int] = set()
        ids = {id(t) for t in self.inputs}

        def visit(tensor: SymbolicTensor) -> None:
            if tensor.node is None:
                if id(tensor) not in ids:
                    raise ValueError(
                        f"Model: the output depends on {tensor.name!r}, which is not among the inputs "
                        f"{[t.name for t in self.inputs]}"
                    )
                return
            if id(tensor.node) in done:
                return
            for t in tensor.node.inputs:
                visit(t)
            done.add(id(tensor.node))
            order.append(tensor.node)

        visit(self.output)
        return order

    # --- forward and backward over the graph ------------------------------------------------------
    def forward(self, x) -> np.ndarray:
        """x: one array (N, ...) or, for several inputs, a list of them (or a ``MultiInput``)."""
        arrays = x.arrays if isinstance(x, MultiInput) else (list(x) if self.multi_input else [x])
        if len(arrays) != len(self.inputs):
            raise ValueError(f"Model.forward: expected {len(self.inputs)} input arrays, got {len(arrays)}")
        values = {id(t): a for t, a in zip(self.inputs, arrays, strict=True)}
        for node in self.nodes:
            args = [values[id(t)] for t in node.inputs]
            values[id(node.output)] = node.layer.forward(args if node.multi else args[0])
        return values[id(self.output)]

    def backward(self, grad_out: np.ndarray):
        """dL/d(output) -> dL/d(input) (a list for several inputs), parameter gradients accumulated.

        Reverse topological order guarantees that when a node runs, every use of its output has
        already sent its gradient back, so the sum in ``grads`` is complete.
        """
        grads: dict[int, np.ndarray] = {id(self.output): grad_out}
        for node in reversed(self.nodes):
            g = grads.pop(id(node.output), None)
            if g is None:  # cannot happen for nodes the output depends on; kept for safety
                continue
            back = node.layer.backward(g)
            for t, gt in zip(node.inputs, back if node.multi else [back], strict=True):
                if gt is not None:
                    grads[id(t)] = grads[id(t)] + gt if id(t) in grads else gt  # several uses: the sum
        result = [grads.get(id(t)) for t in self.inputs]
        return result if self.multi_input else result[0]

    def _backward_for_training(self, grad_out: np.ndarray) -> None:
        self.backward(grad_out)

    # --- inputs ---------------------------------------------------------------------------------
    def _check_x(self, x, where: str):
        if isinstance(x, MultiInput):
            return x
        if not self.multi_input:
            return self._check_one(x, self.inputs[0], where)
        if not isinstance(x, (list, tuple)) or len(x) != len(self.inputs):
            raise TypeError(
                f"Model.{where}: expected a list of {len(self.inputs)} arrays (one per Input), got {type(x).__name__}"
            )
        arrays = [self._check_one(a, t, where) for a, t in zip(x, self.inputs, strict=True)]
        if len({len(a) for a in arrays}) != 1:
            raise ValueError(f"Model.{where}: the input arrays have different lengths {[len(a) for a in arrays]}")
        return MultiInput(arrays)

    def _check_one(self, a, tensor: SymbolicTensor, where: str) -> np.ndarray:
        if not isinstance(a, np.ndarray):
            raise TypeError(f"Model.{where}: input {tensor.name!r} must be a numpy array, got {type(a).__name__}")
        if a.shape[1:] != tensor.shape:
            expected = ", ".join(map(str, tensor.shape))
            raise ValueError(f"Model.{where}: input {tensor.name!r} expects shape (N, {expected}), got {a.shape}")
        if np.issubdtype(tensor.dtype, np.floating):
            if not np.issubdtype(a.dtype, np.floating):
                raise TypeError(f"Model.{where}: input {tensor.name!r} must be floating point, got dtype {a.dtype}")
            return a.astype(tensor.dtype, copy=False)
        return a

    def _takes_indices(self) -> bool:
        return False

    # --- description ----------------------------------------------------------------------------
    def summary(self, input_shape=None) -> str:
        """Print and return a table of the nodes in topological order: layer, output shape, inputs, parameters."""
        names = {id(t): t.name for t in self.inputs}
        rows = [(t.name, "Input", f"(N, {', '.join(map(str, t.shape))})", "", "0") for t in self.inputs]
        for node in self.nodes:
            names[id(node.output)] = node.output.name
            rows.append(
                (
                    node.output.name,
                    repr(node.layer),
                    f"(N, {', '.join(map(str, node.output.shape))})",
                    ", ".join(names[id(t)] for t in node.inputs),
                    f"{node.layer.num_parameters():,}",
                )
            )
        header = ("Name", "Layer", "Output shape", "Inputs", "Params")
        widths = [max(len(r[c]) for r in [header, *rows]) for c in range(5)]

        def line(r):
            return "  ".join(r[c].rjust(widths[c]) if c == 4 else r[c].ljust(widths[c]) for c in range(5))

        rule = "-" * len(line(header))
        text = "\n".join(
            [f'Model "{self.name}"', rule, line(header), rule, *map(line, rows), rule]
            + [f"Total parameters: {self.num_parameters():,}"]
        )
        print(text)
        return text

    def save_weights(self, path) -> None:
        """Write the weights to an ``.npz`` file (see ``dlcore.saving``)."""
        from dlcore.saving import save_weights

        save_weights(self, path)

    def load_weights(self, path) -> None:
        """Read weights saved by ``save_weights`` (same architecture), checking names and shapes."""
        from dlcore.saving import load_weights

        load_weights(self, path)

    def __repr__(self) -> str:
        return f"Model({len(self.inputs)} input(s), {len(self.nodes)} layers, output {self.output.name})"

"""A tiny scalar autograd engine, for the computation-graph lesson.

Each ``Value`` holds a number (``data``), the derivative of the final output with respect
to it (``grad``), the values it was computed from, and a ``_backward`` closure that applies
the chain rule for the one operation that produced it: given ``out.grad`` it adds
d(out)/d(input) * out.grad into each input's grad. ``backward()`` calls these closures
from the output back to the leaves, in reverse topological order.
"""

from __future__ import annotations

import math


class Value:
    """A scalar node of a computation graph. ``label`` names it in drawings; ``op`` is how it was made."""

    def __init__(self, data: float, children: tuple[Value, ...] = (), op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self.children = children
        self.op = op
        self.label = label
        self._backward = lambda: None

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    # --- binary operations: forward value and local chain rule side by side ----------------
    def __add__(self, other) -> Value:
        other = _lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a+b)/da = d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = _lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other) -> Value:
        other = _lift(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / (other.data * other.data)

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Value:
        if not isinstance(k, (int, float)):
            raise TypeError(f"Value ** k supports a number k only, got {type(k).__name__}")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():  # d(a^k)/da = k a^(k-1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other) -> Value:
        other = _lift(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():  # d(a-b)/da = 1, d(a-b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return _lift(other) - self

    def __rtruediv__(self, other) -> Value:
        return _lift(other) / self

    # --- functions of one value: f and f' ------------------------------------------------
    def _unary(self, op: str, y: float, dy_dx: float) -> Value:
        out = Value(y, (self,), op)

        def _backward():
            self.grad += dy_dx * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self._unary("neg", -self.data, -1.0)

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary("exp", e, e)

    def log(self) -> Value:
        return self._unary("log", math.log(self.data), 1.0 / self.data)

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary("tanh", t, 1.0 - t * t)

    def relu(self) -> Value:
        return self._unary("relu", max(self.data, 0.0), float(self.data > 0))

    def sigmoid(self) -> Value:
        e = math.exp(-abs(self.data))  # <= 1, so no overflow for any x
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return self._unary("sigmoid", s, s * (1.0 - s))

    # --- the backward pass -----------------------------------------------------------------
    def backward(self) -> None:
        """Set this node's grad to 1 and propagate to every node it depends on (grads ADD up:
        reset them to 0 before a second call)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            node._backward()


def _lift(x) -> Value:
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its children (inputs first, root last).

    Depth-first search with an explicit stack instead of recursion, so a chain of 10,000
    operations does not hit Python's recursion limit. A node is pushed twice: once to
    expand its children, then (``done=True``) to be emitted after them.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node.children if id(child) not in seen)
    return order


def draw_graph(root: Value, ax=None):
    """Draw the graph that produced ``root`` with matplotlib: inputs on the left, root on the right.

    Each value is a box (label, data, grad); the operation that made it is a circle just to its
    left, with arrows from its inputs. Layout in layers: a node's column is its longest distance
    from the root, and within a column nodes are sorted by where their consumers sit.
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    order = topological_order(root)[::-1]  # root first, every node before its inputs
    level, users = {id(root): 0}, {}
    for node in order:
        for child in node.children:
            level[id(child)] = max(level.get(id(child), 0), level[id(node)] + 1)
            users.setdefault(id(child), []).append(node)
    n_levels = max(level.values()) + 1
    pos: dict[int, tuple[float, float]] = {}  # id -> (x, y)

    def mean_user_height(node: Value) -> float:  # sitting near its users keeps arrows short
        heights = [pos[id(u)][1] for u in users.get(id(node), [])]
        return sum(heights) / len(heights) if heights else 0.0

    for lev in range(n_levels):  # columns from the root (right) to the inputs (left)
        column = sorted((n for n in order if level[id(n)] == lev), key=mean_user_height, reverse=True)
        for i, node in enumerate(column):
            pos[id(node)] = (2.2 * (n_levels - 1 - lev), -1.0 * i)

    if ax is None:
        height = max(-y for _, y in pos.values()) + 1
        _, ax = plt.subplots(figsize=(2.2 * n_levels + 0.5, 0.9 * height + 0.8))
    box_style = {"boxstyle": "round,pad=0.3", "facecolor": "#deebf7", "edgecolor": "#08519c"}
    op_style = {"boxstyle": "circle,pad=0.2", "facecolor": "#fee6ce", "edgecolor": "#a63603"}
    boxes = {}
    for node in order:
        x, y = pos[id(node)]
        title = f"{node.label} | " if node.label else ""
        text = f"{title}data {node.data:.4g}\ngrad {node.grad:.4g}"
        boxes[id(node)] = ax.text(x, y, text, ha="center", va="center", bbox=box_style, fontsize=8)
    for node in order:
        if not node.op:
            continue
        x, y = pos[id(node)]
        op = ax.text(x - 1.0, y, node.op, ha="center", va="center", bbox=op_style, fontsize=8)
        _arrow(ax, op, boxes[id(node)])
        for child in node.children:
            _arrow(ax, boxes[id(child)], op)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1.3, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    ax.set_title("Computation graph (data: forward value; grad: d root / d node)")
    return ax


def _arrow(ax, source, target) -> None:
    """An arrow between two text artists, clipped to the edges of their boxes."""
    props = {"arrowstyle": "->", "color": "0.35", "patchA": source.get_bbox_patch(), "patchB": target.get_bbox_patch()}
    ax.annotate("", xy=target.get_position(), xytext=source.get_position(), arrowprops=props)

import math

import matplotlib
import numpy as np
import pytest

from dlcore import layers as L
from dlcore.autograd import Value, draw_graph, topological_order

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

EPS = 1e-6

# f(a, b) written once and evaluated both on Values and on plain floats
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "radd": lambda a, b: 2.0 + a * b,
    "rsub": lambda a, b: 3.0 - a * b,
    "rmul": lambda a, b: 2.5 * a + b,
    "rdiv": lambda a, b: 1.0 / (a * b),
    "neg": lambda a, b: -a * b,
    "pow": lambda a, b: a**3 + b**-2 + a**0.5,
    "reuse": lambda a, b: a * a * b - a / (b + a),
}
UNARY = {
    "exp": (lambda v: v.exp(), math.exp),
    "log": (lambda v: v.log(), math.log),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
}


def central_difference(f, x):
    return (f(x + EPS) - f(x - EPS)) / (2 * EPS)


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("a0, b0", [(1.3, 0.7), (2.0, -1.5)])
def test_binary_operation_grads_match_finite_differences(name, a0, b0):
    f = BINARY[name]
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(f(a0, b0))
    assert a.grad == pytest.approx(central_difference(lambda t: f(t, b0), a0), rel=1e-6)
    assert b.grad == pytest.approx(central_difference(lambda t: f(a0, t), b0), rel=1e-6)


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("x0", [-1.7, 0.4, 2.2])
def test_unary_function_grads_match_finite_differences(name, x0):
    op, reference = UNARY[name]
    if name == "log":
        x0 = abs(x0)
    x = Value(x0)
    out = op(x * 1.0)  # through one extra node, to exercise the chain rule
    out.backward()
    assert out.data == pytest.approx(reference(x0))
    assert x.grad == pytest.approx(central_difference(reference, x0), rel=1e-6)


def test_a_neuron_matches_dense_and_tanh_layers():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(3), rng.standard_normal(3), 0.3
    # scalar graph: o = tanh(sum_i w_i x_i + b)
    xs, ws, bv = [Value(v) for v in x], [Value(v) for v in w], Value(b)
    o = (sum((wi * xi for wi, xi in zip(ws, xs, strict=True)), bv)).tanh()
    o.backward()
    # the same neuron as layers
    dense, act = L.Dense(3, 1, dtype=np.float64), L.Tanh()
    dense.W.value[:, 0], dense.b.value[0] = w, b
    y = act(dense(x[None, :]))
    grad_x = dense.backward(act.backward(np.ones((1, 1))))
    assert o.data == pytest.approx(y[0, 0])
    np.testing.assert_allclose([v.grad for v in ws], dense.W.grad[:, 0])
    assert bv.grad == pytest.approx(dense.b.grad[0])
    np.testing.assert_allclose([v.grad for v in xs], grad_x[0])


def test_backward_handles_a_chain_of_ten_thousand_operations():
    x = Value(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()  # a recursive topological sort would exceed Python's recursion limit here
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


def test_a_value_used_twice_gets_both_contributions():
    a = Value(3.0)
    (a * a + a).backward()
    assert a.grad == pytest.approx(2 * 3.0 + 1)


def test_gradients_accumulate_over_backward_calls():
    a = Value(2.0)
    out = a * 5.0
    out.backward()
    out.backward()
    assert a.grad == 10.0


def test_topological_order_puts_every_node_after_its_inputs():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    root = (c + a).tanh()
    order = topological_order(root)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is root and len(order) == 5
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node.children)


def test_sigmoid_does_not_overflow():
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0


def test_power_needs_a_number_exponent():
    with pytest.raises(TypeError, match="number k only"):
        Value(2.0) ** Value(3.0)


def test_draw_graph_draws_a_box_per_value_and_a_circle_per_operation():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    n = x * w + 1.0
    n.label = "n"
    out = n.tanh()
    out.backward()
    ax = draw_graph(out)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    texts = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    values = topological_order(out)
    n_ops = sum(1 for v in values if v.op)
    assert len(texts) == len(values) + n_ops
    assert len(arrows) == n_ops + sum(len(v.children) for v in values)  # op -> result, input -> op
    assert any(t.startswith("x | data 2") and f"grad {x.grad:.4g}" in t for t in texts)
    assert {"*", "+", "tanh"} <= set(texts)
    assert ax.get_title()
    plt.close(ax.figure)

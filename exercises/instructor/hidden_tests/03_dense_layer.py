"""Hidden tests of Exercise 3. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def _layer(rng, n, d, m, dtype=np.float64):
    return (
        rng.normal(size=(n, d)).astype(dtype),
        rng.normal(size=(d, m)).astype(dtype),
        rng.normal(size=m).astype(dtype),
    )


def dense_forward(rng, ref):
    cases = [
        ("batch of 5, 3 -> 4", *_layer(rng, 5, 3, 4)),
        ("batch of one", *_layer(rng, 1, 6, 2)),
        ("one input feature", *_layer(rng, 4, 1, 3)),
        ("one output", *_layer(rng, 3, 5, 1)),
        ("float32 stays float32", *_layer(rng, 4, 3, 2, F32)),
    ]
    return [
        Case(name, args=(x, W, b), expected=ref.dense_forward(x, W, b), hint="x @ W + b") for name, x, W, b in cases
    ]


def dense_backward(rng, ref):
    def case(name, n, d, m, dtype=np.float64, hint=""):
        x, W, _ = _layer(rng, n, d, m, dtype)
        delta = rng.normal(size=(n, m)).astype(dtype)
        return Case(name, args=(delta, x, W), expected=ref.dense_backward(delta, x, W), hint=hint)

    return [
        case("batch of 5, 3 -> 4", 5, 3, 4, hint="dx = delta @ W.T, dW = x.T @ delta, db = delta.sum(axis=0)"),
        case("batch of one: db has shape (M,)", 1, 4, 3, hint="sum over axis 0 without keepdims"),
        case("one output", 6, 2, 1),
        case("non-square everything", 2, 7, 5),
        case("float32 stays float32", 4, 3, 2, F32),
    ]


def relu_backward(rng, ref):
    z = rng.normal(size=(4, 5))
    z[0, :3] = 0.0
    delta = rng.normal(size=(4, 5))
    z3 = rng.normal(size=(2, 3, 4))
    d3 = rng.normal(size=(2, 3, 4))
    z32, d32 = z.astype(F32), delta.astype(F32)
    return [
        Case(
            "random, with exact zeros in z",
            args=(delta, z),
            expected=ref.relu_backward(delta, z),
            hint="the gradient passes only where z > 0 (0 at z == 0)",
        ),
        Case("three axes", args=(d3, z3), expected=ref.relu_backward(d3, z3)),
        Case("float32 stays float32", args=(d32, z32), expected=ref.relu_backward(d32, z32)),
    ]


def two_layer_loss_and_grads(rng, ref):
    def case(name, n, d, h, k, dtype=np.float64, **tol):
        shapes = {"x": (n, d), "y": (n, k), "W1": (d, h), "b1": (h,), "W2": (h, k), "b2": (k,)}
        arrays = {key: rng.normal(size=shape).astype(dtype) for key, shape in shapes.items()}
        args = tuple(arrays.values())
        return Case(
            name,
            args=args,
            expected=ref.two_layer_loss_and_grads(*args),
            hint="start from (y_hat - y) / N and chain dense_backward and relu_backward",
            **tol,
        )

    return [
        case("batch of 6: 4 -> 5 -> 3", 6, 4, 5, 3),
        case("batch of one", 1, 3, 4, 2),
        case("one output", 5, 2, 3, 1),
        case("float32", 4, 3, 6, 2, F32, rtol=1e-3, atol=1e-5),
    ]


HIDDEN = {
    "3.1": dense_forward,
    "3.2": dense_backward,
    "3.3": relu_backward,
    "3.4": two_layer_loss_and_grads,
}

"""Hidden tests of Exercise 12. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The inputs
mix positive and negative pre-activations, so a ReLU mask in the wrong place, a missing skip
gradient, gradients assigned instead of added, or transposed weight gradients all show.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def _block(rng, n, d, h, dtype=np.float64):
    x = rng.normal(size=(n, d)).astype(dtype)
    W1 = (rng.normal(size=(d, h)) / np.sqrt(d)).astype(dtype)
    b1 = rng.normal(0.0, 0.5, h).astype(dtype)
    W2 = (rng.normal(size=(h, d)) / np.sqrt(h)).astype(dtype)
    b2 = rng.normal(0.0, 0.5, d).astype(dtype)
    return x, W1, b1, W2, b2


def linear_layer(rng, ref):
    hint = "y = x W + b; backward adds x^T grad_out to dW and grad_out's column sums to db, returns grad_out W^T"
    cases = []
    for name, (n, d_in, d_out, dtype) in {
        "a batch of 5, 4 -> 3": (5, 4, 3, np.float64),
        "a batch of one": (1, 3, 2, np.float64),
        "wide: 2 -> 7": (6, 2, 7, np.float64),
        "float32 stays float32": (4, 5, 3, F32),
    }.items():
        x = rng.normal(size=(n, d_in)).astype(dtype)
        W = rng.normal(size=(d_in, d_out)).astype(dtype)
        b = rng.normal(size=d_out).astype(dtype)
        g = rng.normal(size=(n, d_out)).astype(dtype)
        cases.append(Case(name, args=(x, W, b, g), expected=ref.linear_layer(x, W, b, g), hint=hint))
    return cases


def residual_forward(rng, ref):
    hint = "out = x + ReLU(x W1 + b1) W2 + b2 (the ReLU acts before W2, and nothing acts after the addition)"
    cases = []
    for name, (n, d, h, dtype) in {
        "a batch of 6, D = 4, H = 8": (6, 4, 8, np.float64),
        "a batch of one": (1, 3, 5, np.float64),
        "a narrow hidden layer, H = 2": (5, 6, 2, np.float64),
        "float32 stays float32": (4, 4, 4, F32),
    }.items():
        args = _block(rng, n, d, h, dtype)
        cases.append(Case(name, args=args, expected=ref.residual_forward(*args), hint=hint))
    return cases


def residual_backward(rng, ref):
    hint = "dx = grad_out (the skip path) + ((grad_out W2^T) * [x W1 + b1 > 0]) W1^T"
    cases = []
    for name, (n, d, h, dtype) in {
        "a batch of 6, D = 4, H = 8": (6, 4, 8, np.float64),
        "a batch of one": (1, 3, 5, np.float64),
        "a narrow hidden layer, H = 2": (5, 6, 2, np.float64),
        "float32 stays float32": (4, 4, 4, F32),
    }.items():
        x, W1, b1, W2, b2 = _block(rng, n, d, h, dtype)
        g = rng.normal(size=(n, d)).astype(dtype)
        args = (x, W1, b1, W2, b2, g)
        cases.append(Case(name, args=args, expected=ref.residual_backward(*args), hint=hint))
    return cases


HIDDEN = {
    "12.1": linear_layer,
    "12.2": residual_forward,
    "12.3": residual_backward,
}

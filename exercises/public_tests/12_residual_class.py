"""Public tests of Exercise 12 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 12: A layer as a class"
QUESTIONS = [
    Question("12.1", "linear_layer", 3, "a dense layer", outputs=("y", "dx", "dW", "db")),
    Question("12.2", "residual_forward", 2, "the residual block's forward pass"),
    Question(
        "12.3", "residual_backward", 4, "the residual block's backward pass", outputs=("dx", "dW1", "db1", "dW2", "db2")
    ),
]
X = np.array([[1.0, -1.0]])
EYE = np.eye(2)
ZERO2 = np.zeros(2)

PUBLIC = {
    "12.1": [
        Case(
            "one example; backward called twice adds up",
            args=(
                np.array([[1.0, 2.0]]),
                np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]),
                np.array([0.5, 0.0, -1.0]),
                np.array([[1.0, 0.0, 1.0]]),
            ),
            expected=(
                np.array([[1.5, 2.0, 2.0]]),
                np.array([[2.0, 1.0]]),
                np.array([[2.0, 0.0, 2.0], [4.0, 0.0, 4.0]]),
                np.array([2.0, 0.0, 2.0]),
            ),
            hint="backward adds x^T grad_out into dW and the column sums into db (+=, not =)",
        ),
    ],
    "12.2": [
        Case(
            "identity weights: out = x + ReLU(x)",
            args=(X, EYE, ZERO2, EYE, ZERO2),
            expected=np.array([[2.0, -1.0]]),
            hint="out = x + ReLU(x W1 + b1) W2 + b2",
        ),
    ],
    "12.3": [
        Case(
            "identity weights: the skip path and the positive unit both carry gradient",
            args=(X, EYE, ZERO2, EYE, ZERO2, np.array([[1.0, 1.0]])),
            expected=(
                np.array([[2.0, 1.0]]),
                np.array([[1.0, 0.0], [-1.0, 0.0]]),
                np.array([1.0, 0.0]),
                np.array([[1.0, 1.0], [0.0, 0.0]]),
                np.array([1.0, 1.0]),
            ),
            hint="dx = grad_out (skip path) + the gradient through the layers",
        ),
    ],
}

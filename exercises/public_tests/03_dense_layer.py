"""Public tests of Exercise 3 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 3: Forward and backward through a dense layer"
QUESTIONS = [
    Question("3.1", "dense_forward", 2, "the forward pass"),
    Question("3.2", "dense_backward", 4, "the backward pass", outputs=("dx", "dW", "db")),
    Question("3.3", "relu_backward", 2, "the backward pass of ReLU"),
    Question(
        "3.4",
        "two_layer_loss_and_grads",
        4,
        "a two-layer network, end to end",
        outputs=("L", "dW1", "db1", "dW2", "db2"),
    ),
]
X1 = np.array([[1.0, 2.0]])
W1 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])

PUBLIC = {
    "3.1": [
        Case(
            "one input",
            args=(X1, W1, np.array([0.5, 0.0, -1.0])),
            expected=np.array([[1.5, 2.0, 2.0]]),
        ),
        Case(
            "zero inputs give the bias in every row (float32)",
            args=(np.zeros((4, 3), np.float32), np.ones((3, 2), np.float32), np.array([1.0, -1.0], np.float32)),
            expected=np.tile(np.array([1.0, -1.0], np.float32), (4, 1)),
        ),
    ],
    "3.2": [
        Case(
            "one input",
            args=(np.array([[1.0, 0.0, 2.0]]), X1, W1),
            expected=(np.array([[3.0, 2.0]]), np.array([[1.0, 0.0, 2.0], [2.0, 0.0, 4.0]]), np.array([1.0, 0.0, 2.0])),
            hint="dx = delta @ W.T, dW = x.T @ delta, db = delta.sum(axis=0)",
        ),
        Case(
            "db sums over the batch",
            args=(np.array([[1.0, 1.0], [2.0, 3.0]]), np.zeros((2, 1)), np.zeros((1, 2))),
            expected=(np.zeros((2, 1)), np.zeros((1, 2)), np.array([3.0, 4.0])),
        ),
    ],
    "3.3": [
        Case(
            "blocks where z <= 0",
            args=(np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, 0.0, 0.5, 2.0])),
            expected=np.array([0.0, 0.0, 3.0, 4.0]),
            hint="delta * (z > 0)",
        ),
        Case(
            "float32, 2-D",
            args=(np.ones((2, 2), np.float32), np.array([[1.0, -1.0], [-1.0, 1.0]], np.float32)),
            expected=np.array([[1.0, 0.0], [0.0, 1.0]], np.float32),
        ),
    ],
    "3.4": [
        Case(
            "a network small enough to do by hand",
            args=(
                np.array([[1.0]]),
                np.array([[0.0]]),
                np.array([[1.0, -1.0]]),
                np.zeros(2),
                np.array([[2.0], [3.0]]),
                np.zeros(1),
            ),
            expected=(2.0, np.array([[4.0, 0.0]]), np.array([4.0, 0.0]), np.array([[2.0], [0.0]]), np.array([2.0])),
            hint="h = relu(x W1 + b1) = (1, 0), y_hat = 2, L = 2; dL/dy_hat = (y_hat - y) / N = 2",
        ),
    ],
}

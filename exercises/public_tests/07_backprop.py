"""Public tests of Exercise 7 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 7: Backpropagation through a two-hidden-layer network"
QUESTIONS = [
    Question("7.1", "mlp_forward", 3, "the forward pass"),
    Question("7.2", "mlp_backward", 5, "the backward pass"),
    Question("7.3", "mlp_sgd_step", 2, "one step of gradient descent"),
]

# A network small enough to follow by hand: D = H1 = H2 = C = 2, one example x = (1, -2).
X1 = np.array([[1.0, -2.0]])
PARAMS = {
    "W1": np.eye(2),
    "b1": np.zeros(2),
    "W2": np.array([[2.0, 0.0], [0.0, 1.0]]),
    "b2": np.array([0.0, -1.0]),
    "W3": np.array([[1.0, 0.0], [0.0, 0.0]]),
    "b3": np.zeros(2),
}
# Z1 = (1, -2), A1 = (1, 0), Z2 = (2, -1), A2 = (2, 0), Z3 = (2, 0), P = (s, 1 - s), s = sigmoid(2)
S = 1 / (1 + np.exp(-2.0))
CACHE = {
    "Z1": np.array([[1.0, -2.0]]),
    "A1": np.array([[1.0, 0.0]]),
    "Z2": np.array([[2.0, -1.0]]),
    "A2": np.array([[2.0, 0.0]]),
    "P": np.array([[S, 1 - S]]),
}
LARGE = {**PARAMS, "b3": np.array([1000.0, 0.0])}  # logits (1002, 0)
# With label 1, delta3 = (s, -s) and the rest follows from BP2-BP4.
GRADS = {
    "W1": np.array([[2 * S, 0.0], [-4 * S, 0.0]]),
    "b1": np.array([2 * S, 0.0]),
    "W2": np.array([[S, 0.0], [0.0, 0.0]]),
    "b2": np.array([S, 0.0]),
    "W3": np.array([[2 * S, -2 * S], [0.0, 0.0]]),
    "b3": np.array([S, -S]),
}

PUBLIC = {
    "7.1": [
        Case("one example, by hand", args=(X1, PARAMS), expected=CACHE),
        Case(
            "logits of 1000: probabilities, not NaN",
            args=(X1, LARGE),
            expected={**CACHE, "P": np.array([[1.0, 0.0]])},
            hint="subtract each row's largest logit before np.exp",
        ),
        Case(
            "float32 stays float32",
            args=(X1.astype(np.float32), {k: v.astype(np.float32) for k, v in PARAMS.items()}),
            expected={k: v.astype(np.float32) for k, v in CACHE.items()},
        ),
    ],
    "7.2": [
        Case(
            "one example, by hand",
            args=(X1, np.array([1]), PARAMS, CACHE),
            expected=GRADS,
            hint="delta3 = (P - Y) / N; delta2 = (delta3 @ W3.T) * (Z2 > 0); dW = A_prev.T @ delta",
        ),
        Case(
            "the same example twice: the mean gradient is unchanged",
            args=(
                np.repeat(X1, 2, axis=0),
                np.array([1, 1]),
                PARAMS,
                {k: np.repeat(v, 2, axis=0) for k, v in CACHE.items()},
            ),
            expected=GRADS,
            hint="divide by the batch size N once, in delta3",
        ),
    ],
    "7.3": [
        Case(
            "one step",
            args=(
                {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])},
                {"W": np.array([[1.0, -1.0]]), "b": np.array([2.0])},
                0.1,
            ),
            expected={"W": np.array([[0.9, 2.1]]), "b": np.array([0.3])},
            hint="a new dict {name: params[name] - lr * grads[name]}",
        ),
        Case(
            "float32 stays float32",
            args=({"W": np.ones((2, 2), np.float32)}, {"W": np.ones((2, 2), np.float32)}, 0.5),
            expected={"W": np.full((2, 2), 0.5, np.float32)},
        ),
    ],
}

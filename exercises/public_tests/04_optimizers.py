"""Public tests of Exercise 4 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 4: Optimizer steps as pure functions"
QUESTIONS = [
    Question("4.1", "sgd_step", 2, "plain gradient descent with weight decay"),
    Question("4.2", "momentum_step", 3, "SGD with momentum", outputs=("new w", "new state")),
    Question("4.3", "adam_step", 5, "Adam", outputs=("new w", "new state")),
]

PUBLIC = {
    "4.1": [
        Case(
            "one step",
            args=(np.array([1.0, 2.0]), np.array([0.5, -1.0])),
            kwargs={"lr": 0.1},
            expected=np.array([0.95, 2.1]),
        ),
        Case(
            "weight decay pulls toward zero",
            args=(np.array([1.0, 2.0]), np.array([0.5, -1.0])),
            kwargs={"lr": 0.1, "weight_decay": 0.5},
            expected=np.array([0.9, 2.0]),
            hint="w - lr * (dw + weight_decay * w)",
        ),
        Case(
            "float32 in, float32 out",
            args=(np.ones(3, np.float32), np.ones(3, np.float32)),
            kwargs={"lr": 0.5},
            expected=np.full(3, 0.5, np.float32),
        ),
    ],
    "4.2": [
        Case(
            "first step (state None): v = dw",
            args=(np.array([1.0, 1.0]), np.array([1.0, -2.0]), None),
            kwargs={"lr": 0.1, "beta": 0.9},
            expected=(np.array([0.9, 1.2]), {"v": np.array([1.0, -2.0])}),
            hint='start from v = np.zeros_like(w) and return (new_w, {"v": new_v})',
        ),
        Case(
            "a later step",
            args=(np.zeros(2), np.array([1.0, 1.0]), {"v": np.array([1.0, 0.0])}),
            kwargs={"lr": 0.1, "beta": 0.9},
            expected=(np.array([-0.19, -0.1]), {"v": np.array([1.9, 1.0])}),
            hint="v = beta * v + dw, then w = w - lr * v; build new arrays, do not update v in place",
        ),
    ],
    "4.3": [
        Case(
            "first step (state None) moves each weight by about lr",
            args=(np.zeros(2), np.array([2.0, -3.0]), None),
            kwargs={"lr": 0.1},
            expected=(np.array([-0.1, 0.1]), {"m": np.array([0.2, -0.3]), "v": np.array([0.004, 0.009]), "t": 1}),
            hint="with bias correction, m_hat = dw and v_hat = dw**2 after the first step",
        ),
        Case(
            "a zero gradient does not move w",
            args=(np.ones(3), np.zeros(3), None),
            expected=(np.ones(3), {"m": np.zeros(3), "v": np.zeros(3), "t": 1}),
        ),
    ],
}

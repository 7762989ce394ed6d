"""Public tests of Exercise 8 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 8: Mini-batch SGD and gradient clipping"
QUESTIONS = [
    Question("8.1", "shuffled_batches", 3, "the batches of every epoch"),
    Question("8.2", "clip_by_global_norm", 3, "clipping by global norm", outputs=("clipped", "norm")),
    Question("8.3", "minibatch_sgd", 4, "the training loop", outputs=("w", "losses")),
]

# np.random.default_rng(0).permutation(5) twice in a row gives [2 4 3 0 1], then [4 1 2 0 3].
X4 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
Y4 = np.array([1.0, 2.0, 3.0, 0.0])

PUBLIC = {
    "8.1": [
        Case(
            "n = 5, batches of 2, two epochs, seed 0",
            args=(5, 2, 2, 0),
            expected=[np.array(b) for b in ([2, 4], [3, 0], [1], [4, 1], [2, 0], [3])],
            hint="one generator for the whole run; a new rng.permutation(n) at the start of every epoch",
        ),
        Case(
            "one batch of everything",
            args=(5, 5, 1, 0),
            expected=[np.array([2, 4, 3, 0, 1])],
        ),
    ],
    "8.2": [
        Case(
            "norm 10 clipped to 5",
            args=([np.array([6.0, 0.0]), np.array([[0.0], [8.0]])], 5.0),
            expected=([np.array([3.0, 0.0]), np.array([[0.0], [4.0]])], 10.0),
            hint="one factor max_norm / norm for every array, from the norm of all arrays together",
        ),
        Case(
            "below the limit: unchanged",
            args=([np.array([0.3, 0.4])], 1.0),
            expected=([np.array([0.3, 0.4])], 0.5),
        ),
    ],
    "8.3": [
        Case(
            "4 points, batches of 2, two epochs, seed 0",
            args=(X4, Y4, np.zeros(2), 0.1, 2, 2, 0),
            expected=(np.array([0.5518, 0.8714]), [1.8598, 1.00370907]),
            hint="w -= lr * 2 / B * Xb.T @ (Xb @ w - yb); record the loss on all the data after each epoch",
        ),
    ],
}

"""Public tests of Exercise 10 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 10: Batch normalization and inverted dropout"
QUESTIONS = [
    Question(
        "10.1", "batchnorm_train", 4, "the forward pass in training", outputs=("y", "running_mean", "running_var")
    ),
    Question("10.2", "batchnorm_eval", 1, "the forward pass at inference"),
    Question("10.3", "batchnorm_backward", 4, "the backward pass", outputs=("dx", "dgamma", "dbeta")),
    Question("10.4", "inverted_dropout", 2, "inverted dropout"),
]
X = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0], [7.0, 16.0]])  # feature means 4 and 13, variances 5 and 9
ONES, ZEROS = np.ones(2), np.zeros(2)
EPS0 = 0.0  # eps = 0 makes the public answers exact fractions

PUBLIC = {
    "10.1": [
        Case(
            "standardised columns; running statistics move 10% of the way",
            args=(X, ONES, ZEROS, ZEROS, ONES, 0.1, EPS0),
            expected=(
                np.array([[-3, -1], [-1, -1], [1, 1], [3, 1]]) / np.array([np.sqrt(5), 1.0]),
                np.array([0.4, 1.3]),
                np.array([0.9 + 0.1 * 5 * 4 / 3, 0.9 + 0.1 * 9 * 4 / 3]),
            ),
            hint="normalise with the batch mean and biased variance; the running variance gets N / (N - 1) times it",
        ),
        Case(
            "gamma scales and beta shifts",
            args=(X, np.array([2.0, -1.0]), np.array([0.5, 3.0]), ZEROS, ONES, 0.5, EPS0),
            expected=(
                np.array([[-3, -1], [-1, -1], [1, 1], [3, 1]]) / np.array([np.sqrt(5), 1.0]) * [2.0, -1.0] + [0.5, 3.0],
                np.array([2.0, 6.5]),
                np.array([0.5 + 0.5 * 5 * 4 / 3, 0.5 + 0.5 * 9 * 4 / 3]),
            ),
        ),
    ],
    "10.2": [
        Case(
            "the running statistics normalise, one example at a time",
            args=(np.array([[5.0, 0.0]]), ONES, ZEROS, np.array([1.0, 2.0]), np.array([4.0, 16.0]), EPS0),
            expected=np.array([[2.0, -0.5]]),
            hint="y = gamma (x - running_mean) / sqrt(running_var + eps) + beta",
        ),
    ],
    "10.3": [
        Case(
            "a constant upstream gradient gives dx = 0",
            args=(np.ones((4, 2)), X, ONES, EPS0),
            expected=(np.zeros((4, 2)), np.zeros(2), np.array([4.0, 4.0])),
            atol=1e-12,
            hint="the batch mean depends on every x_n: shifting all of them together changes nothing",
        ),
        Case(
            "an upstream gradient along x_hat gives dx = 0 too",
            args=(np.array([[-3.0, 0.0], [-1.0, 0.0], [1.0, 0.0], [3.0, 0.0]]), X, ONES, EPS0),
            expected=(np.zeros((4, 2)), np.array([20 / np.sqrt(5), 0.0]), np.zeros(2)),
            atol=1e-12,
            hint="the batch variance depends on every x_n: scaling all deviations together changes nothing",
        ),
    ],
    "10.4": [
        Case(
            "training: keep u >= p and scale by 1 / (1 - p)",
            args=(np.array([[1.0, 2.0, 3.0, 4.0]]), 0.5, np.array([[0.1, 0.7, 0.5, 0.2]]), True),
            expected=np.array([[0.0, 4.0, 6.0, 0.0]]),
            hint="the survivors are divided by 1 - p so that the expected output equals x",
        ),
        Case(
            "inference: dropout is off",
            args=(np.array([[1.0, 2.0, 3.0, 4.0]]), 0.5, np.array([[0.1, 0.7, 0.5, 0.2]]), False),
            expected=np.array([[1.0, 2.0, 3.0, 4.0]]),
        ),
    ],
}

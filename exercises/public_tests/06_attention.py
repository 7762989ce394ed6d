"""Public tests of Exercise 6 (learners may read these; the hidden tests try more cases)."""

import math

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 6: Scaled dot-product attention with a mask"
QUESTIONS = [
    Question("6.1", "causal_mask", 1, "the causal mask"),
    Question("6.2", "masked_softmax", 3, "a softmax that respects a mask"),
    Question("6.3", "attention", 4, "scaled dot-product attention", outputs=("out", "weights")),
    Question("6.4", "split_heads", 2, "splitting features into heads"),
]
CAUSAL_3 = np.array([[True, False, False], [True, True, False], [True, True, True]])
THIRD = 1 / 3
V3 = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])

PUBLIC = {
    "6.1": [
        Case("T = 3", args=(3,), expected=CAUSAL_3, hint="True where key j <= query i"),
        Case("T = 1", args=(1,), expected=np.array([[True]])),
    ],
    "6.2": [
        Case(
            "equal scores under a causal mask",
            args=(np.zeros((1, 3, 3)), CAUSAL_3),
            expected=np.array([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [THIRD, THIRD, THIRD]]]),
        ),
        Case(
            "a fully masked row is all zeros",
            args=(np.zeros((2, 2)), np.array([[True, True], [False, False]])),
            expected=np.array([[0.5, 0.5], [0.0, 0.0]]),
            strict_fp=True,
            hint="avoid 0/0: divide by the row total only where it is positive",
        ),
        Case(
            "scores of +-1000",
            args=(np.array([[1000.0, -1000.0, 1000.0]]), np.ones((1, 3), bool)),
            expected=np.array([[0.5, 0.0, 0.5]]),
            strict_fp=True,
            hint="subtract the row maximum over the allowed entries before exp",
        ),
    ],
    "6.3": [
        Case(
            "zero queries average the values",
            args=(np.zeros((1, 3, 4)), np.ones((1, 3, 4)), V3),
            expected=(np.array([[[3.0, 4.0]] * 3]), np.full((1, 3, 3), THIRD)),
        ),
        Case(
            "zero queries under a causal mask average the visible values",
            args=(np.zeros((1, 3, 4)), np.ones((1, 3, 4)), V3, CAUSAL_3),
            expected=(
                np.array([[[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]]]),
                np.array([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [THIRD, THIRD, THIRD]]]),
            ),
        ),
        Case(
            "scores are divided by sqrt(d)",
            args=(np.full((1, 4), math.log(3) / 2), np.array([[1.0, 1.0, 1.0, 1.0], [0.0] * 4]), 4 * np.eye(2)),
            expected=(np.array([[3.0, 1.0]]), np.array([[0.75, 0.25]])),
            hint="scores = Q @ K^T / sqrt(d) with d = Q.shape[-1]",
        ),
    ],
    "6.4": [
        Case(
            "two heads of three features",
            args=(np.arange(12.0).reshape(1, 2, 6), 2),
            expected=np.array([[[[0.0, 1.0, 2.0], [6.0, 7.0, 8.0]], [[3.0, 4.0, 5.0], [9.0, 10.0, 11.0]]]]),
            hint="reshape to (B, T, h, dh), then move the head axis before T",
        ),
    ],
}

"""Public tests of Exercise 15 (learners may read these; the hidden tests try more cases)."""

import math

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 15: Multi-head causal self-attention and positional encodings"
QUESTIONS = [
    Question("15.1", "sinusoidal_encoding", 3, "sinusoidal positional encodings"),
    Question("15.2", "causal_self_attention", 3, "causal self-attention, one head", outputs=("out", "weights")),
    Question("15.3", "multi_head_self_attention", 4, "multi-head causal self-attention", outputs=("out", "weights")),
]
THIRD = 1 / 3
CAUSAL_AVERAGE = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [THIRD, THIRD, THIRD]])
V3 = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
S = math.sin(1.0)
C = math.cos(1.0)

PUBLIC = {
    "15.1": [
        Case(
            "T = 2, d = 2: sin and cos of the position",
            args=(2, 2),
            expected=np.array([[0.0, 1.0], [S, C]]),
            hint="even columns sin, odd columns cos; frequency 1 for the first pair",
        ),
        Case(
            "T = 2, d = 4: the second pair turns 100 times slower",
            args=(2, 4),
            expected=np.array([[0.0, 1.0, 0.0, 1.0], [S, C, math.sin(0.01), math.cos(0.01)]]),
            hint="pair i uses p / 10000^(2i/d): for d = 4 and i = 1 that is p / 100",
        ),
    ],
    "15.2": [
        Case(
            "zero queries average the visible values",
            args=(np.zeros((3, 4)), np.ones((3, 4)), V3),
            expected=(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]]), CAUSAL_AVERAGE),
            hint="query i sees keys 0..i; rows of the weights sum to 1",
        ),
        Case(
            "scores are divided by sqrt(d_k)",
            args=(
                np.full((2, 4), math.log(3) / 2),
                np.array([[1.0, 1.0, 1.0, 1.0], [0.0] * 4]),
                4 * np.eye(2),
            ),
            expected=(np.array([[4.0, 0.0], [3.0, 1.0]]), np.array([[1.0, 0.0], [0.75, 0.25]])),
            hint="scores = Q @ K^T / sqrt(d_k) with d_k = Q.shape[-1]; softmax over the last axis",
        ),
    ],
    "15.3": [
        Case(
            "identity projections, one head, zero input",
            args=(np.zeros((1, 3, 2)), np.eye(2), np.eye(2), np.eye(2), np.eye(2), 1),
            expected=(np.zeros((1, 3, 2)), CAUSAL_AVERAGE[None, None]),
            hint="equal scores: each query averages the keys it may see",
        ),
        Case(
            "two heads, values pass through, W_o swaps the halves",
            args=(
                np.array([[[1.0, 2.0], [3.0, 4.0]]]),
                np.zeros((2, 2)),
                np.zeros((2, 2)),
                np.eye(2),
                np.array([[0.0, 1.0], [1.0, 0.0]]),
                2,
            ),
            expected=(
                np.array([[[2.0, 1.0], [3.0, 2.0]]]),
                np.array([[[[1.0, 0.0], [0.5, 0.5]], [[1.0, 0.0], [0.5, 0.5]]]]),
            ),
            hint="merge the heads back to (B, T, d) before multiplying by W_o",
        ),
    ],
}

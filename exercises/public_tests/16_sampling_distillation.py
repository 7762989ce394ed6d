"""Public tests of Exercise 16 (learners may read these; the hidden tests try more cases)."""

import math

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 16: Sampling with temperature and top-k, and the distillation loss"
QUESTIONS = [
    Question("16.1", "softmax_with_temperature", 2, "softmax with a temperature"),
    Question("16.2", "top_k_filter", 2, "top-k filtering"),
    Question("16.3", "sample_tokens", 3, "drawing tokens"),
    Question("16.4", "distillation_loss", 3, "the distillation loss and its gradient", outputs=("loss", "grad")),
]
LN2, LN3 = math.log(2), math.log(3)
INF = np.inf
U0 = float(np.random.default_rng(0).random())  # the uniform number seed 0 draws first

PUBLIC = {
    "16.1": [
        Case(
            "T = 2 halves the logits",
            args=(np.array([2 * LN2, 0.0]), 2.0),
            expected=np.array([2 / 3, 1 / 3]),
            hint="divide the logits by T, then softmax",
        ),
        Case(
            "T = 1 is the plain softmax, float32 stays float32",
            args=(np.array([[LN3, 0.0]], dtype=np.float32), 1.0),
            expected=np.array([[0.75, 0.25]], dtype=np.float32),
        ),
    ],
    "16.2": [
        Case(
            "k = 2 with a three-way tie: the two lowest indices survive",
            args=(np.array([1.0, 3.0, 3.0, 3.0, 0.0]), 2),
            expected=np.array([-INF, 3.0, 3.0, -INF, -INF]),
            hint="exactly k survive; argsort(-logits, kind='stable') puts ties in index order",
        ),
        Case(
            "k = 1 per row",
            args=(np.array([[5.0, 4.0, 3.0], [0.0, 2.0, 1.0]]), 1),
            expected=np.array([[5.0, -INF, -INF], [-INF, 2.0, -INF]]),
        ),
    ],
    "16.3": [
        Case(
            "temperature 0 is greedy",
            args=(np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 3.0]]), 0.0, None, 0),
            expected=np.array([1, 0]),
            hint="argmax of each row, as int64",
        ),
        Case(
            "two equally likely tokens, seed 0",
            args=(np.array([0.0, 0.0]), 1.0, None, 0),
            expected=np.array(int(U0 > 0.5)),
            hint="u = np.random.default_rng(seed).random(logits.shape[:-1]); first index with cdf > u",
        ),
        Case(
            "top-1 always picks the largest",
            args=(np.log(np.array([[0.2, 0.5, 0.3]] * 3)), 1.0, 1, 4),
            expected=np.array([1, 1, 1]),
        ),
    ],
    "16.4": [
        Case(
            "a perfect student: loss and gradient 0",
            args=(np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 2.0, 3.0]]), 2.0),
            expected=(0.0, np.zeros((1, 3))),
        ),
        Case(
            "tau = 2: tau^2 times the KL divergence, gradient tau (q - p) / N",
            args=(np.array([[2 * LN3, 0.0]]), np.array([[0.0, 0.0]]), 2.0),
            expected=(2 * math.log(4 / 3), np.array([[0.5, -0.5]])),
            hint="L = tau^2 * mean KL(p || q); dL/dS = tau * (q - p) / N",
        ),
    ],
}

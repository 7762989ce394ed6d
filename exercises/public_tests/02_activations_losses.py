"""Public tests of Exercise 2 (learners may read these; the hidden tests try more cases)."""

import math

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 2: Activations and losses that never overflow"
QUESTIONS = [
    Question("2.1", "sigmoid", 2, "a sigmoid that never overflows"),
    Question("2.2", "softmax", 3, "a numerically stable softmax"),
    Question("2.3", "binary_cross_entropy", 2, "binary cross-entropy from probabilities"),
    Question("2.4", "binary_cross_entropy_logits", 3, "binary cross-entropy from logits"),
    Question("2.5", "categorical_cross_entropy", 3, "categorical cross-entropy from logits"),
    Question("2.6", "categorical_cross_entropy_grad", 3, "the gradient of the categorical cross-entropy"),
]
OVERFLOW_HINT = "never take exp of a large positive number: rewrite the formula so every exponent is <= 0"
LN2 = math.log(2)

PUBLIC = {
    "2.1": [
        Case("sigmoid(0) = 1/2", args=(np.array([0.0]),), expected=np.array([0.5])),
        Case(
            "sigmoid(+-ln 3) = 3/4 and 1/4",
            args=(np.array([math.log(3), -math.log(3)]),),
            expected=np.array([0.75, 0.25]),
        ),
        Case(
            "float32 in, float32 out",
            args=(np.zeros((2, 2), dtype=np.float32),),
            expected=np.full((2, 2), 0.5, dtype=np.float32),
        ),
        Case(
            "no overflow at +-1000",
            args=(np.array([-1000.0, 1000.0]),),
            expected=np.array([0.0, 1.0]),
            strict_fp=True,
            hint=OVERFLOW_HINT,
        ),
    ],
    "2.2": [
        Case(
            "softmax(log(1, 2, 5)) = (1, 2, 5) / 8",
            args=(np.log(np.array([[1.0, 2.0, 5.0]])),),
            expected=np.array([[0.125, 0.25, 0.625]]),
        ),
        Case(
            "each row on its own",
            args=(np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, math.log(5)]]),),
            expected=np.array([[0.25, 0.25, 0.25, 0.25], [0.125, 0.125, 0.125, 0.625]]),
            hint="sum over axis=-1 with keepdims=True, so each row is divided by its own total",
        ),
        Case(
            "scores of +-1000",
            args=(np.array([[1000.0, 1000.0], [0.0, -1000.0]]),),
            expected=np.array([[0.5, 0.5], [1.0, 0.0]]),
            strict_fp=True,
            hint="subtract each row's maximum before exp",
        ),
        Case(
            "float32 in, float32 out",
            args=(np.zeros((1, 4), dtype=np.float32),),
            expected=np.full((1, 4), 0.25, dtype=np.float32),
        ),
    ],
    "2.3": [
        Case("p = 1/2 costs ln 2", args=(np.array([0.5, 0.5]), np.array([1.0, 0.0])), expected=LN2),
        Case("p = 1/4 for a positive costs ln 4", args=(np.array([0.25]), np.array([1.0])), expected=math.log(4)),
        Case(
            "confident and right: p exactly 1 and 0",
            args=(np.array([1.0, 0.0]), np.array([1.0, 0.0])),
            expected=-math.log1p(-1e-7),
            atol=1e-12,
            strict_fp=True,
            hint="clip p to [eps, 1 - eps] before taking logs",
        ),
    ],
    "2.4": [
        Case("z = 0 costs ln 2", args=(np.array([0.0, 0.0]), np.array([0.0, 1.0])), expected=LN2),
        Case(
            "confident and right at +-1000 costs 0",
            args=(np.array([1000.0, -1000.0]), np.array([1.0, 0.0])),
            expected=0.0,
            strict_fp=True,
            hint=OVERFLOW_HINT,
        ),
        Case(
            "confident and wrong at -1000 costs 1000",
            args=(np.array([-1000.0]), np.array([1.0])),
            expected=1000.0,
            strict_fp=True,
            hint="use max(z, 0) - z*y + log1p(exp(-|z|)): no clipping, no overflow",
        ),
    ],
    "2.5": [
        Case("two equal logits cost ln 2", args=(np.zeros((1, 2)), np.array([0])), expected=LN2),
        Case(
            "label 2 with probabilities (1, 2, 5) / 8 costs ln(8/5)",
            args=(np.log(np.array([[1.0, 2.0, 5.0]])), np.array([2])),
            expected=math.log(8 / 5),
        ),
        Case(
            "logits of +-1000",
            args=(np.array([[1000.0, 0.0], [1000.0, 0.0]]), np.array([0, 1])),
            expected=500.0,
            strict_fp=True,
            hint="log-sum-exp: m + log(sum(exp(z - m))) with m the row maximum",
        ),
    ],
    "2.6": [
        Case(
            "probabilities (1, 2, 5) / 8 with label 2",
            args=(np.log(np.array([[1.0, 2.0, 5.0]])), np.array([2])),
            expected=np.array([[0.125, 0.25, -0.375]]),
        ),
        Case(
            "a batch of two is divided by 2",
            args=(np.zeros((2, 2)), np.array([0, 1])),
            expected=np.array([[-0.25, 0.25], [0.25, -0.25]]),
            hint="the loss is a mean over the batch, so its gradient carries 1/N",
        ),
        Case(
            "logits of +-1000, float32",
            args=(np.array([[1000.0, 0.0]], dtype=np.float32), np.array([1])),
            expected=np.array([[1.0, -1.0]], dtype=np.float32),
            strict_fp=True,
        ),
    ],
}

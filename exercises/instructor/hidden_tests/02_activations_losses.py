"""Hidden tests of Exercise 2. Instructor-only: keep this folder private when grading for credit.

Each function gets a random generator (seeded by the grader) and the reference solutions
(``ref``, run in the grader's process) and returns the cases; expected answers never leave the
grader. The fixed diagnostic cases catch every mistake of ``../mistakes/02_activations_losses.py``
whatever the draw; the random cases only add variety.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32
EXTREME = np.array([-1000.0, -710.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 710.0, 1000.0])
OVERFLOW_HINT = "never take exp of a large positive number: rewrite the formula so every exponent is <= 0"
LOSS_F32 = {"rtol": 1e-4, "atol": 1e-6}


def _labels(rng, n, classes):
    return rng.integers(0, classes, size=n)


def sigmoid(rng, ref):
    z = rng.normal(0.0, 5.0, size=(4, 6))
    z32 = rng.normal(0.0, 5.0, size=9).astype(F32)
    return [
        Case("random 4x6 (float64)", args=(z,), expected=ref.sigmoid(z)),
        Case("float32 stays float32", args=(z32,), expected=ref.sigmoid(z32)),
        Case(  # atol=0: sigmoid(-710) = 4.5e-309 is representable; 1 / (1 + exp(710)) gives 0
            "extreme inputs, no overflow",
            args=(EXTREME,),
            expected=ref.sigmoid(EXTREME),
            atol=0.0,
            strict_fp=True,
            hint=OVERFLOW_HINT,
        ),
        Case(
            "extreme inputs in float32",
            args=(EXTREME.astype(F32),),
            expected=ref.sigmoid(EXTREME.astype(F32)),
            strict_fp=True,
            hint=OVERFLOW_HINT,
        ),
        Case("a single number as a 0-d array", args=(np.array(2.0),), expected=ref.sigmoid(np.array(2.0))),
    ]


def softmax(rng, ref):
    z = rng.normal(size=(5, 7)) * 3
    z1 = rng.normal(size=(1, 4))
    z3 = rng.normal(size=(2, 3, 4))
    z32 = rng.normal(size=(3, 5)).astype(F32)
    big = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]])
    shift = z + 1000.0
    hint = "subtract the row maximum (axis=-1, keepdims=True) before exp"
    return [
        Case("random 5x7", args=(z,), expected=ref.softmax(z)),
        Case("batch of one", args=(z1,), expected=ref.softmax(z1)),
        Case(
            "three axes: softmax over the last",
            args=(z3,),
            expected=ref.softmax(z3),
            hint="work along axis=-1 with keepdims=True",
        ),
        Case("float32 stays float32", args=(z32,), expected=ref.softmax(z32)),
        Case("scores of +-1000", args=(big,), expected=ref.softmax(big), strict_fp=True, hint=hint),
        Case("all scores shifted by +1000", args=(shift,), expected=ref.softmax(z), strict_fp=True, hint=hint),
    ]


def binary_cross_entropy(rng, ref):
    p = rng.uniform(0.05, 0.95, size=8)
    y = rng.integers(0, 2, size=8).astype(float)
    p_edge = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    y_edge = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    p32, y32 = p.astype(F32), y.astype(F32)
    hint = "clip p to [eps, 1 - eps], then average over the batch"
    return [
        Case("random batch of 8", args=(p, y), expected=ref.binary_cross_entropy(p, y), hint=hint),
        Case("batch of one", args=(p[:1], y[:1]), expected=ref.binary_cross_entropy(p[:1], y[:1])),
        Case(
            "p exactly 0 and 1, right and wrong",
            args=(p_edge, y_edge),
            expected=ref.binary_cross_entropy(p_edge, y_edge),
            strict_fp=True,
            hint=hint,
            rtol=1e-5,
        ),
        Case(
            "eps passed by keyword",
            args=(p_edge, y_edge),
            kwargs={"eps": 1e-3},
            expected=ref.binary_cross_entropy(p_edge, y_edge, eps=1e-3),
            strict_fp=True,
            rtol=1e-6,
        ),
        Case("float32 inputs", args=(p32, y32), expected=ref.binary_cross_entropy(p32, y32), **LOSS_F32),
    ]


def binary_cross_entropy_logits(rng, ref):
    z = rng.normal(0.0, 3.0, size=10)
    y = rng.integers(0, 2, size=10).astype(float)
    y_edge = (np.arange(EXTREME.size) % 2).astype(float)
    z32, y32 = z.astype(F32), y.astype(F32)
    hint = "max(z, 0) - z*y + log1p(exp(-|z|)), averaged"
    return [
        Case("random batch of 10", args=(z, y), expected=ref.binary_cross_entropy_logits(z, y), hint=hint),
        Case("batch of one", args=(z[:1], y[:1]), expected=ref.binary_cross_entropy_logits(z[:1], y[:1])),
        Case(
            "extreme logits, both labels",
            args=(EXTREME, y_edge),
            expected=ref.binary_cross_entropy_logits(EXTREME, y_edge),
            strict_fp=True,
            hint=OVERFLOW_HINT,
        ),
        Case(
            "confidently wrong at -1000 costs exactly 1000",
            args=(np.array([-1000.0]), np.array([1.0])),
            expected=1000.0,
            strict_fp=True,
            hint="clipping probabilities caps this loss; the logit form does not",
        ),
        Case("float32 inputs", args=(z32, y32), expected=ref.binary_cross_entropy_logits(z32, y32), **LOSS_F32),
    ]


def categorical_cross_entropy(rng, ref):
    logits = rng.normal(size=(6, 4)) * 2
    labels = _labels(rng, 6, 4)
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, 0.0]])
    big_labels = np.array([0, 2, 1])
    two = rng.normal(size=(5, 2))
    two_labels = _labels(rng, 5, 2)
    l32 = logits.astype(F32)
    # the label's probability underflows to 0 (e^-2000): only log-sum-exp gives the loss, (2000 + ln 3) / 2
    under = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    under_labels = np.array([2, 1])
    hint = "log-sum-exp with the row maximum subtracted, minus the label's logit, averaged"
    return [
        Case(
            "a label whose probability underflows to 0 costs 1000 + ln(3)/2",
            args=(under, under_labels),
            expected=ref.categorical_cross_entropy(under, under_labels),
            strict_fp=True,
            hints={
                "floating-point": "log(softmax) takes log(0) when a probability underflows: "
                "use log-sum-exp, m + log(sum(exp(z - m))) - z[label]",
                "values": "log(softmax + eps) caps the loss: use log-sum-exp, m + log(sum(exp(z - m))) - z[label]",
            },
        ),
        Case("random 6x4", args=(logits, labels), expected=ref.categorical_cross_entropy(logits, labels), hint=hint),
        Case(
            "batch of one",
            args=(logits[:1], labels[:1]),
            expected=ref.categorical_cross_entropy(logits[:1], labels[:1]),
        ),
        Case("two classes", args=(two, two_labels), expected=ref.categorical_cross_entropy(two, two_labels)),
        Case(
            "logits of +-1000",
            args=(big, big_labels),
            expected=ref.categorical_cross_entropy(big, big_labels),
            strict_fp=True,
            hint=hint,
        ),
        Case("float32 logits", args=(l32, labels), expected=ref.categorical_cross_entropy(l32, labels), **LOSS_F32),
    ]


def categorical_cross_entropy_grad(rng, ref):
    logits = rng.normal(size=(5, 3)) * 2
    labels = _labels(rng, 5, 3)
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    big_labels = np.array([2, 1])
    l32 = rng.normal(size=(4, 6)).astype(F32)
    labels32 = _labels(rng, 4, 6)
    hint = "(softmax(logits) - one_hot(labels)) / N"
    return [
        Case(
            "random 5x3", args=(logits, labels), expected=ref.categorical_cross_entropy_grad(logits, labels), hint=hint
        ),
        Case(
            "batch of one",
            args=(logits[:1], labels[:1]),
            expected=ref.categorical_cross_entropy_grad(logits[:1], labels[:1]),
            hint=hint,
        ),
        Case(
            "logits of +-1000",
            args=(big, big_labels),
            expected=ref.categorical_cross_entropy_grad(big, big_labels),
            strict_fp=True,
            hint=hint,
        ),
        Case("float32 stays float32", args=(l32, labels32), expected=ref.categorical_cross_entropy_grad(l32, labels32)),
    ]


HIDDEN = {
    "2.1": sigmoid,
    "2.2": softmax,
    "2.3": binary_cross_entropy,
    "2.4": binary_cross_entropy_logits,
    "2.5": categorical_cross_entropy,
    "2.6": categorical_cross_entropy_grad,
}

"""Hidden tests of Exercise 11. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The fixed
cases make the classic mistakes visible: a transposed confusion matrix (asymmetric errors),
micro averaging where macro is asked and the reverse (an imbalanced problem whose rare class
is handled badly), macro F1 as the harmonic mean of macro precision and recall, AUC read off
a single threshold, and ties counted as wins or losses.
"""

import numpy as np

from dlgrade.spec import Case


def _imbalanced(rng, n=60, classes=3):
    """Mostly class 0, a few of each other class; the rare classes are often missed."""
    y_true = np.where(rng.random(n) < 0.75, 0, rng.integers(1, classes, n))
    y_pred = np.where(rng.random(n) < 0.8, y_true, rng.integers(0, classes, n))
    y_pred[(y_true > 0) & (rng.random(n) < 0.4)] = 0  # the rare classes are often called 0
    return y_true.astype(np.int64), y_pred.astype(np.int64)


def confusion_matrix(rng, ref):
    hint = "rows: true class, columns: predicted class, shape (C, C) even for classes that never occur"
    y_true, y_pred = _imbalanced(rng, 50, 4)
    asym_true, asym_pred = np.array([0, 0, 0, 1, 2, 2]), np.array([1, 1, 0, 1, 0, 2])
    cases = [
        Case("imbalanced, 4 classes", args=(y_true, y_pred, 4), expected=ref.confusion_matrix(y_true, y_pred, 4)),
        Case(
            "errors in one direction only",
            args=(asym_true, asym_pred, 3),
            expected=ref.confusion_matrix(asym_true, asym_pred, 3),
        ),
        Case(
            "classes 3 and 4 never occur",
            args=(asym_true, asym_pred, 5),
            expected=ref.confusion_matrix(asym_true, asym_pred, 5),
        ),
        Case(
            "one sample",
            args=(np.array([1]), np.array([0]), 2),
            expected=ref.confusion_matrix(np.array([1]), np.array([0]), 2),
        ),
    ]
    for case in cases:
        case.hint = hint
    return cases


def precision_recall_f1(rng, ref):
    cases = []
    y_true, y_pred = _imbalanced(rng, 80, 3)
    fixed_true = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
    fixed_pred = np.array([0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0])  # class 2 never predicted
    for name, (t, p, c) in {
        "imbalanced, 3 classes": (y_true, y_pred, 3),
        "a rare class never predicted": (fixed_true, fixed_pred, 3),
        "a class that never occurs nor is predicted": (fixed_true, fixed_pred, 4),
    }.items():
        for average in ("macro", "micro"):
            hint = (
                "macro: P, R and F1 per class, then the mean of each (F1 is not computed from the mean P and R)"
                if average == "macro"
                else "micro: add TP, FP and FN over the classes, then divide once"
            )
            cases.append(
                Case(
                    f"{name}, {average}",
                    args=(t, p, c, average),
                    expected=ref.precision_recall_f1(t, p, c, average),
                    hint=hint,
                )
            )
    return cases


def roc_auc(rng, ref):
    hint = "AUC is the fraction of (positive, negative) pairs in which the positive scores higher, ties 1/2"
    y = (rng.random(40) < 0.3).astype(np.int64)
    y[:2] = [0, 1]
    s = rng.normal(size=40) + y
    tied_y = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    tied_s = np.array([0.2, 0.5, 0.5, 0.9, 0.5, 0.2, 0.1, 0.5])
    far_y = np.array([1, 0, 0, 1, 0])
    far_s = np.array([0.9, 0.8, 0.7, 0.6, 0.1])  # all above 0.5 but one: one threshold sees nothing
    cases = []
    for name, (t, sc) in {
        "40 random scores": (y, s),
        "many ties": (tied_y, tied_s),
        "scores all above one threshold": (far_y, far_s),
        "perfectly wrong": (np.array([1, 1, 0, 0]), np.array([0.1, 0.2, 0.3, 0.4])),
        "logits, not probabilities": (y, 10.0 * s - 3.0),
    }.items():
        cases.append(Case(name, args=(t, sc), expected=ref.roc_auc(t, sc), hint=hint))
    return cases


HIDDEN = {
    "11.1": confusion_matrix,
    "11.2": precision_recall_f1,
    "11.3": roc_auc,
}

"""Public tests of Exercise 11 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 11: Classification metrics from scratch"
QUESTIONS = [
    Question("11.1", "confusion_matrix", 2, "the confusion matrix"),
    Question("11.2", "precision_recall_f1", 4, "precision, recall and F1, macro and micro", outputs=("P", "R", "F1")),
    Question("11.3", "roc_auc", 3, "ROC AUC"),
]
# 6 samples of class 0, 2 of class 1: class 1 is found once and predicted once wrongly
Y_TRUE = np.array([0, 0, 0, 0, 0, 0, 1, 1])
Y_PRED = np.array([0, 0, 0, 0, 0, 1, 1, 0])

PUBLIC = {
    "11.1": [
        Case(
            "rows are the truth, columns the prediction",
            args=(Y_TRUE, Y_PRED, 2),
            expected=np.array([[5, 1], [1, 1]]),
            hint="entry [i, j] counts true class i predicted as j",
        ),
        Case(
            "a class that never occurs keeps its row and column",
            args=(np.array([0, 2]), np.array([2, 2]), 3),
            expected=np.array([[0, 0, 1], [0, 0, 0], [0, 0, 1]]),
        ),
    ],
    "11.2": [
        Case(
            "macro: the mean of the per-class scores",
            args=(Y_TRUE, Y_PRED, 2, "macro"),
            expected=(0.5 * (5 / 6 + 1 / 2), 0.5 * (5 / 6 + 1 / 2), 0.5 * (5 / 6 + 1 / 2)),
            hint="compute P, R and F1 for each class, then average each over the classes",
        ),
        Case(
            "micro: pool the counts (equals accuracy here)",
            args=(Y_TRUE, Y_PRED, 2, "micro"),
            expected=(0.75, 0.75, 0.75),
            hint="add TP, FP and FN over the classes first, then divide",
        ),
        Case(
            "a class never predicted has precision 0",
            args=(np.array([0, 1, 1]), np.array([0, 0, 0]), 2, "macro"),
            expected=(1 / 6, 0.5, 0.25),
            hint="where TP + FP = 0 the precision counts as 0 (not nan)",
        ),
    ],
    "11.3": [
        Case(
            "three of the four (positive, negative) pairs in order",
            args=(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])),
            expected=0.75,
            hint="count the (positive, negative) pairs in the right order",
        ),
        Case(
            "a tie counts one half",
            args=(np.array([0, 1]), np.array([0.5, 0.5])),
            expected=0.5,
        ),
    ],
}

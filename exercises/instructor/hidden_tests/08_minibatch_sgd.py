"""Hidden tests of Exercise 8. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. Every case
of 8.1 and 8.3 runs at least two epochs, so a loop that shuffles once (or never) fails, and
the clipping cases spread the norm over arrays of different sizes, so clipping each array on
its own fails.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def shuffled_batches(rng, ref):
    seed = int(rng.integers(0, 10_000))
    hint = "a new rng.permutation(n) at the start of every epoch, from one generator made once"
    return [
        Case(
            "n = 10, batches of 3, three epochs",
            args=(10, 3, 3, seed),
            expected=ref.shuffled_batches(10, 3, 3, seed),
            hint=hint,
        ),
        Case(
            "batches of 1 (SGD), two epochs",
            args=(6, 1, 2, seed + 1),
            expected=ref.shuffled_batches(6, 1, 2, seed + 1),
            hint=hint,
        ),
        Case(
            "full batch, three epochs",
            args=(7, 7, 3, seed + 2),
            expected=ref.shuffled_batches(7, 7, 3, seed + 2),
            hint=hint,
        ),
        Case(
            "n = 20, batches of 8, four epochs",
            args=(20, 8, 4, seed + 3),
            expected=ref.shuffled_batches(20, 8, 4, seed + 3),
            hint=hint,
        ),
    ]


def clip_by_global_norm(rng, ref):
    big = [rng.normal(size=(4, 3)) * 5, rng.normal(size=3) * 0.1, rng.normal(size=(2, 2, 2))]
    small = [g * 1e-3 for g in big]
    hint = "norm = sqrt(sum of g**2 over ALL arrays); every array times max_norm / norm when norm > max_norm"
    return [
        Case("three arrays over the limit", args=(big, 1.0), expected=ref.clip_by_global_norm(big, 1.0), hint=hint),
        Case("under the limit: unchanged", args=(small, 1.0), expected=ref.clip_by_global_norm(small, 1.0)),
        Case(
            "one large and one small array",
            args=([np.array([30.0, 40.0]), np.array([0.3, 0.4])], 5.0),
            expected=ref.clip_by_global_norm([np.array([30.0, 40.0]), np.array([0.3, 0.4])], 5.0),
            hint=hint,
        ),
        Case(
            "all zero",
            args=([np.zeros(3), np.zeros((2, 2))], 1.0),
            expected=ref.clip_by_global_norm([np.zeros(3), np.zeros((2, 2))], 1.0),
        ),
        Case(
            "float32 stays float32",
            args=([g.astype(F32) for g in big], 2.0),
            expected=ref.clip_by_global_norm([g.astype(F32) for g in big], 2.0),
        ),
    ]


def minibatch_sgd(rng, ref):
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=50)
    w0 = np.zeros(3)
    seed = int(rng.integers(0, 10_000))
    hint = "one generator; a new permutation each epoch; w -= lr * 2 / B * Xb.T @ (Xb @ w - yb)"
    return [
        Case(
            "50 points, batches of 8, five epochs",
            args=(X, y, w0, 0.05, 8, 5, seed),
            expected=ref.minibatch_sgd(X, y, w0, 0.05, 8, 5, seed),
            hint=hint,
        ),
        Case(
            "batches of 1, two epochs",
            args=(X[:12], y[:12], w0, 0.02, 1, 2, seed),
            expected=ref.minibatch_sgd(X[:12], y[:12], w0, 0.02, 1, 2, seed),
            hint=hint,
        ),
        Case(
            "full batch, three epochs",
            args=(X, y, w0, 0.1, 50, 3, seed),
            expected=ref.minibatch_sgd(X, y, w0, 0.1, 50, 3, seed),
        ),
        Case(
            "float32 stays float32",
            args=(X.astype(F32), y.astype(F32), w0.astype(F32), 0.05, 16, 3, seed),
            expected=ref.minibatch_sgd(X.astype(F32), y.astype(F32), w0.astype(F32), 0.05, 16, 3, seed),
        ),
    ]


HIDDEN = {
    "8.1": shuffled_batches,
    "8.2": clip_by_global_norm,
    "8.3": minibatch_sgd,
}

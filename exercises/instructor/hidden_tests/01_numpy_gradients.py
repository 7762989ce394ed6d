"""Hidden tests of Exercise 1. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader.
"""

import numpy as np

from dlgrade.spec import Case, Fn

F32 = np.float32
CENTRAL = {"rtol": 1e-7, "atol": 1e-8}  # one-sided differences miss this by ~1e-6


def standardize(rng, ref):
    X = rng.normal(3.0, 2.0, size=(7, 3))
    constant = rng.normal(size=(5, 4))
    constant[:, 2] = 4.0
    cases = [
        ("random 7x3 (float64)", X),
        ("random 5x2 (float32)", rng.normal(size=(5, 2)).astype(F32)),
        ("batch of one row", rng.normal(size=(1, 6))),
        ("a constant column", constant),
        ("large offset: 1e6 + noise", 1e6 + rng.normal(size=(6, 2))),
    ]
    return [
        Case(name, args=(X,), expected=ref.standardize(X.copy()), hint="per column: (X - mean) / (std + eps)")
        for name, X in cases
    ]


def pairwise_sq_distances(rng, ref):
    def non_negative(result):
        return "some squared distances are negative" if np.any(np.asarray(result) < 0) else None

    A, B = rng.normal(size=(4, 3)), rng.normal(size=(6, 3))
    same = rng.normal(size=(5, 2))
    A32, B32 = rng.normal(size=(3, 5)).astype(F32), rng.normal(size=(2, 5)).astype(F32)
    cases = [
        ("4 points against 6 in 3-D", A, B, {}),
        ("one point against many", rng.normal(size=(1, 4)), rng.normal(size=(7, 4)), {}),
        ("one feature", rng.normal(size=(3, 1)), rng.normal(size=(4, 1)), {}),
        ("a set against itself: zero diagonal", same, same.copy(), {"atol": 1e-9}),
        ("float32", A32, B32, {"atol": 1e-4}),
    ]
    return [
        Case(
            name,
            args=(a, b),
            expected=ref.pairwise_sq_distances(a, b),
            check=non_negative,
            **tol,
            hint="no loops: A[:, None, :] - B[None, :, :], or the expanded square clipped at 0",
        )
        for name, a, b, tol in cases
    ]


def least_squares(rng, ref):
    w_true = rng.normal(size=4)
    X_exact = rng.normal(size=(9, 4))
    X = rng.normal(size=(12, 3))
    y = rng.normal(size=12)
    X_square = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    y_square = rng.normal(size=3)
    X32 = (rng.normal(size=(10, 2)) + np.array([1.0, -1.0])).astype(F32)
    y32 = rng.normal(size=10).astype(F32)
    return [
        Case("noise-free data recovers the true weights", args=(X_exact, X_exact @ w_true), expected=w_true),
        Case("noisy tall system", args=(X, y), expected=ref.least_squares(X, y), hint="solve X.T X w = X.T y"),
        Case("square system", args=(X_square, y_square), expected=np.linalg.solve(X_square, y_square), rtol=1e-6),
        Case("float32", args=(X32, y32), expected=ref.least_squares(X32, y32), rtol=1e-3, atol=1e-4),
    ]


def numerical_gradient(rng, ref):
    M = rng.normal(size=(5, 5))
    A = M + M.T
    b = rng.normal(size=5)
    x5 = rng.normal(size=5)
    x23 = rng.normal(size=(2, 3)) * 0.5
    w = rng.normal(size=(4, 1, 2))
    x412 = rng.normal(size=(4, 1, 2))
    hint = "central differences over every entry (np.ndindex(x.shape)); restore each entry exactly"
    return [
        Case(
            "a quadratic in 5-D",
            args=(Fn("quadratic", {"A": A, "b": b}), x5),
            expected=A @ x5 + b,
            hint=hint,
            **CENTRAL,
        ),
        Case(
            "sum(exp(3x)) / 3 on a 2x3 array",
            args=(Fn("sum_exp", {"scale": 3.0}), x23),
            expected=np.exp(3 * x23),
            hint=hint,
            **CENTRAL,
        ),
        Case(
            "sum(sin(w x)) on a 4x1x2 array",
            args=(Fn("sum_sin_product", {"w": w}), x412),
            expected=w * np.cos(w * x412),
            hint=hint,
            **CENTRAL,
        ),
        # with eps = 0.1 the central difference of exp is exp(x) sinh(eps) / eps, measurably not exp(x)
        Case(
            "eps = 0.1 passed by keyword",
            args=(Fn("sum_exp", {"scale": 1.0}), x5),
            kwargs={"eps": 0.1},
            expected=np.exp(x5) * np.sinh(0.1) / 0.1,
            hint="use the eps argument, not a constant",
            **CENTRAL,
        ),
    ]


HIDDEN = {
    "1.1": standardize,
    "1.2": pairwise_sq_distances,
    "1.3": least_squares,
    "1.4": numerical_gradient,
}

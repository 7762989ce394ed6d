"""Hidden tests of Exercise 1. Instructor-only: keep this folder private when grading for credit.

Each function gets a random generator (seeded by the grader) and the reference solutions
(``ref``, run in the grader's process) and returns the cases; expected answers never leave the
grader. The fixed diagnostic cases catch every mistake of ``../mistakes/01_numpy_gradients.py``
whatever the draw; the random cases only add variety.
"""

import numpy as np

from dlgrade.spec import Case, Fn

F32 = np.float32
CENTRAL = {"rtol": 1e-7, "atol": 1e-8}  # one-sided differences miss this by ~1e-6
FAR = np.random.default_rng(1202).normal(size=(40, 3)) + 100.0
# entries for which x + eps - 2 eps + eps != x (eps = 1e-6): "restoring" by arithmetic changes them
UNRESTORABLE = np.array([0.5621166546881184, 0.5602005194734958, -0.6224567253694104, 2.1827353149228874])


def standardize(rng, ref):
    X = rng.normal(3.0, 2.0, size=(7, 3))
    constant = rng.normal(size=(5, 4))
    constant[:, 2] = 4.0
    tiny = np.array([[1.0, 5.0], [1.0 + 2e-6, 3.0], [1.0 - 2e-6, 4.0], [1.0, 4.0]])  # column 0: std ~1.4e-6
    cases = [
        ("random 7x3 (float64)", X),
        ("random 5x2 (float32)", rng.normal(size=(5, 2)).astype(F32)),
        ("batch of one row", rng.normal(size=(1, 6))),
        ("a constant column", constant),
        ("large offset: 1e6 + noise", 1e6 + rng.normal(size=(6, 2))),
        ("a column with a spread of 1e-6 still gets unit std", tiny),
    ]
    hints = {
        "nan": "a batch of one row or a constant column has std 0: add eps to the std, and use np.std's "
        "default (divide by N, not N - 1)",
        "values": "per column (axis=0): (X - mean) / (std + eps), with the std that divides by N",
    }
    return [Case(name, args=(X,), expected=ref.standardize(X.copy()), hints=hints) for name, X in cases]


def pairwise_sq_distances(rng, ref):
    def non_negative(result):
        result = np.asarray(result)
        if not np.any(result < 0):
            return None
        where = tuple(int(i) for i in np.unravel_index(int(np.argmin(result)), result.shape))
        return (
            f"{int((result < 0).sum())} squared distances are negative (the smallest, {result[where]:.3g}, "
            f"at {list(where)}): round-off in |a|^2 + |b|^2 - 2 a.b; clip at 0 with np.maximum(..., 0)"
        )

    A, B = rng.normal(size=(4, 3)), rng.normal(size=(6, 3))
    same = rng.normal(size=(5, 2))
    A32, B32 = rng.normal(size=(3, 5)).astype(F32), rng.normal(size=(2, 5)).astype(F32)
    cases = [
        ("4 points against 6 in 3-D", A, B, {}),
        ("one point against many", rng.normal(size=(1, 4)), rng.normal(size=(7, 4)), {}),
        ("one feature", rng.normal(size=(3, 1)), rng.normal(size=(4, 1)), {}),
        ("a set against itself: zero diagonal", same, same.copy(), {"atol": 1e-9}),
        ("float32", A32, B32, {"atol": 1e-4}),
        # fixed: points far from the origin, where round-off makes the unclipped expansion negative
        ("40 points far from the origin against themselves", FAR, FAR.copy(), {"atol": 1e-8}),
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
    hints = {
        "mutated": "save each entry before you nudge it and put the saved value back: "
        "x + eps - 2 eps + eps is not always x in floating point"
    }
    return [
        Case(
            "x comes back exactly as it was",
            args=(Fn("sum_exp", {"scale": 1.0}), UNRESTORABLE),
            expected=np.exp(UNRESTORABLE),
            hints=hints,
            rtol=1e-6,
        ),
        Case(
            "a quadratic in 5-D",
            args=(Fn("quadratic", {"A": A, "b": b}), x5),
            expected=A @ x5 + b,
            hint=hint,
            hints=hints,
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

"""Public tests of Exercise 1 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Fn, Question

TITLE = "Exercise 1: NumPy warm-up and a numerical gradient"
QUESTIONS = [
    Question("1.1", "standardize", 2, "standardize the columns of a data matrix"),
    Question("1.2", "pairwise_sq_distances", 3, "all pairwise squared distances without loops"),
    Question("1.3", "least_squares", 2, "fit a linear model by least squares"),
    Question("1.4", "numerical_gradient", 3, "a numerical gradient by central differences"),
]


def _non_negative(result) -> str | None:
    return "some squared distances are negative" if np.any(np.asarray(result) < 0) else None


PUBLIC = {
    "1.1": [
        Case(
            "columns with means (2, 4) and standard deviations (1, 2)",
            args=(np.array([[1.0, 2.0], [3.0, 6.0]]),),
            expected=np.array([[-1.0, -1.0], [1.0, 1.0]]),
            hint="subtract X.mean(axis=0) and divide by X.std(axis=0) + eps",
        ),
        Case(
            "float32 in, float32 out",
            args=(np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32),),
            expected=np.array([[-1.0, -1.0], [1.0, 1.0]], dtype=np.float32),
        ),
        Case(
            "a batch of one row gives zeros",
            args=(np.array([[5.0, 7.0]]),),
            expected=np.zeros((1, 2)),
            hint="the standard deviation of a single row is 0: that is what eps is for",
        ),
    ],
    "1.2": [
        Case(
            "two points against three",
            args=(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 0.0], [3.0, 4.0]])),
            expected=np.array([[1.0, 0.0, 25.0], [1.0, 2.0, 13.0]]),
            check=_non_negative,
            hint="result[n, m] = sum over d of (A[n, d] - B[m, d])**2; try A[:, None, :] - B[None, :, :]",
        ),
        Case(
            "float32 in, float32 out",
            args=(np.array([[0.0, 0.0]], dtype=np.float32), np.array([[3.0, 4.0]], dtype=np.float32)),
            expected=np.array([[25.0]], dtype=np.float32),
        ),
    ],
    "1.3": [
        Case(
            "y lies exactly on a plane: w = (1, 2)",
            args=(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 3.0])),
            expected=np.array([1.0, 2.0]),
            hint="solve (X.T @ X) w = X.T @ y with np.linalg.solve",
        ),
        Case(
            "a constant model is the mean",
            args=(np.ones((3, 1)), np.array([1.0, 2.0, 6.0])),
            expected=np.array([3.0]),
        ),
    ],
    "1.4": [
        Case(
            "f(x) = sum(x**2) has gradient 2x",
            args=(Fn("quadratic", {"A": 2 * np.eye(3), "b": np.zeros(3)}), np.array([1.0, -2.0, 0.5])),
            expected=np.array([2.0, -4.0, 1.0]),
            rtol=1e-6,
            atol=1e-7,
            hint="(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry i",
        ),
        Case(
            "f(x) = b . x has gradient b",
            args=(Fn("quadratic", {"A": np.zeros((3, 3)), "b": np.array([1.0, 2.0, 3.0])}), np.zeros(3)),
            expected=np.array([1.0, 2.0, 3.0]),
            rtol=1e-6,
            atol=1e-7,
        ),
        Case(
            "x of shape (2, 2)",
            args=(Fn("quadratic", {"A": 2 * np.eye(4), "b": np.zeros(4)}), np.array([[1.0, 2.0], [3.0, 4.0]])),
            expected=np.array([[2.0, 4.0], [6.0, 8.0]]),
            rtol=1e-6,
            atol=1e-7,
            hint="loop over np.ndindex(x.shape) so that every entry of a 2-D x is visited",
        ),
    ],
}

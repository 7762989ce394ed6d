"""Classic mistakes in Exercise 1 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there.
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    # --- 1.1 standardize -------------------------------------------------------------------------
    Mistake(
        question="1.1",
        name="sample standard deviation (ddof=1)",
        code="""
def standardize(X, eps=1e-8):
    mean = X.mean(axis=0, keepdims=True)
    std = X.std(axis=0, ddof=1, keepdims=True)
    return (X - mean) / (std + eps)
""",
        hint="The formula divides by N (np.std's default, ddof=0); ddof=1 divides by N - 1, "
        "which is 0 for a batch of one row and gives NaN.",
    ),
    Mistake(
        question="1.1",
        name="statistics over the rows (axis=1) instead of the columns",
        code="""
def standardize(X, eps=1e-8):
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    return (X - mean) / (std + eps)
""",
        hint="Each feature is a column: take the mean and std over axis=0.",
    ),
    Mistake(
        question="1.1",
        name="one mean and std for the whole matrix (no axis)",
        code="""
def standardize(X, eps=1e-8):
    return (X - X.mean()) / (X.std() + eps)
""",
        hint="Each column gets its own mean and std: axis=0, keepdims=True.",
    ),
    Mistake(
        question="1.1",
        name="eps inside the square root",
        code="""
def standardize(X, eps=1e-8):
    mean = X.mean(axis=0, keepdims=True)
    var = X.var(axis=0, keepdims=True)
    return (X - mean) / np.sqrt(var + eps)
""",
        hint="The formula adds eps to the standard deviation, not to the variance: sqrt(var + eps) "
        "is at least 1e-4 and shrinks columns whose spread is smaller than that.",
    ),
    Mistake(
        question="1.1",
        name="no eps: a constant column divides 0 by 0",
        code="""
def standardize(X, eps=1e-8):
    mean = X.mean(axis=0, keepdims=True)
    return (X - mean) / X.std(axis=0, keepdims=True)
""",
        hint="Add eps to the standard deviation so that a constant column gives zeros.",
    ),
    Mistake(
        question="1.1",
        name="converts to float64",
        code="""
def standardize(X, eps=1e-8):
    X = X.astype(np.float64)
    mean = X.mean(axis=0, keepdims=True)
    return (X - mean) / (X.std(axis=0, keepdims=True) + eps)
""",
    ),
    Mistake(
        question="1.1",
        name="subtracts the mean in place",
        code="""
def standardize(X, eps=1e-8):
    X -= X.mean(axis=0, keepdims=True)
    return X / (X.std(axis=0, keepdims=True) + eps)
""",
    ),
    # --- 1.2 pairwise_sq_distances --------------------------------------------------------------
    Mistake(
        question="1.2",
        name="expanded square without clipping at zero",
        code="""
def pairwise_sq_distances(A, B):
    a2 = np.sum(A * A, axis=1)[:, None]
    b2 = np.sum(B * B, axis=1)[None, :]
    return a2 + b2 - 2 * A @ B.T
""",
        hint="Round-off makes a2 + b2 - 2ab slightly negative for (nearly) equal points: np.maximum(..., 0).",
    ),
    Mistake(
        question="1.2",
        name="distances instead of squared distances",
        code="""
def pairwise_sq_distances(A, B):
    diff = A[:, None, :] - B[None, :, :]
    return np.sqrt(np.sum(diff * diff, axis=-1))
""",
        hint="Return the squared distance: no square root.",
    ),
    Mistake(
        question="1.2",
        name="expanded square without the factor 2",
        code="""
def pairwise_sq_distances(A, B):
    a2 = np.sum(A * A, axis=1)[:, None]
    b2 = np.sum(B * B, axis=1)[None, :]
    return np.maximum(a2 + b2 - A @ B.T, 0)
""",
        hint="|a - b|^2 = |a|^2 + |b|^2 - 2 a.b.",
    ),
    Mistake(
        question="1.2",
        name="the norms of A used twice",
        code="""
def pairwise_sq_distances(A, B):
    a2 = np.sum(A * A, axis=1)
    return np.maximum(a2[:, None] + a2[:, None] - 2 * A @ B.T, 0)
""",
    ),
    Mistake(
        question="1.2",
        name="summed over the points instead of the features",
        code="""
def pairwise_sq_distances(A, B):
    diff = A[:, None, :] - B[None, :, :]
    return np.sum(diff * diff, axis=1)
""",
        hint="diff has shape (N, M, D): sum over the last axis, the features.",
    ),
    # --- 1.3 least_squares -----------------------------------------------------------------------
    Mistake(
        question="1.3",
        name="solves X w = y directly (only works for square X)",
        code="""
def least_squares(X, y):
    return np.linalg.solve(X, y)
""",
        hint="A tall X has no inverse: solve the normal equations X.T X w = X.T y.",
    ),
    Mistake(
        question="1.3",
        name="X @ X.T instead of X.T @ X",
        code="""
def least_squares(X, y):
    return np.linalg.solve(X @ X.T, X @ y)
""",
    ),
    Mistake(
        question="1.3",
        name="forgets X.T on the right-hand side",
        code="""
def least_squares(X, y):
    return np.linalg.solve(X.T @ X, y)
""",
    ),
    Mistake(
        question="1.3",
        name="computes in float64 and returns float64",
        code="""
def least_squares(X, y):
    X, y = X.astype(np.float64), y.astype(np.float64)
    return np.linalg.solve(X.T @ X, X.T @ y)
""",
    ),
    Mistake(
        question="1.3",
        name="a column of weights (D, 1) instead of (D,)",
        code="""
def least_squares(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y[:, None])
""",
    ),
    # --- 1.4 numerical_gradient --------------------------------------------------------------------
    Mistake(
        question="1.4",
        name="one-sided difference",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        f0 = f(x)
        x[index] = old + eps
        f_plus = f(x)
        x[index] = old
        grad[index] = (f_plus - f0) / eps
    return grad
""",
        hint="Use (f(x + eps) - f(x - eps)) / (2 eps): its error shrinks like eps^2.",
    ),
    Mistake(
        question="1.4",
        name="restores x by subtracting eps instead of saving the old value",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += eps
        f_plus = f(x)
        x[index] -= 2 * eps
        f_minus = f(x)
        x[index] += eps
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
""",
        hint="x + eps - 2 eps + eps is not always x in floating point: save the old value and put it back.",
    ),
    Mistake(
        question="1.4",
        name="ignores the eps argument",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + 1e-6
        f_plus = f(x)
        x[index] = old - 1e-6
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / 2e-6
    return grad
""",
    ),
    Mistake(
        question="1.4",
        name="divides by eps instead of 2 eps",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        f_plus = f(x)
        x[index] = old - eps
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / eps
    return grad
""",
    ),
    Mistake(
        question="1.4",
        name="loops over the first axis only",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
""",
        hint="Loop over every entry whatever the shape: for index in np.ndindex(x.shape).",
    ),
    Mistake(
        question="1.4",
        name="nudges every entry at once",
        code="""
def numerical_gradient(f, x, eps=1e-6):
    slope = (f(x + eps) - f(x - eps)) / (2 * eps)
    return np.full_like(x, slope)
""",
        hint="Each entry gets its own nudge, e_i: one pair of calls of f per entry.",
    ),
]

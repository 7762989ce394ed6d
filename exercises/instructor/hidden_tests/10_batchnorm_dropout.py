"""Hidden tests of Exercise 10. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The fixed
cases are chosen so that each classic mistake changes the answer: running statistics used in
training (the running mean and variance here are far from the batch's), the unbiased variance
in the normalisation (a batch of two), a biased running variance, Keras's momentum convention,
the inference-mode gradient in training, dropout without the 1 / (1 - p) scaling, dropout left
on at inference.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def _params(rng, c, dtype=np.float64):
    gamma = rng.uniform(0.5, 2.0, c).astype(dtype)
    beta = rng.normal(size=c).astype(dtype)
    running_mean = rng.normal(3.0, 1.0, c).astype(dtype)  # far from the batch mean (about 0)
    running_var = rng.uniform(2.0, 4.0, c).astype(dtype)  # far from the batch variance (about 1)
    return gamma, beta, running_mean, running_var


def batchnorm_train(rng, ref):
    hint = "normalise with the batch's mean and biased variance; only the running variance gets N / (N - 1)"
    cases = []
    for name, n, c, momentum, dtype in [
        ("a batch of 16, 5 features", 16, 5, 0.1, np.float64),
        ("a batch of two", 2, 3, 0.1, np.float64),
        ("momentum 0.3", 8, 4, 0.3, np.float64),
        ("float32 stays float32", 32, 6, 0.1, F32),
    ]:
        x = rng.normal(size=(n, c)).astype(dtype)
        args = (x, *_params(rng, c, dtype), momentum, 1e-5)
        cases.append(Case(name, args=args, expected=ref.batchnorm_train(*args), hint=hint))
    x = rng.normal(size=(6, 3))
    x[:, 1] = 7.0  # a constant feature: variance 0, eps keeps the division finite
    args = (x, *_params(rng, 3), 0.1, 1e-5)
    cases.append(
        Case("a constant feature", args=args, expected=ref.batchnorm_train(*args), strict_fp=True, hint="add eps")
    )
    big = rng.normal(1e4, 1.0, size=(10, 2))
    args = (big, *_params(rng, 2), 0.1, 1e-5)
    cases.append(Case("features with a large mean", args=args, expected=ref.batchnorm_train(*args), hint=hint))
    return cases


def batchnorm_eval(rng, ref):
    hint = "at inference use the running mean and variance, not the batch's"
    cases = []
    for name, n, c, dtype in [
        ("a batch of 8", 8, 4, np.float64),
        ("a single example", 1, 5, np.float64),
        ("float32 stays float32", 6, 3, F32),
    ]:
        x = rng.normal(size=(n, c)).astype(dtype)
        args = (x, *_params(rng, c, dtype), 1e-5)
        cases.append(Case(name, args=args, expected=ref.batchnorm_eval(*args), hint=hint))
    return cases


def batchnorm_backward(rng, ref):
    hint = "mu and sigma^2 depend on every x_n: dx = inv_std (g - mean(g) - x_hat mean(g x_hat)), g = dy gamma"
    cases = []
    for name, n, c, dtype in [
        ("a batch of 10, 4 features", 10, 4, np.float64),
        ("a batch of two", 2, 3, np.float64),
        ("one feature", 7, 1, np.float64),
        ("float32 stays float32", 16, 5, F32),
    ]:
        x = rng.normal(2.0, 3.0, size=(n, c)).astype(dtype)
        dy = rng.normal(size=(n, c)).astype(dtype)
        gamma = rng.uniform(0.5, 2.0, c).astype(dtype)
        args = (dy, x, gamma, 1e-5)
        cases.append(Case(name, args=args, expected=ref.batchnorm_backward(*args), hint=hint))
    return cases


def inverted_dropout(rng, ref):
    hint = "keep where u >= p, scale the kept values by 1 / (1 - p); return x unchanged when not training"
    cases = []
    for name, shape, p, training, dtype in [
        ("p = 0.3 on (8, 5)", (8, 5), 0.3, True, np.float64),
        ("p = 0.8 on (4, 3, 2)", (4, 3, 2), 0.8, True, np.float64),
        ("p = 0 keeps everything", (3, 4), 0.0, True, np.float64),
        ("inference", (6, 4), 0.5, False, np.float64),
        ("float32 stays float32", (5, 5), 0.25, True, F32),
    ]:
        x = rng.normal(size=shape).astype(dtype)
        u = rng.random(shape).astype(dtype)
        args = (x, p, u, training)
        cases.append(Case(name, args=args, expected=ref.inverted_dropout(*args), hint=hint))
    return cases


HIDDEN = {
    "10.1": batchnorm_train,
    "10.2": batchnorm_eval,
    "10.3": batchnorm_backward,
    "10.4": inverted_dropout,
}

"""Hidden tests of Exercise 7. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. Shapes are
chosen so that every classic slip shows: D, H1, H2 and C all differ (a missing transpose
cannot even run), and a square network (where it runs silently and gives wrong numbers).
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def _params(rng, D, H1, H2, C, scale=1.0):
    sizes = [(D, H1), (H1, H2), (H2, C)]
    params = {}
    for i, (n_in, n_out) in enumerate(sizes, start=1):
        params[f"W{i}"] = rng.normal(size=(n_in, n_out)) * scale / np.sqrt(n_in)
        params[f"b{i}"] = rng.normal(size=n_out) * 0.1
    return params


def _f32(d):
    return {k: v.astype(F32) for k, v in d.items()}


def mlp_forward(rng, ref):
    p = _params(rng, 5, 4, 3, 6)
    X = rng.normal(size=(7, 5))
    sq = _params(rng, 4, 4, 4, 4)
    Xsq = rng.normal(size=(3, 4))
    big = {**p, "W3": p["W3"] * 300, "b3": p["b3"] + 1000.0}  # logits around 1000, spread by hundreds
    return [
        Case("7 examples, 5 -> 4 -> 3 -> 6", args=(X, p), expected=ref.mlp_forward(X, p)),
        Case("a batch of one", args=(X[:1], p), expected=ref.mlp_forward(X[:1], p)),
        Case("a square network 4 -> 4 -> 4 -> 4", args=(Xsq, sq), expected=ref.mlp_forward(Xsq, sq)),
        Case(
            "logits in the thousands",
            args=(X, big),
            expected=ref.mlp_forward(X, big),
            strict_fp=True,
            hint="subtract each row's largest logit before np.exp",
        ),
        Case("float32 stays float32", args=(X.astype(F32), _f32(p)), expected=ref.mlp_forward(X.astype(F32), _f32(p))),
    ]


def mlp_backward(rng, ref):
    hint = "delta3 = (P - Y) / N; delta_l = (delta_{l+1} @ W_{l+1}.T) * (Z_l > 0); dW_l = A_{l-1}.T @ delta_l"
    cases = []
    for name, (N, D, H1, H2, C) in [
        ("8 examples, 5 -> 4 -> 3 -> 6", (8, 5, 4, 3, 6)),
        ("a square network 4 -> 4 -> 4 -> 4, batch 4", (4, 4, 4, 4, 4)),
        ("a batch of one", (1, 3, 5, 2, 4)),
    ]:
        p = _params(rng, D, H1, H2, C)
        X = rng.normal(size=(N, D))
        y = rng.integers(0, C, size=N)
        cache = ref.mlp_forward(X, p)
        cases.append(Case(name, args=(X, y, p, cache), expected=ref.mlp_backward(X, y, p, cache), hint=hint))
    p = _params(rng, 6, 5, 4, 3)
    X = rng.normal(size=(10, 6)).astype(F32)
    y = rng.integers(0, 3, size=10)
    p32 = _f32(p)
    cache = ref.mlp_forward(X, p32)
    cases.append(Case("float32 stays float32", args=(X, y, p32, cache), expected=ref.mlp_backward(X, y, p32, cache)))
    return cases


def mlp_sgd_step(rng, ref):
    p = _params(rng, 5, 4, 3, 6)
    g = {k: rng.normal(size=v.shape) for k, v in p.items()}
    return [
        Case("all six parameters", args=(p, g, 0.05), expected=ref.mlp_sgd_step(p, g, 0.05)),
        Case("learning rate 0 changes nothing", args=(p, g, 0.0), expected=ref.mlp_sgd_step(p, g, 0.0)),
        Case("float32 stays float32", args=(_f32(p), _f32(g), 0.1), expected=ref.mlp_sgd_step(_f32(p), _f32(g), 0.1)),
    ]


HIDDEN = {
    "7.1": mlp_forward,
    "7.2": mlp_backward,
    "7.3": mlp_sgd_step,
}

"""Hidden tests of Exercise 15. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The fixed
diagnostic cases (named below) fail for the classic mistakes in the mistake catalogue.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def sinusoidal_encoding(rng, ref):
    d_extra = 2 * int(rng.integers(3, 9))
    hint = "PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same angle)"
    return [
        Case(f"T = {t}, d = {d}", args=(t, d), expected=ref.sinusoidal_encoding(t, d), hint=hint)
        for t, d in [(1, 2), (5, 4), (50, 16), (int(rng.integers(10, 30)), d_extra)]
    ]


def causal_self_attention(rng, ref):
    def qkv(shape, dv, dtype=np.float64, scale=1.0):
        Q = (rng.normal(size=shape) * scale).astype(dtype)
        K = (rng.normal(size=shape) * scale).astype(dtype)
        V = rng.normal(size=(*shape[:-1], dv)).astype(dtype)
        return Q, K, V

    hint = "weights = softmax over the keys of Q K^T / sqrt(d_k), future keys set to -inf first"
    cases = []
    for name, args in [
        ("d_k = 16: the scaling matters", qkv((5, 16), 3)),
        ("batch of 2, T = 4, d_k = 3", qkv((2, 4, 3), 2)),
        ("batch and heads: (B, h, T, d_k)", qkv((2, 3, 6, 4), 4)),
        ("T = 1", qkv((1, 1, 5), 2)),
        ("large scores stay finite", qkv((2, 5, 4), 3, scale=40.0)),
        ("float32 stays float32", qkv((2, 4, 8), 4, F32)),
    ]:
        cases.append(Case(name, args=args, expected=ref.causal_self_attention(*args), hint=hint,
                          strict_fp="large" in name))  # fmt: skip
    return cases


def multi_head_self_attention(rng, ref):
    def problem(B, T, d, h, dtype=np.float64):
        X = rng.normal(size=(B, T, d)).astype(dtype)
        Ws = [(rng.normal(size=(d, d)) / np.sqrt(d) * 2).astype(dtype) for _ in range(4)]
        return (X, *Ws, h)

    hint = "scale by sqrt(d_k) = sqrt(d / h); split to (B, h, T, d_k) by reshape then transpose"
    cases = []
    for name, args in [
        ("4 heads of width 4 (d = 16)", problem(2, 5, 16, 4)),
        ("one head", problem(2, 4, 6, 1)),
        ("batch of one, 3 heads of 2", problem(1, 6, 6, 3)),
        ("T = 1", problem(2, 1, 8, 2)),
        ("float32 stays float32", problem(2, 4, 8, 2, F32)),
    ]:
        cases.append(Case(name, args=args, expected=ref.multi_head_self_attention(*args), hint=hint))
    return cases


HIDDEN = {
    "15.1": sinusoidal_encoding,
    "15.2": causal_self_attention,
    "15.3": multi_head_self_attention,
}

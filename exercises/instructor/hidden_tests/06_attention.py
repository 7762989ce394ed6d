"""Hidden tests of Exercise 6. Instructor-only: keep this folder private when grading for credit.

Each function gets a random generator (seeded by the grader) and the reference solutions
(``ref``, run in the grader's process) and returns the cases; expected answers never leave the
grader. The fixed diagnostic cases catch every mistake of ``../mistakes/06_attention.py``
whatever the draw; the random cases only add variety.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def causal_mask(rng, ref):
    sizes = [1, 2, 5, int(rng.integers(6, 12))]
    return [
        Case(f"T = {t}", args=(t,), expected=ref.causal_mask(t), hint="a bool array, True where j <= i") for t in sizes
    ]


def masked_softmax(rng, ref):
    scores = rng.normal(size=(2, 4, 4)) * 3
    causal = ref.causal_mask(4)
    padding = np.ones((2, 1, 4), bool)
    padding[1, 0, 2:] = False
    partly = rng.normal(size=(3, 5))
    row_mask = rng.random((3, 5)) < 0.6
    row_mask[1] = False  # one fully masked row
    big = np.array([[1000.0, -1000.0, 999.0, 1000.0], [-1000.0, -1000.0, -999.0, 0.0]])
    big_mask = np.array([[True, True, True, False], [True, True, False, True]])
    s32 = scores.astype(F32)
    # fixed: a masked score far above the allowed ones; only a maximum over the allowed entries works
    above = np.array([[1000.0, 0.0, 1.0, -1.0], [2.0, 900.0, -2.0, 3.0]])
    above_mask = np.array([[False, True, True, True], [True, False, True, True]])
    hint = "masked entries get exactly 0; fully masked rows give zeros, not nan"
    return [
        Case(
            "a masked score far above the allowed ones",
            args=(above, above_mask),
            expected=ref.masked_softmax(above, above_mask),
            strict_fp=True,
            hint="subtract the maximum over the allowed entries only: a masked score of 1000 must not "
            "make the allowed exponentials underflow",
        ),
        Case("causal mask over a batch", args=(scores, causal), expected=ref.masked_softmax(scores, causal), hint=hint),
        Case(
            "padding mask broadcast from (B, 1, Tk)",
            args=(scores, padding),
            expected=ref.masked_softmax(scores, padding),
            hint="np.where(mask, ...) broadcasts the mask",
        ),
        Case(
            "a fully masked row",
            args=(partly, row_mask),
            expected=ref.masked_softmax(partly, row_mask),
            strict_fp=True,
            hint=hint,
        ),
        Case(
            "scores of +-1000",
            args=(big, big_mask),
            expected=ref.masked_softmax(big, big_mask),
            strict_fp=True,
            hint="subtract the maximum over the allowed entries of each row",
        ),
        Case("float32 stays float32", args=(s32, causal), expected=ref.masked_softmax(s32, causal)),
    ]


def attention(rng, ref):
    def qkv(shape_q, shape_k, dv, dtype=np.float64, scale=1.0):
        Q = (rng.normal(size=shape_q) * scale).astype(dtype)
        K = (rng.normal(size=shape_k) * scale).astype(dtype)
        V = rng.normal(size=(*shape_k[:-1], dv)).astype(dtype)
        return Q, K, V

    hint = "weights = masked_softmax(Q @ swapaxes(K, -1, -2) / sqrt(d), mask); out = weights @ V"
    cases = []
    for name, (Q, K, V), mask in [
        ("batch of 2, Tq = 3, Tk = 5, d = 4, dv = 6", qkv((2, 3, 4), (2, 5, 4), 6), None),
        ("causal mask", qkv((2, 4, 3), (2, 4, 3), 2), ref.causal_mask(4)),
        ("padding mask (B, 1, Tk)", qkv((2, 3, 4), (2, 5, 4), 3), np.array([[[1, 1, 1, 0, 0]], [[1] * 5]], bool)),
        ("no batch axis", qkv((3, 8), (6, 8), 2), None),
        ("batch and heads: (B, h, T, d)", qkv((2, 3, 4, 5), (2, 3, 4, 5), 5), ref.causal_mask(4)),
        ("large scores stay finite", qkv((1, 3, 4), (1, 3, 4), 2, scale=60.0), None),
        ("float32 stays float32", qkv((2, 3, 4), (2, 3, 4), 4, F32), ref.causal_mask(3)),
    ]:
        args = (Q, K, V) if mask is None else (Q, K, V, mask)
        cases.append(Case(name, args=args, expected=ref.attention(*args), hint=hint, strict_fp="large" in name))
    cases[-1].hints = {
        "dtype": "something turns float32 into float64; for example np.sqrt(d) is a float64 scalar "
        "(use d ** 0.5 or math.sqrt(d))"
    }
    return cases


def split_heads(rng, ref):
    x = rng.normal(size=(2, 5, 12))
    x1 = rng.normal(size=(1, 3, 8))
    x32 = rng.normal(size=(2, 4, 6)).astype(F32)
    hint = "reshape to (B, T, h, dh), then transpose to (B, h, T, dh)"
    return [
        Case("3 heads of 4", args=(x, 3), expected=ref.split_heads(x, 3), hint=hint),
        Case("one head", args=(x, 1), expected=ref.split_heads(x, 1), hint=hint),
        Case("batch of one, 4 heads of 2", args=(x1, 4), expected=ref.split_heads(x1, 4), hint=hint),
        Case("float32 stays float32", args=(x32, 2), expected=ref.split_heads(x32, 2)),
    ]


HIDDEN = {
    "6.1": causal_mask,
    "6.2": masked_softmax,
    "6.3": attention,
    "6.4": split_heads,
}

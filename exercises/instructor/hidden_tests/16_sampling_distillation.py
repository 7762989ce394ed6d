"""Hidden tests of Exercise 16. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The fixed
diagnostic cases fail for the classic mistakes in the mistake catalogue (temperature applied
after the softmax, top-k keeping k + 1 or every tie, the T^2 factor forgotten).
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def softmax_with_temperature(rng, ref):
    z = rng.normal(size=(4, 6)) * 2
    z3 = rng.normal(size=(2, 3, 5))
    big = np.array([[1000.0, -1000.0, 999.0], [0.0, -1000.0, -1000.0]])
    hint = "softmax(logits / T): divide the logits, then subtract the row maximum, then exp"
    cases = []
    for name, args, strict in [
        ("T = 0.5 sharpens", (z, 0.5), False),
        ("T = 3 flattens", (z, 3.0), False),
        ("batch axes (2, 3, V), T = 1.5", (z3, 1.5), False),
        ("logits of +-1000", (big, 1.0), True),
        ("tiny T = 0.01", (z, 0.01), True),
        ("float32 stays float32", (z.astype(F32), 0.7), False),
    ]:
        cases.append(Case(name, args=args, expected=ref.softmax_with_temperature(*args), hint=hint, strict_fp=strict))
    return cases


def top_k_filter(rng, ref):
    ties = np.array([[2.0, 5.0, 5.0, 1.0, 5.0, 5.0], [7.0, 7.0, 7.0, 7.0, 7.0, 7.0]])
    z = rng.normal(size=(3, 8))
    z3 = rng.normal(size=(2, 2, 5))
    hint = "exactly k survive per row; among equal logits the lower index wins"
    cases = []
    for name, args in [
        ("ties straddle the boundary (k = 2)", (ties, 2)),
        ("ties straddle the boundary (k = 3)", (ties, 3)),
        ("distinct logits, k = 3", (z, 3)),
        ("k = V keeps everything", (z, 8)),
        ("k = 1", (z, 1)),
        ("batch axes (2, 2, V)", (z3, 2)),
        ("float32 stays float32", (z.astype(F32), 4)),
    ]:
        cases.append(Case(name, args=args, expected=ref.top_k_filter(*args), hint=hint))
    return cases


def sample_tokens(rng, ref):
    z = rng.normal(size=(6, 10)) * 2
    ties = np.array([[1.0, 4.0, 4.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    z3 = rng.normal(size=(2, 3, 7))
    seed = int(rng.integers(0, 2**31))
    hint = "one u per row from default_rng(seed).random(shape[:-1]); first index with cdf > u"
    cases = []
    for name, args in [
        ("greedy with ties picks the first", (ties, 0.0, None, seed)),
        ("T = 1, no top-k, 6 rows", (z, 1.0, None, seed)),
        ("T = 0.5 with top-3", (z, 0.5, 3, seed + 1)),
        ("T = 2 with top-1 ties", (ties, 2.0, 1, seed)),
        ("batch axes (2, 3, V)", (z3, 1.3, 4, seed + 2)),
        ("one row of 1000 draws is seeded", (np.tile(z[0], (1000, 1)), 1.0, 5, 7)),
        ("fixed: T = 0.3 sharpens 200 draws", (np.tile([0.0, 1.0, 2.0, 3.0], (200, 1)), 0.3, None, 11)),
        ("fixed: T = 3 flattens 200 draws", (np.tile([0.0, 1.0, 2.0, 3.0], (200, 1)), 3.0, None, 12)),
        ("float32 logits", (z.astype(F32), 0.8, None, seed)),
    ]:
        cases.append(Case(name, args=args, expected=ref.sample_tokens(*args), hint=hint))
    return cases


def distillation_loss(rng, ref):
    s, t = rng.normal(size=(4, 5)) * 2, rng.normal(size=(4, 5)) * 2
    extreme_t = np.array([[300.0, -300.0, 0.0], [0.0, 0.0, 0.0]])
    extreme_s = np.array([[0.0, 1.0, 2.0], [-300.0, 300.0, 0.0]])
    hint = "L = tau^2 * mean_n sum_c p (log p - log q); dL/dS = tau (q - p) / N"
    cases = []
    for name, args, strict in [
        ("tau = 1", (s, t, 1.0), False),
        ("tau = 4: the tau^2 factor", (s, t, 4.0), False),
        ("tau = 0.5", (s, t, 0.5), False),
        ("one example", (s[:1], t[:1], 2.0), False),
        ("extreme logits: use log-softmax", (extreme_s, extreme_t, 1.0), True),
        ("float32 stays float32", (s.astype(F32), t.astype(F32), 3.0), False),
    ]:
        cases.append(Case(name, args=args, expected=ref.distillation_loss(*args), hint=hint, strict_fp=strict))
    return cases


HIDDEN = {
    "16.1": softmax_with_temperature,
    "16.2": top_k_filter,
    "16.3": sample_tokens,
    "16.4": distillation_loss,
}

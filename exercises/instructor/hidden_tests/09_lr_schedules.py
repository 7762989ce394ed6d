"""Hidden tests of Exercise 9. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The cases sit
on the boundaries of every phase (first and last step of the warm-up, the peak, the end of the
cosine, the steps just before and at each drop), where off-by-one mistakes show.
"""

from dlgrade.spec import Case


def warmup_cosine(rng, ref):
    lr_max = float(rng.uniform(0.01, 1.0))
    lr_min = lr_max * float(rng.uniform(0.0, 0.1))
    W = int(rng.integers(3, 20))
    T = W + int(rng.integers(20, 200))
    hint = "lr_max * t / warmup for t < warmup; then the cosine with progress (t - warmup) / (total - warmup)"
    steps = {
        "the first step": 0,
        "the second step of the warm-up": 1,
        "the last step of the warm-up": W - 1,
        "the peak at t = warmup": W,
        "one step after the peak": W + 1,
        "a third of the way through the cosine": W + (T - W) // 3,
        "the last step before the end": T - 1,
        "the end, t = total": T,
        "long after the end": T + 50,
    }
    cases = [
        Case(name, args=(t, lr_max, W, T, lr_min), expected=ref.warmup_cosine(t, lr_max, W, T, lr_min), hint=hint)
        for name, t in steps.items()
    ]
    cases.append(Case("no warm-up (warmup = 0)", args=(7, lr_max, 0, 40), expected=ref.warmup_cosine(7, lr_max, 0, 40)))
    cases.append(
        Case("lr_min left at its default", args=(W + 3, lr_max, W, T), expected=ref.warmup_cosine(W + 3, lr_max, W, T))
    )
    return cases


def step_decay(rng, ref):
    lr0 = float(rng.uniform(0.01, 1.0))
    drop = float(rng.uniform(0.1, 0.9))
    E = int(rng.integers(3, 15))
    hint = "lr0 * drop ** (t // every): lr0 for t = 0 .. every - 1"
    steps = {
        "epoch 0": 0,
        "the last epoch before the first drop": E - 1,
        "the first drop": E,
        "the last epoch before the second drop": 2 * E - 1,
        "the second drop": 2 * E,
        "many drops later": 7 * E + 2,
    }
    return [
        Case(name, args=(t, lr0, drop, E), expected=ref.step_decay(t, lr0, drop, E), hint=hint)
        for name, t in steps.items()
    ]


HIDDEN = {
    "9.1": warmup_cosine,
    "9.2": step_decay,
}

"""Hidden tests of Exercise 4. Instructor-only: keep this folder private when grading for credit.

Each function gets a random generator (seeded by the grader) and the reference solutions
(``ref``, run in the grader's process) and returns the cases; expected answers never leave the
grader. The fixed diagnostic cases catch every mistake of ``../mistakes/04_optimizers.py``
whatever the draw; the random cases only add variety.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def sgd_step(rng, ref):
    w, dw = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    w32, dw32 = w.astype(F32), dw.astype(F32)
    return [
        Case("random 3x4", args=(w, dw), kwargs={"lr": 0.05}, expected=ref.sgd_step(w, dw, lr=0.05)),
        Case(
            "with weight decay",
            args=(w, dw),
            kwargs={"lr": 0.1, "weight_decay": 0.01},
            expected=ref.sgd_step(w, dw, lr=0.1, weight_decay=0.01),
            hint="w - lr * (dw + weight_decay * w)",
        ),
        Case("learning rate passed by position", args=(w[0], dw[0], 0.3), expected=ref.sgd_step(w[0], dw[0], 0.3)),
        Case(
            "float32 stays float32",
            args=(w32, dw32),
            kwargs={"lr": 0.1, "weight_decay": 0.1},
            expected=ref.sgd_step(w32, dw32, lr=0.1, weight_decay=0.1),
        ),
    ]


def momentum_step(rng, ref):
    w, dw, v = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    w2, dw2, v2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    w32, dw32, v32 = (a.astype(F32) for a in (w2, dw2, v2))
    kw = {"lr": 0.05, "beta": 0.8}
    hint = "v = beta * v + dw (v = 0 when state is None); w = w - lr * v; return (w, {'v': v})"
    return [
        Case(
            "first step (state None)",
            args=(w, dw, None),
            kwargs=kw,
            expected=ref.momentum_step(w, dw, None, **kw),
            hint=hint,
        ),
        Case(
            "a later step",
            args=(w, dw, {"v": v}),
            kwargs=kw,
            expected=ref.momentum_step(w, dw, {"v": v}, **kw),
            hint=hint,
        ),
        Case("default lr and beta", args=(w2, dw2, {"v": v2}), expected=ref.momentum_step(w2, dw2, {"v": v2})),
        Case(
            "float32 stays float32",
            args=(w32, dw32, {"v": v32}),
            kwargs=kw,
            expected=ref.momentum_step(w32, dw32, {"v": v32}, **kw),
        ),
    ]


def adam_step(rng, ref):
    w, dw = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    state = {"m": rng.normal(size=(3, 2)) * 0.1, "v": rng.uniform(0.01, 0.5, size=(3, 2)), "t": 9}
    state32 = {"m": state["m"].astype(F32), "v": state["v"].astype(F32), "t": 4}
    w32, dw32 = w.astype(F32), dw.astype(F32)
    kw = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    hint = "t += 1 first; the bias corrections divide by 1 - beta**t"
    # fixed: gradients of size 1e-6, where sqrt(v_hat) ~ 1e-6 and sqrt(v_hat + eps) ~ 1e-4 differ
    small_w = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.25]])
    small_dw = np.array([[1.0, -2.0, 0.5], [3.0, -1.0, 0.25]]) * 1e-6
    return [
        Case(
            "gradients of size 1e-6: the first step is still about lr",
            args=(small_w, small_dw, None),
            kwargs={"lr": 0.1},
            expected=ref.adam_step(small_w, small_dw, None, lr=0.1),
            hint="the step is lr * m_hat / (sqrt(v_hat) + eps), with eps outside the square root",
        ),
        Case("first step (state None)", args=(w, dw, None), expected=ref.adam_step(w, dw, None), hint=hint),
        Case(
            "step 10 from a given state",
            args=(w, dw, state),
            kwargs=kw,
            expected=ref.adam_step(w, dw, state, **kw),
            hint=hint,
        ),
        Case(
            "gradients scaled by 1e6: the step barely changes",
            args=(w, dw * 1e6, None),
            expected=ref.adam_step(w, dw * 1e6, None),
            hint="m_hat / (sqrt(v_hat) + eps)",
        ),
        Case(
            "a zero gradient from state None",
            args=(w, np.zeros_like(w), None),
            expected=ref.adam_step(w, np.zeros_like(w), None),
        ),
        Case(
            "float32 stays float32",
            args=(w32, dw32, state32),
            kwargs=kw,
            expected=ref.adam_step(w32, dw32, state32, **kw),
        ),
    ]


HIDDEN = {
    "4.1": sgd_step,
    "4.2": momentum_step,
    "4.3": adam_step,
}

"""Public tests of Exercise 9 (learners may read these; the hidden tests try more cases)."""

import math

from dlgrade.spec import Case, Question

TITLE = "Exercise 9: Learning-rate schedules as pure functions"
QUESTIONS = [
    Question("9.1", "warmup_cosine", 6, "linear warm-up, then cosine decay"),
    Question("9.2", "step_decay", 4, "step decay"),
]

# warm-up over 10 steps to 1.0, cosine down to 0 at step 110
PUBLIC = {
    "9.1": [
        Case("step 0 of the warm-up", args=(0, 1.0, 10, 110), expected=0.0),
        Case(
            "halfway through the warm-up",
            args=(5, 1.0, 10, 110),
            expected=0.5,
            hint="lr_max * t / warmup while t < warmup",
        ),
        Case("the end of the warm-up is the peak", args=(10, 1.0, 10, 110), expected=1.0),
        Case(
            "halfway through the cosine",
            args=(60, 1.0, 10, 110),
            expected=0.5,
            hint="the cosine's clock starts at t = warmup: progress = (t - warmup) / (total - warmup)",
        ),
        Case(
            "a quarter through the cosine, with lr_min",
            args=(35, 1.0, 10, 110, 0.1),
            expected=0.1 + 0.9 * (1 + math.cos(math.pi / 4)) / 2,
        ),
        Case("after the end", args=(200, 1.0, 10, 110, 0.1), expected=0.1),
    ],
    "9.2": [
        Case("epoch 0", args=(0, 0.1, 0.5, 10), expected=0.1),
        Case(
            "the last epoch before the first drop",
            args=(9, 0.1, 0.5, 10),
            expected=0.1,
            hint="floor(t / every): the first drop is at t = every, not one epoch earlier",
        ),
        Case("the first drop", args=(10, 0.1, 0.5, 10), expected=0.05),
        Case("two drops", args=(25, 0.1, 0.5, 10), expected=0.025),
    ],
}

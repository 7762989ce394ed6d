"""Classic mistakes in Exercise 9, each a complete redefinition of one question's function.

The hidden tests must take points off the named question (and only that one) for every entry.
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    Mistake(
        question="9.1",
        name="warm-up off by one: (t + 1) / warmup",
        code="""def warmup_cosine(t, lr_max, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr_max * (t + 1) / warmup
    if t >= total:
        return float(lr_min)
    progress = (t - warmup) / (total - warmup)
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * progress)) / 2
""",
    ),
    Mistake(
        question="9.1",
        name="warm-up reaches the peak one step early: t / (warmup - 1)",
        code="""def warmup_cosine(t, lr_max, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr_max * min(t / max(warmup - 1, 1), 1.0)
    if t >= total:
        return float(lr_min)
    progress = (t - warmup) / (total - warmup)
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * progress)) / 2
""",
    ),
    Mistake(
        question="9.1",
        name="the cosine's clock starts at 0 instead of at the end of the warm-up",
        code="""def warmup_cosine(t, lr_max, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr_max * t / warmup
    if t >= total:
        return float(lr_min)
    progress = t / total
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * progress)) / 2
""",
    ),
    Mistake(
        question="9.1",
        name="the cosine decays to 0 instead of lr_min",
        code="""def warmup_cosine(t, lr_max, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr_max * t / warmup
    if t >= total:
        return float(lr_min)
    progress = (t - warmup) / (total - warmup)
    return lr_max * (1 + math.cos(math.pi * progress)) / 2
""",
    ),
    Mistake(
        question="9.2",
        name="step decay off by one: the textbook floor((1 + t) / every)",
        code="""def step_decay(t, lr0, drop, every):
    return lr0 * drop ** math.floor((1 + t) / every)
""",
    ),
    Mistake(
        question="9.2",
        name="continuous exponent t / every instead of floor(t / every)",
        code="""def step_decay(t, lr0, drop, every):
    return lr0 * drop ** (t / every)
""",
    ),
]

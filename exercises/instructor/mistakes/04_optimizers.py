"""Classic mistakes in Exercise 4 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there.
"""

from dlgrade.mistakes import Mistake

_ADAM_HEAD = """
def adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    if state is None:
        state = {"m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0}
"""

MISTAKES = [
    # --- 4.1 sgd_step ----------------------------------------------------------------------------
    Mistake(
        question="4.1",
        name="weight decay with the wrong sign",
        code="""
def sgd_step(w, dw, lr, weight_decay=0.0):
    return w - lr * (dw - weight_decay * w)
""",
        hint="Weight decay pulls w towards 0: w - lr * (dw + weight_decay * w).",
    ),
    Mistake(
        question="4.1",
        name="weight decay not scaled by the learning rate",
        code="""
def sgd_step(w, dw, lr, weight_decay=0.0):
    return w - lr * dw - weight_decay * w
""",
        hint="The decay term is part of the gradient: lr multiplies both, w - lr * (dw + weight_decay * w).",
    ),
    Mistake(
        question="4.1",
        name="ignores weight decay",
        code="""
def sgd_step(w, dw, lr, weight_decay=0.0):
    return w - lr * dw
""",
    ),
    Mistake(
        question="4.1",
        name="updates w in place",
        code="""
def sgd_step(w, dw, lr, weight_decay=0.0):
    w -= lr * (dw + weight_decay * w)
    return w
""",
    ),
    Mistake(
        question="4.1",
        name="adds the gradient (ascent)",
        code="""
def sgd_step(w, dw, lr, weight_decay=0.0):
    return w + lr * (dw + weight_decay * w)
""",
    ),
    # --- 4.2 momentum_step -----------------------------------------------------------------------
    Mistake(
        question="4.2",
        name="the averaging form v = beta v + (1 - beta) dw",
        code="""
def momentum_step(w, dw, state, lr=0.01, beta=0.9):
    v = np.zeros_like(w) if state is None else state["v"]
    v = beta * v + (1 - beta) * dw
    return w - lr * v, {"v": v}
""",
        hint="This exercise's momentum adds the whole gradient: v = beta * v + dw.",
    ),
    Mistake(
        question="4.2",
        name="steps with the old velocity",
        code="""
def momentum_step(w, dw, state, lr=0.01, beta=0.9):
    v = np.zeros_like(w) if state is None else state["v"]
    new_v = beta * v + dw
    return w - lr * v, {"v": new_v}
""",
        hint="Update v first, then step with the new v.",
    ),
    Mistake(
        question="4.2",
        name="updates the velocity in place",
        code="""
def momentum_step(w, dw, state, lr=0.01, beta=0.9):
    v = np.zeros_like(w) if state is None else state["v"]
    v *= beta
    v += dw
    return w - lr * v, {"v": v}
""",
        hint="The state passed in belongs to the caller: build a new v instead of changing it.",
    ),
    Mistake(
        question="4.2",
        name="ignores the velocity (plain SGD)",
        code="""
def momentum_step(w, dw, state, lr=0.01, beta=0.9):
    v = np.zeros_like(w) if state is None else state["v"]
    return w - lr * dw, {"v": beta * v + dw}
""",
    ),
    Mistake(
        question="4.2",
        name="scales the gradient by the learning rate inside v",
        code="""
def momentum_step(w, dw, state, lr=0.01, beta=0.9):
    v = np.zeros_like(w) if state is None else state["v"]
    v = beta * v + lr * dw
    return w - v, {"v": v}
""",
        hint="The state is v = beta * v + dw, and the step is lr * v.",
    ),
    # --- 4.3 adam_step ---------------------------------------------------------------------------
    Mistake(
        question="4.3",
        name="eps inside the square root",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), {"m": m, "v": v, "t": t}
""",
        hint="eps is added after the square root, sqrt(v_hat) + eps; inside it acts like sqrt(eps) = 1e-4 "
        "and shrinks the steps of small gradients.",
    ),
    Mistake(
        question="4.3",
        name="no bias correction",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    return w - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v, "t": t}
""",
        hint="Divide m by 1 - beta1**t and v by 1 - beta2**t: they start at zero.",
    ),
    Mistake(
        question="4.3",
        name="bias correction with the old step count",
        code=_ADAM_HEAD
        + """
    t = state["t"]
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** max(t, 1))
    v_hat = v / (1 - beta2 ** max(t, 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t + 1}
""",
        hint="Increase t first: the first step uses t = 1.",
    ),
    Mistake(
        question="4.3",
        name="step count not increased in the returned state",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": state["t"]}
""",
    ),
    Mistake(
        question="4.3",
        name="v averages the gradient instead of its square",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * np.abs(dw)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}
""",
    ),
    Mistake(
        question="4.3",
        name="updates m and v in place",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m, v = state["m"], state["v"]
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}
""",
        hint="The state passed in belongs to the caller: compute new m and v arrays.",
    ),
    Mistake(
        question="4.3",
        name="stores the bias-corrected m and v in the state",
        code=_ADAM_HEAD
        + """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m_hat, "v": v_hat, "t": t}
""",
        hint="Keep the raw averages m and v in the state; the corrections are recomputed each step.",
    ),
]

"""Classic mistakes in Exercise 16; each ``code`` redefines one question's function with exactly one mistake."""

from dlgrade.mistakes import Mistake

_SOFTMAX = """def softmax_with_temperature(logits, temperature):
    z = {scaled}
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return {result}
"""

_TOP_K = """def top_k_filter(logits, k):
{body}
"""
_TOP_K_GOOD = """    order = np.argsort(-logits, axis=-1, kind="stable")
    keep = np.zeros(logits.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :{count}], True, axis=-1)
    return np.where(keep, logits, -np.inf).astype(logits.dtype)"""
_TOP_K_THRESHOLD = """    kth = np.sort(logits, axis=-1)[..., -k][..., None]  # the k-th largest value
    return np.where(logits >= kth, logits, -np.inf).astype(logits.dtype)"""

_SAMPLE = """def sample_tokens(logits, temperature, top_k, seed):
    if temperature == 0:
        return logits.argmax(axis=-1).astype(np.int64)
    z = logits{scale}
    if top_k is not None:
        order = np.argsort(-z, axis=-1, kind="stable")
        keep = np.zeros(z.shape, dtype=bool)
        np.put_along_axis(keep, order[..., :top_k], True, axis=-1)
        z = np.where(keep, z, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p = p / p.sum(axis=-1, keepdims=True){after}
    u = np.random.default_rng(seed).random({u_shape})
    cdf = np.cumsum(p, axis=-1)
    index = (cdf <= u[..., None]).sum(axis=-1)
    return np.minimum(index, logits.shape[-1] - 1).astype(np.int64)
"""
_SAMPLE_GOOD = {"scale": " / temperature", "after": "", "u_shape": "logits.shape[:-1]"}

_DISTILL = """def distillation_loss(student_logits, teacher_logits, temperature):
    def log_softmax(z):
        z = z - z.max(axis=-1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    tau, N = temperature, student_logits.shape[0]
    log_p = log_softmax(teacher_logits / tau)
    log_q = log_softmax({student})
    p = np.exp(log_p)
    loss = {factor} * float(np.sum(p * (log_p - log_q))) / N
    grad = {grad_factor} * (np.exp(log_q) - p)
    return loss, grad.astype(student_logits.dtype)
"""
_DISTILL_GOOD = {"student": "student_logits / tau", "factor": "tau**2", "grad_factor": "(tau / N)"}


def _sample(**change):
    return _SAMPLE.format(**{**_SAMPLE_GOOD, **change})


def _distill(**change):
    return _DISTILL.format(**{**_DISTILL_GOOD, **change})


MISTAKES = [
    Mistake(
        question="16.1",
        name="temperature applied after the softmax (probabilities divided by T)",
        code=_SOFTMAX.format(scaled="logits", result="e / e.sum(axis=-1, keepdims=True) / temperature"),
    ),
    Mistake(
        question="16.1",
        name="temperature applied after the softmax, then renormalised (T has no effect)",
        code=_SOFTMAX.format(
            scaled="logits",
            result="(e / e.sum(axis=-1, keepdims=True) / temperature) / (1 / temperature)",
        ),
    ),
    Mistake(
        question="16.1",
        name="logits multiplied by T instead of divided",
        code=_SOFTMAX.format(scaled="logits * temperature", result="e / e.sum(axis=-1, keepdims=True)"),
    ),
    Mistake(question="16.2", name="keeps k + 1 logits", code=_TOP_K.format(body=_TOP_K_GOOD.format(count="k + 1"))),
    Mistake(
        question="16.2",
        name="ties at the boundary all kept (threshold at the k-th largest value)",
        code=_TOP_K.format(body=_TOP_K_THRESHOLD),
    ),
    Mistake(
        question="16.3",
        name="temperature applied after the softmax (then renormalised)",
        code=_sample(
            scale="",
            after="\n    p = p / temperature\n    p = p / p.sum(axis=-1, keepdims=True)",
        ),
    ),
    Mistake(question="16.3", name="one uniform number shared by every row", code=_sample(u_shape="")),
    Mistake(
        question="16.4",
        name="T^2 factor forgotten (in the loss and its gradient)",
        code=_distill(factor="1", grad_factor="(1 / (tau * N))"),
    ),
    Mistake(
        question="16.4",
        name="temperature applied to the teacher only",
        code=_distill(student="student_logits"),
    ),
]

"""Classic mistakes in Exercise 6 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there (6.3 calls
masked_softmax; the grader replaces it by the reference one when 6.2 lost points).
"""

from dlgrade.mistakes import Mistake

SCORES = "Q @ np.swapaxes(K, -1, -2) / d**0.5"


def _attention(scores: str = SCORES, weights: str = "masked_softmax(scores, mask)") -> str:
    return f"""
def attention(Q, K, V, mask=None):
    d = Q.shape[-1]
    scores = {scores}
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    weights = {weights}
    return weights @ V, weights
"""


MISTAKES = [
    # --- 6.1 causal_mask -------------------------------------------------------------------------
    Mistake(
        question="6.1",
        name="upper triangle instead of lower (j >= i)",
        code="""
def causal_mask(T):
    positions = np.arange(T)
    return positions[None, :] >= positions[:, None]
""",
        hint="Query i (row) may look at keys j <= i: True on and below the diagonal.",
    ),
    Mistake(
        question="6.1",
        name="strictly below the diagonal (j < i)",
        code="""
def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool), k=-1)
""",
        hint="A position may attend to itself: include the diagonal (j <= i).",
    ),
    Mistake(
        question="6.1",
        name="a float mask of ones and zeros",
        code="""
def causal_mask(T):
    return np.tril(np.ones((T, T)))
""",
        hint="Return booleans: np.tril(np.ones((T, T), dtype=bool)) or a comparison.",
    ),
    # --- 6.2 masked_softmax ----------------------------------------------------------------------
    Mistake(
        question="6.2",
        name="subtracts the maximum over all scores, masked ones included",
        code="""
def masked_softmax(scores, mask):
    e = np.where(mask, np.exp(scores - scores.max(axis=-1, keepdims=True)), 0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1)
""",
        hint="A masked score far above the allowed ones makes every allowed exp underflow to 0: take the "
        "maximum over the allowed entries only (set masked scores to -inf first).",
    ),
    Mistake(
        question="6.2",
        name="masked scores set to -1e9 (a fully masked row becomes uniform)",
        code="""
def masked_softmax(scores, mask):
    masked = np.where(mask, scores, -1e9)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
        hint="With a large negative number instead of -inf, a row with every entry masked shares the "
        "probability equally; it must be all zeros.",
    ),
    Mistake(
        question="6.2",
        name="a fully masked row gives NaN (0/0)",
        code="""
def masked_softmax(scores, mask):
    masked = np.where(mask, scores, -np.inf)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
        hint="In a fully masked row the maximum is -inf and -inf - (-inf) is NaN: treat such rows apart.",
    ),
    Mistake(
        question="6.2",
        name="plain softmax, then the mask multiplied in (no renormalisation)",
        code="""
def masked_softmax(scores, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) * mask
""",
        hint="The allowed entries must share all the probability: renormalise over the allowed entries.",
    ),
    Mistake(
        question="6.2",
        name="plain softmax, masked, then renormalised",
        code="""
def masked_softmax(scores, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True) * mask
    total = p.sum(axis=-1, keepdims=True)
    return p / np.where(total > 0, total, 1)
""",
        hint="Right in exact arithmetic, but when a masked score is far above the allowed ones every allowed "
        "probability underflows to 0 before the renormalisation: mask the scores first.",
    ),
    Mistake(
        question="6.2",
        name="no maximum subtracted",
        code="""
def masked_softmax(scores, mask):
    e = np.where(mask, np.exp(scores), 0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1)
""",
        hint="exp(1000) overflows: subtract each row's maximum over the allowed entries.",
    ),
    Mistake(
        question="6.2",
        name="-inf made as a float64 array",
        code="""
def masked_softmax(scores, mask):
    masked = np.where(mask, scores, np.full(scores.shape, -np.inf))
    row_max = masked.max(axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0)
    e = np.where(mask, np.exp(masked - row_max), 0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1)
""",
        hint="np.full(shape, -np.inf) is float64 and upcasts float32 scores: np.where(mask, scores, -np.inf).",
    ),
    # --- 6.3 attention ---------------------------------------------------------------------------
    Mistake(
        question="6.3",
        name="no scaling by sqrt(d)",
        code=_attention(scores="Q @ np.swapaxes(K, -1, -2)"),
        hint="Divide the scores by sqrt(d), d = Q.shape[-1].",
    ),
    Mistake(
        question="6.3",
        name="scaled by d instead of sqrt(d)",
        code=_attention(scores="Q @ np.swapaxes(K, -1, -2) / d"),
    ),
    Mistake(
        question="6.3",
        name="scaled by sqrt of the value size",
        code=_attention(scores="Q @ np.swapaxes(K, -1, -2) / V.shape[-1] ** 0.5"),
        hint="d is the size of a query or key vector, Q.shape[-1], not of a value.",
    ),
    Mistake(
        question="6.3",
        name="np.sqrt(d) upcasts float32",
        code=_attention(scores="Q @ np.swapaxes(K, -1, -2) / np.sqrt(d)"),
        hint="np.sqrt(d) is a float64 NumPy scalar: use d ** 0.5 or math.sqrt(d).",
    ),
    Mistake(
        question="6.3",
        name="K.T transposes every axis",
        code=_attention(scores="Q @ K.T / d**0.5"),
        hint="With batch axes, K.T reverses all of them: np.swapaxes(K, -1, -2).",
    ),
    Mistake(
        question="6.3",
        name="softmax over the queries instead of the keys",
        code=_attention(
            weights="np.swapaxes(masked_softmax(np.swapaxes(scores, -1, -2), np.swapaxes(np.broadcast_to(mask, "
            "scores.shape), -1, -2)), -1, -2)"
        ),
        hint="Each query's weights over the keys sum to 1: the softmax runs over the last axis.",
    ),
    Mistake(
        question="6.3",
        name="the mask ignored",
        code=_attention(weights="masked_softmax(scores, np.ones(scores.shape, dtype=bool))"),
    ),
    # --- 6.4 split_heads -------------------------------------------------------------------------
    Mistake(
        question="6.4",
        name="reshaped straight to (B, h, T, dh)",
        code="""
def split_heads(x, num_heads):
    batch, length, features = x.shape
    return x.reshape(batch, num_heads, length, features // num_heads)
""",
        hint="The features of one position are contiguous: reshape to (B, T, h, dh) first, then transpose.",
    ),
    Mistake(
        question="6.4",
        name="features split as (dh, h): heads take every h-th feature",
        code="""
def split_heads(x, num_heads):
    batch, length, features = x.shape
    return x.reshape(batch, length, features // num_heads, num_heads).transpose(0, 3, 1, 2)
""",
        hint="Head k gets the contiguous features k*dh ... (k+1)*dh - 1: reshape to (B, T, h, dh).",
    ),
    Mistake(
        question="6.4",
        name="transposed to (B, h, dh, T)",
        code="""
def split_heads(x, num_heads):
    batch, length, features = x.shape
    return x.reshape(batch, length, num_heads, features // num_heads).transpose(0, 2, 3, 1)
""",
    ),
]

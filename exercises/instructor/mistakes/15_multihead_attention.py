"""Classic mistakes in Exercise 15; each ``code`` redefines one question's function with exactly one mistake."""

from dlgrade.mistakes import Mistake

_ATTENTION = """def causal_self_attention(Q, K, V):
    T, d_k = Q.shape[-2], Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2){scale}
    allowed = {mask}
    scores = np.where(allowed, scores, -np.inf)
    scores = scores - scores.max(axis={axis}, keepdims=True)
    e = np.exp(scores)
    weights = e / e.sum(axis={axis}, keepdims=True)
    return weights @ V, weights
"""
_GOOD = {
    "scale": " / math.sqrt(d_k)",
    "mask": "np.arange(T)[None, :] <= np.arange(T)[:, None]",
    "axis": "-1",
}

_MHA = """def multi_head_self_attention(X, W_q, W_k, W_v, W_o, num_heads):
    B, T, d = X.shape
    d_k = d // num_heads

    def split(t):
        return {split}

    Q, K, V = split(X @ W_q), split(X @ W_k), split(X @ W_v)
    scores = Q @ np.swapaxes(K, -1, -2) / math.sqrt({width})
    allowed = np.arange(T)[None, :] <= np.arange(T)[:, None]
    scores = np.where(allowed, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    weights = e / e.sum(axis=-1, keepdims=True)
    heads = weights @ V
    merged = heads.transpose(0, 2, 1, 3).reshape(B, T, d)
    return {out}, weights
"""
_MHA_GOOD = {
    "split": "t.reshape(B, T, num_heads, d_k).transpose(0, 2, 1, 3)",
    "width": "d_k",
    "out": "merged @ W_o",
}

_PE = """def sinusoidal_encoding(num_positions, d_model):
    positions = np.arange(num_positions)[:, None]
    freqs = 10000.0 ** (-{exponent} / d_model)
    angles = positions * freqs
    pe = np.zeros((num_positions, d_model))
    pe[:, 0::2] = np.{even}(angles)
    pe[:, 1::2] = np.{odd}(angles)
    return pe
"""
_PE_GOOD = {"exponent": "np.arange(0, d_model, 2)", "even": "sin", "odd": "cos"}


def _attention(**change):
    return _ATTENTION.format(**{**_GOOD, **change})


def _mha(**change):
    return _MHA.format(**{**_MHA_GOOD, **change})


def _pe(**change):
    return _PE.format(**{**_PE_GOOD, **change})


MISTAKES = [
    Mistake(question="15.1", name="sin and cos swapped", code=_pe(even="cos", odd="sin")),
    Mistake(
        question="15.1",
        name="exponent i/d instead of 2i/d",
        code=_pe(exponent="np.arange(d_model // 2)"),
    ),
    Mistake(question="15.2", name="no 1/sqrt(d_k) scaling", code=_attention(scale="")),
    Mistake(
        question="15.2",
        name="mask polarity inverted (the future visible, the past hidden)",
        code=_attention(mask="np.arange(T)[None, :] >= np.arange(T)[:, None]"),
    ),
    Mistake(question="15.2", name="softmax over the queries (axis -2)", code=_attention(axis="-2")),
    Mistake(question="15.3", name="scaled by sqrt(d_model) instead of sqrt(d_k)", code=_mha(width="d")),
    Mistake(
        question="15.3",
        name="heads split by a reshape to (B, h, T, d_k) without a transpose",
        code=_mha(split="t.reshape(B, num_heads, T, d_k)"),
    ),
    Mistake(question="15.3", name="output projection W_o forgotten", code=_mha(out="merged")),
]

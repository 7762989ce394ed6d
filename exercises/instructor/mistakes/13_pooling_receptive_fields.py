"""Classic mistakes in Exercise 13; each ``code`` redefines one question's function with exactly one mistake."""

from dlgrade.mistakes import Mistake

MISTAKES = [
    Mistake(
        question="13.1",
        name="output size without the + 1",
        hint="count window positions: the first one is at 0, so add 1 after the floor division",
        code="""def output_size(n, kernel, stride=1, pad=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    return (n + 2 * pad - span) // stride
""",
    ),
    Mistake(
        question="13.1",
        name="output size rounded up instead of down",
        hint="a window that does not fit is dropped: floor, not ceil",
        code="""def output_size(n, kernel, stride=1, pad=0, dilation=1):
    span = dilation * (kernel - 1) + 1
    return -(-(n + 2 * pad - span) // stride) + 1
""",
    ),
    Mistake(
        question="13.2",
        name="pooled size off by one (no + 1)",
        hint="H_out = (H - size) // stride + 1: the + 1 counts the first window",
        code="""def maxpool_forward(x, size=2, stride=2):
    _, _, height, width = x.shape
    h_out = (height - size) // stride
    w_out = (width - size) // stride
    out = None
    for p in range(size):
        for q in range(size):
            tap = x[:, :, p : p + stride * h_out : stride, q : q + stride * w_out : stride]
            out = tap.copy() if out is None else np.maximum(out, tap)
    return out
""",
    ),
    Mistake(
        question="13.3",
        name="pooling gradient sent to every tied maximum",
        hint="with ties, only the FIRST maximum of a window (row-major) gets its delta, not every tied input",
        code="""def maxpool_backward(delta, x, size=2, stride=2):
    _, _, h_out, w_out = delta.shape
    offsets = [(p, q) for p in range(size) for q in range(size)]
    views = [(slice(p, p + stride * h_out, stride), slice(q, q + stride * w_out, stride)) for p, q in offsets]
    out = np.max([x[:, :, rows, cols] for rows, cols in views], axis=0)
    dx = np.zeros_like(x)
    for rows, cols in views:
        wins = x[:, :, rows, cols] == out
        dx[:, :, rows, cols] += np.where(wins, delta, 0).astype(x.dtype)
    return dx
""",
    ),
    Mistake(
        question="13.3",
        name="pooling gradient assigned instead of added where windows overlap",
        hint="overlapping windows can share a winner: add (+=) their deltas",
        code="""def maxpool_backward(delta, x, size=2, stride=2):
    _, _, h_out, w_out = delta.shape
    offsets = [(p, q) for p in range(size) for q in range(size)]
    views = [(slice(p, p + stride * h_out, stride), slice(q, q + stride * w_out, stride)) for p, q in offsets]
    out = np.max([x[:, :, rows, cols] for rows, cols in views], axis=0)
    dx = np.zeros_like(x)
    unclaimed = np.ones(out.shape, dtype=bool)
    for rows, cols in views:
        wins = (x[:, :, rows, cols] == out) & unclaimed
        unclaimed &= ~wins
        dx[:, :, rows, cols] = np.where(wins, delta, dx[:, :, rows, cols]).astype(x.dtype)
    return dx
""",
    ),
    Mistake(
        question="13.4",
        name="receptive field ignoring the product of earlier strides",
        hint="layer l adds (k_l - 1) times the product of the strides of the layers before it",
        code="""def receptive_field(kernels, strides, dilations=None):
    dilations = [1] * len(kernels) if dilations is None else dilations
    rf, fields = 1, []
    for k, d in zip(kernels, dilations):
        rf += d * (k - 1)
        fields.append(rf)
    return np.array(fields, dtype=np.int64)
""",
    ),
    Mistake(
        question="13.4",
        name="receptive field multiplying by the layer's own stride too",
        hint="a layer's own stride does not widen its own field: multiply by the strides BEFORE it",
        code="""def receptive_field(kernels, strides, dilations=None):
    dilations = [1] * len(kernels) if dilations is None else dilations
    rf, jump, fields = 1, 1, []
    for k, s, d in zip(kernels, strides, dilations):
        jump *= s
        rf += d * (k - 1) * jump
        fields.append(rf)
    return np.array(fields, dtype=np.int64)
""",
    ),
]

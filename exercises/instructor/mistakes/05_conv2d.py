"""Classic mistakes in Exercise 5 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there.
"""

from dlgrade.mistakes import Mistake


def _loop(window: str = "xp[n, :, i * stride : i * stride + kh, j * stride : j * stride + kw]", **parts) -> str:
    """The loop solution with one part changed (a template keeps the entries short)."""
    p = {
        "h_out": "(height + 2 * pad - kh) // stride + 1",
        "w_out": "(width + 2 * pad - kw) // stride + 1",
        "xp": "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))",
        "dtype": "x.dtype",
        "value": "np.sum(window * Wt[f]) + b[f]",
        **parts,
    }
    return f"""
def conv2d_forward_loop(x, Wt, b, stride=1, pad=0):
    n_batch, _, height, width = x.shape
    n_filters, _, kh, kw = Wt.shape
    h_out = {p["h_out"]}
    w_out = {p["w_out"]}
    xp = {p["xp"]}
    out = np.zeros((n_batch, n_filters, h_out, w_out), dtype={p["dtype"]})
    for n in range(n_batch):
        for f in range(n_filters):
            for i in range(h_out):
                for j in range(w_out):
                    window = {window}
                    out[n, f, i, j] = {p["value"]}
    return out
"""


_IM2COL = """
def conv2d_forward(x, Wt, b, stride=1, pad=0):
    n_batch, channels, height, width = x.shape
    n_filters, _, kh, kw = Wt.shape
    h_out = (height + 2 * pad - kh) // stride + 1
    w_out = (width + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride][:, :, :h_out, :w_out]  # (N, C, Ho, Wo, KH, KW)
    cols = {cols}
    out = cols @ {filters}  # (N * Ho * Wo, F)
    return {result}
"""
_COLS = "windows.transpose(0, 2, 3, 1, 4, 5).reshape(n_batch * h_out * w_out, -1)"
_FILTERS = "Wt.reshape(n_filters, -1).T"
_RESULT = "out.reshape(n_batch, h_out, w_out, n_filters).transpose(0, 3, 1, 2) + b[None, :, None, None]"


def _im2col(cols: str = _COLS, filters: str = _FILTERS, result: str = _RESULT) -> str:
    return _IM2COL.format(cols=cols, filters=filters, result=result)


def _backward(dxp_update: str = "+=", crop: str = "dxp[:, :, pad : pad + height, pad : pad + width]", **parts) -> str:
    p = {
        "dW": 'np.einsum("nfhw,nchw->fc", delta, xp[:, :, rows, cols])',
        "dx": 'np.einsum("nfhw,fc->nchw", delta, Wt[:, :, p, q])',
        "db": "delta.sum(axis=(0, 2, 3))",
        **parts,
    }
    return f"""
def conv2d_backward(delta, x, Wt, stride=1, pad=0):
    _, _, height, width = x.shape
    _, _, kh, kw = Wt.shape
    _, _, h_out, w_out = delta.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dWt = np.zeros_like(Wt)
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * h_out, stride)
            cols = slice(q, q + stride * w_out, stride)
            dWt[:, :, p, q] = {p["dW"]}
            dxp[:, :, rows, cols] {dxp_update} {p["dx"]}
    db = {p["db"]}
    dx = {crop}
    return dx, dWt, db
"""


MISTAKES = [
    # --- 5.1 conv2d_forward_loop -------------------------------------------------------------------
    Mistake(
        question="5.1",
        name="flipped kernel (convolution instead of cross-correlation)",
        code=_loop(value="np.sum(window * Wt[f, :, ::-1, ::-1]) + b[f]"),
        hint="Deep-learning libraries do not flip the filter: multiply the window by Wt[f] as it is.",
    ),
    Mistake(
        question="5.1",
        name="windows start at i instead of i * stride",
        code=_loop(window="xp[n, :, i : i + kh, j : j + kw]"),
        hint="Output position (i, j) reads the window starting at (i * stride, j * stride).",
    ),
    Mistake(
        question="5.1",
        name="output size without the floor division (rounds up)",
        code=_loop(h_out="-(-(height + 2 * pad - kh) // stride) + 1", w_out="-(-(width + 2 * pad - kw) // stride) + 1"),
        hint="H_out = (H + 2 pad - KH) // stride + 1 rounds down: a partial window at the edge is not used.",
    ),
    Mistake(
        question="5.1",
        name="padding ignored",
        code=_loop(
            xp="x",
            h_out="(height - kh) // stride + 1",
            w_out="(width - kw) // stride + 1",
        ),
    ),
    Mistake(
        question="5.1",
        name="bias left out",
        code=_loop(value="np.sum(window * Wt[f])"),
    ),
    Mistake(
        question="5.1",
        name="output array made in float64",
        code=_loop(dtype="np.float64"),
        hint="np.zeros makes float64 by default: pass dtype=x.dtype.",
    ),
    Mistake(
        question="5.1",
        name="sums only the first input channel",
        code=_loop(value="np.sum(window[0] * Wt[f, 0]) + b[f]"),
        hint="Each output sums over all input channels: window (C, KH, KW) times Wt[f] (C, KH, KW).",
    ),
    Mistake(
        question="5.1",
        name="pads every axis, batch and channels too",
        code=_loop(xp="np.pad(x, pad)"),
        hint="np.pad(x, pad) pads all four axes: pad only the two image axes.",
    ),
    # --- 5.2 conv2d_forward ------------------------------------------------------------------------
    Mistake(
        question="5.2",
        name="im2col columns in (KH, KW, C) order, filters in (C, KH, KW) order",
        code=_im2col(cols="windows.transpose(0, 2, 3, 4, 5, 1).reshape(n_batch * h_out * w_out, -1)"),
        hint="The columns of the window matrix and the rows of the reshaped filters must list (c, p, q) "
        "in the same order: Wt.reshape(F, -1) is (C, KH, KW) order.",
    ),
    Mistake(
        question="5.2",
        name="the product reshaped straight to (N, F, Ho, Wo)",
        code=_im2col(result="out.reshape(n_batch, n_filters, h_out, w_out) + b[None, :, None, None]"),
        hint="The product has rows (n, i, j) and columns f: reshape to (N, Ho, Wo, F), then transpose.",
    ),
    Mistake(
        question="5.2",
        name="flipped kernel (convolution instead of cross-correlation)",
        code=_im2col(filters="Wt[:, :, ::-1, ::-1].reshape(n_filters, -1).T"),
        hint="Deep-learning libraries do not flip the filter.",
    ),
    Mistake(
        question="5.2",
        name="stride ignored when taking the windows",
        code=_im2col().replace(
            "windows[:, :, ::stride, ::stride][:, :, :h_out, :w_out]", "windows[:, :, :h_out, :w_out]"
        ),
        hint="Keep every stride-th window: windows[:, :, ::stride, ::stride].",
    ),
    Mistake(
        question="5.2",
        name="the loop version (too slow)",
        code="def conv2d_forward(x, Wt, b, stride=1, pad=0):\n    return conv2d_forward_loop(x, Wt, b, stride, pad)\n",
    ),
    Mistake(
        question="5.2",
        name="bias added as it is (+ b broadcasts along the width)",
        code=_im2col(result="out.reshape(n_batch, h_out, w_out, n_filters).transpose(0, 3, 1, 2) + b"),
        hint="b has one entry per filter, axis 1 of the output: b[None, :, None, None].",
    ),
    # --- 5.3 conv2d_backward -----------------------------------------------------------------------
    Mistake(
        question="5.3",
        name="dx assigned instead of accumulated (= instead of +=)",
        code=_backward(dxp_update="="),
        hint="Windows overlap, so each input entry collects gradient from several outputs: use +=.",
    ),
    Mistake(
        question="5.3",
        name="padding cut off with -pad (empty when pad = 0)",
        code=_backward(crop="dxp[:, :, pad:-pad, pad:-pad]"),
        hint="x[pad:-pad] is empty for pad = 0: slice pad : pad + H.",
    ),
    Mistake(
        question="5.3",
        name="flipped kernel in dx",
        code=_backward(dx='np.einsum("nfhw,fc->nchw", delta, Wt[:, :, kh - 1 - p, kw - 1 - q])'),
        hint="dx collects delta times the same filter entry Wt[f, c, p, q] that multiplied x in the forward pass.",
    ),
    Mistake(
        question="5.3",
        name="db summed over the output positions only, not the batch",
        code=_backward(db="delta.sum(axis=(2, 3))"),
        hint="db sums delta over the batch and every output position: delta.sum(axis=(0, 2, 3)).",
    ),
    Mistake(
        question="5.3",
        name="dW without the stride (windows at every position)",
        code=_backward(dW='np.einsum("nfhw,nchw->fc", delta, xp[:, :, p : p + h_out, q : q + w_out])'),
        hint="Output (i, j) saw the input at (i * stride + p, j * stride + q): step the slices by stride.",
    ),
    Mistake(
        question="5.3",
        name="dW divided by the batch size",
        code=_backward(dW='np.einsum("nfhw,nchw->fc", delta, xp[:, :, rows, cols]) / x.shape[0]'),
        hint="delta already is the gradient of the whole loss: no extra 1/N here.",
    ),
]

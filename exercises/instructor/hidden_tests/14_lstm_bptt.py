"""Hidden tests of Exercise 14. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. Fixed
diagnostic cases catch the classic mistakes: a tanh on the cell update, the cell gradient
missing one of its two sources, gradients of the shared weights not summed over time, and the
gradient from the next step not added to the one from above.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def _lstm_inputs(rng, N, D, H, dtype=np.float64, scale=1.0, c_scale=1.0):
    x = rng.normal(size=(N, D))
    h = rng.normal(size=(N, H))
    c = c_scale * rng.normal(size=(N, H))
    W = scale * rng.normal(size=(D, 4 * H)) / np.sqrt(D)
    U = scale * rng.normal(size=(H, 4 * H)) / np.sqrt(H)
    b = rng.normal(size=4 * H)
    return tuple(a.astype(dtype) for a in (x, h, c, W, U, b))


def _kept_cell(dtype=np.float64):
    """Forget gate open, input gate shut, large cell values: c_t = c_{t-1} exactly (to float precision)."""
    N, D, H = 2, 3, 4
    x = np.linspace(-1, 1, N * D).reshape(N, D)
    h = np.linspace(-0.5, 0.5, N * H).reshape(N, H)
    c = np.array([[3.0, -3.0, 5.0, -1.5], [2.0, 4.0, -4.0, 0.5]])
    W, U = np.zeros((D, 4 * H)), np.zeros((H, 4 * H))
    b = np.concatenate([np.full(H, -40.0), np.full(H, 40.0), np.zeros(H), np.full(H, 1.0)])
    return tuple(a.astype(dtype) for a in (x, h, c, W, U, b))


LSTM_SPECS = [
    ("one example, D = 3, H = 4", (1, 3, 4), {}),
    ("a batch of 5, D = 2, H = 6", (5, 2, 6), {}),
    ("large cell values", (3, 4, 3), {"c_scale": 4.0}),
    ("large weights (saturated gates)", (4, 3, 5), {"scale": 6.0}),
    ("float32", (3, 3, 4), {"dtype": F32}),
]


def lstm_step_forward(rng, ref):
    cases = []
    for name, (N, D, H), kw in LSTM_SPECS:
        args = _lstm_inputs(rng, N, D, H, **kw)
        cases.append(Case(name, args=args, expected=ref.lstm_step_forward(*args), hint="gates in the order i, f, g, o"))
    for dtype, label in ((np.float64, ""), (F32, ", float32")):
        args = _kept_cell(dtype)
        cases.append(
            Case(
                f"forget gate open, input gate shut: the cell carries large values unchanged{label}",
                args=args,
                expected=ref.lstm_step_forward(*args),
                hint="c_t = f * c_prev + i * g with no tanh around it",
            )
        )
    return cases


def lstm_step_backward(rng, ref):
    cases = []
    for name, (N, D, H), kw in LSTM_SPECS:
        args = _lstm_inputs(rng, N, D, H, **kw)
        dtype = args[0].dtype
        dh, dc = rng.normal(size=(N, H)).astype(dtype), rng.normal(size=(N, H)).astype(dtype)
        cases.append(
            Case(name, args=(dh, dc, *args), expected=ref.lstm_step_backward(dh, dc, *args), hint="recompute the gates")
        )
    args = _lstm_inputs(rng, 3, 2, 4)
    zeros = np.zeros((3, 4))
    ones = np.linspace(0.5, 1.5, 12).reshape(3, 4)
    cases += [
        Case(
            "dh = 0, dc from the next step only",
            args=(zeros, ones, *args),
            expected=ref.lstm_step_backward(zeros, ones, *args),
            hint="the gradient arriving at c_t from the next step (dc) must be used",
        ),
        Case(
            "dc = 0, dh only: the cell still gets gradient through h = o tanh(c)",
            args=(ones, zeros, *args),
            expected=ref.lstm_step_backward(ones, zeros, *args),
            hint="add dh * o * (1 - tanh(c)^2) to dc",
        ),
    ]
    kept = _kept_cell()
    dh, dc = np.full((2, 4), 0.5), np.full((2, 4), -1.0)
    cases.append(
        Case(
            "forget gate open, large cell values",
            args=(dh, dc, *kept),
            expected=ref.lstm_step_backward(dh, dc, *kept),
            hint="c_t is a plain sum; dc_prev = (dc + dh * o * (1 - tanh(c)^2)) * f",
        )
    )
    return cases


def _rnn_inputs(rng, N, T, D, H, dtype=np.float64):
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(N, H))
    W = rng.normal(size=(D, H)) / np.sqrt(D)
    U = 0.9 * rng.normal(size=(H, H)) / np.sqrt(H)
    b = rng.normal(size=H) * 0.1
    return tuple(a.astype(dtype) for a in (x, h0, W, U, b))


RNN_SPECS = [
    ("one step", (2, 1, 3, 4), {}),
    ("five steps", (3, 5, 2, 4), {}),
    ("twelve steps, batch of one", (1, 12, 3, 3), {}),
    ("float32", (2, 6, 4, 5), {"dtype": F32}),
]


def rnn_forward(rng, ref):
    cases = []
    for name, (N, T, D, H), kw in RNN_SPECS:
        args = _rnn_inputs(rng, N, T, D, H, **kw)
        cases.append(Case(name, args=args, expected=ref.rnn_forward(*args), hint="feed h_{t-1} back in at every step"))
    return cases


def rnn_bptt(rng, ref):
    cases = []
    for name, (N, T, D, H), kw in RNN_SPECS:
        args = _rnn_inputs(rng, N, T, D, H, **kw)
        dhs = rng.normal(size=(N, T, H)).astype(args[0].dtype)
        cases.append(
            Case(
                f"{name}, loss on every step",
                args=(dhs, *args),
                expected=ref.rnn_bptt(dhs, *args),
                hint="delta_t = (dhs[:, t] + delta_{t+1} U^T) * (1 - h_t^2); sum dW, dU, db over t",
            )
        )
    x, h0, W, U, b = _rnn_inputs(np.random.default_rng(14), 2, 4, 3, 3)  # fixed diagnostic inputs
    last_only = np.zeros((2, 4, 3))
    last_only[:, -1] = 1.0
    first_only = np.zeros((2, 4, 3))
    first_only[:, 0] = 1.0
    cases += [
        Case(
            "the loss reads only the last state: the gradient must flow back through every step",
            args=(last_only, x, h0, W, U, b),
            expected=ref.rnn_bptt(last_only, x, h0, W, U, b),
            hint="dW, dU and db are sums over ALL steps, not the last step's term",
        ),
        Case(
            "the loss reads only the first state",
            args=(first_only, x, h0, W, U, b),
            expected=ref.rnn_bptt(first_only, x, h0, W, U, b),
            hint="walk the steps from T down to 1",
        ),
    ]
    return cases


HIDDEN = {
    "14.1": lstm_step_forward,
    "14.2": lstm_step_backward,
    "14.3": rnn_forward,
    "14.4": rnn_bptt,
}

"""Classic mistakes in Exercise 14; each ``code`` redefines one question's function with exactly one mistake."""

from dlgrade.mistakes import Mistake

_GATES = """    H = h_prev.shape[1]
    a = x @ W + h_prev @ U + b
    i = 0.5 * (1 + np.tanh(0.5 * a[:, :H]))
    f = 0.5 * (1 + np.tanh(0.5 * a[:, H : 2 * H]))
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = 0.5 * (1 + np.tanh(0.5 * a[:, 3 * H :]))
"""

_RNN_FORWARD = """    N, T, _ = x.shape
    states = [h0]
    for t in range(T):
        states.append(np.tanh(x[:, t] @ W + states[-1] @ U + b))
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
"""

MISTAKES = [
    Mistake(
        question="14.1",
        name="LSTM cell update with a tanh on the sum",
        hint="c_t = f * c_prev + i * g is a plain sum; the tanh is only in h_t = o * tanh(c_t)",
        code="def lstm_step_forward(x, h_prev, c_prev, W, U, b):\n"
        + _GATES
        + """    c = np.tanh(f * c_prev + i * g)
    h = o * np.tanh(c)
    return h, c
""",
    ),
    Mistake(
        question="14.1",
        name="gates taken in the order i, f, o, g instead of i, f, g, o",
        hint="the four blocks of W, U and b are the gates i, f, g, o in that order",
        code="def lstm_step_forward(x, h_prev, c_prev, W, U, b):\n"
        + _GATES.replace("o = 0.5", "o_ = 0.5").replace("g = np.tanh", "g_ = np.tanh")
        + "    g, o = np.tanh(a[:, 3 * H :]), 0.5 * (1 + np.tanh(0.5 * a[:, 2 * H : 3 * H]))\n"
        + """    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c
""",
    ),
    Mistake(
        question="14.2",
        name="cell gradient without the path through h_t (dc used alone)",
        hint="c_t also reaches the loss through h_t = o * tanh(c_t): add dh * o * (1 - tanh(c)^2) to dc",
        code="def lstm_step_backward(dh, dc, x, h_prev, c_prev, W, U, b):\n"
        + _GATES
        + """    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    dc_total = dc
    da = np.concatenate(
        [dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f),
         dc_total * i * (1 - g**2), dh * tanh_c * o * (1 - o)],
        axis=1,
    )
    return da @ W.T, da @ U.T, dc_total * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
""",
    ),
    Mistake(
        question="14.2",
        name="cell gradient ignoring dc from the next step",
        hint="the gradient dc arriving from the next step must be added to the one through h_t",
        code="def lstm_step_backward(dh, dc, x, h_prev, c_prev, W, U, b):\n"
        + _GATES
        + """    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    dc_total = dh * o * (1 - tanh_c**2)
    da = np.concatenate(
        [dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f),
         dc_total * i * (1 - g**2), dh * tanh_c * o * (1 - o)],
        axis=1,
    )
    return da @ W.T, da @ U.T, dc_total * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
""",
    ),
    Mistake(
        question="14.3",
        name="every step starts from h0 instead of the previous state",
        hint="feed the new state back: h_{t-1} is the previous step's output, not h0",
        code="""def rnn_forward(x, h0, W, U, b):
    N, T, _ = x.shape
    hs = np.zeros((N, T, h0.shape[1]), dtype=np.result_type(x, W))
    for t in range(T):
        hs[:, t] = np.tanh(x[:, t] @ W + h0 @ U + b)
    return hs
""",
    ),
    Mistake(
        question="14.4",
        name="weight gradients not summed over time (overwritten at each step)",
        hint="W, U and b are used at every step: their gradients are SUMS over the steps (+=)",
        code="def rnn_bptt(dhs, x, h0, W, U, b):\n"
        + _RNN_FORWARD
        + """    for t in reversed(range(T)):
        delta = (dhs[:, t] + dh_next) * (1 - states[t + 1] ** 2)
        dx[:, t] = delta @ W.T
        dW = x[:, t].T @ delta
        dU = states[t].T @ delta
        db = delta.sum(axis=0)
        dh_next = delta @ U.T
    return dx, dh_next, dW, dU, db
""",
    ),
    Mistake(
        question="14.4",
        name="gradient from step t + 1 not added to the one from above",
        hint="the gradient reaching h_t is dhs[:, t] PLUS the one coming back from step t + 1",
        code="def rnn_bptt(dhs, x, h0, W, U, b):\n"
        + _RNN_FORWARD
        + """    for t in reversed(range(T)):
        delta = dhs[:, t] * (1 - states[t + 1] ** 2)
        dx[:, t] = delta @ W.T
        dW += x[:, t].T @ delta
        dU += states[t].T @ delta
        db += delta.sum(axis=0)
        dh_next = delta @ U.T
    return dx, dh_next, dW, dU, db
""",
    ),
]

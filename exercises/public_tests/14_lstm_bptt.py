"""Public tests of Exercise 14 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 14: An LSTM step, forward and backward, and backpropagation through time"
QUESTIONS = [
    Question("14.1", "lstm_step_forward", 3, "one LSTM step, forward", outputs=("h", "c")),
    Question(
        "14.2",
        "lstm_step_backward",
        5,
        "one LSTM step, backward",
        outputs=("dx", "dh_prev", "dc_prev", "dW", "dU", "db"),
    ),
    Question("14.3", "rnn_forward", 2, "a simple RNN over a sequence"),
    Question("14.4", "rnn_bptt", 5, "backpropagation through time", outputs=("dx", "dh0", "dW", "dU", "db")),
]

# --- LSTM with zero weights: every gate is sigma(0) = 1/2 and the candidate is tanh(0) = 0 ---------
D, H = 2, 3
X = np.array([[1.0, -2.0]])
H_PREV = np.array([[0.5, -0.5, 1.0]])
C_PREV = np.array([[1.0, -2.0, 3.0]])
W0, U0, B0 = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
C_ZERO = 0.5 * C_PREV
H_ZERO = 0.5 * np.tanh(C_ZERO)

# forget gate wide open (bias +30), input gate shut (bias -30): the cell is carried over unchanged
B_KEEP = np.concatenate([np.full(H, -30.0), np.full(H, 30.0), np.zeros(H), np.zeros(H)])
C_BIG = np.array([[4.0, -4.0, 2.5]])

# backward with zero weights, dh = 1, dc = 0
DH = np.ones((1, H))
DC_TOTAL = DH * 0.5 * (1 - np.tanh(C_ZERO) ** 2)
DA = np.concatenate([np.zeros((1, H)), DC_TOTAL * C_PREV * 0.25, DC_TOTAL * 0.5, DH * np.tanh(C_ZERO) * 0.25], axis=1)

# --- a 1-unit RNN over two steps, W = U = 1, b = 0, h0 = 0, x = (1, 0) ------------------------------
XS = np.array([[[1.0], [0.0]]])
ONE = np.ones((1, 1))
T1 = np.tanh(1.0)
T2 = np.tanh(T1)
DELTA2 = 1 - T2**2  # the loss is h_2
DELTA1 = DELTA2 * (1 - T1**2)

PUBLIC = {
    "14.1": [
        Case(
            "zero weights: every gate is 1/2",
            args=(X, H_PREV, C_PREV, W0, U0, B0),
            expected=(H_ZERO, C_ZERO),
            hint="gates in the order i, f, g, o; c = f * c_prev + i * g",
        ),
        Case(
            "forget gate open, input gate shut: the cell keeps its value (no tanh on the sum)",
            args=(X, H_PREV, C_BIG, W0, U0, B_KEEP),
            expected=(0.5 * np.tanh(C_BIG), C_BIG),
            hint="c_t = f * c_prev + i * g is a plain sum; tanh only in h_t = o * tanh(c_t)",
        ),
    ],
    "14.2": [
        Case(
            "zero weights, dh = 1, dc = 0",
            args=(DH, np.zeros((1, H)), X, H_PREV, C_PREV, W0, U0, B0),
            expected=(np.zeros_like(X), np.zeros_like(H_PREV), DC_TOTAL * 0.5, X.T @ DA, H_PREV.T @ DA, DA[0]),
            hint="the cell's gradient is dc + dh * o * (1 - tanh(c)^2)",
        ),
    ],
    "14.3": [
        Case(
            "one unit, two steps",
            args=(XS, np.zeros((1, 1)), ONE, ONE, np.zeros(1)),
            expected=np.array([[[T1], [T2]]]),
            hint="h_t = tanh(x_t W + h_{t-1} U + b), starting from h0",
        ),
    ],
    "14.4": [
        Case(
            "one unit, two steps, the loss reads h_2 only",
            args=(np.array([[[0.0], [1.0]]]), XS, np.zeros((1, 1)), ONE, ONE, np.zeros(1)),
            expected=(
                np.array([[[DELTA1], [DELTA2]]]),
                np.array([[DELTA1]]),
                np.array([[DELTA1]]),
                np.array([[T1 * DELTA2]]),
                np.array([DELTA1 + DELTA2]),
            ),
            hint="db is the SUM of delta_t over the steps (and so are dW and dU)",
        ),
    ],
}

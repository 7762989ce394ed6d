"""Public tests of Exercise 5 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 5: Convolution, forward and backward"
QUESTIONS = [
    Question("5.1", "conv2d_forward_loop", 3, "the forward pass with loops"),
    Question("5.2", "conv2d_forward", 4, "the forward pass, vectorised"),
    Question("5.3", "conv2d_backward", 5, "the backward pass", outputs=("dx", "dWt", "db")),
]
X16 = np.arange(16.0).reshape(1, 1, 4, 4)
ONES_2X2 = np.ones((1, 1, 2, 2))
TWO_FILTERS = np.stack([np.ones((2, 3, 3)), 2 * np.ones((2, 3, 3))])  # (F=2, C=2, 3, 3)

FORWARD = [
    Case(
        "a 2x2 sum over a 4x4 image",
        args=(X16, ONES_2X2, np.zeros(1)),
        expected=np.array([[[[10.0, 14.0, 18.0], [26.0, 30.0, 34.0], [42.0, 46.0, 50.0]]]]),
        hint="out[n, f, i, j] = sum(window * Wt[f]) + b[f]",
    ),
    Case(
        "stride 2",
        args=(X16, ONES_2X2, np.zeros(1)),
        kwargs={"stride": 2},
        expected=np.array([[[[10.0, 18.0], [42.0, 50.0]]]]),
        hint="the window of output (i, j) starts at row i * stride, column j * stride",
    ),
    Case(
        "padding 1",
        args=(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), np.zeros(1)),
        kwargs={"pad": 1},
        expected=np.full((1, 1, 2, 2), 4.0),
        hint="pad only the two image axes with np.pad",
    ),
    Case(
        "two channels, two filters and a bias (float32)",
        args=(np.ones((1, 2, 3, 3), np.float32), TWO_FILTERS.astype(np.float32), np.array([1.0, -1.0], np.float32)),
        expected=np.array([[[[19.0]], [[35.0]]]], np.float32),
    ),
]

PUBLIC = {
    "5.1": FORWARD,
    "5.2": FORWARD,
    "5.3": [
        Case(
            "a 2x2 filter over a 3x3 image",
            args=(np.ones((1, 1, 2, 2)), np.arange(9.0).reshape(1, 1, 3, 3), ONES_2X2),
            expected=(
                np.array([[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]),
                np.array([[[[8.0, 12.0], [20.0, 24.0]]]]),
                np.array([4.0]),
            ),
            hint="dx counts how many windows cover each pixel here; dWt[p, q] sums the x entries at offset (p, q)",
        ),
        Case(
            "stride 2 skips the last row and column",
            args=(np.ones((1, 1, 1, 1)), np.ones((1, 1, 3, 3)), ONES_2X2),
            kwargs={"stride": 2},
            expected=(
                np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]]),
                np.ones((1, 1, 2, 2)),
                np.array([1.0]),
            ),
        ),
    ],
}

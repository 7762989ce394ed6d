"""Public tests of Exercise 13 (learners may read these; the hidden tests try more cases)."""

import numpy as np

from dlgrade.spec import Case, Question

TITLE = "Exercise 13: Max pooling, forward and backward, and receptive fields"
QUESTIONS = [
    Question("13.1", "output_size", 2, "the output size"),
    Question("13.2", "maxpool_forward", 3, "max pooling, forward"),
    Question("13.3", "maxpool_backward", 4, "max pooling, backward (ties to the first maximum)"),
    Question("13.4", "receptive_field", 3, "a receptive-field calculator"),
]
X16 = np.arange(16.0).reshape(1, 1, 4, 4)
TIES = np.array([[[[1.0, 1.0], [1.0, 1.0]]]])  # one window, four equal values

PUBLIC = {
    "13.1": [
        Case("a 3-kernel over 5 inputs", args=(5, 3), expected=3, hint="n_out = floor((n + 2p - d(k-1) - 1) / s) + 1"),
        Case("stride 2 with padding 1", args=(7, 3), kwargs={"stride": 2, "pad": 1}, expected=4),
    ],
    "13.2": [
        Case("2x2 windows, stride 2", args=(X16,), expected=np.array([[[[5.0, 7.0], [13.0, 15.0]]]])),
        Case(
            "3x3 windows, stride 1",
            args=(X16,),
            kwargs={"size": 3, "stride": 1},
            expected=np.array([[[[10.0, 11.0], [14.0, 15.0]]]]),
        ),
    ],
    "13.3": [
        Case(
            "each window's maximum gets its delta",
            args=(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), X16),
            expected=np.array([[[[0, 0, 0, 0], [0, 1.0, 0, 2.0], [0, 0, 0, 0], [0, 3.0, 0, 4.0]]]]),
        ),
        Case(
            "a tie: only the first maximum (row-major) gets delta",
            args=(np.array([[[[5.0]]]]), TIES),
            expected=np.array([[[[5.0, 0.0], [0.0, 0.0]]]]),
            hint="several inputs equal to the maximum: give delta to the first one only, not to all",
        ),
    ],
    "13.4": [
        Case("three 3x3 layers, stride 1", args=([3, 3, 3], [1, 1, 1]), expected=np.array([3, 5, 7])),
        Case(
            "strides multiply the growth of later layers",
            args=([3, 3, 3], [2, 2, 1]),
            expected=np.array([3, 7, 15]),
            hint="layer l adds (k_l - 1) times the product of the strides of the layers BEFORE it",
        ),
    ],
}

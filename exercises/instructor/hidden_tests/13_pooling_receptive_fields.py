"""Hidden tests of Exercise 13. Instructor-only: keep this folder private when grading for credit.

Each function gets a fresh random generator and the reference solutions (``ref``, run in the
grader's process) and returns the cases; expected answers never leave the grader. The cases
that catch the classic mistakes are fixed inputs, not random draws: an off-by-one output size,
a gradient sent to every tied maximum, gradients overwritten instead of added where windows
overlap, receptive fields that ignore the product of earlier strides.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32


def output_size(rng, ref):
    specs = [
        ("kernel 3 over 5, stride 1", (5, 3), {}),
        ("stride 2 that divides evenly", (8, 2), {"stride": 2}),
        ("stride 2 that does not divide evenly: the floor", (7, 2), {"stride": 2}),
        ("stride 3, kernel 3 over 10", (10, 3), {"stride": 3}),
        ("'same' padding, kernel 5", (28, 5), {"pad": 2}),
        ("kernel 7, stride 2, padding 3 (a ResNet stem)", (224, 7), {"stride": 2, "pad": 3}),
        ("dilation 2", (10, 3), {"dilation": 2}),
        ("dilation 3 with padding and stride", (20, 3), {"stride": 2, "pad": 1, "dilation": 3}),
        ("the kernel exactly fits: one position", (4, 4), {}),
    ]
    return [
        Case(name, args=args, kwargs=kw, expected=ref.output_size(*args, **kw), hint="+1 and a floor, not a ceil")
        for name, args, kw in specs
    ]


def _pool_input(rng, shape, dtype=np.float64):
    return rng.normal(size=shape).astype(dtype)


def maxpool_forward(rng, ref):
    specs = [
        ("2x2 windows, stride 2", (2, 3, 6, 6), {}),
        ("stride that does not divide evenly: last row and column dropped", (1, 2, 7, 5), {}),
        ("3x3 windows, stride 2 (overlapping)", (2, 2, 7, 7), {"size": 3, "stride": 2}),
        ("3x3 windows, stride 1", (1, 1, 5, 6), {"size": 3, "stride": 1}),
        ("non-square image, stride 3", (1, 2, 9, 7), {"size": 2, "stride": 3}),
        ("batch of one, float32", (1, 4, 6, 6), {}, F32),
        ("all negative values", (1, 1, 4, 4), {}),
    ]
    cases = []
    for name, shape, kw, *dtype in specs:
        x = _pool_input(rng, shape, *dtype)
        if "negative" in name:
            x = -np.abs(x) - 1.0
        cases.append(
            Case(
                name,
                args=(x,),
                kwargs=kw,
                expected=ref.maxpool_forward(x, **kw),
                hint="H_out = (H - size) // stride + 1",
            )
        )
    return cases


def maxpool_backward(rng, ref):
    cases = []
    specs = [
        ("2x2 windows, stride 2", (2, 3, 6, 6), {}),
        ("stride that does not divide evenly: uncovered cells get 0", (1, 2, 7, 5), {}),
        ("overlapping 3x3 windows, stride 1: gradients add up", (1, 2, 5, 5), {"size": 3, "stride": 1}),
        ("overlapping 3x3 windows, stride 2", (2, 1, 7, 7), {"size": 3, "stride": 2}),
        ("batch of one, float32", (1, 3, 4, 6), {}, F32),
    ]
    for name, shape, kw, *dtype in specs:
        x = _pool_input(rng, shape, *dtype)
        out = ref.maxpool_forward(x, **kw)
        delta = rng.normal(size=out.shape).astype(x.dtype)
        cases.append(
            Case(
                name,
                args=(delta, x),
                kwargs=kw,
                expected=ref.maxpool_backward(delta, x, **kw),
                hint="add (+=) the delta of every window an input wins",
            )
        )
    # fixed diagnostic cases for ties
    plateau = np.zeros((1, 1, 4, 4))
    plateau[0, 0, 2:, 2:] = [[3.0, 3.0], [3.0, 1.0]]
    ties = [
        ("a constant image: every window is a four-way tie", np.ones((1, 2, 4, 4)), {}),
        ("a tie in the bottom-right window", plateau, {}),
        ("ties in overlapping windows", np.array([[[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [0.0, 2.0, 0.0]]]]),
         {"size": 2, "stride": 1}),
        ("a tie in float32", np.ones((1, 1, 2, 4), F32), {}),
    ]  # fmt: skip
    for name, x, kw in ties:
        out = ref.maxpool_forward(x, **kw)
        delta = (1.0 + np.arange(out.size).reshape(out.shape)).astype(x.dtype)
        cases.append(
            Case(
                name,
                args=(delta, x),
                kwargs=kw,
                expected=ref.maxpool_backward(delta, x, **kw),
                hint="with ties, only the FIRST maximum of a window (row-major) receives its delta",
            )
        )
    return cases


def receptive_field(rng, ref):
    specs = [
        ("one layer", ([5], [1])),
        ("three 3x3 layers, stride 1", ([3, 3, 3], [1, 1, 1])),
        ("stride 2 in the first layer", ([3, 3], [2, 1])),
        ("stride 2 in the last layer does not change its own field", ([3, 3], [1, 2])),
        ("conv 7/2 then pool 3/2 (ResNet stem)", ([7, 3], [2, 2])),
        ("alternating strides, five layers", ([3, 3, 3, 3, 3], [2, 1, 2, 1, 2])),
        ("pooling layers 2/2 between convolutions", ([3, 2, 3, 2, 3], [1, 2, 1, 2, 1])),
        ("1x1 convolutions add nothing", ([1, 3, 1], [1, 2, 1])),
    ]
    cases = [
        Case(
            name, args=args, expected=ref.receptive_field(*args), hint="RF_l = RF_{l-1} + d_l (k_l - 1) prod_{i<l} s_i"
        )
        for name, args in specs
    ]
    cases.append(
        Case(
            "dilations 1, 2, 4",
            args=([3, 3, 3], [1, 1, 1]),
            kwargs={"dilations": [1, 2, 4]},
            expected=ref.receptive_field([3, 3, 3], [1, 1, 1], dilations=[1, 2, 4]),
            hint="a dilated kernel spans d (k - 1) + 1 inputs",
        )
    )
    return cases


HIDDEN = {
    "13.1": output_size,
    "13.2": maxpool_forward,
    "13.3": maxpool_backward,
    "13.4": receptive_field,
}

"""Hidden tests of Exercise 5. Instructor-only: keep this folder private when grading for credit.

Each function gets a random generator (seeded by the grader) and the reference solutions
(``ref``, run in the grader's process) and returns the cases; expected answers never leave the
grader. The fixed diagnostic cases (drawn from a generator with a fixed seed: filters that are
not symmetric, several channels, overlapping windows, an uneven stride) catch every mistake of
``../mistakes/05_conv2d.py`` whatever the draw; the random cases only add variety.
"""

import numpy as np

from dlgrade.spec import Case

F32 = np.float32
# A batch the vectorised forward pass must handle within SPEED_LIMIT seconds (loops take ~10x longer).
SPEED_SHAPES = {"x": (32, 8, 32, 32), "Wt": (32, 8, 3, 3)}
SPEED_LIMIT = 3.0


FORWARD_HINTS = {
    "shape": "H_out = (H + 2 pad - KH) // stride + 1, and the same for the width; pad only the two image axes",
    "values": "the shape is right, so look at the sum: out[n, f, i, j] = b[f] + the sum over (c, p, q) of "
    "Wt[f, c, p, q] (not flipped) times the padded input at (i * stride + p, j * stride + q)",
    "error": "print the shapes of the window and of Wt[f] for a small input",
}


def FIXED():  # noqa: N802 - a generator with a fixed seed, for the diagnostic cases
    return np.random.default_rng(505)


def _conv_inputs(rng, x_shape, w_shape, dtype=np.float64):
    x = rng.normal(size=x_shape).astype(dtype)
    Wt = rng.normal(size=w_shape).astype(dtype)
    b = rng.normal(size=w_shape[0]).astype(dtype)
    return x, Wt, b


def _forward_cases(rng, ref):
    specs = [
        (
            "fixed: 3 channels, asymmetric 3x3 filters, stride 2, padding 1",
            (2, 3, 7, 8),
            (2, 3, 3, 3),
            {"stride": 2, "pad": 1},
            np.float64,
            FIXED,
        ),
        ("3x3 filters, no padding", (2, 3, 5, 6), (4, 3, 3, 3), {}),
        ("stride 2, padding 1", (2, 2, 7, 6), (3, 2, 3, 3), {"stride": 2, "pad": 1}),
        ("a non-square 2x3 filter", (1, 2, 5, 7), (2, 2, 2, 3), {"pad": 1}),
        ("stride that does not divide evenly", (1, 1, 6, 6), (2, 1, 3, 3), {"stride": 2}),
        ("1x1 filters", (3, 4, 4, 4), (2, 4, 1, 1), {}),
        ("batch of one, float32", (1, 3, 6, 5), (2, 3, 3, 3), {"pad": 1}, F32),
    ]
    cases = []
    for name, x_shape, w_shape, kwargs, *rest in specs:
        x, Wt, b = _conv_inputs(rest[1]() if len(rest) > 1 else rng, x_shape, w_shape, *rest[:1])
        cases.append(
            Case(
                name,
                args=(x, Wt, b),
                kwargs=kwargs,
                expected=ref.conv2d_forward(x, Wt, b, **kwargs),
                hints=FORWARD_HINTS,
            )
        )
    return cases


def conv2d_forward_loop(rng, ref):
    return _forward_cases(rng, ref)


def conv2d_forward(rng, ref):
    x, Wt, b = _conv_inputs(rng, SPEED_SHAPES["x"], SPEED_SHAPES["Wt"])
    speed = Case(
        f"32 images 8x32x32, 32 filters, within {SPEED_LIMIT:g} s",
        args=(x, Wt, b),
        kwargs={"pad": 1},
        expected=ref.conv2d_forward(x, Wt, b, pad=1),
        time_limit=SPEED_LIMIT,
        rtol=1e-5,
        atol=1e-8,
        hint="the smaller cases above show which values differ",
        hints={
            "timeout": "no loop over the batch or over output positions: im2col and one matrix product, "
            "or a loop over the KH*KW filter offsets only"
        },
    )
    return [*_forward_cases(rng, ref), speed]  # the speed case last: a timeout ends the worker


def conv2d_backward(rng, ref):
    specs = [
        (
            "fixed: 2 channels, asymmetric 3x3 filters, stride 2, padding 1",
            (2, 2, 7, 8),
            (3, 2, 3, 3),
            {"stride": 2, "pad": 1},
            np.float64,
            FIXED,
        ),
        ("fixed: overlapping windows, no padding", (1, 2, 5, 6), (2, 2, 3, 3), {}, np.float64, FIXED),
        ("3x3 filters, no padding", (2, 3, 5, 6), (4, 3, 3, 3), {}),
        ("stride 2, padding 1", (2, 2, 7, 6), (3, 2, 3, 3), {"stride": 2, "pad": 1}),
        ("a non-square 2x3 filter with padding", (1, 2, 5, 7), (2, 2, 2, 3), {"pad": 1}),
        ("stride that does not divide evenly: unused rows get zero", (1, 2, 6, 7), (2, 2, 3, 3), {"stride": 2}),
        ("batch of one, float32", (1, 3, 6, 5), (2, 3, 3, 3), {"pad": 1}, F32),
    ]
    cases = []
    for name, x_shape, w_shape, kwargs, *rest in specs:
        draw = rest[1]() if len(rest) > 1 else rng
        x, Wt, _ = _conv_inputs(draw, x_shape, w_shape, *rest[:1])
        out_shape = ref.conv2d_forward(x, Wt, np.zeros(w_shape[0], x.dtype), **kwargs).shape
        delta = draw.normal(size=out_shape).astype(x.dtype)
        cases.append(
            Case(
                name,
                args=(delta, x, Wt),
                kwargs=kwargs,
                expected=ref.conv2d_backward(delta, x, Wt, **kwargs),
                hint="accumulate with += into a padded dx, then cut the padding off",
                hints={
                    "shape": "each gradient has the shape of what it is the gradient of: dx like x, dWt like "
                    "Wt, db like b (F,)"
                },
            )
        )
    return cases


HIDDEN = {
    "5.1": conv2d_forward_loop,
    "5.2": conv2d_forward,
    "5.3": conv2d_backward,
}

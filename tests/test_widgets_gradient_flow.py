"""Depth, activation and initialisation scale against activation and gradient sizes (dlcore.widgets.gradient_flow)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import gradient_flow as G


def test_weights_have_the_requested_scale_over_root_fan_in():
    net = G.scaled_stack(3, "relu", 2.0, width=200, rng=0)
    w = net.layers[0].W.value
    assert w.std() == pytest.approx(2.0 / np.sqrt(200), rel=0.02)


def test_deltas_are_the_recursion_and_give_the_weight_gradients():
    depth, n = 4, 32
    s = G.flow_stats(depth, "tanh", 1.0, width=16, n=n, rng=3)
    net = G.scaled_stack(depth, "tanh", 1.0, width=16, rng=3)
    x = np.random.default_rng(4).standard_normal((n, 16))
    assert len(s.activations) == len(s.deltas) == depth
    # dL/dW^l = (A^{l-1})^T delta^l, with A^0 = x: the row-layout equation
    prev = [x, *s.activations[:-1]]
    for i in range(depth):
        assert s.deltas[i].shape == (n, 16)
        assert np.linalg.norm(prev[i].T @ s.deltas[i]) == pytest.approx(s.grad_norm[i], rel=1e-10)
    # delta^l = (delta^{l+1} W^{l+1 T}) * tanh'(Z^l), with tanh' = 1 - A^2
    W2 = net.layers[2].W.value
    np.testing.assert_allclose(s.deltas[0], (s.deltas[1] @ W2.T) * (1 - s.activations[0] ** 2), rtol=1e-10)


def test_he_scale_keeps_relu_activations_steady_while_small_scales_vanish_and_large_explode():
    he = G.flow_stats(20, "relu", np.sqrt(2.0))
    small = G.flow_stats(20, "relu", 1.0)
    large = G.flow_stats(20, "relu", 2.0)
    assert 0.3 < he.act_std[-1] / he.act_std[0] < 3
    assert small.act_std[-1] / small.act_std[0] < 1e-2
    assert large.act_std[-1] / large.act_std[0] > 1e2


def test_unknown_activation_and_bad_scale_are_rejected():
    with pytest.raises(ValueError, match="activation must be one of"):
        G.scaled_stack(3, "swish", 1.0)
    with pytest.raises(ValueError, match="scale > 0"):
        G.scaled_stack(3, "relu", 0.0)


def test_plot_has_two_labelled_log_panels_and_alt_text_with_numbers():
    fig = G.plot_gradient_flow(5, "relu", 1.41)
    assert len(fig.axes) == 2
    assert all(ax.get_yscale() == "log" and ax.get_xlabel() == "hidden layer" for ax in fig.axes)
    plt.close(fig)
    alt = G.flow_alt(5, "relu", 1.41)
    assert "5 relu layers" in alt and any(ch.isdigit() for ch in alt.split("scale")[1])


def test_book_frames_each_show_their_own_picture_and_numbers():
    from dlcore.widgets.frames import frame_view

    view = frame_view(
        G.plot_gradient_flow,
        controls={"activation": ["tanh", "relu"], "scale": [1.0, 2.0]},
        alt=G.flow_alt,
        fixed={"depth": 5},
    )
    html = [frame.value for frame in view.frames.values()]
    alts = [h.split('alt="')[1].split('"')[0] for h in html]
    assert len(set(html)) == len(set(alts)) == 4 and all(any(c.isdigit() for c in a) for a in alts)

"""Every chapter widget's book version: frames for its key controls, each with alt text carrying its numbers."""

import re

import numpy as np
import pytest

from dlcore.widgets import derivative, distributions, linear_map, overfitting, scaling_descent

NUMBER = re.compile(r"\d")


def frames_of(view):
    return {combo: frame.value for combo, frame in view.frames.items()}


def alts(view):
    return [re.search(r'alt="([^"]*)"', html).group(1) for html in frames_of(view).values()]


def assert_distinct_and_described(view, expected_frames):
    html = frames_of(view)
    assert len(html) == expected_frames
    assert len(set(html.values())) == expected_frames, "every control value must show its own picture"
    texts = alts(view)
    assert len(set(texts)) == expected_frames, "every frame must have its own alt text"
    assert all(NUMBER.search(text) for text in texts), "alt texts carry the computed numbers"


def test_linear_map_frames_describe_each_named_matrix():
    view = linear_map.linear_map_frames()
    assert_distinct_and_described(view, len(linear_map.PRESETS))
    rotation = next(t for t in alts(view) if "rotation" in t)
    assert "no real eigenvector" in rotation


def test_derivative_frames_include_the_start_value_and_report_both_errors():
    view = derivative.derivative_frames(h=0.5)
    assert 0.5 in [combo[0] for combo in view.frames] and view.controls[0].value == 0.5
    assert_distinct_and_described(view, 10)
    assert all("forward-difference error" in t and "central-difference error" in t for t in alts(view))


def test_distributions_frames_reach_zero_divergence_when_q_becomes_p():
    view = distributions.distributions_frames(mixes=(0.0, 0.5, 1.0))
    assert_distinct_and_described(view, 3)
    last = alts(view)[-1]
    assert "KL(p||q) = 0.000" in last and "KL(q||p) = 0.000" in last


def test_scaling_frames_say_which_learning_rates_diverge_unscaled():
    view = scaling_descent.scaling_descent_frames(methods=("none", "standard"), lrs=(0.1, 1.0))
    assert_distinct_and_described(view, 4)
    text = dict(zip(view.frames, alts(view), strict=True))
    assert "diverges" in text["none", 0.1] and "converges" in text["standard", 0.1]


@pytest.mark.parametrize("degree", [3, 6])
def test_polynomial_frames_always_contain_the_chapter_degree(degree):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 15)
    train = (x, np.sin(np.pi * x))
    test = (x + 0.01, np.sin(np.pi * (x + 0.01)))
    view = overfitting.polynomial_fit_frames(train, test, degree=degree, degrees=(1, 3))
    assert view.controls[0].value == degree
    assert all("training MSE" in t and "test MSE" in t for t in alts(view))

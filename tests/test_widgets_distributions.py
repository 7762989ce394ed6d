"""Entropy, cross-entropy and KL divergence (dlcore.widgets.distributions) against scipy."""

import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

from dlcore.widgets import distributions as D


def random_distribution(rng, k):
    return rng.dirichlet(np.ones(k))


@pytest.mark.parametrize("k", [2, 4, 7])
def test_entropy_and_kl_match_scipy_in_nats_and_bits(k):
    rng = np.random.default_rng(k)
    for _ in range(5):
        p, q = random_distribution(rng, k), random_distribution(rng, k)
        assert D.entropy(p) == pytest.approx(stats.entropy(p), rel=1e-12)
        assert D.entropy(p, base=2) == pytest.approx(stats.entropy(p, base=2), rel=1e-12)
        assert D.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), rel=1e-10)
        assert D.kl_divergence(p, q, base=2) == pytest.approx(stats.entropy(p, q, base=2), rel=1e-10)


def test_cross_entropy_is_entropy_plus_kl():
    rng = np.random.default_rng(1)
    p, q = random_distribution(rng, 5), random_distribution(rng, 5)
    assert D.cross_entropy(p, q) == pytest.approx(stats.entropy(p) + stats.entropy(p, q), rel=1e-12)
    assert D.cross_entropy(p, q) == pytest.approx(-np.sum(p * np.log(q)), rel=1e-12)


def test_one_bit_is_ln2_nats_for_a_fair_coin():
    coin = np.array([0.5, 0.5])
    assert D.entropy(coin, base=2) == pytest.approx(1.0)
    assert D.entropy(coin) == pytest.approx(np.log(2))


def test_uniform_distribution_has_maximal_entropy_log_k():
    rng = np.random.default_rng(2)
    uniform = np.full(6, 1 / 6)
    assert D.entropy(uniform) == pytest.approx(np.log(6))
    for _ in range(20):
        assert D.entropy(random_distribution(rng, 6)) < np.log(6)


def test_zero_probabilities_contribute_nothing_and_raise_no_warning():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.25, 0.25, 0.5])
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert D.entropy(p) == pytest.approx(np.log(2))
        assert D.entropy([1.0, 0.0]) == 0.0
        assert D.cross_entropy(p, q) == pytest.approx(np.log(4))
        assert D.kl_divergence(p, q) == pytest.approx(np.log(2))
        assert D.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q))


def test_q_zero_where_p_positive_gives_infinity_without_warning():
    p = np.array([0.5, 0.5])
    q = np.array([1.0, 0.0])
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert D.kl_divergence(p, q) == np.inf
        assert D.cross_entropy(p, q) == np.inf
        assert D.kl_divergence(q, p) == pytest.approx(np.log(2))  # the other direction is finite
    assert np.isinf(stats.entropy(p, q))


def test_kl_divergence_is_not_symmetric_and_zero_only_for_equal_distributions():
    p = np.array([0.9, 0.1])
    q = np.array([0.5, 0.5])
    assert D.kl_divergence(p, q) != pytest.approx(D.kl_divergence(q, p), rel=1e-3)
    assert D.kl_divergence(p, p) == 0.0
    assert D.kl_divergence(p, q) > 0


def test_batched_distributions_along_last_axis():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(4), size=6)  # (6, 4)
    q = rng.dirichlet(np.ones(4), size=6)
    kl = D.kl_divergence(p, q)
    assert kl.shape == (6,)
    np.testing.assert_allclose(kl, [stats.entropy(a, b) for a, b in zip(p, q, strict=True)], rtol=1e-10)
    np.testing.assert_allclose(D.cross_entropy(p, q), D.entropy(p) + kl, rtol=1e-12)


@pytest.mark.parametrize(
    "bad",
    [np.array([0.5, 0.6]), np.array([1.2, -0.2]), np.array([np.nan, 1.0]), np.array(1.0)],
)
def test_invalid_distributions_are_rejected_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="entropy"):
        D.entropy(bad)


def test_normalize_turns_weights_into_probabilities_and_leaves_input_alone():
    w = np.array([2.0, 1.0, 1.0])
    p = D.normalize(w)
    np.testing.assert_allclose(p, [0.5, 0.25, 0.25])
    np.testing.assert_array_equal(w, [2.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="zero"):
        D.normalize([0.0, 0.0])


def test_plot_shows_both_decompositions_even_when_kl_is_infinite():
    fig = D.plot_distribution_pair([0.5, 0.5, 0.0], [0.5, 0.0, 0.5], labels=["a", "b", "c"])
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert any("inf" in t for t in texts)
    assert fig.axes[1].get_xlabel() == "information (bits)"
    plt.close(fig)


def test_widget_redraws_when_a_slider_moves_and_explains_all_zero_weights(capsys):
    box = D.distributions_widget()
    p_sliders = box.children[0].children[0].children
    figures_before = len(plt.get_fignums())
    p_sliders[0].value = 0.9  # each move draws a new figure (shown by plt.show inside a notebook)
    assert len(plt.get_fignums()) == figures_before + 1
    for s in p_sliders:
        s.value = 0.0  # all zero: the widget prints an explanation instead of failing
    assert "all weights are zero" in capsys.readouterr().out
    plt.close("all")

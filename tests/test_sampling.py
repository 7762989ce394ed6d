"""Sampling helpers: temperature divides logits, top-k keeps exactly k, seeded draws."""

import numpy as np
import pytest

from dlcore.sampling import sample, sampling_probabilities, top_k_filter


def test_temperature_divides_the_logits_before_the_softmax():
    z = np.array([2.0, 1.0, 0.0])
    p = sampling_probabilities(z, temperature=0.5)
    np.testing.assert_allclose(p, np.exp(2 * z) / np.exp(2 * z).sum())
    np.testing.assert_allclose(sampling_probabilities(z, 1e6), 1 / 3, atol=1e-5)  # hot: uniform
    np.testing.assert_array_equal(sampling_probabilities(z, 0.0), [1.0, 0.0, 0.0])  # greedy
    assert sampling_probabilities(z, 0.01)[0] == pytest.approx(1.0)


def test_top_k_keeps_exactly_k_with_ties_going_to_the_lower_index():
    z = np.array([[1.0, 3.0, 3.0, 3.0, 0.0], [5.0, 4.0, 3.0, 2.0, 1.0]])
    f = top_k_filter(z, 2)
    np.testing.assert_array_equal(np.isfinite(f), [[0, 1, 1, 0, 0], [1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(f[np.isfinite(f)], [3.0, 3.0, 5.0, 4.0])
    p = sampling_probabilities(z, 1.0, top_k=1)
    np.testing.assert_array_equal(p, [[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match="top_k_filter: k must be"):
        top_k_filter(z, 6)


def test_sample_is_seeded_and_follows_the_distribution():
    z = np.log(np.array([0.1, 0.6, 0.3]))
    draws = sample(np.tile(z, (20000, 1)), rng=0)
    assert draws.dtype == np.int64 and draws.shape == (20000,)
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 20000, [0.1, 0.6, 0.3], atol=0.015)
    np.testing.assert_array_equal(sample(np.tile(z, (50, 1)), rng=3), sample(np.tile(z, (50, 1)), rng=3))
    assert set(sample(np.tile(z, (500, 1)), top_k=2, rng=1)) == {1, 2}  # the 0.1 token is never drawn
    np.testing.assert_array_equal(sample(np.tile(z, (5, 1)), temperature=0.0, rng=1), 1)

"""Reference solutions of Exercises 15 and 16 checked against dlcore and independent computations."""

import numpy as np
import pytest

from dlcore.attention import MultiHeadAttention, causal_mask, sinusoidal_positional_encoding
from dlcore.distillation import DistillationLoss
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.sampling import sample as dl_sample
from dlcore.sampling import sampling_probabilities
from dlcore.sampling import top_k_filter as dl_top_k
from dlgrade import grade

RNG = np.random.default_rng(1516)


def _ref(slug):
    return grade.reference(slug)


@pytest.fixture(scope="module")
def ref15():
    return _ref("15_multihead_attention")


def test_sinusoidal_encoding_matches_dlcore(ref15):
    for T, d in [(1, 2), (7, 4), (40, 32)]:
        np.testing.assert_allclose(
            ref15.sinusoidal_encoding(T, d), sinusoidal_positional_encoding(T, d, dtype=np.float64)
        )


def test_causal_self_attention_matches_a_loop_over_queries(ref15):
    Q, K, V = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    out, weights = ref15.causal_self_attention(Q, K, V)
    for i in range(5):
        s = Q[i] @ K[: i + 1].T / np.sqrt(3)
        w = np.exp(s - s.max())
        w /= w.sum()
        np.testing.assert_allclose(weights[i, : i + 1], w)
        assert np.all(weights[i, i + 1 :] == 0)
        np.testing.assert_allclose(out[i], w @ V[: i + 1])


def test_multi_head_self_attention_matches_dlcore_with_zero_biases(ref15):
    d, h = 8, 2
    mha = MultiHeadAttention(d, h, rng=0, dtype=np.float64)
    X = RNG.normal(size=(2, 5, d))
    W_q, W_kv, W_o = mha.q_proj.W.value, mha.kv_proj.W.value, mha.out_proj.W.value
    out, weights = ref15.multi_head_self_attention(X, W_q, W_kv[:, :d], W_kv[:, d:], W_o, h)
    np.testing.assert_allclose(out, mha(X, mask=causal_mask(5)))  # dlcore's biases start at zero
    np.testing.assert_allclose(weights, mha.attention_weights)


@pytest.fixture(scope="module")
def ref16():
    return _ref("16_sampling_distillation")


def test_sampling_references_agree_with_dlcore_sampling(ref16):
    z = RNG.normal(size=(5, 9)) * 2
    np.testing.assert_allclose(ref16.softmax_with_temperature(z, 0.7), sampling_probabilities(z, 0.7))
    ties = np.array([[1.0, 4.0, 4.0, 4.0, 0.0]])
    np.testing.assert_array_equal(ref16.top_k_filter(ties, 2), dl_top_k(ties, 2))
    assert np.isfinite(ref16.top_k_filter(z, 4)).sum(axis=1).tolist() == [4] * 5
    for temperature, k in [(0.0, None), (1.0, None), (0.5, 3)]:
        np.testing.assert_array_equal(
            ref16.sample_tokens(z, temperature, k, 3), dl_sample(z, temperature, k, rng=np.random.default_rng(3))
        )


def test_sample_tokens_follows_the_tempered_distribution(ref16):
    z = np.array([0.0, 1.0, 2.0])
    draws = ref16.sample_tokens(np.tile(z, (20000, 1)), 0.5, None, 0)
    p = np.exp(z / 0.5) / np.exp(z / 0.5).sum()
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 20000, p, atol=0.015)


def test_distillation_reference_matches_dlcore_and_finite_differences(ref16):
    s, t = RNG.normal(size=(4, 6)), RNG.normal(size=(4, 6))
    loss, grad = ref16.distillation_loss(s, t, 3.0)
    dl_loss = DistillationLoss(3.0)
    assert loss == pytest.approx(dl_loss(s, t))
    np.testing.assert_allclose(grad, dl_loss.backward())
    numeric = numerical_gradient(lambda x: ref16.distillation_loss(x, t, 3.0)[0], s.copy())
    assert relative_error(grad, numeric) < 1e-7

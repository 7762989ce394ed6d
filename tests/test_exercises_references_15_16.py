"""Reference solutions of Exercises 15 and 16 checked against dlcore and independent computations."""

import numpy as np
import pytest

from dlcore.attention import MultiHeadAttention, causal_mask, sinusoidal_positional_encoding
from dlgrade import exercises

RNG = np.random.default_rng(1516)


def _ref(slug):
    return exercises.reference(slug)


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

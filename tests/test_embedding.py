"""Embedding: lookup, gradient accumulation for repeated tokens, errors, dtypes."""

import numpy as np
import pytest

from dlcore.embedding import Embedding
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.layers import Dense
from dlcore.model import Sequential

GRAD_TOL = 1e-6


def test_lookup_returns_the_rows_of_the_table():
    emb = Embedding(7, 3, rng=0)
    idx = np.array([[0, 6, 2], [2, 2, 5]])
    out = emb(idx)
    assert out.shape == (2, 3, 3)
    for n in range(2):
        for t in range(3):
            np.testing.assert_array_equal(out[n, t], emb.W.value[idx[n, t]])


def test_lookup_equals_one_hot_times_the_table():
    emb = Embedding(5, 4, rng=0, dtype=np.float64)
    idx = np.array([[1, 4, 4, 0]])
    one_hot = np.eye(5)[idx]  # (1, 4, 5)
    np.testing.assert_allclose(emb(idx), one_hot @ emb.W.value)


def test_gradient_matches_finite_differences_with_repeated_tokens():
    emb = Embedding(6, 3, rng=0, dtype=np.float64)
    idx = np.array([[1, 3, 1, 1], [5, 3, 0, 1]])  # token 1 four times, token 3 twice, tokens 2 and 4 never
    R = np.random.default_rng(1).standard_normal((2, 4, 3))

    def loss(_=None):
        return float(np.sum(emb(idx) * R))

    emb.zero_grad()
    loss()
    assert emb.backward(R) is None  # integer input: no input gradient
    assert relative_error(emb.W.grad, numerical_gradient(loss, emb.W.value)) < GRAD_TOL
    np.testing.assert_allclose(emb.W.grad[1], R[0, 0] + R[0, 2] + R[0, 3] + R[1, 3])
    np.testing.assert_array_equal(emb.W.grad[[2, 4]], 0.0)


def test_works_for_any_index_shape():
    emb = Embedding(4, 2, rng=0)
    assert emb(np.array([3, 0])).shape == (2, 2)
    assert emb(np.zeros((2, 3, 5), dtype=np.int32)).shape == (2, 3, 5, 2)


def test_as_first_layer_of_a_model_gradients_reach_the_table():
    model = Sequential([Embedding(5, 4, rng=0, dtype=np.float64), Dense(4, 2, rng=1, dtype=np.float64)])
    idx = np.array([[0, 4], [4, 2]])
    R = np.random.default_rng(2).standard_normal((2, 2, 2))

    def loss(_=None):
        return float(np.sum(model(idx) * R))

    model.zero_grad()
    loss()
    model.backward(R)
    for name, p in model.named_parameters():
        assert relative_error(p.grad, numerical_gradient(loss, p.value)) < GRAD_TOL, name


def test_float32_table_gives_float32_vectors_and_gradients():
    emb = Embedding(5, 3, rng=0, dtype=np.float32)
    out = emb(np.array([[1, 2]]))
    emb.backward(np.ones_like(out))
    assert out.dtype == np.float32 and emb.W.grad.dtype == np.float32


def test_init_std_sets_the_scale_of_the_table():
    W = Embedding(2000, 50, init_std=0.02, rng=0).W.value
    assert abs(W.std() - 0.02) < 0.001


def test_non_integer_indices_are_rejected_with_a_hint():
    emb = Embedding(5, 3)
    with pytest.raises(TypeError, match=r"Embedding\(5 -> 3\): expected integer token indices, got dtype float"):
        emb(np.array([[1.0, 2.0]]))


@pytest.mark.parametrize("bad", [5, -1, 100])
def test_out_of_range_indices_are_rejected(bad):
    emb = Embedding(5, 3)
    with pytest.raises(IndexError, match=r"Embedding\(5 -> 3\): indices must lie in \[0, 4\]"):
        emb(np.array([[0, bad]]))


def test_invalid_sizes_are_rejected():
    with pytest.raises(ValueError, match="num_embeddings and dim"):
        Embedding(0, 3)

"""A two-block transformer encoder learns to sort digit strings (whole-sequence accuracy >= 99 %).

Sorting needs content-based attention: the output at position t must find the t-th smallest
input digit, so it has to compare every digit with every other one. Fresh random strings are
drawn for every batch; the held-out strings come from another seed.
"""

import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import dlcore
from dlcore.attention import PositionalEmbedding
from dlcore.datasets_seq import make_reverse_task, make_sort_task, sequence_accuracy
from dlcore.embedding import Embedding
from dlcore.layers import Dense, LayerNorm
from dlcore.losses import CategoricalCrossEntropy
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.schedules import Cosine
from dlcore.transformer import TransformerConfig, TransformerEncoderBlock

TARGET = 0.99
LENGTH, VOCAB = 8, 10
STEPS, BATCH, LR = 1000, 64, 3e-3


def test_task_generators_are_seeded_and_correct():
    x, y = make_reverse_task(50, length=6, vocab_size=4, rng=3)
    assert x.shape == y.shape == (50, 6) and x.dtype == y.dtype == np.int64
    assert x.min() >= 0 and x.max() <= 3
    for row, target in zip(x, y, strict=True):
        assert list(target) == list(reversed(row))
    np.testing.assert_array_equal(make_reverse_task(50, length=6, vocab_size=4, rng=3)[0], x)
    x, y = make_sort_task(50, rng=4)
    for row, target in zip(x, y, strict=True):
        assert list(target) == sorted(row)
    assert not np.array_equal(make_sort_task(50, rng=5)[0], x)


def test_sequence_accuracy_counts_only_fully_correct_sequences():
    y = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 0, 0]])
    pred = y.copy()
    pred[1, 2] = 0  # one token wrong spoils the whole sequence
    assert sequence_accuracy(pred, y) == 0.75
    with pytest.raises(ValueError, match="shapes differ"):
        sequence_accuracy(pred[:, :2], y)
    with pytest.raises(ValueError, match="vocab_size >= 2"):
        make_sort_task(10, vocab_size=1)


@pytest.mark.slow
def test_tiny_transformer_learns_to_sort_digit_strings():
    dlcore.seed(0)
    config = TransformerConfig(d_model=32, num_heads=4)
    model = Sequential(
        [
            Embedding(VOCAB, config.d_model),  # (N, T) -> (N, T, 32)
            PositionalEmbedding(LENGTH, config.d_model, init_std=1.0),
            TransformerEncoderBlock(config),
            TransformerEncoderBlock(config),
            LayerNorm(config.d_model),
            Dense(config.d_model, VOCAB, init="xavier"),  # -> (N, T, 10) logits per position
        ]
    )
    loss = CategoricalCrossEntropy()
    optimizer = Adam(model.parameters(), lr=LR)
    schedule = Cosine(LR, T=STEPS)
    data_rng = np.random.default_rng(1)
    x_test, y_test = make_sort_task(2000, LENGTH, VOCAB, rng=123)

    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only add overhead
        for step in range(STEPS):
            optimizer.lr = schedule(step)
            x, y = make_sort_task(BATCH, LENGTH, VOCAB, rng=data_rng)
            model.zero_grad()
            loss(model(x), y)  # per-position cross-entropy, averaged over N * T
            model.backward(loss.backward())
            optimizer.step()
        model.eval()
        accuracy = sequence_accuracy(model(x_test).argmax(axis=-1), y_test)
    seconds = time.perf_counter() - start
    print(f"sort {LENGTH} digits: whole-sequence accuracy {accuracy:.4f} after {STEPS} steps in {seconds:.1f} s")
    assert accuracy >= TARGET

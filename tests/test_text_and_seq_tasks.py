"""Character-level text from the standard library, the bigram baseline, sampling, and the generated sequence tasks."""

import numpy as np
import pytest

import dlcore as dl
from dlcore import seq_tasks, text


def test_stdlib_docstrings_are_ascii_prose_and_reproducible():
    a = text.stdlib_docstrings(max_chars=20_000)
    assert len(a) == 20_000 and a == text.stdlib_docstrings(max_chars=20_000)
    assert all(c == "\n" or 32 <= ord(c) < 127 for c in a)
    assert a.count(" the ") > 50  # English prose


def test_vocab_round_trip_and_windows():
    vocab = text.CharVocab("hello world")
    ids = vocab.encode("hello world")
    assert vocab.decode(ids) == "hello world" and len(vocab) == 8
    with pytest.raises(ValueError, match="'z'"):
        vocab.encode("zebra")
    x, y = text.next_char_windows(np.arange(10), 4)
    assert x.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]] and y.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_random_char_windows_are_seeded_in_range_and_shift_by_one():
    ids = np.arange(100, 130)
    x, y = text.char_windows(ids, 10, 64, rng=0)
    assert x.shape == y.shape == (64, 10)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    np.testing.assert_array_equal(y[:, -1], x[:, -1] + 1)  # the target is the next id of the stream
    assert x.min() >= 100 and y.max() <= 129 and len(np.unique(x[:, 0])) > 10  # windows start all over
    np.testing.assert_array_equal(x, text.char_windows(ids, 10, 64, rng=0)[0])
    with pytest.raises(ValueError, match="longer than length=30"):
        text.char_windows(ids, 30, 1)


def test_bigram_model_beats_unigram_and_is_exact_on_a_deterministic_text():
    ids = np.array([0, 1, 2] * 200)
    loss, alpha = text.bigram_loss(ids, ids, 3)
    assert loss < 0.05 and alpha == 0.01  # next char is certain; the least smoothing wins
    assert text.unigram_loss(ids, ids, 3) == pytest.approx(np.log(3), abs=0.01)
    P = text.bigram_probabilities(ids, 3, 1.0)
    assert np.allclose(P.sum(axis=1), 1)


def test_sample_text_is_reproducible_and_temperature_sharpens():
    vocab = text.CharVocab("abcd")
    model = dl.Sequential([dl.Embedding(4, 3, rng=0), dl.Dense(3, 4, rng=1)])
    model.layers[1].W.value[...] = 0.0
    model.layers[1].b.value[...] = np.array([3.0, 0.0, 0.0, 0.0])  # "a" is the most likely next char
    s1 = text.sample_text(model, vocab, "ab", 300, temperature=1.0, rng=0)
    assert s1 == text.sample_text(model, vocab, "ab", 300, temperature=1.0, rng=0) and len(s1) == 300
    cold = text.sample_text(model, vocab, "ab", 300, temperature=0.2, rng=0)
    assert cold.count("a") > s1.count("a") > 300 / 4
    with pytest.raises(ValueError, match="temperature"):
        text.sample_text(model, vocab, "a", 5, temperature=0)


def test_remember_task_labels_are_the_first_symbol():
    x, y = seq_tasks.make_remember_task(50, gap=7, num_symbols=3, noise_dim=2, rng=0)
    assert x.shape == (50, 8, 5) and y.shape == (50,)
    assert np.all(np.argmax(x[:, 0], axis=1) == y) and np.all(x[:, 0, 3:] == 0)
    assert np.all(x[:, 1:, :3] == 0) and 0.8 < x[:, 1:, 3:].std() < 1.2
    with pytest.raises(ValueError):
        seq_tasks.make_remember_task(5, gap=-1)


def test_series_and_forecast_windows():
    s = seq_tasks.make_series(100, noise=0.0, rng=0)
    x, y = seq_tasks.forecast_windows(s, 10)
    assert x.shape == (90, 10, 1) and y.shape == (90, 1)
    assert np.allclose(x[5, :, 0], s[5:15]) and np.isclose(y[5, 0], s[15])

"""Chapter 14's corpus split and LSTM language model, shared with chapter 16 through dlcore.text."""

import numpy as np
import pytest

from dlcore import text


def test_docstring_corpus_is_chapter_14s_split():
    corpus = text.docstring_corpus(max_chars=20_000, train_fraction=0.9)
    raw = text.stdlib_docstrings(max_chars=20_000)
    assert corpus.text == raw and corpus.vocab.chars == sorted(set(raw))
    ids = np.concatenate([corpus.train_ids, corpus.val_ids])
    np.testing.assert_array_equal(ids, corpus.vocab.encode(raw))
    assert len(corpus.train_ids) == int(0.9 * len(raw))
    with pytest.raises(ValueError, match="train_fraction"):
        text.docstring_corpus(max_chars=1000, train_fraction=1.0)


def test_lstm_language_model_is_the_chapter_14_recipe():
    model = text.lstm_language_model(11)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Embedding", "LSTM", "Dense"]
    emb, lstm, dense = model.layers
    assert emb.W.value.shape == (11, 32) and lstm.hidden_size == 96 and dense.W.value.shape == (96, 11)
    assert model.optimizer.lr == 0.005 and model.optimizer.clip_norm == 5.0
    x = np.random.default_rng(0).integers(0, 11, (3, 7))
    assert model.predict(x).shape == (3, 7, 11)
    again = text.lstm_language_model(11)  # seeded: the same initial weights every time
    for p, q in zip(model.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    with pytest.raises(ValueError, match="vocab_size"):
        text.lstm_language_model(1)

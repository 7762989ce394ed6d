"""Character-level text: a corpus read from Python's own standard library, a vocabulary, baselines, sampling.

Nothing is downloaded: ``stdlib_docstrings`` parses the standard library's source files that
ship with the running Python (with ``ast``, so no module is imported) and joins their
docstrings, which are English prose about programming. The text therefore depends a little on
the Python version; within one installation it is always the same.
"""

from __future__ import annotations

import ast
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlcore.activations import softmax
from dlcore.config import get_rng


def stdlib_docstrings(max_chars: int = 200_000, min_len: int = 200) -> str:
    """Docstrings of the standard library's top-level modules, in file-name order, as one text.

    Only docstrings of at least ``min_len`` characters (whole paragraphs, not one-liners) and only
    printable ASCII plus newlines are kept. Returns at most ``max_chars`` characters.
    """
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    total = 0
    for path in sorted(stdlib.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        for node in nodes:
            doc = ast.get_docstring(node)
            if not doc or len(doc) < min_len or not all(c == "\n" or 32 <= ord(c) < 127 for c in doc):
                continue
            parts.append(doc.strip() + "\n\n")
            total += len(parts[-1])
            if total >= max_chars:
                return "".join(parts)[:max_chars]
    return "".join(parts)[:max_chars]


class CharVocab:
    """The characters of a text, each with an integer id (sorted, so the ids are reproducible)."""

    def __init__(self, text: str):
        if not text:
            raise ValueError("CharVocab: expected a non-empty text")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """text -> int64 ids (len(text),). Raises ValueError naming the characters the vocabulary lacks."""
        missing = set(text) - set(self.index)
        if missing:
            raise ValueError(f"CharVocab.encode: characters not in the vocabulary: {sorted(missing)!r}")
        return np.array([self.index[c] for c in text], dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """ids of any shape -> the text they spell, in order."""
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())


def next_char_windows(ids: np.ndarray, seq_len: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and next-character targets. ids: (L,) -> x, y: (n, seq_len) with y[:, t] = ids after x[:, t]."""
    step = seq_len if step is None else step
    starts = np.arange(0, len(ids) - seq_len - 1 + 1, step)
    if len(starts) == 0:
        raise ValueError(f"next_char_windows: the text ({len(ids)} ids) is shorter than seq_len + 1 = {seq_len + 1}")
    idx = starts[:, None] + np.arange(seq_len)[None, :]
    return ids[idx], ids[idx + 1]


def char_windows(
    ids: np.ndarray, length: int, n: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """n windows at random places of a token stream: x = ids[s : s + length], y = ids[s + 1 : s + length + 1].

    ids: (M,) int64 -> x, y: (n, length) int64. (``next_char_windows`` cuts the stream in order instead.)
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < length + 1:
        raise ValueError(f"char_windows: need a 1-D stream longer than length={length}, got shape {ids.shape}")
    starts = get_rng(rng).integers(0, len(ids) - length, size=n)
    offsets = np.arange(length)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]


# --- chapter 14's language-model setup, shared with chapter 16 ---------------------------
LM_SEQ_LEN = 48  # characters per window, input and target
LSTM_EPOCHS, LSTM_BATCH_SIZE = 2, 32  # chapter 14's training recipe for lstm_language_model


@dataclass(frozen=True)
class CharCorpus:
    """A text, its vocabulary and its ids cut in two: train_ids (first part), val_ids (the rest)."""

    text: str
    vocab: CharVocab
    train_ids: np.ndarray
    val_ids: np.ndarray


def docstring_corpus(max_chars: int = 100_000, train_fraction: float = 0.9) -> CharCorpus:
    """Chapter 14's corpus: ``stdlib_docstrings(max_chars)``, its ``CharVocab``, and a split.

    The first ``train_fraction`` of the characters train, the rest validate (a contiguous cut,
    not a shuffle, so no validation window overlaps a training one).
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"docstring_corpus: train_fraction must be in (0, 1), got {train_fraction}")
    corpus = stdlib_docstrings(max_chars=max_chars)
    vocab = CharVocab(corpus)
    ids = vocab.encode(corpus)
    cut = int(train_fraction * len(ids))
    return CharCorpus(corpus, vocab, ids[:cut], ids[cut:])


def lstm_language_model(vocab_size: int, embed: int = 32, hidden: int = 96, lr: float = 0.005):
    """Chapter 14's character LSTM, compiled: ids (N, T) -> logits (N, T, vocab_size).

    Embedding(vocab_size, embed) -> LSTM(embed, hidden, return_sequences=True) -> Dense(hidden,
    vocab_size), seeded 0, 1, 2; cross-entropy and Adam(lr, clip_norm=5). Chapter 14 trains it
    with ``fit(x, y, epochs=LSTM_EPOCHS, batch_size=LSTM_BATCH_SIZE, rng=0)``.
    """
    from dlcore.embedding import Embedding  # here, not at the top: dlcore.model imports much
    from dlcore.layers import Dense
    from dlcore.model import Sequential
    from dlcore.optim import Adam
    from dlcore.recurrent import LSTM

    if vocab_size < 2:
        raise ValueError(f"lstm_language_model: vocab_size must be at least 2, got {vocab_size}")
    model = Sequential(
        [Embedding(vocab_size, embed, rng=0), LSTM(embed, hidden, return_sequences=True, rng=1)]
        + [Dense(hidden, vocab_size, rng=2)]
    )
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=lr, clip_norm=5.0))
    return model


def bigram_probabilities(ids: np.ndarray, vocab_size: int, alpha: float) -> np.ndarray:
    """P[a, b] = P(next = b | current = a) with add-alpha smoothing. ids: (L,) -> (V, V)."""
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    counts += alpha
    return counts / counts.sum(axis=1, keepdims=True)


def bigram_loss(
    train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int, alphas: Sequence[float] = (0.01, 0.03, 0.1, 0.3, 1.0)
) -> tuple[float, float]:
    """Validation cross-entropy (nats per character) of the best add-alpha bigram model.

    The smoothing alpha is chosen to minimise the validation loss, so the baseline is as strong
    as a bigram model can be made. Returns (loss, alpha).
    """
    best = (np.inf, np.nan)
    for alpha in alphas:
        P = bigram_probabilities(train_ids, vocab_size, alpha)
        loss = float(-np.mean(np.log(P[val_ids[:-1], val_ids[1:]])))
        best = min(best, (loss, alpha))
    return best


def unigram_loss(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Validation cross-entropy (nats per character) of character frequencies alone (add-one smoothing)."""
    p = np.bincount(train_ids, minlength=vocab_size) + 1.0
    p /= p.sum()
    return float(-np.mean(np.log(p[val_ids])))


def sample_text(
    model,
    vocab: CharVocab,
    prompt: str,
    length: int = 200,
    temperature: float = 1.0,
    context: int = 64,
    rng: np.random.Generator | int | None = None,
) -> str:
    """Continue ``prompt`` by ``length`` characters drawn from softmax(logits / temperature).

    model: maps ids (1, T) to logits (1, T, V) (an Embedding, a recurrent layer with
    return_sequences, a Dense). The last ``context`` characters are fed each step.
    temperature -> 0 approaches always taking the most likely character; 1 samples the model's
    distribution; above 1 flattens it.
    """
    if temperature <= 0:
        raise ValueError(f"sample_text: temperature must be positive, got {temperature}")
    rng = get_rng(rng)
    ids = list(vocab.encode(prompt))
    was_training = model.training
    model.eval()
    try:
        for _ in range(length):
            window = np.array(ids[-context:], dtype=np.int64)[None, :]
            logits = model.forward(window)[0, -1].astype(np.float64)  # (V,)
            p = softmax(logits / temperature)
            ids.append(int(rng.choice(len(vocab), p=p / p.sum())))
    finally:
        model.train(was_training)
    return vocab.decode(ids[len(prompt) :])

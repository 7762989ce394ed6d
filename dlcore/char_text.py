"""Character-level text from the Python standard library's docstrings (offline, nothing downloaded).

``stdlib_docstrings(max_chars)`` gathers the docstrings of a fixed list of standard-library
modules and of their public functions and classes, in a fixed order, keeps printable ASCII
and newlines, and returns one string. Its exact content depends on the Python version (the
docstrings change between releases), but is the same on every run of one installation.

``CharVocab`` (from ``dlcore.text``, shared with chapter 14) maps characters to integer ids
and back; ``char_windows`` cuts (input, target) pairs for next-character prediction: the
target is the input shifted by one character.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np

from dlcore.config import get_rng
from dlcore.text import CharVocab as CharVocab  # re-exported: one vocabulary class for chapters 14 and 16

STDLIB_MODULES = (
    "textwrap", "string", "json", "collections", "functools", "itertools", "os", "pathlib", "random",
    "statistics", "fractions", "decimal", "datetime", "calendar", "heapq", "bisect", "re", "csv",
    "argparse", "logging", "shutil", "tempfile", "subprocess", "threading", "queue", "socket", "email",
    "http.client", "urllib.parse", "zipfile", "tarfile", "gzip", "pickle", "copy", "pprint", "typing",
    "dataclasses", "enum", "abc", "contextlib", "inspect", "ast", "dis", "unittest", "doctest", "difflib",
)  # fmt: skip


def stdlib_docstrings(max_chars: int = 200_000) -> str:
    """Docstrings of STDLIB_MODULES and their public members, printable ASCII only: a str of <= max_chars."""
    parts: list[str] = []
    total = 0
    for name in STDLIB_MODULES:
        module = importlib.import_module(name)
        docs = [inspect.getdoc(module)]
        for member_name in sorted(vars(module)):
            member = vars(module)[member_name]
            if member_name.startswith("_") or not (inspect.isfunction(member) or inspect.isclass(member)):
                continue
            if getattr(member, "__module__", None) != module.__name__:
                continue
            docs.append(inspect.getdoc(member))
        for doc in docs:
            if not doc:
                continue
            clean = "".join(c for c in doc if c == "\n" or 32 <= ord(c) < 127)
            parts.append(clean + "\n\n")
            total += len(parts[-1])
            if total >= max_chars:
                return "".join(parts)[:max_chars]
    return "".join(parts)[:max_chars]


def char_windows(
    ids: np.ndarray, length: int, n: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """n random windows of a token stream: x = ids[s : s + length], y = ids[s + 1 : s + length + 1].

    ids: (M,) int64 -> x, y: (n, length) int64.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < length + 1:
        raise ValueError(f"char_windows: need a 1-D stream longer than length={length}, got shape {ids.shape}")
    starts = get_rng(rng).integers(0, len(ids) - length, size=n)
    offsets = np.arange(length)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]

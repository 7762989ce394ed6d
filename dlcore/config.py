"""Global settings: the default floating-point dtype and the random generator.

float32 is the default, as in PyTorch and Keras; gradient checks switch to float64.
Every random choice in dlcore draws from one generator, so ``dlcore.seed(0)`` makes a
whole notebook repeatable.
"""

from __future__ import annotations

import ctypes
import sys

import numpy as np

MMAP_THRESHOLD_MAX = 32 * 2**20  # bytes: blocks below this come from the reusable heap
_default_dtype: np.dtype = np.dtype(np.float32)
_rng: np.random.Generator = np.random.default_rng(0)


def get_default_dtype() -> np.dtype:
    """The dtype new parameters and datasets use (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Use ``dtype`` (float32 or float64) for parameters created from now on."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"set_default_dtype: expected float32 or float64, got {dtype}")
    _default_dtype = dtype


def resolve_dtype(dtype=None) -> np.dtype:
    """``dtype`` if given, else the default dtype."""
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def seed(value: int) -> None:
    """Reseed dlcore's global generator (weight initialisation, dropout, shuffling)."""
    global _rng
    _rng = np.random.default_rng(value)


def get_rng(rng: np.random.Generator | int | None = None) -> np.random.Generator:
    """A generator: ``rng`` itself, a new one seeded with an int, or the global one."""
    if rng is None:
        return _rng
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)):
        return np.random.default_rng(int(rng))
    raise TypeError(f"expected a numpy Generator, an int seed or None, got {type(rng).__name__}")


def keep_freed_memory() -> bool:
    """Ask glibc to keep large freed blocks for reuse instead of returning them to the OS.

    Each training step allocates and frees the same big temporaries; by default glibc hands
    blocks above a size threshold back to the operating system when they are freed, and the
    next step pays page faults to map them again (2-3x slower on large arrays). Raising the
    trim and mmap thresholds keeps them in the heap. This changes malloc for the WHOLE
    process (every library in it), so dlcore never does it on import: call it yourself, e.g.
    at the top of a training script. Returns True if the settings were applied (Linux with
    glibc), False elsewhere. The layers that allocate most (convolutions) already reuse their
    buffers (``module.Workspace``), so this matters less than it did.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    # glibc accepts at most 32 MiB (4 Mi * sizeof(long)) for the mmap threshold; a larger value is refused.
    mmap_ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)
    trim_ok = libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1)
    return bool(mmap_ok and trim_ok)

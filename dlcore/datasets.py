"""Small datasets the chapters train on, all offline and repeatable.

Real data comes from copies that ship inside scikit-learn (digits, iris, wine, breast
cancer) or is generated locally (MNIST-1D, the 2-D toy sets, 1-D regression curves).
Features are returned in dlcore's default dtype (float32 unless changed), labels as int64.
Nothing here touches the network.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

from dlcore.config import get_rng, resolve_dtype

DIGITS_MAX_INTENSITY = 16.0  # the 8x8 digits store pixel counts 0..16
MNIST1D_SEED = 42  # the seed of the MNIST-1D paper's dataset
MNIST1D_CACHE_VERSION = 1  # bump when the cached arrays change meaning


def _features(x: np.ndarray, dtype=None) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=resolve_dtype(dtype))


def _labels(y: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(y, dtype=np.int64)


# --- real data bundled with scikit-learn ----------------------------------------------
def load_digits(flatten: bool = True, scale: bool = True, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten 8x8 digits bundled with scikit-learn.

    Returns X: (1797, 64) if ``flatten`` else (1797, 8, 8), in [0, 1] if ``scale`` else
    in [0, 16]; y: (1797,) int64 labels 0..9.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    x = bunch.images  # (1797, 8, 8)
    if scale:
        x = x / DIGITS_MAX_INTENSITY
    if flatten:
        x = x.reshape(len(x), -1)  # (1797, 8, 8) -> (1797, 64)
    return _features(x, dtype), _labels(bunch.target)


def _load_sklearn_table(loader, return_names: bool, dtype):
    bunch = loader()
    x, y = _features(bunch.data, dtype), _labels(bunch.target)
    if return_names:
        return x, y, [str(name) for name in bunch.feature_names], [str(name) for name in bunch.target_names]
    return x, y


def load_iris(return_names: bool = False, dtype=None):
    """Fisher's 150 iris flowers: X (150, 4) measurements in cm, y (150,) species 0..2.

    With ``return_names=True`` also returns (feature_names, class_names).
    """
    from sklearn.datasets import load_iris as _loader

    return _load_sklearn_table(_loader, return_names, dtype)


def load_wine(return_names: bool = False, dtype=None):
    """178 wines from three cultivars: X (178, 13) chemical measurements, y (178,) 0..2.

    With ``return_names=True`` also returns (feature_names, class_names).
    """
    from sklearn.datasets import load_wine as _loader

    return _load_sklearn_table(_loader, return_names, dtype)


def load_breast_cancer(return_names: bool = False, dtype=None):
    """569 breast tumour biopsies: X (569, 30) cell-nucleus features, y (569,) 0 = malignant, 1 = benign.

    With ``return_names=True`` also returns (feature_names, class_names).
    """
    from sklearn.datasets import load_breast_cancer as _loader

    return _load_sklearn_table(_loader, return_names, dtype)


# --- MNIST-1D, generated locally --------------------------------------------------------
def default_cache_dir() -> Path:
    """Where generated datasets are cached: $DLCORE_CACHE, else ~/.cache/dlcore (never inside the repo)."""
    return Path(os.environ.get("DLCORE_CACHE") or Path.home() / ".cache" / "dlcore")


def _generate_mnist1d(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the ``mnist1d`` package's generator (never its downloader) with its default arguments.

    The generator reseeds NumPy's and Python's global random state; we put both back
    afterwards so that a cache hit and a cache miss leave the caller's randomness alike.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.seed = seed
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return data["x"], data["y"], data["x_test"], data["y_test"]


def _read_cache(path: Path) -> tuple[np.ndarray, ...] | None:
    names = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = tuple(f[name] for name in names)
    except (OSError, KeyError, ValueError):
        return None  # missing or damaged: regenerate
    x_train, y_train, x_test, y_test = arrays
    if x_train.ndim != 2 or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        return None
    return arrays


def _write_cache(path: Path, arrays: tuple[np.ndarray, ...]) -> None:
    """Write atomically (temporary file, then rename) so parallel runs never read half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, x_train=arrays[0], y_train=arrays[1], x_test=arrays[2], y_test=arrays[3])
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home is fine: we simply regenerate next time


def load_mnist1d(
    seed: int = MNIST1D_SEED, cache_dir: str | os.PathLike | None = None, use_cache: bool = True, dtype=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST-1D (Greydanus, 2020): 5000 one-dimensional "digits" of length 40, 10 classes.

    Generated on this machine by the ``mnist1d`` package with its default arguments
    (seed 42 is the paper's dataset), then cached as .npz under ``cache_dir``
    (default ``default_cache_dir()``) because generation takes about a second.

    Returns x_train: (4000, 40), y_train: (4000,), x_test: (1000, 40), y_test: (1000,).
    """
    path = Path(cache_dir or default_cache_dir()) / f"mnist1d_seed{seed}_v{MNIST1D_CACHE_VERSION}.npz"
    arrays = _read_cache(path) if use_cache else None
    if arrays is None:
        arrays = _generate_mnist1d(seed)
        if use_cache:
            _write_cache(path, arrays)
    x_train, y_train, x_test, y_test = arrays
    return _features(x_train, dtype), _labels(y_train), _features(x_test, dtype), _labels(y_test)


# --- 2-D toy classification sets ---------------------------------------------------------
def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n samples over classes as evenly as possible."""
    if n < classes:
        raise ValueError(f"need at least one sample per class: n={n}, classes={classes}")
    return [n // classes + (c < n % classes) for c in range(classes)]


def _shuffled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, dtype) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return _features(x[order], dtype), _labels(y[order])


def make_moons(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None, dtype=None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles. Returns X: (n, 2), y: (n,) in {0, 1}."""
    rng = get_rng(rng)
    n0, n1 = _class_sizes(n, 2)
    angle0 = rng.uniform(0, np.pi, n0)
    angle1 = rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(angle0), np.sin(angle0)], axis=1)  # (n0, 2)
    lower = np.stack([1 - np.cos(angle1), 0.5 - np.sin(angle1)], axis=1)  # (n1, 2)
    x = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _shuffled(x, y, rng, dtype)


def make_circles(
    n: int = 200,
    noise: float = 0.05,
    factor: float = 0.5,
    rng: np.random.Generator | int | None = None,
    dtype=None,
) -> tuple[np.ndarray, np.ndarray]:
    """An outer circle (class 0, radius 1) around an inner one (class 1, radius ``factor``).

    Returns X: (n, 2), y: (n,) in {0, 1}.
    """
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    rng = get_rng(rng)
    sizes = _class_sizes(n, 2)
    radius = np.repeat([1.0, factor], sizes)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    x = x + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], sizes)
    return _shuffled(x, y, rng, dtype)


def make_spirals(
    n: int = 300,
    classes: int = 2,
    noise: float = 0.05,
    turns: float = 1.0,
    rng: np.random.Generator | int | None = None,
    dtype=None,
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms winding out from the origin, each rotated by 2*pi/classes.

    A point at radius r in [0, 1] on arm k sits at angle 2*pi*(turns*r + k/classes);
    ``noise`` is the standard deviation of Gaussian noise added to both coordinates.
    Returns X: (n, 2), y: (n,) in {0, ..., classes-1}.
    """
    if classes < 2:
        raise ValueError(f"make_spirals: need at least 2 classes, got {classes}")
    rng = get_rng(rng)
    sizes = _class_sizes(n, classes)
    y = np.repeat(np.arange(classes), sizes)
    r = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * (turns * r + y / classes)
    x = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    x = x + noise * rng.standard_normal((n, 2))
    return _shuffled(x, y, rng, dtype)


def make_xor(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None, dtype=None
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in the square [-1, 1]^2, class 1 where the two coordinates have opposite signs.

    Labels come from the clean points; ``noise`` (std of Gaussian jitter) then blurs the
    boundary along the axes. Returns X: (n, 2), y: (n,) in {0, 1}.
    """
    rng = get_rng(rng)
    clean = rng.uniform(-1, 1, (n, 2))
    y = (clean[:, 0] * clean[:, 1] < 0).astype(np.int64)
    x = clean + noise * rng.standard_normal((n, 2))
    return _features(x, dtype), _labels(y)


# --- 1-D regression curves -----------------------------------------------------------
REGRESSION_CURVES = {
    "linear": lambda x: 2 * x + 0.5,
    "quadratic": lambda x: x**2,
    "cubic": lambda x: 4 * x**3 - 3 * x,  # swings between -1 and 1 three times on [-1, 1]
    "sine": lambda x: np.sin(np.pi * x),
    "abs": np.abs,
    "step": lambda x: (x > 0).astype(x.dtype),
}


def regression_target(kind: str, x: np.ndarray) -> np.ndarray:
    """The noiseless curve ``kind`` evaluated at x (any shape); handy for plotting the truth."""
    if kind not in REGRESSION_CURVES:
        raise ValueError(f"regression_target: unknown kind {kind!r}, choose from {sorted(REGRESSION_CURVES)}")
    return REGRESSION_CURVES[kind](np.asarray(x))


def make_regression_curve(
    kind: str = "sine",
    n: int = 100,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = None,
    dtype=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of a 1-D curve on [-1, 1], sorted by x.

    kind: one of "linear", "quadratic", "cubic", "sine" (one period), "abs", "step".
    Returns x: (n, 1), y: (n, 1) with y = curve(x) + noise * N(0, 1).
    """
    if kind not in REGRESSION_CURVES:
        raise ValueError(f"make_regression_curve: unknown kind {kind!r}, choose from {sorted(REGRESSION_CURVES)}")
    rng = get_rng(rng)
    x = np.sort(rng.uniform(-1, 1, n))[:, None]  # (n, 1)
    y = regression_target(kind, x) + noise * rng.standard_normal((n, 1))
    return _features(x, dtype), _features(y, dtype)

"""Getting data ready for a network: scaling, encoding, imputing, splitting, augmenting.

Every transformer learns its numbers from the training set only (``fit``) and then
applies them unchanged to validation and test data (``transform``): fitting on the test
set would leak information the model is not supposed to have. No function here
modifies the arrays it is given.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng, resolve_dtype

RandomState = np.random.Generator | int | None


# --- shared helpers ------------------------------------------------------------------
def _as_float(x, name: str) -> np.ndarray:
    """x as a floating array (integers become the default dtype; float32 stays float32)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        if not (np.issubdtype(x.dtype, np.integer) or x.dtype == bool):
            raise TypeError(f"{name}: expected numbers, got dtype {x.dtype}")
        x = x.astype(resolve_dtype(None))
    return x


def _as_table(x, name: str) -> np.ndarray:
    """x as a float (N, D) table, with a hint when a single feature came as a vector."""
    x = _as_float(x, name)
    if x.ndim != 2:
        hint = " (for a single feature use x.reshape(-1, 1))" if x.ndim == 1 else ""
        raise ValueError(f"{name}: expected a 2-D array (N, D), got shape {x.shape}{hint}")
    return x


def _safe_scale(scale: np.ndarray) -> np.ndarray:
    """Replace zero spreads (constant features) by 1, so they are shifted but never divided by 0."""
    return np.where(scale == 0, 1.0, scale)


class _Transformer:
    """fit / transform / fit_transform for column-wise transformers of (N, D) tables."""

    n_features_: int | None = None

    def fit(self, x: np.ndarray) -> _Transformer:
        raise NotImplementedError

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return self.fit(x).transform(x)

    def _check(self, x, method: str) -> np.ndarray:
        name = f"{type(self).__name__}.{method}"
        if self.n_features_ is None:
            raise RuntimeError(f"{name}: this {type(self).__name__} is not fitted yet; call fit(X_train) first")
        x = _as_table(x, name)
        if x.shape[1] != self.n_features_:
            raise ValueError(
                f"{name}: fitted on {self.n_features_} features, got an array with {x.shape[1]} (shape {x.shape})"
            )
        return x


# --- scaling ---------------------------------------------------------------------------
class MinMaxScaler(_Transformer):
    """Map each feature linearly so its training minimum goes to ``lo`` and maximum to ``hi``.

    x' = lo + (x - min) / (max - min) * (hi - lo). A constant feature goes to ``lo``.
    x: (N, D) -> (N, D), same float dtype.
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range must be (lo, hi) with lo < hi, got {feature_range}")
        self.feature_range = (float(lo), float(hi))
        self.data_min_: np.ndarray | None = None
        self.data_max_: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> MinMaxScaler:
        x = _as_table(x, "MinMaxScaler.fit")
        self.data_min_ = x.min(axis=0).astype(np.float64)  # (D,)
        self.data_max_ = x.max(axis=0).astype(np.float64)  # (D,)
        self.n_features_ = x.shape[1]
        return self

    def _scale(self) -> np.ndarray:
        lo, hi = self.feature_range
        return (hi - lo) / _safe_scale(self.data_max_ - self.data_min_)  # (D,)

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "transform")
        lo = self.feature_range[0]
        out = lo + (x - self.data_min_) * self._scale()
        return out.astype(x.dtype, copy=False)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "inverse_transform")
        lo = self.feature_range[0]
        out = (x - lo) / self._scale() + self.data_min_
        return out.astype(x.dtype, copy=False)

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={self.feature_range})"


class StandardScaler(_Transformer):
    """Give each feature zero mean and unit standard deviation on the training set.

    x' = (x - mean) / std (population std, ddof=0). A constant feature becomes 0.
    x: (N, D) -> (N, D), same float dtype.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> StandardScaler:
        x = _as_table(x, "StandardScaler.fit")
        x64 = x.astype(np.float64)  # statistics in float64 for accuracy
        self.mean_ = x64.mean(axis=0)  # (D,)
        self.scale_ = _safe_scale(x64.std(axis=0))  # (D,)
        self.n_features_ = x.shape[1]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "transform")
        return ((x - self.mean_) / self.scale_).astype(x.dtype, copy=False)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "inverse_transform")
        return (x * self.scale_ + self.mean_).astype(x.dtype, copy=False)

    def __repr__(self) -> str:
        return "StandardScaler()"


# --- labels ----------------------------------------------------------------------------
def one_hot(y: np.ndarray, num_classes: int | None = None, dtype=None) -> np.ndarray:
    """Integer labels y: (N,) -> one-hot rows (N, num_classes) in the default float dtype.

    num_classes defaults to max(y) + 1.
    """
    y = np.asarray(y)
    if y.ndim != 1 or not (np.issubdtype(y.dtype, np.integer) or y.size == 0):
        raise ValueError(f"one_hot: expected integer labels of shape (N,), got dtype {y.dtype}, shape {y.shape}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{num_classes - 1}, got range {y.min()}..{y.max()}")
    out = np.zeros((len(y), num_classes), dtype=resolve_dtype(dtype))  # (N, C)
    out[np.arange(len(y)), y] = 1
    return out


class LabelEncoder:
    """Map arbitrary labels (strings or numbers) to 0..C-1 and back; classes_ are sorted."""

    def __init__(self) -> None:
        self.classes_: np.ndarray | None = None

    def fit(self, labels) -> LabelEncoder:
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(f"LabelEncoder.fit: expected labels of shape (N,), got {labels.shape}")
        self.classes_ = np.unique(labels)
        return self

    def _check_fitted(self, method: str) -> None:
        if self.classes_ is None:
            raise RuntimeError(f"LabelEncoder.{method}: not fitted yet; call fit(labels) first")

    def transform(self, labels) -> np.ndarray:
        """labels: (N,) -> int64 codes (N,). Unknown labels raise ValueError."""
        self._check_fitted("transform")
        labels = np.asarray(labels)
        codes = np.searchsorted(self.classes_, labels)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        unknown = self.classes_[codes] != labels
        if np.any(unknown):
            raise ValueError(f"LabelEncoder.transform: unseen labels {np.unique(labels[unknown]).tolist()}")
        return codes.astype(np.int64)

    def fit_transform(self, labels) -> np.ndarray:
        return self.fit(labels).transform(labels)

    def inverse_transform(self, codes) -> np.ndarray:
        """int codes (N,) -> the original labels (N,)."""
        self._check_fitted("inverse_transform")
        codes = np.asarray(codes)
        if codes.size and (codes.min() < 0 or codes.max() >= len(self.classes_)):
            raise ValueError(f"LabelEncoder.inverse_transform: codes must lie in 0..{len(self.classes_) - 1}")
        return self.classes_[codes]

    def __repr__(self) -> str:
        return f"LabelEncoder(classes_={None if self.classes_ is None else self.classes_.tolist()})"


# --- missing values ------------------------------------------------------------------
class SimpleImputer(_Transformer):
    """Replace NaNs in each feature by that feature's training mean or median (NaNs ignored).

    x: (N, D) -> (N, D) without NaNs.
    """

    STRATEGIES = ("mean", "median")

    def __init__(self, strategy: str = "mean"):
        if strategy not in self.STRATEGIES:
            raise ValueError(f"SimpleImputer: strategy must be one of {self.STRATEGIES}, got {strategy!r}")
        self.strategy = strategy
        self.statistics_: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> SimpleImputer:
        x = _as_table(x, "SimpleImputer.fit")
        empty = np.isnan(x).all(axis=0)
        if np.any(empty):
            raise ValueError(f"SimpleImputer.fit: features {np.flatnonzero(empty).tolist()} have no observed value")
        reduce = np.nanmean if self.strategy == "mean" else np.nanmedian
        self.statistics_ = reduce(x.astype(np.float64), axis=0)  # (D,)
        self.n_features_ = x.shape[1]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "transform")
        fill = np.broadcast_to(self.statistics_.astype(x.dtype), x.shape)
        return np.where(np.isnan(x), fill, x)

    def __repr__(self) -> str:
        return f"SimpleImputer(strategy={self.strategy!r})"


def nan_euclidean_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances that skip coordinates missing (NaN) in either point.

    The squared distance over the coordinates both points have is scaled up by
    D / (number of shared coordinates), as if the missing ones had differed alike.
    a: (M, D), b: (N, D) -> (M, N); NaN where two points share no coordinate.
    """
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    seen_a, seen_b = ~np.isnan(a), ~np.isnan(b)  # (M, D), (N, D)
    a0, b0 = np.where(seen_a, a, 0.0), np.where(seen_b, b, 0.0)
    # sum over shared coordinates of (a - b)^2 = a^2 . seen_b - 2 a . b + seen_a . b^2
    squared = (a0**2) @ seen_b.T - 2 * a0 @ b0.T + seen_a @ (b0**2).T  # (M, N)
    shared = seen_a.astype(np.float64) @ seen_b.T  # (M, N)
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = np.maximum(squared, 0.0) * a.shape[1] / shared
    return np.where(shared > 0, np.sqrt(squared), np.nan)


class KNNImputer(_Transformer):
    """Fill each NaN with the mean of that feature over the k nearest training rows that have it.

    Distances ignore missing coordinates (``nan_euclidean_distances``). When no training
    row can be compared, the feature's training mean is used. x: (N, D) -> (N, D).
    """

    def __init__(self, k: int = 5):
        if k < 1:
            raise ValueError(f"KNNImputer: k must be at least 1, got {k}")
        self.k = k
        self.train_: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> KNNImputer:
        x = _as_table(x, "KNNImputer.fit")
        if np.isnan(x).all(axis=0).any():
            raise ValueError("KNNImputer.fit: some feature has no observed value")
        self.train_ = x.astype(np.float64)  # (N_train, D), copied
        self.column_mean_ = np.nanmean(self.train_, axis=0)  # (D,)
        self.n_features_ = x.shape[1]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x, "transform")
        out = x.copy()
        rows = np.flatnonzero(np.isnan(x).any(axis=1))
        if len(rows) == 0:
            return out
        distance = nan_euclidean_distances(x[rows], self.train_)  # (R, N_train)
        known = ~np.isnan(self.train_)  # (N_train, D): which training rows can donate which feature
        for d_row, row in zip(distance, rows, strict=True):
            for j in np.flatnonzero(np.isnan(x[row])):
                donors = np.flatnonzero(known[:, j] & ~np.isnan(d_row))
                if len(donors) == 0:  # nobody comparable: fall back to the mean
                    out[row, j] = self.column_mean_[j]
                    continue
                nearest = donors[np.argsort(d_row[donors], kind="stable")[: self.k]]
                out[row, j] = self.train_[nearest, j].mean()
        return out

    def __repr__(self) -> str:
        return f"KNNImputer(k={self.k})"


# --- outliers --------------------------------------------------------------------------
def zscore_outliers(x: np.ndarray, threshold: float = 3.0) -> np.ndarray:
    """True where |x - mean| > threshold * std, per column (population std).

    x: (N,) or (N, D) -> boolean mask of the same shape. NaNs are ignored in the
    statistics and never flagged; a constant column has no outliers.
    """
    x = _as_float(x, "zscore_outliers").astype(np.float64)
    mean = np.nanmean(x, axis=0)
    std = np.nanstd(x, axis=0)
    with np.errstate(invalid="ignore"):
        z = np.abs(x - mean) / _safe_scale(std)
        return z > threshold


def iqr_outliers(x: np.ndarray, k: float = 1.5) -> np.ndarray:
    """True outside Tukey's fences [Q1 - k*IQR, Q3 + k*IQR], per column (IQR = Q3 - Q1).

    x: (N,) or (N, D) -> boolean mask of the same shape. NaNs are ignored and never flagged.
    """
    x = _as_float(x, "iqr_outliers").astype(np.float64)
    q1, q3 = np.nanpercentile(x, [25, 75], axis=0)
    iqr = q3 - q1
    with np.errstate(invalid="ignore"):
        return (x < q1 - k * iqr) | (x > q3 + k * iqr)


# --- splitting -------------------------------------------------------------------------
def _count(size: float | int, n: int, name: str) -> int:
    """A split size given as a fraction (0 < f < 1) or a count, as a count."""
    if isinstance(size, (float, np.floating)) and 0 < size < 1:
        return int(round(size * n))
    if isinstance(size, (int, np.integer)) and 0 <= size <= n:
        return int(size)
    raise ValueError(f"{name} must be a fraction in (0, 1) or a count in 0..{n}, got {size!r}")


def _stratified_counts(y: np.ndarray, n_pick: int, rng: np.random.Generator) -> dict:
    """How many of each class to pick so that every class gets its share within one sample.

    Each class gets floor(share); the samples left over go to the largest remainders.
    """
    classes, sizes = np.unique(y, return_counts=True)
    share = n_pick * sizes / len(y)  # ideal (fractional) count per class
    counts = np.floor(share).astype(int)
    leftover = n_pick - counts.sum()
    tiebreak = rng.random(len(classes))  # random order among equal remainders
    order = np.lexsort((tiebreak, -(share - counts)))
    counts[order[:leftover]] += 1
    return dict(zip(classes.tolist(), counts.tolist(), strict=True))


def _pick(y: np.ndarray, n_pick: int, stratify: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split indices 0..len(y)-1 into (picked, rest), both in random order."""
    if stratify and y.ndim != 1:
        raise ValueError(f"stratify needs integer or string labels of shape (N,), got shape {y.shape}")
    if not stratify:
        order = rng.permutation(len(y))
        return order[:n_pick], order[n_pick:]
    picked, rest = [], []
    for label, count in _stratified_counts(y, n_pick, rng).items():
        members = rng.permutation(np.flatnonzero(y == label))
        picked.append(members[:count])
        rest.append(members[count:])
    return rng.permutation(np.concatenate(picked)), rng.permutation(np.concatenate(rest))


def _check_xy(x, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"{name}: X and y must have the same length, got {len(x)} and {len(y)}")
    return x, y


def train_test_split(
    x: np.ndarray,
    y: np.ndarray,
    test_size: float | int = 0.2,
    stratify: bool = False,
    rng: RandomState = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into training and test parts.

    test_size: fraction of the samples, or a count. stratify: keep each class's share
    in the test set within one sample of its share in y.
    x: (N, ...), y: (N, ...) -> x_train, x_test, y_train, y_test (copies).
    """
    x, y = _check_xy(x, y, "train_test_split")
    rng = get_rng(rng)
    n_test = _count(test_size, len(y), "train_test_split: test_size")
    test, train = _pick(y, n_test, stratify, rng)
    return x[train], x[test], y[train], y[test]


def train_val_test_split(
    x: np.ndarray,
    y: np.ndarray,
    val_size: float | int = 0.15,
    test_size: float | int = 0.15,
    stratify: bool = False,
    rng: RandomState = None,
) -> tuple[np.ndarray, ...]:
    """Shuffle and split into training, validation and test parts.

    val_size, test_size: fractions of all samples, or counts. The test part is split off
    first, then the validation part from the rest (each stratified if asked).
    x: (N, ...), y: (N, ...) -> x_train, x_val, x_test, y_train, y_val, y_test (copies).
    """
    x, y = _check_xy(x, y, "train_val_test_split")
    rng = get_rng(rng)
    n_test = _count(test_size, len(y), "train_val_test_split: test_size")
    n_val = _count(val_size, len(y), "train_val_test_split: val_size")
    if n_val + n_test > len(y):
        raise ValueError(f"train_val_test_split: {n_val} validation + {n_test} test > {len(y)} samples")
    test, rest = _pick(y, n_test, stratify, rng)
    val_in_rest, train_in_rest = _pick(y[rest], n_val, stratify, rng)
    val, train = rest[val_in_rest], rest[train_in_rest]
    return x[train], x[val], x[test], y[train], y[val], y[test]


# --- augmenting small grayscale images -----------------------------------------------
def _as_images(images, name: str) -> np.ndarray:
    images = _as_float(images, name)
    if images.ndim not in (2, 3):
        raise ValueError(f"{name}: expected an image (H, W) or a batch (N, H, W), got shape {images.shape}")
    return images


def flip_horizontal(images: np.ndarray) -> np.ndarray:
    """Mirror left-right. (H, W) or (N, H, W) -> same shape."""
    images = _as_images(images, "flip_horizontal")
    return images[..., ::-1].copy()


def rotate(images: np.ndarray, angle: float, fill: float = 0.0) -> np.ndarray:
    """Rotate counter-clockwise (as displayed, row 0 on top) by ``angle`` degrees about the centre.

    Bilinear interpolation; pixels coming from outside the image get ``fill``.
    (H, W) or (N, H, W) -> same shape and dtype.
    """
    from scipy import ndimage

    images = _as_images(images, "rotate")
    # axes=(-1, -2): rotating from the column axis towards the row axis turns the picture counter-clockwise
    return ndimage.rotate(images, angle, axes=(-1, -2), reshape=False, order=1, mode="constant", cval=fill)


def shift(images: np.ndarray, dx: float, dy: float, fill: float = 0.0) -> np.ndarray:
    """Move the content ``dx`` pixels right and ``dy`` pixels down (negative: left / up).

    Whole-pixel shifts are exact; fractional ones interpolate bilinearly. Uncovered pixels
    get ``fill``. (H, W) or (N, H, W) -> same shape and dtype.
    """
    from scipy import ndimage

    images = _as_images(images, "shift")
    offset = (0,) * (images.ndim - 2) + (dy, dx)  # rows move by dy, columns by dx
    return ndimage.shift(images, offset, order=1, mode="constant", cval=fill)


def add_noise(
    images: np.ndarray, std: float, rng: RandomState = None, clip: tuple[float, float] | None = None
) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``std``; optionally clip to ``clip`` = (lo, hi).

    Any shape -> same shape and dtype.
    """
    images = _as_float(images, "add_noise")
    noisy = images + (std * get_rng(rng).standard_normal(images.shape)).astype(images.dtype)
    return noisy if clip is None else np.clip(noisy, *clip)


def random_augment(
    images: np.ndarray,
    rng: RandomState = None,
    max_angle: float = 15.0,
    max_shift: int = 1,
    flip_prob: float = 0.0,
    noise_std: float = 0.0,
    clip: tuple[float, float] | None = None,
) -> np.ndarray:
    """A random variant of each image: flip (with probability ``flip_prob``), rotate by an
    angle uniform in [-max_angle, max_angle], shift by whole pixels in [-max_shift, max_shift]
    in each direction, then add Gaussian noise of std ``noise_std``.

    Digits should not be flipped (a mirrored 3 is no digit), hence flip_prob=0 by default.
    (H, W) or (N, H, W) -> same shape and dtype.
    """
    images = _as_images(images, "random_augment")
    rng = get_rng(rng)
    batch = images[None] if images.ndim == 2 else images  # (N, H, W)
    out = np.empty_like(batch)
    for i, image in enumerate(batch):
        if rng.random() < flip_prob:
            image = flip_horizontal(image)
        if max_angle > 0:
            image = rotate(image, rng.uniform(-max_angle, max_angle))
        if max_shift > 0:
            dx, dy = rng.integers(-max_shift, max_shift + 1, size=2)
            image = shift(image, int(dx), int(dy))
        out[i] = image
    if noise_std > 0:
        out = add_noise(out, noise_std, rng, clip)
    elif clip is not None:
        out = np.clip(out, *clip)
    return out[0] if images.ndim == 2 else out

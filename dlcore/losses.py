"""Loss functions.

A loss is an object with
- ``forward(y_pred, y_true) -> float``: the loss averaged over the batch (``__call__`` too);
- ``backward() -> ndarray``: dL/dy_pred for the last forward, same shape and dtype as
  y_pred, already including the 1/N of the average.

Conventions:
- Regression losses (MSE, MAE, Huber) average over every element, i.e. over the batch and
  over the outputs, as Keras and PyTorch do.
- Predictions (N, 1) with targets (N,), or predictions (N,) with targets (N, 1), are
  accepted: the targets are reshaped to the predictions' shape. Any other shape mismatch
  is an error (NumPy would otherwise broadcast (N, 1) - (N,) into an (N, N) matrix and
  return a meaningless number without complaint).
- Targets are cast to the predictions' dtype, so float32 predictions give float32 gradients.
"""

from __future__ import annotations

import numpy as np

from dlcore.activations import log_softmax, sigmoid, softplus

BCE_EPS = 1e-7  # probabilities are clipped to [eps, 1 - eps] before taking logs
ROW_SUM_TOL = 1e-4  # soft targets' rows must sum to 1 within this


class Loss:
    """Base class: subclasses implement ``_forward`` (returns the loss) and ``backward``."""

    name = "loss"

    def __init__(self) -> None:
        self._cache: tuple | None = None

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:
        y_pred = self._check_pred(y_pred)
        return float(self._forward(y_pred, y_true))

    def __call__(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:
        return self.forward(y_pred, y_true)

    def backward(self) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError(f"{self!r}.backward() called before forward()")
        return self._backward()

    def _check_pred(self, y_pred) -> np.ndarray:
        if not isinstance(y_pred, np.ndarray):
            raise TypeError(f"{self!r}: expected y_pred to be a numpy array, got {type(y_pred).__name__}")
        if not np.issubdtype(y_pred.dtype, np.floating):
            raise TypeError(f"{self!r}: expected floating-point y_pred, got dtype {y_pred.dtype}")
        if y_pred.size == 0:
            raise ValueError(f"{self!r}: got an empty batch, y_pred of shape {y_pred.shape}")
        return y_pred

    def _match_targets(self, y_pred: np.ndarray, y_true) -> np.ndarray:
        """y_true as an array of y_pred's shape and dtype ((N,) <-> (N, 1) reshaped; else shapes must match)."""
        y_true = np.asarray(y_true)
        if y_true.shape != y_pred.shape:
            squeezable = y_true.size == y_pred.size and y_pred.ndim >= 1 and y_true.ndim >= 1
            pair = {y_true.shape, y_pred.shape}
            n = y_pred.shape[0]
            if squeezable and pair == {(n,), (n, 1)}:
                y_true = y_true.reshape(y_pred.shape)
            else:
                raise ValueError(
                    f"{self!r}: y_pred has shape {y_pred.shape} but y_true has shape {y_true.shape}; "
                    f"they must match (only (N,) against (N, 1) is reshaped automatically)"
                )
        return y_true.astype(y_pred.dtype, copy=False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# --- regression -------------------------------------------------------------------------
class MSE(Loss):
    """Mean squared error: L = mean((y_pred - y)^2); dL/dy_pred = 2 (y_pred - y) / size."""

    name = "mse"

    def _forward(self, y_pred, y_true):
        e = y_pred - self._match_targets(y_pred, y_true)
        self._cache = (e,)
        return np.mean(e * e)

    def _backward(self):
        (e,) = self._cache
        return e * (2.0 / e.size)


class MAE(Loss):
    """Mean absolute error: L = mean|y_pred - y|; dL/dy_pred = sign(y_pred - y) / size (0 where equal)."""

    name = "mae"

    def _forward(self, y_pred, y_true):
        e = y_pred - self._match_targets(y_pred, y_true)
        self._cache = (e,)
        return np.mean(np.abs(e))

    def _backward(self):
        (e,) = self._cache
        return np.sign(e) * (1.0 / e.size)


class Huber(Loss):
    """Huber loss: quadratic near 0, linear in the tails, with e = y_pred - y:

    l(e) = e^2 / 2 where |e| <= delta, else delta (|e| - delta / 2); L = mean l(e);
    dL/dy_pred = clip(e, -delta, delta) / size.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        super().__init__()
        self.delta = delta

    def _forward(self, y_pred, y_true):
        e = y_pred - self._match_targets(y_pred, y_true)
        self._cache = (e,)
        abs_e = np.abs(e)
        d = self.delta
        return np.mean(np.where(abs_e <= d, 0.5 * e * e, d * (abs_e - 0.5 * d)))

    def _backward(self):
        (e,) = self._cache
        return np.clip(e, -self.delta, self.delta) * (1.0 / e.size)

    def __repr__(self) -> str:
        return f"Huber(delta={self.delta})"


# --- binary classification --------------------------------------------------------------
def _check_binary_targets(loss: Loss, y: np.ndarray) -> None:
    if np.any((y < 0) | (y > 1)):
        raise ValueError(
            f"{loss!r}: targets must lie in [0, 1] (class labels 0/1), got values in [{y.min()}, {y.max()}]"
        )


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy on PROBABILITIES p (e.g. the output of a Sigmoid layer).

    L = -mean(y log p + (1 - y) log(1 - p)). p is first clipped to [eps, 1 - eps] (eps = 1e-7)
    so that log(0) never happens; the gradient (p - y) / (p (1 - p)) / size uses the clipped p,
    so it stays finite (at most about 1/eps) and still points the right way for a saturated,
    wrong prediction. Prefer ``BinaryCrossEntropyWithLogits``, which needs no clipping.
    """

    name = "binary_crossentropy"

    def __init__(self, eps: float = BCE_EPS):
        super().__init__()
        self.eps = eps

    def _forward(self, y_pred, y_true):
        if np.any((y_pred < 0) | (y_pred > 1)):
            raise ValueError(
                f"{self!r}: y_pred must be probabilities in [0, 1], got values in [{y_pred.min()}, {y_pred.max()}] "
                f"(for raw scores use 'binary_crossentropy_logits')"
            )
        y = self._match_targets(y_pred, y_true)
        _check_binary_targets(self, y)
        p = np.clip(y_pred, self.eps, 1.0 - self.eps)
        self._cache = (p, y)
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))

    def _backward(self):
        p, y = self._cache
        return (p - y) / (p * (1.0 - p)) * (1.0 / p.size)


class BinaryCrossEntropyWithLogits(Loss):
    """Binary cross-entropy on LOGITS z (p = sigmoid(z) is applied inside, stably).

    Per example, -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] = softplus(z) - y z
    = max(z, 0) - y z + log(1 + exp(-|z|)), which never overflows; L = the mean of that.
    dL/dz = (sigmoid(z) - y) / size.
    """

    name = "binary_crossentropy_logits"

    def _forward(self, y_pred, y_true):
        z = y_pred
        y = self._match_targets(z, y_true)
        _check_binary_targets(self, y)
        self._cache = (z, y)
        return np.mean(softplus(z) - y * z)

    def _backward(self):
        z, y = self._cache
        return (sigmoid(z) - y) * (1.0 / z.size)


# --- multi-class classification ---------------------------------------------------------
class CategoricalCrossEntropy(Loss):
    """Softmax + cross-entropy, fused. y_pred are LOGITS z: (N, C), or (N, ..., C) e.g. (B, T, V).

    y_true: integer class labels (N,) / (N, ...) in 0..C-1, or one-hot / probability rows (N, C)
    / (N, ..., C). With log p = log_softmax(z) (computed stably):
    L = -mean over examples of sum_c y_c log p_c;  dL/dz = (softmax(z) - y_onehot) / N,
    where N counts every position (N * ... for extra axes).
    Soft targets must be probability rows: entries >= 0 summing to 1 (within 1e-4). Other
    rows raise a ValueError, because the gradient softmax(z) - y is the derivative of this
    loss only when each row of y sums to 1 (in general it is softmax(z) * sum(y) - y).
    """

    name = "categorical_crossentropy"

    def _forward(self, y_pred, y_true):
        if y_pred.ndim < 2:
            raise ValueError(f"{self!r}: expected logits of shape (N, C), got {y_pred.shape}")
        C = y_pred.shape[-1]
        z = y_pred.reshape(-1, C)  # (N, ..., C) -> (M, C)
        M = z.shape[0]
        log_p = log_softmax(z, axis=1)  # (M, C), computed stably
        labels = self._labels(y_pred, y_true, C)
        if labels is not None:  # integer labels: pick the log-probability of the true class
            loss = -np.mean(log_p[np.arange(M), labels])
        else:  # one-hot / soft targets
            labels = self._probability_rows(np.asarray(y_true).reshape(-1, C).astype(z.dtype, copy=False))
            loss = -np.sum(labels * log_p) / M
        with np.errstate(under="ignore"):
            probs = np.exp(log_p, out=log_p)  # softmax probabilities (M, C)
        self._cache = (probs, labels, y_pred.shape)
        return loss

    def _probability_rows(self, y: np.ndarray) -> np.ndarray:
        """y: (M, C) soft targets, checked to be rows of probabilities."""
        if np.any(y < 0):
            raise ValueError(f"{self!r}: one-hot / probability targets must be >= 0, got a minimum of {y.min()}")
        sums = y.sum(axis=1)
        bad = np.abs(sums - 1.0) > ROW_SUM_TOL
        if np.any(bad):
            row = int(np.argmax(bad))
            raise ValueError(
                f"{self!r}: each row of one-hot / probability targets must sum to 1, but row {row} sums to "
                f"{sums[row]:.6g} ({int(bad.sum())} of {len(sums)} rows do not); normalise the rows, or pass "
                f"integer class labels"
            )
        return y

    def _labels(self, y_pred: np.ndarray, y_true, C: int) -> np.ndarray | None:
        """Integer labels flattened to (M,), or None if y_true is one-hot/probabilities of y_pred's shape."""
        y_true = np.asarray(y_true)
        if y_true.shape == y_pred.shape:
            return None
        if y_true.shape != y_pred.shape[:-1]:
            raise ValueError(
                f"{self!r}: logits have shape {y_pred.shape}, so y_true must be integer labels of shape "
                f"{y_pred.shape[:-1]} or one-hot of shape {y_pred.shape}; got {y_true.shape}"
            )
        if not np.issubdtype(y_true.dtype, np.integer):
            if not (np.issubdtype(y_true.dtype, np.floating) and np.all(y_true == np.round(y_true))):
                raise TypeError(f"{self!r}: class labels must be integers, got dtype {y_true.dtype}")
            y_true = y_true.astype(np.int64)
        low, high = y_true.min(), y_true.max()
        if low < 0 or high >= C:
            bad = low if low < 0 else high
            raise ValueError(f"{self!r}: label {bad} out of range for {C} classes (labels must be in 0..{C - 1})")
        return y_true.reshape(-1)

    def _backward(self):
        probs, labels, shape = self._cache
        M = probs.shape[0]
        if labels.ndim == 1:
            grad = probs.copy()
            grad[np.arange(M), labels] -= 1.0  # softmax - one-hot
        else:
            grad = probs - labels
        grad *= 1.0 / M
        return grad.reshape(shape)


_LOSSES = {
    cls.name: cls
    for cls in (MSE, MAE, Huber, BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CategoricalCrossEntropy)
}


def get_loss(name_or_obj: str | Loss) -> Loss:
    """A loss object: a name ("mse", "categorical_crossentropy", ...) gives a new one with default
    settings; a Loss instance is returned as is."""
    if isinstance(name_or_obj, Loss):
        return name_or_obj
    if isinstance(name_or_obj, type) and issubclass(name_or_obj, Loss):
        return name_or_obj()
    if isinstance(name_or_obj, str) and name_or_obj.lower() in _LOSSES:
        return _LOSSES[name_or_obj.lower()]()
    raise ValueError(f"unknown loss {name_or_obj!r}; valid names: {', '.join(sorted(_LOSSES))}")

"""``Sequential``: a stack of layers with a Keras-style ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

The model is a ``Module`` like any layer: ``forward`` runs the layers in order, ``backward``
runs them in reverse. ``fit`` owns the training loop::

    for each epoch:
        shuffle the sample order (a permutation; the data itself is not copied)
        for each batch of ``batch_size`` samples:
            zero the gradients
            forward -> loss -> backward (+ weight penalties) -> optimizer step

Batch gradient descent, stochastic gradient descent and mini-batch gradient descent are
the same loop with ``batch_size = len(x)``, ``1`` and ``k``.

Outputs are raw: for classification ``predict`` returns the logits the last layer computes
(the loss applies the softmax/sigmoid). Classes are ``np.argmax(model.predict(x), axis=1)``
(or ``model.predict(x)[:, 0] > 0`` for one binary logit); probabilities are
``dlcore.activations.softmax(model.predict(x))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from dlcore import regularizers
from dlcore.callbacks import Callback, History, StopOnNaN, TrainingDiverged, diverged_message
from dlcore.config import get_rng
from dlcore.losses import Loss, get_loss
from dlcore.metrics import CLASSIFICATION, get_metric
from dlcore.module import Module
from dlcore.optim import Optimizer, get_optimizer

DEFAULT_EVAL_BATCH = 256  # batch size of predict/evaluate (no gradients, so larger is fine)


class Sequential(Module):
    """Layers applied one after the other.  x: whatever the first layer takes -> the last layer's output.

    layers: list of Modules; name: shown by ``summary`` and ``repr``.
    """

    def __init__(self, layers: Iterable[Module] | None = None, name: str | None = None):
        super().__init__()
        self.layers: list[Module] = []
        self.name = name or "sequential"
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self._compiled_params: list[int] = []
        self.metrics: list[tuple[str, Callable]] = []
        self.stop_training = False
        self.history: History | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Module) -> Sequential:
        """Append a layer (returns the model, so calls can be chained)."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add: expected a layer (a Module), got {type(layer).__name__}")
        self.layers.append(layer)
        return self

    # --- a Module like the layers it holds -------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    # --- training setup ---------------------------------------------------------------------
    def compile(
        self,
        loss: str | Loss,
        optimizer: str | Optimizer = "adam",
        metrics: Sequence[str | Callable] = (),
    ) -> None:
        """Choose the loss, the optimizer and the metrics reported by ``fit``/``evaluate``.

        loss: a name ("mse", "categorical_crossentropy", ...) or a Loss object.
        optimizer: a name (built over this model's parameters with default settings) or an
        Optimizer built over ``model.parameters()``, e.g. ``optim.SGD(model.parameters(), lr=0.1)``
        (or over some of them: the others stay frozen).
        metrics: names ("accuracy", "f1", "mae", ...) or callables ``f(y_true, y_pred) -> float``.
        Call it after all layers are added.
        """
        if not self.layers:
            raise ValueError("Sequential.compile: the model has no layers; add some first")
        self.loss = get_loss(loss)
        self.optimizer = get_optimizer(optimizer, self.parameters())
        self._compiled_params = [id(p) for p in self.parameters()]
        from_logits = getattr(self.loss, "name", "") == "binary_crossentropy_logits"
        self.metrics = []
        for m in metrics:
            name, fn = get_metric(m)
            if from_logits and name in CLASSIFICATION and fn is get_metric(name)[1]:
                # one binary logit per sample: class 1 where the logit > 0 (probability > 0.5)
                fn = _with_threshold(fn, 0.0)
            self.metrics.append((name, fn))

    # --- the training loop ------------------------------------------------------------------
    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int = 1,
        batch_size: int = 32,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        callbacks: Sequence[Callback] = (),
        verbose: int = 1,
        rng: np.random.Generator | int | None = None,
    ) -> History:
        """Train for ``epochs`` passes over (x, y); returns the History (also ``model.history``).

        x: (N, ...) float inputs; y: (N, ...) targets in the form the loss expects.
        batch_size: samples per update (``len(x)``: batch GD, 1: SGD); a last, smaller batch
        takes the remainder. validation_split: the last fraction of (x, y), taken before
        shuffling, is held out for ``val_`` logs (or pass ``validation_data=(x_val, y_val)``).
        shuffle: a new sample order each epoch, drawn from ``rng`` (None: dlcore's global
        generator, so ``dlcore.seed`` makes runs repeatable).
        verbose: 0 silent, 1 one progress bar for the whole fit, 2 one line per epoch.

        The epoch's "loss" is the mean of the batch losses (weighted by batch size) plus any
        weight penalty, and its metrics are computed on the outputs produced during the epoch,
        as the weights changed; "val_" values are computed after the epoch in eval mode.
        A NaN or infinite batch loss raises ``TrainingDiverged``.
        """
        self._check_compiled("fit")
        x, y = self._check_data(x, y, "fit")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"Sequential.fit: epochs must be a non-negative integer, got {epochs!r}")
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"Sequential.fit: batch_size must be a positive integer, got {batch_size!r}")
        if validation_data is not None and validation_split:
            raise ValueError("Sequential.fit: give validation_data or validation_split, not both")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"Sequential.fit: validation_split must be in [0, 1), got {validation_split}")
        if validation_split:
            split_at = int(len(x) * (1.0 - validation_split))
            if split_at == 0 or split_at == len(x):
                raise ValueError(f"Sequential.fit: validation_split={validation_split} leaves an empty set")
            x, y, validation_data = x[:split_at], y[:split_at], (x[split_at:], y[split_at:])  # views, no copies
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("Sequential.fit: validation_data must be a pair (x_val, y_val)")
            validation_data = self._check_data(*validation_data, "fit (validation_data)")

        n = len(x)
        batch_size = min(int(batch_size), n)
        history = History()
        guard = [] if any(isinstance(cb, StopOnNaN) for cb in callbacks) else [StopOnNaN()]
        callbacks = [*guard, *callbacks, history]
        for cb in callbacks:
            cb.set_model(self)
        self.history = history
        self.stop_training = False
        rng = get_rng(rng)

        was_training = self.training
        self.train()
        steps = math.ceil(n / batch_size)
        from tqdm.auto import tqdm  # here, not at the top: it is slow to import and only fit needs it

        bar = tqdm(total=epochs * steps, disable=verbose != 1, unit="batch", desc=f"epoch 1/{epochs}", leave=True)
        try:
            for cb in callbacks:
                cb.on_train_begin({})
            for epoch in range(epochs):
                for cb in callbacks:
                    cb.on_epoch_begin(epoch, {})
                batches = _batch_indices(n, batch_size, rng if shuffle else None)
                logs = self._train_epoch(x, y, batches, epoch, callbacks, bar)
                if validation_data is not None:
                    val = self.evaluate(*validation_data, verbose=0)  # eval mode, then back to train
                    logs.update({f"val_{k}": v for k, v in val.items()})
                logs["lr"] = self.optimizer.lr
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
                self._report(bar, verbose, epoch, epochs, logs)
                if self.stop_training:
                    break
            for cb in callbacks:
                cb.on_train_end({})
        finally:
            bar.close()
            self.train(was_training)
        return history

    def _train_epoch(self, x, y, batches: list, epoch: int, callbacks: list[Callback], bar) -> dict[str, float]:
        """One pass over the batches; returns {"loss": ..., metric names: ...} for the epoch."""
        regularized = list(regularizers.regularized(self))
        loss_sum = 0.0
        outputs = []  # kept only when there are metrics to compute
        for b, idx in enumerate(batches):
            xb, yb = x[idx], y[idx]  # (B, ...): a copy of this batch only (a view without shuffling)
            for cb in callbacks:
                cb.on_batch_begin(b, {"size": len(xb)})
            try:
                loss, out = self._train_step(xb, yb, regularized)
            except (FloatingPointError, RuntimeWarning) as err:  # numeric warnings turned into errors
                what = f"numeric error in the training step ({err})"
                raise TrainingDiverged(diverged_message(what, epoch, b, self.optimizer.lr)) from err
            loss_sum += loss * len(xb)
            if self.metrics:
                outputs.append(out)
            for cb in callbacks:
                cb.on_batch_end(b, {"loss": loss, "size": len(xb)})
            bar.update(1)
        logs = {"loss": loss_sum / len(x)}
        if self.metrics:  # targets in the order the samples were seen
            y_seen = y[np.concatenate(batches)] if isinstance(batches[0], np.ndarray) else y
            logs.update(self._compute_metrics(y_seen, np.concatenate(outputs)))
        return logs

    def _train_step(self, xb: np.ndarray, yb: np.ndarray, regularized: list) -> tuple[float, np.ndarray]:
        """One update on a batch; returns the batch loss (with penalties) and the outputs."""
        self.zero_grad()
        out = self.forward(xb)
        loss = self.loss.forward(out, yb)
        if not math.isfinite(loss):  # leave the weights as they are; the StopOnNaN guard reports it
            return loss, out
        self._backward_for_training(self.loss.backward())
        loss += regularizers.apply_penalties(regularized)  # weight penalties: L += R(W), dL/dW += dR/dW
        self.optimizer.step()
        return loss, out

    def _backward_for_training(self, grad_out: np.ndarray) -> None:
        """``backward`` without dL/dx of the first layer: training only needs parameter gradients.

        A first layer that supports it (``needs_input_grad``, e.g. Dense) skips one matmul.
        """
        first = self.layers[0]
        if first.needs_input_grad is None:  # the layer cannot skip dL/dx (see Module)
            self.backward(grad_out)
            return
        previous, first.needs_input_grad = first.needs_input_grad, False
        try:
            self.backward(grad_out)
        finally:
            first.needs_input_grad = previous

    def _report(self, bar, verbose: int, epoch: int, epochs: int, logs: dict) -> None:
        shown = {k: v for k, v in logs.items() if k != "lr"}
        if verbose == 1:
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            bar.set_postfix({k: f"{v:.4g}" for k, v in shown.items()})
        elif verbose == 2:
            print(f"epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4g}" for k, v in shown.items()))

    # --- using a trained model --------------------------------------------------------------
    def predict(self, x: np.ndarray, batch_size: int = DEFAULT_EVAL_BATCH) -> np.ndarray:
        """Raw outputs in eval mode (logits for classification; see the module docstring).

        x: (N, ...) -> (N, ...) as the last layer gives, computed ``batch_size`` rows at a time.
        """
        x = self._check_x(x, "predict")
        was_training = self.training
        self.eval()
        try:
            out = [self.forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        finally:
            self.train(was_training)
        return out[0] if len(out) == 1 else np.concatenate(out)

    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int = DEFAULT_EVAL_BATCH, verbose: int = 0
    ) -> dict[str, float]:
        """Loss (plus weight penalties) and metrics on (x, y) in eval mode: {"loss": ..., "accuracy": ...}."""
        self._check_compiled("evaluate")
        x, y = self._check_data(x, y, "evaluate")
        out = self.predict(x, batch_size=batch_size)
        loss = sum(
            self.loss.forward(out[i : i + batch_size], y[i : i + batch_size]) * len(out[i : i + batch_size])
            for i in range(0, len(x), batch_size)
        ) / len(x)
        loss += regularizers.penalty(self)
        result = {"loss": float(loss), **self._compute_metrics(y, out)}
        if verbose:
            print(" - ".join(f"{k}: {v:.4g}" for k, v in result.items()))
        return result

    def _compute_metrics(self, y: np.ndarray, out: np.ndarray) -> dict[str, float]:
        return {name: float(fn(y, out)) for name, fn in self.metrics}

    # --- description ------------------------------------------------------------------------
    def summary(self, input_shape: tuple[int, ...] | None = None) -> str:
        """Print and return a table of layers, output shapes and parameter counts.

        input_shape: one sample's shape without the batch axis, e.g. ``(784,)``; output shapes
        are found by a forward pass of one zero sample in eval mode. Without it they show "?".
        """
        shapes: list[str] = ["?"] * len(self.layers)
        if input_shape is not None:
            dtype = np.int64 if self._takes_indices() else self._dtype() or np.float32
            a = np.zeros((1, *tuple(input_shape)), dtype=dtype)
            was_training = self.training
            self.eval()
            try:
                for i, layer in enumerate(self.layers):
                    a = layer.forward(a)
                    shapes[i] = "(N, " + ", ".join(str(d) for d in a.shape[1:]) + ")" if a.ndim > 1 else "(N,)"
            finally:
                self.train(was_training)
        rows = [(str(i), repr(layer), shapes[i], f"{layer.num_parameters():,}") for i, layer in enumerate(self.layers)]
        header = ("#", "Layer", "Output shape", "Params")
        widths = [max(len(r[c]) for r in [header, *rows]) for c in range(4)]

        def line(r):
            return "  ".join(
                [r[0].rjust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2]), r[3].rjust(widths[3])]
            )

        rule = "-" * len(line(header))
        total = self.num_parameters()
        dtype = self._dtype()
        size = f" ({total * dtype.itemsize / 1024:,.1f} KiB as {dtype})" if dtype is not None else ""
        input_text = f", input (N, {', '.join(map(str, input_shape))})" if input_shape is not None else ""
        text = "\n".join(
            [f'Sequential "{self.name}"{input_text}', rule, line(header), rule, *map(line, rows), rule]
            + [f"Total parameters: {total:,}{size}"]
        )
        print(text)
        return text

    def __repr__(self) -> str:
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)" if inner else "Sequential()"

    # --- input checks -----------------------------------------------------------------------
    def _dtype(self) -> np.dtype | None:
        params = self.parameters()
        return params[0].value.dtype if params else None

    def _check_compiled(self, where: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(
                f"Sequential.{where}: the model is not compiled; call model.compile(loss=..., optimizer=...) first"
            )
        if self._compiled_params != [id(p) for p in self.parameters()]:
            raise RuntimeError(
                f"Sequential.{where}: the layers changed since compile (the optimizer does not know the new "
                f"parameters); call model.compile(...) again"
            )

    def _check_x(self, x, where: str) -> np.ndarray:
        """x as an array of the model's dtype (converted once if it is another float type)."""
        if not isinstance(x, np.ndarray):
            raise TypeError(f"Sequential.{where}: x must be a numpy array, got {type(x).__name__} (use np.asarray)")
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"Sequential.{where}: x is empty (shape {x.shape}); expected (N, ...) with N >= 1")
        if self._takes_indices():
            if not np.issubdtype(x.dtype, np.integer):
                raise TypeError(
                    f"Sequential.{where}: the first layer {self.layers[0]!r} takes integer indices, got dtype {x.dtype}"
                )
            return x
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(
                f"Sequential.{where}: x must be floating point, got dtype {x.dtype} (convert with x.astype(np.float32))"
            )
        dtype = self._dtype()
        return x if dtype is None else x.astype(dtype, copy=False)

    def _takes_indices(self) -> bool:
        """True when the first layer (an Embedding) takes integer indices instead of floats."""
        return bool(self.layers) and self.layers[0].takes_indices

    def _check_data(self, x, y, where: str) -> tuple[np.ndarray, np.ndarray]:
        x = self._check_x(x, where)
        if not isinstance(y, np.ndarray):
            raise TypeError(f"Sequential.{where}: y must be a numpy array, got {type(y).__name__} (use np.asarray)")
        if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
            raise TypeError(f"Sequential.{where}: y must be numeric (labels or targets), got dtype {y.dtype}")
        if y.ndim == 0 or len(x) != len(y):
            raise ValueError(
                f"Sequential.{where}: x has {len(x)} samples but y has {len(y) if y.ndim else 0} "
                f"(x shape {x.shape}, y shape {y.shape}); they must have the same first dimension"
            )
        dtype = self._dtype()
        if dtype is not None and np.issubdtype(y.dtype, np.floating):
            y = y.astype(dtype, copy=False)  # targets in the model's dtype, so gradients stay in it
        return x, y


def _batch_indices(n: int, batch_size: int, rng: np.random.Generator | None) -> list:
    """Index arrays of a random permutation cut into batches, or slices in order when rng is None."""
    if rng is None:
        return [slice(start, start + batch_size) for start in range(0, n, batch_size)]
    order = rng.permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


def _with_threshold(fn: Callable, threshold: float) -> Callable:
    def metric(y_true, y_pred):
        return fn(y_true, y_pred, threshold=threshold)

    metric.__name__ = fn.__name__
    return metric

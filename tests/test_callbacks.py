"""Callbacks: hook order, early stopping, learning-rate scheduling, the divergence guard, History."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcore import optim, schedules  # noqa: E402
from dlcore.callbacks import Callback, EarlyStopping, LearningRateScheduler, StopOnNaN, TrainingDiverged  # noqa: E402
from dlcore.layers import Dense  # noqa: E402
from dlcore.model import Sequential  # noqa: E402


class Recorder(Callback):
    """Remembers every hook call and a copy of the weights at the end of each epoch."""

    def __init__(self):
        self.events, self.weights, self.batch_lrs = [], [], []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_begin(self, batch, logs=None):
        self.events.append(f"batch_begin {batch}")

    def on_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch}")
        self.batch_lrs.append(self.model.optimizer.lr)

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")
        self.weights.append(self.model.state_dict())

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def line_model(w0=0.0, lr=0.05):
    """y = w x with a single weight, trained by plain SGD."""
    layer = Dense(1, 1, bias=False, rng=0)
    layer.W.value[...] = w0
    model = Sequential([layer])
    model.compile("mse", optim.SGD(model.parameters(), lr=lr))
    return model


X = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]


def test_hooks_run_in_the_documented_order():
    rec = Recorder()
    line_model().fit(X, 2 * X, epochs=2, batch_size=16, callbacks=[rec], verbose=0)
    per_epoch = ["batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1"]
    expected = ["train_begin"]
    for e in range(2):
        expected += [f"epoch_begin {e}", *per_epoch, f"epoch_end {e}"]
    assert rec.events == [*expected, "train_end"]


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    # Training pulls w from 0 towards 2 (y = 2x); validation wants w = 1 (y = x), so the
    # validation loss falls while w < 1 and rises after: the best epoch is in the middle.
    model = line_model(w0=0.0, lr=0.1)
    rec = Recorder()
    stop = EarlyStopping(monitor="val_loss", patience=2)
    history = model.fit(X, 2 * X, epochs=100, batch_size=8, validation_data=(X, X), callbacks=[rec, stop], verbose=0)
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    assert 0 < best < len(val) - 1  # it really fell and then rose
    assert stop.best_epoch == best and stop.best == pytest.approx(val[best])
    assert stop.stopped_epoch == best + 2 == len(val) - 1
    np.testing.assert_array_equal(model.layers[0].W.value, rec.weights[best]["layers.0.W"])
    assert model.evaluate(X, X)["loss"] == pytest.approx(val[best])


def test_early_stopping_without_restore_keeps_the_last_weights():
    model = line_model(w0=0.0, lr=0.1)
    rec = Recorder()
    stop = EarlyStopping(patience=1, restore_best_weights=False)
    model.fit(X, 2 * X, epochs=100, batch_size=8, validation_data=(X, X), callbacks=[rec, stop], verbose=0)
    np.testing.assert_array_equal(model.layers[0].W.value, rec.weights[-1]["layers.0.W"])


def test_early_stopping_maximises_accuracy_like_monitors_and_rejects_missing_ones():
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="loss").mode == "min"
    with pytest.raises(KeyError, match="'val_loss' is not in the epoch logs.*validation_data"):
        line_model().fit(X, X, epochs=1, callbacks=[EarlyStopping()], verbose=0)


def test_lr_scheduler_per_epoch_sets_the_rate_recorded_in_history():
    sched = schedules.StepDecay(0.1, drop=0.5, epochs_drop=2)
    history = line_model().fit(X, X, epochs=5, callbacks=[LearningRateScheduler(sched)], verbose=0)
    assert history.history["lr"] == pytest.approx([sched(e) for e in range(5)])


def test_lr_scheduler_per_step_counts_optimizer_steps_across_epochs():
    sched = schedules.TimeBased(0.1, k=1.0)
    rec = Recorder()
    line_model().fit(X, X, epochs=2, batch_size=8, callbacks=[LearningRateScheduler(sched, per="step"), rec], verbose=0)
    assert rec.batch_lrs == pytest.approx([0.1 / (1 + t) for t in range(8)])  # 4 batches x 2 epochs


def test_a_huge_learning_rate_raises_training_diverged_with_a_helpful_message():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32) * 100
    y = rng.standard_normal((64, 1)).astype(np.float32)
    model = Sequential([Dense(4, 16, rng=0), Dense(16, 1, rng=1)])
    model.compile("mse", optim.SGD(model.parameters(), lr=1e6))
    with pytest.raises(TrainingDiverged, match=r"epoch 0, batch \d+.*lower learning rate \(it is 1e\+06\).*scaled"):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0)


def test_nan_inputs_stop_training_at_the_first_batch_and_leave_weights_finite():
    x = np.ones((8, 1), dtype=np.float32)
    x[5] = np.nan
    model = line_model(w0=1.0)
    with pytest.raises(TrainingDiverged, match=r"epoch 0, batch 1: the loss is nan.*NaN"):
        model.fit(x, x, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert np.isfinite(model.layers[0].W.value).all()


def test_stop_on_nan_is_a_regular_callback_too():
    guard = StopOnNaN()
    guard.on_batch_end(0, {"loss": 1.0})  # finite: nothing happens
    with pytest.raises(TrainingDiverged, match="epoch 0, batch 3: the loss is inf"):
        guard.on_batch_end(3, {"loss": float("inf")})


def test_history_plot_draws_loss_and_metrics_with_titles_and_labels():
    model = line_model()
    model.compile("mse", "sgd", metrics=["mae"])
    history = model.fit(X, X, epochs=3, validation_data=(X, X), verbose=0)
    assert history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae", "lr"}
    fig = history.plot()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss per epoch", "mae per epoch"]
    assert all(ax.get_xlabel() == "epoch" and ax.get_ylabel() for ax in fig.axes)
    assert len(fig.axes[0].lines) == 2  # training and validation
    plt.close(fig)


def test_reduce_lr_on_plateau_cuts_the_rate_after_patience_bad_epochs():
    from dlcore.callbacks import ReduceLROnPlateau

    class FakeModel:
        def __init__(self):
            self.optimizer = type("Opt", (), {"lr": 1.0})()

    cb = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.2)
    cb.set_model(FakeModel())
    cb.on_train_begin({})
    lrs = []
    for epoch, value in enumerate([5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3]):
        cb.on_epoch_end(epoch, {"val_loss": value})
        lrs.append(cb.model.optimizer.lr)
    # bad epochs 2, 3 -> cut after epoch 3; bad 4, 5 -> cut after 5; 6 improves; bad 7, 8 -> cut (floored at 0.2)
    assert cb.reductions == [3, 5, 8, 10]
    assert lrs == pytest.approx([1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2])


def test_reduce_lr_on_plateau_cooldown_and_max_mode():
    from dlcore.callbacks import ReduceLROnPlateau

    cb = ReduceLROnPlateau(monitor="val_accuracy", factor=0.1, patience=1, cooldown=2)
    assert cb.mode == "max"
    cb.set_model(type("M", (), {"optimizer": type("Opt", (), {"lr": 1.0})()})())
    cb.on_train_begin({})
    for epoch, value in enumerate([0.5, 0.5, 0.5, 0.5, 0.5]):
        cb.on_epoch_end(epoch, {"val_accuracy": value})
    assert cb.reductions == [1, 4]  # cut, two epochs of cooldown, then one bad epoch cuts again


def test_reduce_lr_on_plateau_in_fit_lowers_the_logged_rate():
    from dlcore.callbacks import ReduceLROnPlateau

    model = line_model(w0=0.0, lr=0.1)
    history = model.fit(
        X, X, epochs=30, validation_data=(X, -X), callbacks=[ReduceLROnPlateau(patience=1, factor=0.5)], verbose=0
    )
    lrs = history.history["lr"]
    assert lrs[0] == pytest.approx(0.1) and lrs[-1] < 0.1
    assert all(b in (a, a * 0.5) or b == pytest.approx(a * 0.5) for a, b in zip(lrs, lrs[1:], strict=False))

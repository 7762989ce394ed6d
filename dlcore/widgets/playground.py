"""A small neural-network playground: train a shallow network on a 2-D toy set and watch (chapter 06).

Choose a data set (moons, circles, spirals, xor), the hidden layer's activation and width, the
learning rate and the number of epochs; ``train_playground`` trains a 2 -> width -> 1 network
(``dlcore.shallow.shallow_network``) with SGD and momentum 0.9 on the binary cross-entropy of
its single logit, and ``plot_playground`` draws the decision regions next to the loss and
accuracy curves. ``playground_widget`` wires these to controls and a Train button, so that
each change costs one training run (well under a second for the default sizes).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.activations import sigmoid
from dlcore.datasets import make_circles, make_moons, make_spirals, make_xor
from dlcore.model import Sequential
from dlcore.optim import SGD
from dlcore.plotting import PALETTE, plot_decision_boundary
from dlcore.shallow import ACTIVATION_LAYERS, shallow_network

DATASETS = ("moons", "circles", "spirals", "xor")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "gelu", "linear")
MOMENTUM = 0.9
BATCH_SIZE = 32
SPIRAL_TURNS = 1.5  # enough winding that a handful of units is not enough
DEFAULTS = dict(dataset="moons", activation="tanh", width=8, lr=0.1, epochs=200, n=200, seed=0)


def make_dataset(name: str, n: int = 200, rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """One of the 2-D toy sets, with the noise levels the playground uses. X: (n, 2) float32, y: (n,) in {0, 1}."""
    makers = {
        "moons": lambda: make_moons(n, noise=0.15, rng=rng),
        "circles": lambda: make_circles(n, noise=0.08, factor=0.5, rng=rng),
        "spirals": lambda: make_spirals(n, classes=2, noise=0.03, turns=SPIRAL_TURNS, rng=rng),
        "xor": lambda: make_xor(n, noise=0.05, rng=rng),
    }
    if name not in makers:
        raise ValueError(f"unknown data set {name!r}; choose from {DATASETS}")
    X, y = makers[name]()
    return X.astype(np.float32), y


@dataclass
class PlaygroundRun:
    """One training run: the model, its data and its per-epoch loss and accuracy (on the training data)."""

    model: Sequential
    X: np.ndarray
    y: np.ndarray
    losses: list[float]
    accuracies: list[float]
    seconds: float
    settings: dict


def train_playground(
    dataset: str = DEFAULTS["dataset"],
    activation: str = DEFAULTS["activation"],
    width: int = DEFAULTS["width"],
    lr: float = DEFAULTS["lr"],
    epochs: int = DEFAULTS["epochs"],
    n: int = DEFAULTS["n"],
    seed: int = DEFAULTS["seed"],
) -> PlaygroundRun:
    """Train a 2 -> width -> 1 network on ``dataset`` with mini-batch SGD (momentum 0.9, batch 32).

    Everything random (data, initial weights, batch order) derives from ``seed``, so a setting
    always gives the same run. A run that diverges stops early; its curves end there.
    """
    if activation not in ACTIVATION_LAYERS:
        raise ValueError(f"unknown activation {activation!r}; choose from {sorted(ACTIVATION_LAYERS)}")
    if width < 1 or epochs < 1:
        raise ValueError(f"width and epochs must be at least 1, got width={width}, epochs={epochs}")
    X, y = make_dataset(dataset, n, rng=seed)
    model = shallow_network(2, width, 1, activation, rng=seed + 1)
    model.compile("binary_crossentropy_logits", SGD(model.parameters(), lr=lr, momentum=MOMENTUM), metrics=["accuracy"])
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # a too-large lr may overflow; fit then stops the run
        history = _fit_until_diverged(model, X, y[:, None].astype(np.float32), epochs, seed)
    settings = dict(dataset=dataset, activation=activation, width=width, lr=lr, epochs=epochs, n=n, seed=seed)
    return PlaygroundRun(
        model=model,
        X=X,
        y=y,
        losses=history.get("loss", []),
        accuracies=history.get("accuracy", []),
        seconds=time.perf_counter() - start,
        settings=settings,
    )


def _fit_until_diverged(model: Sequential, X: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> dict:
    from dlcore.callbacks import TrainingDiverged

    try:
        model.fit(X, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0, rng=seed + 2)
    except TrainingDiverged:
        pass  # model.history holds the epochs that finished
    return dict(model.history.history) if model.history is not None else {}


def predict_proba(run: PlaygroundRun, points: np.ndarray) -> np.ndarray:
    """P(class 1) for points: (M, 2) -> (M,)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model may hold huge or infinite weights
        logits = run.model.predict(points.astype(np.float32))[:, 0]
        return np.nan_to_num(sigmoid(logits), nan=0.5)


def plot_playground(run: PlaygroundRun) -> Figure:
    """Left: decision regions (P(class 1), boundary at 0.5) with the data. Right: loss and accuracy per epoch."""
    s = run.settings
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11.5, 4.4), width_ratios=[1.2, 1])
    plot_decision_boundary(
        lambda pts: predict_proba(run, pts),
        run.X,
        run.y,
        ax=ax,
        resolution=120,
        margin=0.3,
        title=f"{s['dataset']}: {s['activation']}, {s['width']} hidden units, lr {s['lr']:g}",
    )
    ax.set_aspect("equal", adjustable="box")
    epochs = np.arange(1, len(run.losses) + 1)
    ax_loss.plot(epochs, run.losses, color=PALETTE[0], lw=2, label="training loss")
    ax_loss.set(xlabel="epoch", ylabel="binary cross-entropy (nats)", ylim=(0, max(0.8, *run.losses[:1])))
    ax_acc = ax_loss.twinx()
    ax_acc.plot(epochs, run.accuracies, color=PALETTE[1], lw=1.5, ls="--", label="training accuracy")
    ax_acc.set(ylabel="accuracy", ylim=(0, 1.02))
    final = f"loss {run.losses[-1]:.3f}, accuracy {run.accuracies[-1]:.1%}" if run.losses else "no epoch finished"
    diverged = len(run.losses) < s["epochs"]
    ax_loss.set_title(("DIVERGED: " if diverged else "") + f"after {len(run.losses)} epochs: {final}")
    lines = ax_loss.get_lines() + ax_acc.get_lines()
    ax_loss.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
    ax_loss.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def playground_widget(**overrides):
    """Dropdowns for the data set and activation, sliders for width, learning rate and epochs, and a
    Train button; each press trains with ``train_playground`` and shows ``plot_playground``.

    Nothing is trained until the first press (the chapter shows the default run statically).
    Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as widgets

    settings = {**DEFAULTS, **overrides}
    style = {"description_width": "initial"}
    controls = {
        "dataset": widgets.Dropdown(options=DATASETS, value=settings["dataset"], description="data set"),
        "activation": widgets.Dropdown(options=ACTIVATIONS, value=settings["activation"], description="activation"),
        "width": widgets.IntSlider(
            value=settings["width"], min=1, max=64, description="hidden units", continuous_update=False, style=style
        ),
        "lr": widgets.FloatLogSlider(
            value=settings["lr"], base=10, min=-3, max=1, step=0.1, description="learning rate",
            readout_format=".3g", continuous_update=False, style=style,
        ),
        "epochs": widgets.IntSlider(
            value=settings["epochs"], min=10, max=500, step=10, description="epochs", continuous_update=False,
            style=style,
        ),
    }  # fmt: skip
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    status = widgets.Label(value="Press Train to train a network with these settings.")
    out = widgets.Output()

    def train(_button=None) -> None:
        status.value = "training..."
        chosen = {name: control.value for name, control in controls.items()}
        run = train_playground(**chosen, n=settings["n"], seed=settings["seed"])
        with out:
            out.clear_output(wait=True)
            fig = plot_playground(run)
            plt.show()
            plt.close(fig)
        status.value = f"trained {len(run.losses)} epochs in {run.seconds:.2f} s"

    button.on_click(train)
    rows = [
        widgets.HBox([controls["dataset"], controls["activation"]]),
        widgets.HBox([controls["width"], controls["lr"]]),
        widgets.HBox([controls["epochs"], button, status]),
    ]
    box = widgets.VBox([*rows, out])
    box.train = train  # lets a test (or a curious reader) press the button from code
    return box


def playground_frames(
    datasets: Sequence[str] = DATASETS,
    activations: Sequence[str] = ("linear", "relu", "tanh"),
    dataset: str = DEFAULTS["dataset"],
    activation: str = DEFAULTS["activation"],
    **settings,
):
    """Data set and activation as precomputed frames (``dlcore.widgets.frames``): one training run each.

    Width, learning rate and epochs stay at ``DEFAULTS`` (or ``settings``); ``playground_widget()``
    trains with any of them in JupyterLab.
    """
    from dlcore.widgets.frames import frame_view

    chosen = {key: value for key, value in {**DEFAULTS, **settings}.items() if key not in ("dataset", "activation")}
    runs = {(d, a): train_playground(d, a, **chosen) for d in datasets for a in activations}

    def alt(dataset: str, activation: str) -> str:
        run = runs[dataset, activation]
        return (
            f"Decision regions of a 2-{chosen['width']}-1 {activation} network on {dataset}, with its training "
            f"curves: final loss {run.losses[-1]:.3f}, training accuracy {run.accuracies[-1]:.0%}"
        )

    return frame_view(
        lambda dataset, activation: plot_playground(runs[dataset, activation]),
        {"dataset": list(datasets), "activation": list(activations)},
        alt=alt,
        defaults={"dataset": dataset, "activation": activation},
        labels={"dataset": "data set"},
        caption="In the book these are precomputed runs; in JupyterLab, playground_widget() trains any setting.",
    )

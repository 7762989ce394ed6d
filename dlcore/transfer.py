"""Transfer learning between two halves of a data set: pretrain on classes 0-4, transfer to 5-9.

    network: D -> 128 -> 64 (Dense + ReLU twice: the backbone) -> classes (the head)

``split_tasks`` splits MNIST-1D (default; 5000 examples of length 40) or the 1797 8x8 digits
into a source task (classes 0-4) and a target task (classes 5-9, relabelled 0-4), each with a
fixed test set. ``pretrain`` trains backbone + head on the whole source training set.
``transfer`` copies the pretrained backbone under a fresh head, freezes its first ``frozen``
Dense layers (``trainable = False``; 2 = feature extraction, 0 = fine-tune everything) and
trains on a few labelled target examples; ``scratch`` trains the same architecture from
random weights on the same examples. ``transfer_grid`` runs them all over sizes and seeds.
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng
from dlcore.datasets import load_digits, load_mnist1d
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import Adam

HIDDEN = (128, 64)
TEST_FRACTION = 0.4


def split_tasks(rng: np.random.Generator | int | None = 0, data: str = "mnist1d") -> dict[str, tuple[np.ndarray, ...]]:
    """{"source": (x_train, y_train, x_test, y_test), "target": (...)}; x: (n, D), y: int64 in 0..4."""
    if data == "digits":
        x, y = load_digits()
    elif data != "mnist1d":
        raise ValueError(f"split_tasks: data must be 'mnist1d' or 'digits', got {data!r}")
    else:
        a, b, c, d = load_mnist1d()
        x, y = np.concatenate([a, c]), np.concatenate([b, d])
    order = get_rng(rng).permutation(len(x))
    x, y = x[order], y[order]
    tasks = {}
    for name, low in (("source", 0), ("target", 5)):
        keep = (y >= low) & (y < low + 5)
        xs, ys = x[keep], y[keep] - low
        cut = int(len(xs) * (1 - TEST_FRACTION))
        tasks[name] = (xs[:cut], ys[:cut], xs[cut:], ys[cut:])
    return tasks


def network(classes: int = 5, rng: np.random.Generator | int | None = None, D: int = 64) -> Sequential:
    """64 -> 64 -> 32 -> classes: layers 0 and 2 are the backbone's Dense layers, layer 4 the head."""
    rng = get_rng(rng)
    return Sequential(
        [
            Dense(D, HIDDEN[0], rng=rng),
            ReLU(),
            Dense(HIDDEN[0], HIDDEN[1], rng=rng),
            ReLU(),
            Dense(HIDDEN[1], classes, rng=rng),
        ]
    )


def fit(model: Sequential, x: np.ndarray, y: np.ndarray, lr: float, epochs: int, rng=0) -> Sequential:
    """Adam (over all parameters; frozen ones are skipped) with cross-entropy, mini-batches of 32."""
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=lr))
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, rng=rng)
    return model


def accuracy(model: Sequential, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(model.predict(x).argmax(axis=1) == y))


def pretrain(tasks: dict, epochs: int = 80, rng: int = 0) -> Sequential:
    x, y, _, _ = tasks["source"]
    return fit(network(rng=rng, D=x.shape[1]), x, y, lr=3e-3, epochs=epochs, rng=rng)


def per_class_sample(x: np.ndarray, y: np.ndarray, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """n examples of every class, drawn without replacement: (n * classes, 64), (n * classes,)."""
    rng = get_rng(rng)
    idx = np.concatenate([rng.choice(np.flatnonzero(y == c), n, replace=False) for c in np.unique(y)])
    return x[idx], y[idx]


def transfer(pretrained: Sequential, x, y, frozen: int, lr: float, epochs: int, rng=0) -> Sequential:
    """A copy of the pretrained backbone (first ``frozen`` Dense layers frozen) under a new head."""
    model = network(rng=rng + 1000, D=x.shape[1])
    for i in (0, 2):  # the backbone's Dense layers
        model.layers[i].load_state_dict(pretrained.layers[i].state_dict())
    for i in (0, 2)[:frozen]:
        model.layers[i].trainable = False
    return fit(model, x, y, lr=lr, epochs=epochs, rng=rng)


def scratch(x, y, lr: float, epochs: int, rng=0) -> Sequential:
    return fit(network(rng=rng + 2000, D=x.shape[1]), x, y, lr=lr, epochs=epochs, rng=rng)


LEARNING_RATES = {"scratch": 1e-2, "frozen2": 1e-2, "frozen1": 3e-3, "frozen0": 3e-3}  # fine-tuning: smaller


def epochs_for(n: int, classes: int = 5) -> int:
    """About 1000 examples seen in total (at least 20 epochs): small sets get more passes."""
    return max(20, 1000 // (classes * n))


def transfer_grid(pretrained: Sequential, tasks: dict, ns, seeds, methods=tuple(LEARNING_RATES), progress=None):
    """{(method, n): [test accuracy per seed]} on the target task.

    For each seed and n, the same n examples per class are drawn for every method.
    progress: an optional callable run after each training (e.g. a tqdm bar's update).
    """
    x, y, x_test, y_test = tasks["target"]
    results = {(m, n): [] for m in methods for n in ns}
    for n in ns:
        for seed in seeds:
            xs, ys = per_class_sample(x, y, n, seed)
            for m in methods:
                lr, epochs = LEARNING_RATES[m], epochs_for(n)
                if m == "scratch":
                    model = scratch(xs, ys, lr, epochs, seed)
                else:
                    model = transfer(pretrained, xs, ys, int(m[-1]), lr, epochs, seed)
                results[m, n].append(accuracy(model, x_test, y_test))
                if progress is not None:
                    progress()
    return results

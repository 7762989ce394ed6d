"""Saving and loading weights as ``.npz`` archives (NumPy's zip of arrays; never pickle).

``save_weights(model, path)`` writes every parameter and buffer of ``model.state_dict()``
under its dotted name ("layers.0.W", "layers.2.running_mean", ...). ``load_weights(model,
path)`` reads them back into a model of the same architecture, in place (so an optimizer
built over the parameters keeps working), after checking that the names and shapes match
exactly; a mismatch raises an error that lists what differs. Arrays are read with
``allow_pickle=False``, so a file cannot run code when it is loaded (a pickle can).
"""

from __future__ import annotations

import os

import numpy as np

from dlcore.module import Module

PathLike = str | os.PathLike


def save_weights(model: Module, path: PathLike) -> None:
    """Write ``model.state_dict()`` to ``path`` (an ``.npz`` file; the suffix is added if missing)."""
    np.savez(path, **model.state_dict())


def load_weights(model: Module, path: PathLike) -> None:
    """Load weights saved by ``save_weights`` into ``model`` (same architecture), in place.

    Raises KeyError when names are missing or unexpected and ValueError when a shape differs,
    naming each one, before anything in the model is changed.
    """
    with np.load(path, allow_pickle=False) as archive:
        state = {name: archive[name] for name in archive.files}
    expected = model.state_dict()
    name = type(model).__name__
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise KeyError(
            f"load_weights({os.fspath(path)!r}) into {name}: the file does not match the model's weights: "
            f"missing {missing}, unexpected {unexpected} (was it saved from another architecture?)"
        )
    wrong = [
        f"{k}: model {expected[k].shape}, file {state[k].shape}"
        for k in expected
        if expected[k].shape != state[k].shape
    ]
    if wrong:
        raise ValueError(f"load_weights({os.fspath(path)!r}) into {name}: shapes differ: " + "; ".join(wrong))
    model.load_state_dict(state)

"""Stacked recurrent layers: ``StackedRNN(cell, input_size, hidden_size, num_layers)``.

Layer 1 reads the input sequence x: (N, T, D); every later layer reads the whole sequence of
hidden states of the layer below, (N, T, H). In backward the gradient of each layer's input
is the gradient of the layer below's output sequence, so backpropagation through time runs
layer by layer from the top. Stacking adds depth (more processing per time step); it does
not make memory longer: every layer still carries information forward only through its own
recurrence.

``bidirectional=True`` wraps every layer in ``Bidirectional`` (layer l > 1 then reads 2H
features); use it for tagging and classification, never for a model that predicts the next
token (a backward layer would read the answer).
"""

from __future__ import annotations

import numpy as np

from dlcore.config import get_rng
from dlcore.module import Module
from dlcore.recurrent import GRU, LSTM, Bidirectional, SimpleRNN

CELLS = {"rnn": SimpleRNN, "simple": SimpleRNN, "lstm": LSTM, "gru": GRU}


class StackedRNN(Module):
    """``num_layers`` recurrent layers of one kind, each reading the hidden-state sequence of the one below.

    cell: "rnn", "lstm" or "gru". x: (N, T, D) -> (N, T, H') if return_sequences else (N, H'),
    where H' = H, or 2H when bidirectional. Initial states are zeros.
    Parameters: ``layers[l]`` holds layer l's W, U, b (named ``layers.l.W`` etc.).
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 2,
        return_sequences: bool = False,
        bidirectional: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ):
        super().__init__()
        if cell.lower() not in CELLS:
            raise ValueError(f"StackedRNN: cell must be one of {sorted(CELLS)}, got {cell!r}")
        if not isinstance(num_layers, (int, np.integer)) or num_layers < 1:
            raise ValueError(f"StackedRNN: num_layers must be a positive int, got {num_layers!r}")
        rng = get_rng(rng)
        self.cell, self.num_layers, self.bidirectional = cell.lower(), int(num_layers), bidirectional
        self.input_size, self.hidden_size, self.return_sequences = input_size, hidden_size, return_sequences
        self.layers: list[Module] = []
        width = input_size
        for _ in range(self.num_layers):
            layer = CELLS[self.cell](width, hidden_size, return_sequences=True, rng=rng, dtype=dtype)
            self.layers.append(Bidirectional(layer, rng=rng) if bidirectional else layer)
            width = hidden_size * (2 if bidirectional else 1)
        self.output_size = width

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, T, D) -> (N, T, H') or the last step (N, H')."""
        a = x
        for layer in self.layers:
            a = layer.forward(a)  # (N, T, H')
        self._T = a.shape[1]
        if self.return_sequences:
            return a
        if self.bidirectional:  # last step of the forward direction, and the backward direction after reading x_0
            H = self.hidden_size
            return np.concatenate([a[:, -1, :H], a[:, 0, H:]], axis=-1)
        return a[:, -1]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: like the output -> dL/dx: (N, T, D)."""
        if self.return_sequences:
            delta = grad_out
        else:
            N = grad_out.shape[0]
            delta = np.zeros((N, self._T, self.output_size), grad_out.dtype)
            if self.bidirectional:
                H = self.hidden_size
                delta[:, -1, :H] = grad_out[:, :H]
                delta[:, 0, H:] = grad_out[:, H:]
            else:
                delta[:, -1] = grad_out
        for layer in reversed(self.layers):
            delta = layer.backward(delta)
        return delta

    def __repr__(self) -> str:
        extra = ", bidirectional=True" if self.bidirectional else ""
        seq = ", return_sequences=True" if self.return_sequences else ""
        return (
            f"StackedRNN({self.cell}, {self.input_size} -> {self.hidden_size}, "
            f"num_layers={self.num_layers}{extra}{seq})"
        )

"""StackedRNN: equals the layers chained by hand, gradient-checked in float64, shapes and errors."""

import numpy as np
import pytest

from dlcore.gradcheck import check_module_gradients
from dlcore.layers import Dense
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.recurrent import GRU, LSTM, Bidirectional, SimpleRNN
from dlcore.recurrent_stack import StackedRNN

N, T, D, H = 2, 5, 3, 4
GRAD_TOL = 1e-6


def x_in(seed=0):
    return np.random.default_rng(seed).standard_normal((N, T, D))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_rnn_gradients_match_finite_differences(cell, return_sequences, bidirectional):
    stack = StackedRNN(cell, D, H, num_layers=3, return_sequences=return_sequences,
                       bidirectional=bidirectional, rng=0, dtype=np.float64)  # fmt: skip
    errors = check_module_gradients(stack, x_in())
    assert len(errors) == 1 + 3 * (2 if bidirectional else 1) * (3 + (cell == "gru"))
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("cell, cls", [("rnn", SimpleRNN), ("lstm", LSTM), ("gru", GRU)])
def test_stacked_rnn_equals_the_layers_chained_by_hand(cell, cls):
    stack = StackedRNN(cell, D, H, num_layers=2, rng=0, dtype=np.float64)
    first = cls(D, H, return_sequences=True, dtype=np.float64)
    second = cls(H, H, return_sequences=False, dtype=np.float64)
    first.load_state_dict(stack.layers[0].state_dict())
    second.load_state_dict(stack.layers[1].state_dict())
    x = x_in(1)
    assert np.allclose(stack.forward(x), second.forward(first.forward(x)))
    assert stack.forward(x).shape == (N, H)


def test_bidirectional_stack_shapes_and_last_step_of_each_direction():
    stack = StackedRNN("gru", D, H, num_layers=2, bidirectional=True, rng=0, dtype=np.float64)
    assert isinstance(stack.layers[0], Bidirectional) and stack.layers[1].forward_layer.input_size == 2 * H
    x = x_in(2)
    seq = StackedRNN("gru", D, H, num_layers=2, bidirectional=True, return_sequences=True, rng=0,
                     dtype=np.float64)  # fmt: skip
    seq.load_state_dict(stack.state_dict())
    full = seq.forward(x)
    last = stack.forward(x)
    assert full.shape == (N, T, 2 * H) and last.shape == (N, 2 * H)
    assert np.allclose(last[:, :H], full[:, -1, :H]) and np.allclose(last[:, H:], full[:, 0, H:])


def test_stacked_rnn_trains_in_a_sequential_model():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6, 2)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(np.int64)  # remember the sign of the first input
    model = Sequential([StackedRNN("lstm", 2, 8, num_layers=2, rng=0), Dense(8, 2, rng=0)])
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=0.01), ["accuracy"])
    hist = model.fit(x, y, epochs=60, batch_size=16, verbose=0, rng=0)
    assert hist["loss"][-1] < 0.3 * hist["loss"][0] and hist["accuracy"][-1] > 0.9


def test_stacked_rnn_rejects_bad_arguments():
    with pytest.raises(ValueError, match="cell must be one of"):
        StackedRNN("transformer", D, H)
    with pytest.raises(ValueError, match="num_layers"):
        StackedRNN("lstm", D, H, num_layers=0)
    with pytest.raises(ValueError, match=r"\(N, T, 3\)"):
        StackedRNN("lstm", D, H).forward(np.zeros((N, T, D + 1)))

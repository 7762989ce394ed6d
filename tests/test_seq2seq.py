"""The GRU encoder-decoder of chapter 15: gradients (float64), teacher forcing, greedy decoding."""

import numpy as np
import pytest

import dlcore
from dlcore.datasets_seq import make_reverse_task
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.losses import CategoricalCrossEntropy
from dlcore.seq2seq import Seq2Seq, teacher_forcing_inputs, train_seq2seq


@pytest.fixture
def float64():
    previous = dlcore.get_default_dtype()
    dlcore.set_default_dtype(np.float64)
    yield
    dlcore.set_default_dtype(previous)


def test_teacher_forcing_shifts_the_targets_behind_a_start_token():
    y = np.array([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(teacher_forcing_inputs(y, 9), [[9, 1, 2], [9, 4, 5]])


@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq_gradients_match_finite_differences(float64, attention):
    model = Seq2Seq(5, 4, hidden=3, embed=2, attention=attention, rng=0)
    src, y = make_reverse_task(2, 4, 4, rng=1)
    y_in = teacher_forcing_inputs(y, model.start)
    loss = CategoricalCrossEntropy()
    model.zero_grad()
    loss(model(src, y_in), y)
    model.backward(loss.backward())
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda _: loss(model(src, y_in), y), p.value)
        assert relative_error(p.grad, numeric) < 1e-6, name


def test_attention_model_learns_to_reverse_short_strings_and_decodes_greedily():
    model = Seq2Seq(6, 6, hidden=24, attention=True, rng=0)
    losses = train_seq2seq(model, lambda r: make_reverse_task(32, 4, 6, rng=r), 150, rng=1, verbose=0)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    x, y = make_reverse_task(200, 4, 6, rng=7)
    pred = model.generate(x, 4)
    assert pred.shape == (200, 4) and pred.dtype == np.int64
    assert np.mean(pred == y) > 0.8

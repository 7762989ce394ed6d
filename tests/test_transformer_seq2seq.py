"""The transformer encoder-decoder of chapter 16: whole-model gradients (float64), masks, errors."""

import numpy as np
import pytest

from dlcore.datasets_seq import make_reverse_task, sequence_accuracy
from dlcore.gradcheck import numerical_gradient, relative_error
from dlcore.losses import CategoricalCrossEntropy
from dlcore.seq2seq import TransformerSeq2Seq, teacher_forcing_inputs, train_seq2seq


def _model(positions="learned", layers=2):
    return TransformerSeq2Seq(
        5, 4, 6, d_model=4, num_heads=2, encoder_layers=layers, decoder_layers=layers,
        positions=positions, rng=0, dtype=np.float64,
    )  # fmt: skip


@pytest.mark.parametrize(("positions", "layers"), [("learned", 2), ("sinusoidal", 1)])
def test_whole_model_gradients_match_finite_differences(positions, layers):
    model = _model(positions, layers)  # 2 decoder blocks: both add to the encoder's gradient
    src = np.random.default_rng(1).integers(0, 5, (2, 5))  # source and target lengths differ
    y = np.random.default_rng(2).integers(0, 4, (2, 3))
    y_in = teacher_forcing_inputs(y, model.start)
    loss = CategoricalCrossEntropy()
    model.zero_grad()
    loss(model(src, y_in), y)
    model.backward(loss.backward())
    names = [name for name, _ in model.named_parameters()]
    assert any("encoder" in n for n in names) and any("cross_attn" in n for n in names)
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda _: loss(model(src, y_in), y), p.value)
        assert relative_error(p.grad, numeric) < 1e-6, name


def test_decoder_is_causal_and_encoder_sees_the_whole_source():
    model = _model()
    src = np.array([[1, 2, 3, 4, 0]])
    y_in = np.array([[4, 1, 2, 3]])
    changed = y_in.copy()
    changed[0, 2] = 0
    a, b = model(src, y_in), model(src, changed)
    np.testing.assert_allclose(a[:, :2], b[:, :2])  # earlier target positions do not see the change
    assert not np.allclose(a[:, 2:], b[:, 2:])
    src2 = src.copy()
    src2[0, -1] = 3  # the last source token reaches every output position
    assert not np.allclose(model(src, y_in)[:, 0], model(src2, y_in)[:, 0])
    weights = model.decoder[0].cross_attn.attention_weights
    assert weights.shape == (1, 2, 4, 5)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_shape_and_range_errors_name_the_model():
    model = _model()
    with pytest.raises(ValueError, match="TransformerSeq2Seq: expected src as integer ids"):
        model(np.zeros((2, 3)), np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"y_in has length 7, expected 1..6 \(max_len\)"):
        model(np.zeros((2, 3), dtype=np.int64), np.zeros((2, 7), dtype=np.int64))
    with pytest.raises(ValueError, match="src has 2 sequences but y_in has 3"):
        model(np.zeros((2, 3), dtype=np.int64), np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"src ids must be in 0..4, got 0..5"):
        model(np.array([[0, 5]]), np.array([[4]]))
    with pytest.raises(ValueError, match="length must be in 1..6"):
        model.generate(np.zeros((1, 3), dtype=np.int64), 7)
    with pytest.raises(ValueError, match="positions must be"):
        TransformerSeq2Seq(5, 4, 6, positions="rotary")


def test_learns_to_reverse_and_decodes_greedily():
    model = TransformerSeq2Seq(6, 6, 5, d_model=16, num_heads=2, rng=0)
    losses = train_seq2seq(model, lambda r: make_reverse_task(32, 5, 6, rng=r), 120, rng=1, verbose=0)
    assert np.mean(losses[-10:]) < 0.2 * np.mean(losses[:10])
    x, y = make_reverse_task(200, 5, 6, rng=7)
    pred = model.generate(x, 5)
    assert pred.shape == (200, 5) and pred.dtype == np.int64
    assert sequence_accuracy(y, pred) > 0.8
    assert model.training  # generate restores the training mode

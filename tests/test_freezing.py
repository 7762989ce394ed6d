"""Freezing: ``trainable = False`` on a layer or a module; optimizers skip frozen parameters."""

import numpy as np
import pytest

from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import SGD, Adam, AdamW


def _model():
    return Sequential([Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1)])


def _one_step(model, opt):
    x = np.random.default_rng(2).normal(size=(5, 3))
    model.zero_grad()
    model.backward(np.ones_like(model(x)))
    opt.step()


@pytest.mark.parametrize("make_opt", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, clip_norm=0.5),
    lambda ps: Adam(ps, lr=0.1),
    lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5),
])  # fmt: skip
def test_frozen_layer_is_not_updated_and_the_rest_is(make_opt):
    model = _model()
    model.layers[0].trainable = False
    before = model.state_dict()
    opt = make_opt(model.parameters())
    for _ in range(3):
        _one_step(model, opt)
    after = model.state_dict()
    for name in ("layers.0.W", "layers.0.b"):
        np.testing.assert_array_equal(after[name], before[name])  # no update, not even weight decay
    assert not np.allclose(after["layers.2.W"], before["layers.2.W"])
    assert all(not s for p, s in zip(opt.params, opt.state, strict=True) if not p.trainable)  # no state kept


def test_trainable_flag_walks_the_module_tree_and_can_be_undone():
    model = _model()
    assert model.trainable and model.layers[1].trainable  # ReLU has no parameters: trainable by default
    model.trainable = False
    assert not model.trainable and not model.layers[2].trainable
    assert model.trainable_parameters() == []
    model.layers[2].trainable = True  # unfreeze the head only
    assert model.trainable and not model.layers[0].trainable
    assert len(model.trainable_parameters()) == 2


def test_unfreezing_after_the_optimizer_was_built_takes_effect():
    model = _model()
    model.layers[0].trainable = False
    opt = SGD(model.parameters(), lr=0.1)
    _one_step(model, opt)
    frozen = model.layers[0].W.value.copy()
    model.layers[0].trainable = True
    _one_step(model, opt)
    assert not np.allclose(model.layers[0].W.value, frozen)


def test_clipping_counts_only_trainable_gradients():
    model = _model()
    model.layers[0].trainable = False
    opt = SGD(model.parameters(), lr=1.0, clip_norm=1e-3)
    x = np.random.default_rng(2).normal(size=(5, 3))
    model.zero_grad()
    model.backward(np.ones_like(model(x)))
    frozen_grad = model.layers[0].W.grad.copy()
    opt.step()
    np.testing.assert_array_equal(model.layers[0].W.grad, frozen_grad)  # not rescaled
    norm = np.sqrt(sum(np.sum(p.grad**2) for p in model.trainable_parameters()))
    assert norm == pytest.approx(1e-3)

"""TinyGPT (gradients in float64, causality, the K/V cache), TakeToken, parameter counts; char text."""

import numpy as np
import pytest

from dlcore.gpt import TakeToken, TinyGPT, flops_per_token, parameter_count
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.losses import CategoricalCrossEntropy
from dlcore.text import char_windows


def _tiny(norm_first=True, positions="learned", context=5):
    return TinyGPT(
        7, context, d_model=8, num_heads=2, num_layers=2, norm_first=norm_first, positions=positions, rng=0,
        dtype=np.float64,
    )  # fmt: skip


@pytest.mark.parametrize(("norm_first", "positions"), [(True, "learned"), (False, "learned"), (True, "sinusoidal")])
def test_tiny_gpt_gradients_match_finite_differences(norm_first, positions):
    model = _tiny(norm_first, positions)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 7, (2, 5)), rng.integers(0, 7, (2, 5))
    loss = CategoricalCrossEntropy()
    model.zero_grad()
    loss(model(x), y)
    model.backward(loss.backward())
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda _: loss(model(x), y), p.value)
        assert relative_error(p.grad, numeric) < 1e-6, name


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
def test_tiny_gpt_is_causal(positions):
    model = _tiny(positions=positions)
    x = np.array([[1, 2, 3, 4, 5]])
    changed = x.copy()
    changed[0, 3] = 0
    a, b = model(x), model(changed)
    np.testing.assert_allclose(a[:, :3], b[:, :3])  # positions before the change do not see it
    assert not np.allclose(a[:, 3:], b[:, 3:])


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
def test_cached_generation_gives_the_same_tokens_and_logits_as_rerunning_the_model(positions):
    model = _tiny(positions=positions, context=12)
    prompt = np.array([[1, 2], [3, 4]])
    slow = model.generate(prompt, 9, temperature=0.0, use_cache=False)
    fast = model.generate(prompt, 9, temperature=0.0, use_cache=True)
    np.testing.assert_array_equal(slow, fast)
    sampled = [model.generate(prompt, 9, temperature=1.0, rng=3, use_cache=c) for c in (False, True)]
    np.testing.assert_array_equal(*sampled)  # same seed, same draws
    long = model.generate(prompt, 30, temperature=0.0, use_cache=True)  # past the context: refills the cache
    assert long.shape == (2, 32) and long.min() >= 0 and long.max() < 7


def test_take_token_passes_gradients_to_its_position_only():
    layer = TakeToken(0)
    errors = check_module_gradients(layer, np.random.default_rng(0).normal(size=(2, 3, 4)))
    assert errors["input"] < 1e-9


def test_parameter_count_formula_matches_the_model():
    model = TinyGPT(50, 16, d_model=32, num_heads=4, num_layers=3, rng=0)
    parts = parameter_count(50, 16, 32, 3)
    assert sum(parts.values()) == model.num_parameters()
    assert parts["blocks"] == 3 * (12 * 32 * 32 + 13 * 32)
    assert flops_per_token(parts["blocks"], 3, 16, 32) == 2 * parts["blocks"] + 2 * 3 * 16 * 32
    fixed = TinyGPT(50, 16, d_model=32, num_heads=4, num_layers=3, positions="sinusoidal", rng=0)
    assert sum(parameter_count(50, 16, 32, 3, learned_positions=False).values()) == fixed.num_parameters()


def test_tiny_gpt_rejects_an_unknown_position_kind():
    with pytest.raises(ValueError, match="positions must be 'learned' or 'sinusoidal'"):
        TinyGPT(7, 6, d_model=8, num_heads=2, positions="rotary")


def test_train_language_model_lowers_the_loss_and_logs_cpu_and_validation():
    from dlcore.gpt import evaluate_loss, train_language_model

    ids = np.tile(np.arange(5), 200)  # 0 1 2 3 4 0 1 ...: the next token is fully predictable
    x_val, y_val = char_windows(ids, 8, 16, rng=9)
    model = TinyGPT(5, 8, d_model=16, num_heads=2, num_layers=1, positions="sinusoidal", rng=0)
    before = evaluate_loss(model, x_val, y_val)
    log = train_language_model(
        model, ids, 60, 8, 8, 0.01, warmup=5, validation=(x_val, y_val), val_every=25, rng=0, verbose=0
    )
    assert log.val_steps == [25, 50, 60] and len(log.losses) == len(log.cpu) == 60
    assert np.all(np.diff(log.cpu) >= 0) and log.seconds == log.cpu[-1] > 0
    assert log.val_loss[-1] == pytest.approx(evaluate_loss(model, x_val, y_val))
    assert log.val_loss[-1] < 0.2 * before
    with pytest.raises(ValueError, match="warmup"):
        train_language_model(model, ids, 10, 8, 8, 0.01, warmup=10, verbose=0)
    with pytest.raises(ValueError, match="as many windows"):
        evaluate_loss(model, x_val, y_val[:3])

"""TinyGPT (gradients in float64, causality, the K/V cache), TakeToken, parameter counts; char text."""

import numpy as np
import pytest

from dlcore.char_text import CharVocab, char_windows, stdlib_docstrings
from dlcore.gpt import TakeToken, TinyGPT, flops_per_token, parameter_count
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.losses import CategoricalCrossEntropy


def _tiny(norm_first=True):
    return TinyGPT(7, 5, d_model=8, num_heads=2, num_layers=2, norm_first=norm_first, rng=0, dtype=np.float64)


@pytest.mark.parametrize("norm_first", [True, False])
def test_tiny_gpt_gradients_match_finite_differences(norm_first):
    model = _tiny(norm_first)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 7, (2, 5)), rng.integers(0, 7, (2, 5))
    loss = CategoricalCrossEntropy()
    model.zero_grad()
    loss(model(x), y)
    model.backward(loss.backward())
    for name, p in model.named_parameters():
        numeric = numerical_gradient(lambda _: loss(model(x), y), p.value)
        assert relative_error(p.grad, numeric) < 1e-6, name


def test_tiny_gpt_is_causal():
    model = _tiny()
    x = np.array([[1, 2, 3, 4, 5]])
    changed = x.copy()
    changed[0, 3] = 0
    a, b = model(x), model(changed)
    np.testing.assert_allclose(a[:, :3], b[:, :3])  # positions before the change do not see it
    assert not np.allclose(a[:, 3:], b[:, 3:])


def test_cached_generation_gives_the_same_tokens_and_logits_as_rerunning_the_model():
    model = TinyGPT(7, 12, d_model=8, num_heads=2, num_layers=2, rng=0, dtype=np.float64)
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


def test_stdlib_docstrings_are_deterministic_ascii_and_windows_shift_by_one():
    text = stdlib_docstrings(5000)
    assert len(text) == 5000 and text == stdlib_docstrings(5000)
    assert all(c == "\n" or 32 <= ord(c) < 127 for c in text)
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    assert vocab.decode(ids) == text and ids.dtype == np.int64
    x, y = char_windows(ids, 10, 4, rng=0)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("\u00e9")

"""SimpleRNN, LSTM, GRU and Bidirectional: equations, gradients (BPTT), states, stacking, errors, dtypes."""

import numpy as np
import pytest

from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.layers import Dense
from dlcore.model import Sequential
from dlcore.recurrent import GRU, LSTM, Bidirectional, SimpleRNN

GRAD_TOL = 1e-6
CELLS = (SimpleRNN, LSTM, GRU)
N, D, H = 3, 4, 5


def make(cls, return_sequences=True, seed=0, dtype=np.float64, **kw):
    return cls(D, H, return_sequences=return_sequences, rng=seed, dtype=dtype, **kw)


def inputs(T, seed=1, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal((N, T, D)).astype(dtype)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- references: one step at a time, one gate at a time, straight from the docstrings -------
def gate(layer, k, x_t, h):
    """x_t W_k + h U_k + b_k for gate number k."""
    cols = slice(k * H, (k + 1) * H)
    return x_t @ layer.W.value[:, cols] + h @ layer.U.value[:, cols] + layer.b.value[cols]


def reference_run(layer, x, h0=None, c0=None):
    h = np.zeros((N, H)) if h0 is None else h0
    c = np.zeros((N, H)) if c0 is None else c0
    hs = []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        if isinstance(layer, SimpleRNN):
            h = np.tanh(gate(layer, 0, x_t, h))
        elif isinstance(layer, LSTM):
            i, f = sigmoid(gate(layer, 0, x_t, h)), sigmoid(gate(layer, 1, x_t, h))
            g, o = np.tanh(gate(layer, 2, x_t, h)), sigmoid(gate(layer, 3, x_t, h))
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            W, U, b = layer.W.value, layer.U.value, layer.b.value
            r, z = sigmoid(gate(layer, 0, x_t, h)), sigmoid(gate(layer, 1, x_t, h))
            n = np.tanh(x_t @ W[:, 2 * H :] + b[2 * H :] + r * (h @ U[:, 2 * H :] + layer.b_hn.value))
            h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs, axis=1)  # (N, T, H)


@pytest.mark.parametrize("cls", CELLS)
def test_forward_follows_the_documented_equations(cls):
    layer = make(cls)
    x = inputs(6)
    h0 = np.random.default_rng(2).standard_normal((N, H))
    c0 = np.random.default_rng(3).standard_normal((N, H))
    states = {"h0": h0, "c0": c0} if cls is LSTM else {"h0": h0}
    np.testing.assert_allclose(layer(x, **states), reference_run(layer, x, **states), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cls", CELLS)
def test_last_state_output_is_the_last_step_of_the_sequence_output(cls):
    x = inputs(5)
    full = make(cls, return_sequences=True)(x)
    last = make(cls, return_sequences=False)(x)
    assert full.shape == (N, 5, H) and last.shape == (N, H)
    np.testing.assert_array_equal(last, full[:, -1])


def test_lstm_forget_bias_starts_at_one_plus_the_uniform_draw():
    layer = make(LSTM)
    bound = 1 / np.sqrt(H)
    forget = layer.b.value[H : 2 * H]
    others = np.concatenate([layer.b.value[:H], layer.b.value[2 * H :]])
    assert np.all(np.abs(forget - 1.0) <= bound) and np.all(np.abs(others) <= bound)


# --- gradients through time -------------------------------------------------------------------
@pytest.mark.parametrize("cls", CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("T", [1, 2, 6])
def test_gradients_match_finite_differences(cls, return_sequences, T):
    errors = check_module_gradients(make(cls, return_sequences), inputs(T))
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("cls", CELLS)
@pytest.mark.parametrize("T", [1, 4])
def test_initial_state_gradients_match_finite_differences(cls, T):
    layer = make(cls, return_sequences=True)
    x = inputs(T)
    rng = np.random.default_rng(5)
    states = {"h0": rng.standard_normal((N, H))}
    if cls is LSTM:
        states["c0"] = rng.standard_normal((N, H))
    R = rng.standard_normal((N, T, H))

    def loss(_=None):
        return float(np.sum(layer(x, **states) * R))

    layer.zero_grad()
    loss()
    dx = layer.backward(R)
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL
    for name, s in states.items():
        analytic = getattr(layer, "d" + name)
        assert relative_error(analytic, numerical_gradient(loss, s)) < GRAD_TOL, name


@pytest.mark.parametrize("cls", CELLS)
def test_zero_initial_state_equals_passing_zeros_and_its_gradient_is_reported(cls):
    x = inputs(3)
    layer = make(cls)
    zeros = {"h0": np.zeros((N, H))} | ({"c0": np.zeros((N, H))} if cls is LSTM else {})
    np.testing.assert_array_equal(layer(x), layer(x, **zeros))
    layer.backward(np.ones((N, 3, H)))
    assert layer.dh0.shape == (N, H) and np.any(layer.dh0 != 0)


@pytest.mark.parametrize("cls", CELLS)
def test_processing_in_two_chunks_with_carried_state_equals_one_pass(cls):
    x = inputs(7)
    layer = make(cls)
    whole = layer(x)
    first = layer(x[:, :3])
    carry = {"h0": layer.h_n} | ({"c0": layer.c_n} if cls is LSTM else {})
    second = layer(x[:, 3:], **carry)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cls", CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_gradients_match_finite_differences(cls, return_sequences):
    layer = Bidirectional(make(cls, return_sequences), rng=7)
    for T in (1, 4):
        errors = check_module_gradients(layer, inputs(T))
        assert max(errors.values()) < GRAD_TOL, (T, errors)


@pytest.mark.parametrize("cls", CELLS)
def test_bidirectional_backward_half_reads_the_sequence_from_the_end(cls):
    x = inputs(5)
    bi = Bidirectional(make(cls, return_sequences=True), rng=7)
    y = bi(x)
    assert y.shape == (N, 5, 2 * H)
    np.testing.assert_array_equal(y[..., :H], bi.forward_layer(x))
    np.testing.assert_array_equal(y[..., H:], bi.backward_layer(x[:, ::-1])[:, ::-1])
    # the state at step 0 of the backward half has seen every input: changing x_T-1 changes it
    x2 = x.copy()
    x2[:, -1] += 1.0
    assert not np.allclose(bi(x2)[:, 0, H:], y[:, 0, H:])
    np.testing.assert_array_equal(bi(x2)[:, 0, :H], y[:, 0, :H])  # the forward half has not seen it yet


def test_bidirectional_gives_the_backward_copy_its_own_weights():
    bi = Bidirectional(make(GRU), rng=7)
    assert bi.forward_layer.W is not bi.backward_layer.W
    assert not np.array_equal(bi.forward_layer.W.value, bi.backward_layer.W.value)
    assert len(bi.parameters()) == 2 * len(make(GRU).parameters())


def test_stacked_recurrent_layers_in_sequential_have_correct_gradients():
    model = Sequential(
        [
            LSTM(D, H, return_sequences=True, rng=0, dtype=np.float64),
            Bidirectional(GRU(H, 3, return_sequences=True, rng=1, dtype=np.float64), rng=2),
            SimpleRNN(6, 4, rng=3, dtype=np.float64),
            Dense(4, 2, rng=4, dtype=np.float64),
        ]
    )
    assert model(inputs(5)).shape == (N, 2)
    errors = check_module_gradients(model, inputs(5))
    assert max(errors.values()) < GRAD_TOL, errors


def test_gradients_accumulate_across_backward_calls():
    layer = make(LSTM)
    x = inputs(3)
    g = np.random.default_rng(0).standard_normal((N, 3, H))
    layer.zero_grad()
    layer(x)
    layer.backward(g)
    once = layer.U.grad.copy()
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.U.grad, 2 * once)


# --- numerics, dtypes, errors -------------------------------------------------------------------
@pytest.mark.parametrize("cls", CELLS)
def test_saturating_inputs_raise_no_floating_point_warning(cls):
    layer = make(cls, dtype=np.float32)
    x = 1e4 * inputs(4, dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = layer(x)
        dx = layer.backward(np.ones_like(y))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize("cls", CELLS)
def test_float32_stays_float32(cls):
    layer = make(cls, dtype=np.float32)
    x = inputs(4, dtype=np.float32)
    states = {"h0": np.zeros((N, H), np.float32)}
    y = layer(x, **states)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == np.float32 and dx.dtype == np.float32 and layer.dh0.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())
    bi = Bidirectional(make(cls, dtype=np.float32))
    assert bi(x).dtype == np.float32 and bi.backward(np.ones((N, 4, 2 * H), np.float32)).dtype == np.float32


@pytest.mark.parametrize("cls", CELLS)
def test_a_float64_batch_into_a_float32_layer_is_computed_in_float32(cls):
    layer = make(cls, dtype=np.float32)
    y = layer(inputs(4), h0=np.zeros((N, H)))
    assert y.dtype == np.float32 and layer.backward(np.ones_like(y)).dtype == np.float32


@pytest.mark.parametrize("cls", CELLS)
def test_input_is_not_modified(cls):
    x = inputs(4)
    keep = x.copy()
    layer = make(cls)
    y = layer(x)
    g = np.ones_like(y)
    layer.backward(g)
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_array_equal(g, np.ones_like(y))


@pytest.mark.parametrize("cls", CELLS)
def test_wrong_inputs_give_clear_errors(cls):
    layer = make(cls)
    with pytest.raises(ValueError, match=rf"{cls.__name__}\(4 -> 5.*expected input of shape \(N, T, 4\).*\(3, 4\)"):
        layer(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"\(N, T, 4\).*\(3, 6, 2\)"):
        layer(np.zeros((3, 6, 2)))
    with pytest.raises(TypeError, match="floating-point"):
        layer(np.zeros((3, 6, 4), dtype=np.int64))
    with pytest.raises(ValueError, match="at least one time step"):
        layer(np.zeros((3, 0, 4)))
    with pytest.raises(ValueError, match=r"h0.*\(3, 5\).*\(2, 5\)"):
        layer(np.zeros((3, 6, 4)), h0=np.zeros((2, 5)))
    layer(np.zeros((3, 6, 4)))
    with pytest.raises(ValueError, match=r"backward: expected grad_out of shape \(3, 6, 5\)"):
        layer.backward(np.zeros((3, 5)))


def test_bidirectional_rejects_a_non_recurrent_layer():
    with pytest.raises(TypeError, match="SimpleRNN, LSTM or GRU"):
        Bidirectional(Dense(3, 3))


def test_repr_names_sizes():
    assert repr(LSTM(4, 8, return_sequences=True)) == "LSTM(4 -> 8, return_sequences=True)"
    assert repr(Bidirectional(GRU(1, 6))) == "Bidirectional(GRU(1 -> 6))"

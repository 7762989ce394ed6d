import numpy as np
import pytest

from dlcore import activations as A
from dlcore import config
from dlcore import layers as L
from dlcore.gradcheck import check_module_gradients
from dlcore.module import Module

F64 = np.float64
TOL = 1e-6


def randomise_affine(module, seed=0):
    """Give BatchNorm/LayerNorm a non-trivial gamma and beta so their gradients are really tested."""
    rng = np.random.default_rng(seed)
    module.gamma.value[...] = rng.uniform(0.5, 2.0, module.gamma.shape)
    module.beta.value[...] = rng.standard_normal(module.beta.shape)
    return module


class FixedMaskDropout(Module):
    """Dropout whose generator is re-seeded before every forward, so repeated calls draw the same mask."""

    def __init__(self, p, seed):
        super().__init__()
        self.inner, self.seed = L.Dropout(p), seed

    def forward(self, x):
        self.inner.rng = np.random.default_rng(self.seed)
        return self.inner.forward(x)

    def backward(self, grad_out):
        return self.inner.backward(grad_out)


MODULES = {
    "dense": lambda: L.Dense(5, 3, rng=0, dtype=F64),
    "dense_no_bias": lambda: L.Dense(5, 3, bias=False, rng=1, dtype=F64),
    "dense_xavier": lambda: L.Dense(5, 4, init="xavier", rng=2, dtype=F64),
    "sigmoid": L.Sigmoid,
    "tanh": L.Tanh,
    "relu": L.ReLU,
    "leaky_relu": lambda: L.LeakyReLU(0.1),
    "elu": lambda: L.ELU(0.7),
    "gelu": L.GELU,
    "gelu_tanh": L.GELUTanh,
    "softplus": L.Softplus,
    "softmax": L.Softmax,
    "identity": L.Identity,
    "layernorm": lambda: randomise_affine(L.LayerNorm(5, dtype=F64)),
    "flatten": L.Flatten,
    "dropout_train": lambda: FixedMaskDropout(0.4, seed=3),
}
SHAPES = [(1, 5), (4, 5), (2, 3, 5)]  # batch size 1, a plain batch, and a (B, T, D) batch


def kink_free_input(shape, seed=0):
    """Standard normal values pushed away from 0, where ReLU-like layers have a kink."""
    x = np.random.default_rng(seed).standard_normal(shape)
    return x + np.where(x >= 0, 0.1, -0.1)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", list(MODULES))
def test_module_passes_gradient_check(name, shape):
    module = MODULES[name]()
    errors = check_module_gradients(module, kink_free_input(shape))
    assert max(errors.values()) < TOL, errors
    assert set(errors) == {"input", *(n for n, _ in module.named_parameters())}


@pytest.mark.parametrize("shape", [(4, 5), (1, 3, 5), (2, 3, 4, 5)])  # includes batch 1 with channel-last extra axes
def test_batchnorm_in_training_mode_passes_gradient_check(shape):
    bn = randomise_affine(L.BatchNorm(5, dtype=F64))
    errors = check_module_gradients(bn, kink_free_input(shape))
    assert set(errors) == {"input", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("shape", [(1, 5), (6, 5), (2, 3, 5)])
def test_batchnorm_in_eval_mode_passes_gradient_check(shape):
    bn = randomise_affine(L.BatchNorm(5, dtype=F64))
    bn.forward(np.random.default_rng(1).normal(2.0, 3.0, (16, 5)))  # give it running statistics
    bn.eval()
    errors = check_module_gradients(bn, kink_free_input(shape))
    assert max(errors.values()) < TOL, errors


# --- Dense ------------------------------------------------------------------------------
def test_dense_computes_xW_plus_b_on_flattened_leading_axes():
    dense = L.Dense(4, 3, rng=0, dtype=F64)
    dense.b.value[...] = [1.0, -2.0, 0.5]
    x = np.random.default_rng(0).standard_normal((2, 5, 4))
    z = dense(x)
    assert z.shape == (2, 5, 3)
    for t in range(5):
        np.testing.assert_allclose(z[:, t], x[:, t] @ dense.W.value + dense.b.value)


def test_dense_backward_follows_the_matrix_equations():
    dense = L.Dense(4, 3, rng=0, dtype=F64)
    rng = np.random.default_rng(1)
    a, delta = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    dense(a)
    da = dense.backward(delta)
    np.testing.assert_allclose(dense.W.grad, a.T @ delta)
    np.testing.assert_allclose(dense.b.grad, delta.sum(axis=0))
    np.testing.assert_allclose(da, delta @ dense.W.value.T)


def test_dense_gradients_accumulate_until_zero_grad():
    dense = L.Dense(4, 3, rng=0, dtype=F64)
    x, g = np.ones((2, 4)), np.ones((2, 3))
    dense(x)
    dense.backward(g)
    once = dense.W.grad.copy()
    dense.backward(g)
    np.testing.assert_allclose(dense.W.grad, 2 * once)
    dense.zero_grad()
    assert not dense.W.grad.any() and not dense.b.grad.any()


def test_dense_can_skip_the_unused_input_gradient():
    dense = L.Dense(4, 3, rng=0)
    dense.needs_input_grad = False
    dense(np.ones((2, 4), dtype=np.float32))
    assert dense.backward(np.ones((2, 3), dtype=np.float32)) is None
    assert dense.W.grad.any()


def test_dense_same_seed_gives_identical_weights():
    np.testing.assert_array_equal(L.Dense(20, 10, rng=5).W.value, L.Dense(20, 10, rng=5).W.value)
    assert not np.array_equal(L.Dense(20, 10, rng=5).W.value, L.Dense(20, 10, rng=6).W.value)
    config.seed(11)
    first = L.Dense(20, 10).W.value.copy()
    config.seed(11)
    np.testing.assert_array_equal(first, L.Dense(20, 10).W.value)


def test_dense_uses_the_named_initialiser():
    assert not L.Dense(10, 10, init="zeros").W.value.any()
    with pytest.raises(ValueError, match="unknown initializer 'nope'"):
        L.Dense(3, 2, init="nope")


def test_dense_error_names_the_layer_and_the_expected_shape():
    dense = L.Dense(64, 10)
    x = np.zeros((32, 63), dtype=np.float32)
    with pytest.raises(ValueError) as info:
        dense(x)
    assert str(info.value) == "Dense(64 -> 10): expected input of shape (N, 64), got (32, 63)"
    with pytest.raises(ValueError, match=r"Dense\(64 -> 10\): expected input of shape \(N, 64\), got \(64,\)"):
        dense(np.zeros(64, dtype=np.float32))
    with pytest.raises(ValueError, match=r"Dense\(64 -> 10\): expected input of shape \(N, \.\.\., 64\), got"):
        dense(np.zeros((2, 3, 65), dtype=np.float32))


def test_dense_rejects_integer_arrays_and_lists_with_clear_messages():
    dense = L.Dense(3, 2)
    with pytest.raises(TypeError, match=r"Dense\(3 -> 2\): expected a floating-point array .*int64"):
        dense(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(TypeError, match=r"Dense\(3 -> 2\): expected a numpy array .*list"):
        dense([[1.0, 2.0, 3.0]])


def test_dense_casts_float64_input_to_its_float32_weights():
    dense = L.Dense(3, 2)
    out = dense(np.ones((2, 3), dtype=np.float64))
    assert out.dtype == np.float32
    assert dense.backward(np.ones((2, 2), dtype=np.float32)).dtype == np.float32


# --- dtype and purity for every layer ------------------------------------------------------
FLOAT32_LAYERS = {
    "dense": lambda: L.Dense(5, 3, rng=0),
    "sigmoid": L.Sigmoid,
    "tanh": L.Tanh,
    "relu": L.ReLU,
    "leaky_relu": L.LeakyReLU,
    "elu": L.ELU,
    "gelu": L.GELU,
    "softplus": L.Softplus,
    "softmax": L.Softmax,
    "identity": L.Identity,
    "dropout": lambda: L.Dropout(0.5, rng=0),
    "batchnorm": lambda: L.BatchNorm(5),
    "layernorm": lambda: L.LayerNorm(5),
    "flatten": L.Flatten,
}


@pytest.mark.parametrize("name", list(FLOAT32_LAYERS))
def test_float32_in_gives_float32_out_forward_and_backward(name):
    layer = FLOAT32_LAYERS[name]()
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    y = layer(x)
    grad_in = layer.backward(np.ones_like(y))
    assert y.dtype == np.float32 and grad_in.dtype == np.float32
    for p in layer.parameters():
        assert p.value.dtype == np.float32 and p.grad.dtype == np.float32


@pytest.mark.parametrize("name", list(FLOAT32_LAYERS))
def test_layers_do_not_modify_their_inputs(name):
    layer = FLOAT32_LAYERS[name]()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    x_copy = x.copy()
    y = layer(x)
    g = rng.standard_normal(y.shape).astype(np.float32)
    g_copy = g.copy()
    layer.backward(g)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)


@pytest.mark.parametrize(
    "layer, message",
    [
        (L.BatchNorm(8), r"BatchNorm\(8\): expected input of shape \(N, 8\), got \(4, 7\)"),
        (L.LayerNorm(8), r"LayerNorm\(8\): expected input of shape \(N, 8\), got \(4, 7\)"),
    ],
)
def test_normalisation_layers_report_wrong_feature_count(layer, message):
    with pytest.raises(ValueError, match=message):
        layer(np.zeros((4, 7), dtype=np.float32))


@pytest.mark.parametrize("layer", [L.ReLU(), L.Sigmoid(), L.Dropout(0.5), L.Flatten()])
def test_activation_like_layers_reject_integer_input_naming_the_layer(layer):
    with pytest.raises(TypeError, match=f"{type(layer).__name__}.*int64"):
        layer(np.zeros((2, 3), dtype=np.int64))


def test_reprs_are_readable():
    assert repr(L.Dense(64, 10)) == "Dense(64 -> 10)"
    assert repr(L.Dense(3, 2, bias=False)) == "Dense(3 -> 2, bias=False)"
    assert repr(L.Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(L.BatchNorm(16)) == "BatchNorm(16)"
    assert repr(L.LayerNorm(16)) == "LayerNorm(16)"
    assert repr(L.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert repr(L.ReLU()) == "ReLU()"


# --- Dropout ------------------------------------------------------------------------------
def test_dropout_mask_comes_from_the_seeded_generator():
    p, shape = 0.3, (6, 8)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y = L.Dropout(p, rng=42)(x)
    keep = np.random.default_rng(42).random(shape, dtype=np.float32) >= p  # the documented rule
    np.testing.assert_allclose(y, np.where(keep, x / (1 - p), 0.0), rtol=1e-6)


def test_dropout_backward_uses_the_same_mask():
    layer = L.Dropout(0.5, rng=1)
    y = layer(np.ones((5, 7)))
    g = layer.backward(np.ones((5, 7)))
    np.testing.assert_array_equal(g, y)  # both are mask / (1 - p)


def test_dropout_keeps_the_expected_value_and_drops_about_p():
    x = np.ones((400, 500))
    y = L.Dropout(0.2, rng=0)(x)
    assert abs(np.mean(y == 0) - 0.2) < 0.005
    assert abs(y.mean() - 1.0) < 0.01


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    x = np.random.default_rng(0).standard_normal((3, 4))
    layer = L.Dropout(0.5).eval()
    assert layer(x) is x and layer.backward(x) is x
    np.testing.assert_array_equal(L.Dropout(0.0)(x), x)


def test_dropout_without_rng_follows_the_global_seed():
    x = np.ones((10, 10))
    config.seed(3)
    first = L.Dropout(0.5)(x)
    config.seed(3)
    np.testing.assert_array_equal(L.Dropout(0.5)(x), first)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_invalid_probability(p):
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\)"):
        L.Dropout(p)


# --- BatchNorm ----------------------------------------------------------------------------
def test_batchnorm_training_output_is_standardised_per_channel():
    x = np.random.default_rng(0).normal([1.0, -5.0, 20.0], [0.1, 3.0, 10.0], size=(200, 3))
    y = L.BatchNorm(3, dtype=F64)(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-3)


def test_batchnorm_updates_running_statistics_with_momentum():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4))
    bn = L.BatchNorm(4, momentum=0.1, dtype=F64)
    bn(x)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 * 1.0 + 0.1 * x.var(axis=0, ddof=1))


def test_batchnorm_eval_uses_running_statistics():
    rng = np.random.default_rng(0)
    bn = randomise_affine(L.BatchNorm(4, dtype=F64))
    for _ in range(5):
        bn(rng.normal(3.0, 2.0, size=(32, 4)))
    bn.eval()
    x = rng.standard_normal((3, 4))
    before = (bn.running_mean.copy(), bn.running_var.copy())
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps) * bn.gamma.value + bn.beta.value
    np.testing.assert_allclose(bn(x), expected)
    np.testing.assert_array_equal(bn.running_mean, before[0])  # eval does not move the statistics
    np.testing.assert_array_equal(bn.running_var, before[1])


def test_batchnorm_channel_last_normalises_over_all_but_the_last_axis():
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(4, 6, 6, 3))
    y = L.BatchNorm(3, dtype=F64)(x)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 1, 2)), 1.0, rtol=1e-3)


def test_batchnorm_refuses_a_single_value_per_channel_in_training():
    with pytest.raises(ValueError, match=r"BatchNorm\(3\): training needs more than one value per channel.*\(1, 3\)"):
        L.BatchNorm(3)(np.ones((1, 3), dtype=np.float32))


def test_batchnorm_state_dict_includes_running_statistics():
    bn = L.BatchNorm(3)
    bn(np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32))
    state = bn.state_dict()
    assert set(state) == {"gamma", "beta", "running_mean", "running_var"}
    fresh = L.BatchNorm(3)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.running_var, bn.running_var)


# --- LayerNorm, Softmax, Flatten ----------------------------------------------------------
def test_layernorm_standardises_each_row_the_same_in_train_and_eval():
    x = np.random.default_rng(0).normal(4.0, 5.0, size=(3, 7, 16))
    ln = L.LayerNorm(16, dtype=F64)
    y = ln(x)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1.0, rtol=1e-3)
    np.testing.assert_array_equal(ln.eval()(x), y)


def test_softmax_layer_rows_sum_to_one():
    y = L.Softmax()(np.random.default_rng(0).standard_normal((4, 6)))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)


def test_flatten_keeps_the_batch_axis_and_backward_restores_the_shape():
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    layer = L.Flatten()
    y = layer(x)
    assert y.shape == (2, 12)
    np.testing.assert_array_equal(y[1], x[1].ravel())
    assert layer.backward(y).shape == (2, 3, 4)


def test_extreme_inputs_give_finite_outputs_without_warnings():
    x = np.array([[-1000.0, -30.0, 0.5, 30.0, 1000.0]], dtype=np.float32)
    layers = [L.Sigmoid(), L.Tanh(), L.ReLU(), L.LeakyReLU(), L.ELU(), L.GELU(), L.GELUTanh(), L.Softplus()]
    for layer in [*layers, L.Softmax()]:
        with np.errstate(all="raise"):
            y = layer(x)
            g = layer.backward(np.ones_like(y))
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(g)), layer


def test_gelu_tanh_layer_matches_the_activation_function_and_its_derivative():
    x = np.array([[-1e6, -30.0, -5.0, -1.0, 0.0, 1e-3, 1.0, 5.0, 30.0, 1e6]])
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        layer = L.GELUTanh()
        y = layer(x.astype(dtype))
        g = layer.backward(np.full(x.shape, 2.0, dtype))
        assert y.dtype == g.dtype == dtype
        np.testing.assert_allclose(y, A.gelu_tanh(x), rtol=rtol, atol=1e-6)
        np.testing.assert_allclose(g, 2.0 * A.gelu_tanh_grad(x), rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 4)])
def test_row_helpers_equal_numpy_reductions(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(L._sum_rows(x), x.reshape(-1, shape[-1]).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(L._mean_last_axis(x), x.mean(axis=-1, keepdims=True), rtol=1e-12)
    assert L._sum_rows(x.astype(np.float32)).dtype == L._mean_last_axis(x.astype(np.float32)).dtype == np.float32


def test_layernorm_is_stable_for_a_large_offset():
    x = 1e4 + np.random.default_rng(1).standard_normal((3, 16)).astype(np.float32)
    y = L.LayerNorm(16)(x)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-3)
    np.testing.assert_allclose(y.std(axis=-1), 1.0, atol=1e-2)


def test_gelu_tanh_layer_works_block_by_block_on_large_arrays():
    x = np.random.default_rng(2).standard_normal((3, L.CACHE_BLOCK + 7, 2)).astype(np.float32)  # several blocks
    g = np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    layer = L.GELUTanh()
    np.testing.assert_allclose(layer(x), A.gelu_tanh(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.backward(g), g * A.gelu_tanh_grad(x), rtol=1e-5, atol=1e-6)

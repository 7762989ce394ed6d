"""The engine as one whole: fast import, one activation registry, the layer protocol on Module,
pieces moved between modules (old import paths kept), renamed arguments, shared helpers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import dlcore as dl
from dlcore import activations as A
from dlcore import attention, callbacks, conv, layers, mnist1d, pooling, regularizers, shallow, transformer
from dlcore.datasets_seq import sequence_accuracy
from dlcore.gradcheck import check_module_gradients
from dlcore.losses import CategoricalCrossEntropy
from dlcore.module import Module, Workspace

GRAD_TOL = 1e-6


# --- import ---------------------------------------------------------------------------------
def test_import_dlcore_loads_neither_matplotlib_nor_scipy_nor_tqdm():
    code = "import sys, dlcore; print(sorted(m for m in ('matplotlib', 'scipy', 'tqdm') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_plotting_modules_load_on_first_use():
    assert dl.plotting.PALETTE  # attribute access imports the module
    from dlcore import figures

    assert dl.figures is figures
    assert "plotting" in dir(dl)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        dl.nonexistent  # noqa: B018


def test_malloc_tuning_is_an_explicit_call():
    import dlcore.config

    assert not hasattr(dlcore.config, "_keep_freed_memory")  # no longer run on import
    assert dl.keep_freed_memory() is sys.platform.startswith("linux")


# --- one activation registry ------------------------------------------------------------------
def test_every_activation_layer_is_named_in_the_function_registry_and_matches_it():
    assert set(layers.ACTIVATION_LAYERS) == set(A.ACTIVATIONS) - {"step"}
    x = np.random.default_rng(0).standard_normal((3, 5))
    g = np.random.default_rng(1).standard_normal((3, 5))
    for name, cls in layers.ACTIVATION_LAYERS.items():
        layer = layers.activation_layer(name)
        assert isinstance(layer, cls)
        act = A.get_activation(name)
        np.testing.assert_allclose(layer(x), act.fn(x), rtol=1e-12, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(layer.backward(g), g * act.grad(x), rtol=1e-10, atol=1e-15, err_msg=name)


def test_shallow_networks_transformers_and_widgets_use_the_same_registry():
    assert shallow.ACTIVATION_LAYERS is layers.ACTIVATION_LAYERS
    assert shallow.activation_layer is layers.activation_layer
    from dlcore.widgets import playground

    assert set(playground.ACTIVATIONS) <= set(layers.ACTIVATION_LAYERS)
    mlp = transformer.MLP(4, 8, activation="elu", rng=0)
    assert isinstance(mlp.act, layers.ELU)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        transformer.MLP(4, 8, activation="swish")


def test_gelu_tanh_lives_beside_gelu_and_the_old_path_still_works():
    assert transformer.GELUTanh is layers.GELUTanh
    x = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(layers.GELUTanh()(x), A.gelu_tanh(x), rtol=1e-12)
    errors = check_module_gradients(layers.GELUTanh(), np.random.default_rng(0).standard_normal((2, 3)))
    assert max(errors.values()) < GRAD_TOL


def test_masked_softmax_is_the_activations_softmax_with_a_mask():
    s = np.random.default_rng(0).standard_normal((2, 3, 4))
    mask = np.array([[True, True, False, False], [False] * 4, [True] * 4])
    np.testing.assert_array_equal(attention.masked_softmax(s, mask), A.softmax(s, mask=mask))
    w = A.softmax(s, mask=mask)
    assert np.all(w[:, 1] == 0) and np.all(w[:, 0, 2:] == 0)
    np.testing.assert_allclose(w[:, 2].sum(axis=-1), 1.0)
    np.testing.assert_allclose(A.softmax(s), A.softmax(s, mask=np.ones(4, bool)))


# --- moved pieces -----------------------------------------------------------------------------
def test_general_pieces_moved_out_of_mnist1d_keep_their_old_import_path():
    assert mnist1d.AddChannelAxis is layers.AddChannelAxis
    assert mnist1d.HeldOutAccuracy is callbacks.HeldOutAccuracy
    x = np.random.default_rng(0).standard_normal((2, 5))
    assert layers.AddChannelAxis()(x).shape == (2, 5, 1)


def test_held_out_accuracy_logs_the_accuracy_of_a_model_after_each_epoch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    model = dl.Sequential([dl.Dense(2, 2, rng=0)])
    model.compile(loss="categorical_crossentropy", optimizer=dl.Adam(model.parameters(), lr=0.1))
    held = callbacks.HeldOutAccuracy(x, y)
    history = model.fit(x, y, epochs=3, batch_size=10, callbacks=[held], verbose=0, rng=0)
    accuracies = history.history["test_accuracy"]
    assert len(accuracies) == 3
    assert accuracies[-1] == np.mean(model.predict(x).argmax(axis=1) == y)
    assert held.seconds > 0


def test_shared_conv_helper_is_public_and_the_private_name_remains():
    assert conv.pair(3, "kernel") == (3, 3) and conv.pair((2, 1), "stride") == (2, 1)
    assert conv._pair is conv.pair
    assert pooling.pair is conv.pair


# --- the layer protocol -----------------------------------------------------------------------
def test_module_declares_the_capabilities_training_code_reads():
    assert Module.needs_input_grad is None and Module.takes_indices is False and Module.regularizer is None
    assert dl.Dense(2, 3).needs_input_grad is True
    assert dl.Conv2D(1, 2, 3).needs_input_grad is True and dl.Conv1D(1, 2, 3).needs_input_grad is True
    assert dl.Embedding(5, 3).takes_indices is True
    assert dl.ReLU().regularizer is None and dl.ReLU().needs_input_grad is None


@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda reg: dl.Conv2D(1, 2, 3, rng=0, dtype=np.float64, regularizer=reg), (2, 5, 5, 1)),
        (lambda reg: dl.Conv1D(1, 2, 3, rng=0, dtype=np.float64, regularizer=reg), (2, 6, 1)),
    ],
)
def test_convolutions_take_a_regularizer_that_training_applies(layer, shape):
    reg = dl.L2(0.5)
    model = dl.Sequential([layer(reg), dl.Flatten()])
    W = model.layers[0].W
    assert regularizers.penalty(model) == pytest.approx(reg.loss(W.value))
    model.zero_grad()
    regularizers.add_penalty_grads(model)
    np.testing.assert_allclose(W.grad, reg.grad(W.value))
    assert repr(layer(None)).startswith(("Conv2D", "Conv1D"))


def test_apply_penalties_sums_the_penalties_and_adds_their_gradients():
    a, b = dl.Dense(2, 3, rng=0, regularizer=dl.L1(0.1)), dl.Dense(3, 1, rng=1, regularizer=dl.L2(0.2))
    pairs = [(a.regularizer, a.W), (b.regularizer, b.W)]
    total = regularizers.apply_penalties(pairs)
    assert total == pytest.approx(a.regularizer.loss(a.W.value) + b.regularizer.loss(b.W.value))
    np.testing.assert_allclose(b.W.grad, b.regularizer.grad(b.W.value))
    assert regularizers.apply_penalties(pairs, grads=False) == pytest.approx(total)
    np.testing.assert_allclose(b.W.grad, b.regularizer.grad(b.W.value))  # not added twice
    assert regularizers.apply_penalties([]) == 0.0


def test_workspace_hands_out_the_same_memory_again():
    ws = Workspace()
    a = ws.get("cols", (4, 3), np.float32)
    b = ws.get("cols", (2, 3), np.float32)  # smaller: carved from the same buffer
    assert np.shares_memory(a, b) and b.shape == (2, 3)
    c = ws.get("cols", (5, 3), np.float32)  # larger: a new buffer
    assert c.shape == (5, 3) and not np.shares_memory(a, c)
    assert ws.get("cols", (2, 3), np.float64).dtype == np.float64
    import copy

    assert copy.deepcopy(ws)._buffers == {}  # copies and pickles carry no scratch memory
    ws.clear()
    assert ws._buffers == {}


# --- renamed or reordered arguments -----------------------------------------------------------
def test_sequence_accuracy_takes_targets_first_like_the_metrics():
    y = np.array([[1, 2], [3, 4]])
    pred = np.array([[1, 2], [3, 0]])
    assert sequence_accuracy(y_true=y, y_pred=pred) == 0.5
    assert sequence_accuracy(pred, y) == sequence_accuracy(y, pred)  # older (pred, y) calls: same number


def test_positional_layers_take_max_len_then_d_model_and_old_calls_still_work():
    new = dl.SinusoidalPositionalEncoding(10, 6, dtype=np.float64)
    assert (new.max_len, new.d_model) == (10, 6)
    old_keyword = dl.SinusoidalPositionalEncoding(6, max_len=10, dtype=np.float64)
    np.testing.assert_array_equal(old_keyword.pe, new.pe)
    assert (dl.SinusoidalPositionalEncoding(6).max_len, dl.SinusoidalPositionalEncoding(6).d_model) == (1024, 6)
    assert dl.SinusoidalPositionalEncoding(max_len=10, d_model=6).pe.shape == (10, 6)
    learned = dl.PositionalEmbedding(10, 6)
    assert (learned.max_len, learned.d_model) == (10, 6)
    with pytest.raises(TypeError, match="d_model is missing"):
        dl.SinusoidalPositionalEncoding(max_len=10)


# --- categorical cross-entropy with soft targets ----------------------------------------------
def test_categorical_cross_entropy_rejects_target_rows_that_do_not_sum_to_one():
    z = np.random.default_rng(0).standard_normal((3, 4))
    y = np.full((3, 4), 0.25)
    y[1] = [0.5, 0.5, 0.5, 0.0]
    with pytest.raises(ValueError, match=r"row 1 sums to 1\.5"):
        CategoricalCrossEntropy()(z, y)
    with pytest.raises(ValueError, match=">= 0"):
        CategoricalCrossEntropy()(z, np.array([[1.5, -0.5, 0, 0]] * 3))


def test_categorical_cross_entropy_gradient_matches_its_loss_for_smoothed_labels():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    y = np.full((4, 3), 0.05)
    y[np.arange(4), [0, 2, 1, 1]] = 0.9  # label smoothing: rows sum to 1
    loss = CategoricalCrossEntropy()
    loss(z, y)
    grad = loss.backward()
    eps, numeric = 1e-6, np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (CategoricalCrossEntropy()(zp, y) - CategoricalCrossEntropy()(zm, y)) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


# --- convolution's input gradient as a convolution ------------------------------------------
@pytest.mark.parametrize("kernel, stride, padding, dilation", [(3, 2, 3, 1), (2, 3, (0, 2), 2), (3, 1, "same", 2)])
def test_input_gradient_with_large_padding_and_strides_matches_finite_differences(kernel, stride, padding, dilation):
    layer = dl.Conv2D(2, 3, kernel, stride=stride, padding=padding, dilation=dilation, rng=0, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((2, 7, 6, 2))
    errors = check_module_gradients(layer, x)
    assert max(errors.values()) < GRAD_TOL, errors


def test_input_gradient_equals_the_tap_by_tap_sum():
    """dL/dx written the long way: every tap sends delta @ W[i, j]^T back to the pixels it read."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 8, 3))
    W = rng.standard_normal((3, 2, 3, 4))
    stride, dilation, pads = (2, 1), (1, 2), ((1, 1), (2, 0))
    z, cache = conv.conv2d_forward(x, W, None, stride, pads, dilation)
    delta = rng.standard_normal(z.shape)
    dx = conv.conv2d_input_grad(delta, W, x.shape, pads, stride, dilation)
    xp_shape = (2, 7 + 2, 8 + 2, 3)
    dxp = np.zeros(xp_shape)
    for i in range(3):
        for j in range(2):
            dxp[conv.tap_slice(i, j, z.shape[1:3], stride, dilation)] += delta @ W[i, j].T
    np.testing.assert_allclose(dx, dxp[:, 1:8, 2:10], rtol=1e-12, atol=1e-12)

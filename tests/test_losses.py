import numpy as np
import pytest
from scipy.special import expit, logsumexp

from dlcore import losses
from dlcore.gradcheck import check_loss_gradients

TOL = 1e-6
LOSS_NAMES = ["mse", "mae", "huber", "binary_crossentropy", "binary_crossentropy_logits", "categorical_crossentropy"]
rng = np.random.default_rng(0)


def binary_labels(shape, seed=0):
    return (np.random.default_rng(seed).random(shape) > 0.5).astype(np.float64)


# --- gradient checks --------------------------------------------------------------------
@pytest.mark.parametrize("loss", [losses.MSE(), losses.MAE(), losses.Huber(delta=1.0), losses.Huber(delta=0.3)])
@pytest.mark.parametrize("shape", [(1,), (1, 1), (6,), (5, 1), (4, 3)])
def test_regression_loss_gradients_match_finite_differences(loss, shape):
    r = np.random.default_rng(1)
    y_true = r.standard_normal(shape)
    error = r.uniform(0.05, 2.5, shape) * r.choice([-1.0, 1.0], shape)  # both Huber regimes, never |e| = delta or 0
    error[np.isclose(np.abs(error), getattr(loss, "delta", -1.0), atol=0.02)] += 0.1
    assert check_loss_gradients(loss, y_true + error, y_true) < TOL


@pytest.mark.parametrize("shape", [(1, 1), (1,), (6, 1), (6,), (4, 3)])
def test_binary_crossentropy_gradient_matches_finite_differences(shape):
    p = np.random.default_rng(2).uniform(0.02, 0.98, shape)
    assert check_loss_gradients(losses.BinaryCrossEntropy(), p, binary_labels(shape)) < TOL


@pytest.mark.parametrize("shape", [(1, 1), (1,), (6, 1), (6,), (4, 3)])
def test_binary_crossentropy_with_logits_gradient_matches_finite_differences(shape):
    z = 3 * np.random.default_rng(3).standard_normal(shape)
    assert check_loss_gradients(losses.BinaryCrossEntropyWithLogits(), z, binary_labels(shape)) < TOL


@pytest.mark.parametrize("shape", [(1, 4), (5, 4), (2, 3, 4)])
def test_categorical_crossentropy_gradient_matches_with_integer_labels(shape):
    r = np.random.default_rng(4)
    z = 2 * r.standard_normal(shape)
    labels = r.integers(0, shape[-1], size=shape[:-1])
    assert check_loss_gradients(losses.CategoricalCrossEntropy(), z, labels) < TOL


@pytest.mark.parametrize("shape", [(1, 4), (5, 4), (2, 3, 4)])
def test_categorical_crossentropy_gradient_matches_with_soft_targets(shape):
    r = np.random.default_rng(5)
    z = 2 * r.standard_normal(shape)
    targets = r.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    assert check_loss_gradients(losses.CategoricalCrossEntropy(), z, targets) < TOL


# --- values -----------------------------------------------------------------------------
def test_regression_losses_average_over_every_element():
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_true = np.array([[1.0, 0.0], [0.0, 4.0]])  # errors 0, 2, 3, 0
    assert losses.MSE()(y_pred, y_true) == pytest.approx((0 + 4 + 9 + 0) / 4)
    assert losses.MAE()(y_pred, y_true) == pytest.approx((0 + 2 + 3 + 0) / 4)
    # Huber(1): 0, 1*(2 - 0.5), 1*(3 - 0.5), 0
    assert losses.Huber(1.0)(y_pred, y_true) == pytest.approx((1.5 + 2.5) / 4)


def test_huber_is_half_squared_error_for_small_errors():
    y_true = np.zeros(5)
    y_pred = np.array([0.1, -0.2, 0.3, 0.0, 0.5])
    assert losses.Huber(1.0)(y_pred, y_true) == pytest.approx(0.5 * losses.MSE()(y_pred, y_true))


def test_categorical_crossentropy_is_minus_log_softmax_of_the_true_class():
    z = rng.standard_normal((6, 5))
    labels = rng.integers(0, 5, 6)
    expected = np.mean(logsumexp(z, axis=1) - z[np.arange(6), labels])
    assert losses.CategoricalCrossEntropy()(z, labels) == pytest.approx(expected, rel=1e-12)


def test_categorical_crossentropy_integer_and_one_hot_labels_agree():
    z = rng.standard_normal((7, 4)).astype(np.float32)
    labels = rng.integers(0, 4, 7)
    by_index, by_one_hot = losses.CategoricalCrossEntropy(), losses.CategoricalCrossEntropy()
    assert by_index(z, labels) == pytest.approx(by_one_hot(z, np.eye(4)[labels]), rel=1e-6)
    np.testing.assert_allclose(by_index.backward(), by_one_hot.backward(), atol=1e-7)


def test_categorical_crossentropy_gradient_is_softmax_minus_one_hot_over_n():
    z = rng.standard_normal((3, 4))
    labels = np.array([0, 3, 1])
    loss = losses.CategoricalCrossEntropy()
    loss(z, labels)
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (softmax - np.eye(4)[labels]) / 3)


def test_logits_and_probability_binary_crossentropy_agree():
    z = rng.standard_normal((8, 1))
    y = binary_labels((8, 1))
    assert losses.BinaryCrossEntropyWithLogits()(z, y) == pytest.approx(losses.BinaryCrossEntropy()(expit(z), y))


# --- extreme inputs ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_categorical_crossentropy_is_finite_for_huge_logits(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], dtype=dtype)
    loss = losses.CategoricalCrossEntropy()
    with np.errstate(all="raise"):
        value = loss(z, np.array([0, 0]))  # right with a huge margin, then wrong by 2000
        grad = loss.backward()
    assert value == pytest.approx((0.0 + 2000.0) / 2, rel=1e-6)
    assert np.all(np.isfinite(grad)) and grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_crossentropy_survives_probabilities_of_exactly_zero_and_one(dtype):
    p = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0])  # two perfect, two completely wrong
    loss = losses.BinaryCrossEntropy()
    with np.errstate(all="raise"):
        value = loss(p, y)
        grad = loss.backward()
    assert np.isfinite(value) and 0 < value < 20  # -log(1e-7) is about 16
    assert np.all(np.isfinite(grad)) and grad.dtype == dtype
    assert grad[2, 0] < 0 < grad[3, 0]  # still pushes the wrong predictions the right way


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_crossentropy_with_logits_is_stable_for_huge_logits(dtype):
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = losses.BinaryCrossEntropyWithLogits()
    with np.errstate(all="raise"):
        value = loss(z, y)
        grad = loss.backward()
    assert value == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    np.testing.assert_allclose(grad, np.array([0.0, 0.0, 1.0, -1.0]) / 4)


# --- shapes, dtypes, errors -------------------------------------------------------------
@pytest.mark.parametrize("loss", [losses.MSE(), losses.MAE(), losses.Huber(), losses.BinaryCrossEntropyWithLogits()])
def test_column_predictions_accept_flat_targets_and_vice_versa(loss):
    y_pred = np.array([[0.2], [0.7], [-0.4]])
    y_flat = np.array([0.0, 1.0, 1.0])
    reference = loss(y_pred, y_flat[:, None])
    reference_grad = loss.backward()
    assert loss(y_pred, y_flat) == pytest.approx(reference)  # (N, 1) with (N,)
    np.testing.assert_allclose(loss.backward(), reference_grad)
    assert loss(y_pred[:, 0], y_flat[:, None]) == pytest.approx(reference)  # (N,) with (N, 1)
    assert loss.backward().shape == (3,)


@pytest.mark.parametrize("loss", [losses.MSE(), losses.BinaryCrossEntropy(), losses.BinaryCrossEntropyWithLogits()])
def test_mismatched_shapes_are_reported_not_broadcast(loss):
    with pytest.raises(ValueError, match=r"y_pred has shape \(4, 3\) but y_true has shape \(4,\)"):
        loss(np.full((4, 3), 0.5), np.zeros(4))


def test_label_out_of_range_is_reported():
    loss = losses.CategoricalCrossEntropy()
    z = np.zeros((3, 10))
    with pytest.raises(ValueError, match=r"label 10 out of range for 10 classes \(labels must be in 0\.\.9\)"):
        loss(z, np.array([1, 10, 2]))
    with pytest.raises(ValueError, match="label -1 out of range"):
        loss(z, np.array([1, -1, 2]))


def test_categorical_crossentropy_reports_wrong_label_shape_and_type():
    loss = losses.CategoricalCrossEntropy()
    with pytest.raises(ValueError, match=r"labels of shape \(3,\) or one-hot of shape \(3, 4\); got \(4,\)"):
        loss(np.zeros((3, 4)), np.array([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="class labels must be integers"):
        loss(np.zeros((3, 4)), np.array([0.0, 1.5, 2.0]))
    with pytest.raises(ValueError, match=r"expected logits of shape \(N, C\)"):
        loss(np.zeros(3), np.array([0, 1, 2]))
    assert loss(np.zeros((3, 4)), np.array([0.0, 1.0, 2.0])) == pytest.approx(np.log(4))  # whole-number floats are fine


def test_binary_crossentropy_rejects_logits_and_bad_targets():
    with pytest.raises(ValueError, match="binary_crossentropy_logits"):
        losses.BinaryCrossEntropy()(np.array([2.0, -1.0]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        losses.BinaryCrossEntropyWithLogits()(np.array([2.0, -1.0]), np.array([2.0, 0.0]))


def test_predictions_must_be_float_arrays():
    with pytest.raises(TypeError, match=r"MSE\(\): expected floating-point y_pred"):
        losses.MSE()(np.array([1, 2]), np.array([1, 2]))
    with pytest.raises(TypeError, match="expected y_pred to be a numpy array"):
        losses.MSE()([1.0, 2.0], np.array([1.0, 2.0]))


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="before forward"):
        losses.MSE().backward()


@pytest.mark.parametrize(
    "loss, y_true",
    [
        (losses.MSE(), np.zeros((4, 2))),
        (losses.MAE(), np.zeros((4, 2))),
        (losses.Huber(), np.zeros((4, 2))),
        (losses.BinaryCrossEntropy(), np.ones((4, 2))),
        (losses.BinaryCrossEntropyWithLogits(), np.ones((4, 2))),
        (losses.CategoricalCrossEntropy(), np.array([0, 1, 1, 0])),
    ],
)
def test_float32_predictions_give_float32_gradients(loss, y_true):
    y_pred = np.full((4, 2), 0.3, dtype=np.float32)
    assert isinstance(loss(y_pred, y_true), float)
    assert loss.backward().dtype == np.float32


@pytest.mark.parametrize(
    "name, cls",
    [
        ("mse", losses.MSE),
        ("mae", losses.MAE),
        ("huber", losses.Huber),
        ("binary_crossentropy", losses.BinaryCrossEntropy),
        ("binary_crossentropy_logits", losses.BinaryCrossEntropyWithLogits),
        ("categorical_crossentropy", losses.CategoricalCrossEntropy),
    ],
)
def test_get_loss_by_name(name, cls):
    assert type(losses.get_loss(name)) is cls


def test_get_loss_passes_objects_through_and_lists_valid_names_for_unknown_ones():
    loss = losses.Huber(delta=2.0)
    assert losses.get_loss(loss) is loss
    with pytest.raises(ValueError) as info:
        losses.get_loss("hinge")
    message = str(info.value)
    assert "unknown loss 'hinge'" in message
    for name in LOSS_NAMES:
        assert name in message

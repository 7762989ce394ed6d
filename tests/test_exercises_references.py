"""The reference solutions the grader trusts, checked against independent computations.

The grader's expected answers come from the source notebooks' solutions, so those must be
right: here they meet SciPy, numerical gradients, explicit loops and known identities.
"""

import numpy as np
import pytest
import scipy.signal
import scipy.special

from dlgrade import exercises, grade, wire

RNG = np.random.default_rng(1234)


@pytest.fixture(scope="module")
def ref():
    namespace = {}
    for slug in exercises.slugs():
        namespace.update(vars(grade.reference(slug)))
    return type("Ref", (), {k: staticmethod(v) if callable(v) else v for k, v in namespace.items()})


def numeric_grad(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def rel_error(a, b):
    """|a - b| / (|a| + |b|) in the Euclidean norm: one readable number per comparison."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


# --- exercise 1 -----------------------------------------------------------------------------------
def test_standardize_gives_zero_mean_unit_std_and_zeros_for_constant_columns(ref):
    X = RNG.normal(3, 2, size=(50, 4))
    X[:, 3] = 7.0
    Z = ref.standardize(X)
    assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z[:, :3].std(axis=0), 1) and np.all(Z[:, 3] == 0)
    assert ref.standardize(X.astype(np.float32)).dtype == np.float32


def test_pairwise_distances_match_an_explicit_double_loop(ref):
    A, B = RNG.normal(size=(4, 3)), RNG.normal(size=(5, 3))
    loop = np.array([[np.sum((a - b) ** 2) for b in B] for a in A])
    assert np.allclose(ref.pairwise_sq_distances(A, B), loop)


def test_least_squares_matches_lstsq(ref):
    X, y = RNG.normal(size=(20, 4)), RNG.normal(size=20)
    assert np.allclose(ref.least_squares(X, y), np.linalg.lstsq(X, y, rcond=None)[0])


@pytest.mark.parametrize(
    "name, params, gradient",
    [
        (
            "quadratic",
            {"A": np.diag([1.0, 2.0, 3.0, 4.0]), "b": np.ones(4)},
            lambda x: np.array([1, 2, 3, 4.0]) * x + 1,
        ),
        ("sum_exp", {"scale": 2.0}, lambda x: np.exp(2 * x)),
        ("sum_sin_product", {"w": np.arange(1.0, 5.0).reshape(2, 2)}, None),
    ],
)
def test_numerical_gradient_matches_analytic_gradients_and_restores_x(ref, name, params, gradient):
    x = RNG.normal(size=(2, 2)) if name == "sum_sin_product" else RNG.normal(size=4)
    if gradient is None:
        w = params["w"]
        gradient = lambda v: w * np.cos(w * v)  # noqa: E731
    original = x.copy()
    estimate = ref.numerical_gradient(wire.make_function(name, params), x)
    assert rel_error(estimate, gradient(original)) < 1e-7
    assert np.array_equal(x, original)


# --- exercise 2 -----------------------------------------------------------------------------------
def test_sigmoid_matches_scipy_and_never_overflows(ref):
    z = np.concatenate([RNG.normal(0, 10, 50), [-1000.0, -710.0, 710.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.allclose(ref.sigmoid(z), scipy.special.expit(z), rtol=1e-12, atol=1e-300)


def test_softmax_matches_scipy_and_ignores_shifts(ref):
    z = RNG.normal(size=(3, 4, 5)) * 4
    assert np.allclose(ref.softmax(z), scipy.special.softmax(z, axis=-1))
    with np.errstate(over="raise", invalid="raise"):
        assert np.allclose(ref.softmax(z + 1000.0), ref.softmax(z))


def test_binary_cross_entropies_agree_with_scipy(ref):
    z = RNG.normal(0, 3, 40)
    y = RNG.integers(0, 2, 40).astype(float)
    expected = -np.mean(y * scipy.special.log_expit(z) + (1 - y) * scipy.special.log_expit(-z))
    assert ref.binary_cross_entropy_logits(z, y) == pytest.approx(expected, rel=1e-12)
    assert ref.binary_cross_entropy(scipy.special.expit(z), y) == pytest.approx(expected, rel=1e-6)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert ref.binary_cross_entropy_logits(np.array([-1000.0]), np.array([1.0])) == 1000.0
        assert np.isfinite(ref.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))


def test_categorical_cross_entropy_matches_logsumexp_and_its_gradient_is_right(ref):
    logits = RNG.normal(size=(6, 5)) * 3
    labels = RNG.integers(0, 5, 6)
    expected = np.mean(scipy.special.logsumexp(logits, axis=1) - logits[np.arange(6), labels])
    assert ref.categorical_cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-12)
    numeric = numeric_grad(lambda: ref.categorical_cross_entropy(logits, labels), logits)
    assert rel_error(ref.categorical_cross_entropy_grad(logits, labels), numeric) < 1e-6


# --- exercise 3 -----------------------------------------------------------------------------------
def test_dense_backward_matches_numerical_gradients(ref):
    x, W, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=2)
    G = RNG.normal(size=(4, 2))  # L = sum(z * G), so dL/dz = G

    def loss():
        return np.sum(ref.dense_forward(x, W, b) * G)

    dx, dW, db = ref.dense_backward(G, x, W)
    for analytic, value in ((dx, x), (dW, W), (db, b)):
        assert rel_error(analytic, numeric_grad(loss, value)) < 1e-7


def test_relu_backward_matches_numerical_gradients_away_from_zero(ref):
    z = RNG.normal(size=(3, 4))
    z[np.abs(z) < 0.1] = 0.5
    G = RNG.normal(size=(3, 4))
    numeric = numeric_grad(lambda: np.sum(np.maximum(z, 0) * G), z)
    assert rel_error(ref.relu_backward(G, z), numeric) < 1e-7


def test_two_layer_gradients_match_numerical_gradients(ref):
    x, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    params = [RNG.normal(size=(3, 4)), RNG.normal(size=4), RNG.normal(size=(4, 2)), RNG.normal(size=2)]
    loss, *grads = ref.two_layer_loss_and_grads(x, y, *params)
    assert isinstance(loss, float)
    for analytic, value in zip(grads, params, strict=True):
        numeric = numeric_grad(lambda: ref.two_layer_loss_and_grads(x, y, *params)[0], value)
        assert rel_error(analytic, numeric) < 1e-6


# --- exercise 4 -----------------------------------------------------------------------------------
def test_optimizer_steps_are_pure_and_agree_with_known_identities(ref):
    w, dw = RNG.normal(size=5), RNG.normal(size=5)
    w0, dw0 = w.copy(), dw.copy()
    w_momentum, state = ref.momentum_step(w, dw, None, lr=0.1, beta=0.0)
    assert np.allclose(w_momentum, ref.sgd_step(w, dw, 0.1)) and np.allclose(state["v"], dw)
    w_adam, adam_state = ref.adam_step(w, dw, None, lr=0.01, eps=0.0)
    assert np.allclose(w_adam, w - 0.01 * np.sign(dw)) and adam_state["t"] == 1  # first step: lr * sign(g)
    w_scaled, _ = ref.adam_step(w, 1000 * dw, None, lr=0.01, eps=0.0)
    assert np.allclose(w_scaled, w_adam)
    assert np.array_equal(w, w0) and np.array_equal(dw, dw0)


def test_adam_follows_a_long_run_of_the_textbook_update(ref):
    w, state = RNG.normal(size=3), None
    m = v = np.zeros(3)
    w_book = w.copy()
    for t in range(1, 30):
        g = np.cos(t * np.arange(1.0, 4.0))
        w, state = ref.adam_step(w, g, state, lr=0.05)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        w_book = w_book - 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    assert np.allclose(w, w_book) and state["t"] == 29


# --- exercise 5 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("stride, pad, kernel", [(1, 0, (3, 3)), (2, 1, (3, 3)), (1, 1, (2, 3)), (2, 0, (3, 2))])
def test_conv_loop_and_vectorised_forward_agree(ref, stride, pad, kernel):
    x, Wt, b = RNG.normal(size=(2, 3, 7, 6)), RNG.normal(size=(4, 3, *kernel)), RNG.normal(size=4)
    loop = ref.conv2d_forward_loop(x, Wt, b, stride=stride, pad=pad)
    assert np.allclose(ref.conv2d_forward(x, Wt, b, stride=stride, pad=pad), loop)


def test_conv_forward_matches_scipy_correlate(ref):
    x, Wt = RNG.normal(size=(1, 2, 6, 5)), RNG.normal(size=(1, 2, 3, 3))
    expected = sum(scipy.signal.correlate2d(x[0, c], Wt[0, c], mode="valid") for c in range(2))
    assert np.allclose(ref.conv2d_forward(x, Wt, np.zeros(1))[0, 0], expected)


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (2, 0)])
def test_conv_backward_matches_numerical_gradients(ref, stride, pad):
    x, Wt, b = RNG.normal(size=(2, 2, 6, 7)), RNG.normal(size=(3, 2, 3, 2)), RNG.normal(size=3)
    G = RNG.normal(size=ref.conv2d_forward(x, Wt, b, stride=stride, pad=pad).shape)

    def loss():
        return np.sum(ref.conv2d_forward(x, Wt, b, stride=stride, pad=pad) * G)

    dx, dWt, db = ref.conv2d_backward(G, x, Wt, stride=stride, pad=pad)
    for analytic, value in ((dx, x), (dWt, Wt), (db, b)):
        assert rel_error(analytic, numeric_grad(loss, value)) < 1e-6


# --- exercise 6 -----------------------------------------------------------------------------------
def test_causal_mask_is_the_lower_triangle(ref):
    assert np.array_equal(ref.causal_mask(5), np.tril(np.ones((5, 5), bool)))


def test_masked_softmax_zeroes_masked_entries_and_empty_rows(ref):
    scores = RNG.normal(size=(4, 6)) * 5
    mask = RNG.random((4, 6)) < 0.5
    mask[0] = False
    mask[1] = True
    p = ref.masked_softmax(scores, mask)
    assert np.all(p[~mask] == 0) and np.all(p[0] == 0)
    assert np.allclose(p[1:].sum(axis=-1)[mask[1:].any(axis=-1)], 1)
    assert np.allclose(p[1], scipy.special.softmax(scores[1]))


def test_attention_matches_a_loop_over_queries(ref):
    Q, K, V = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4)), RNG.normal(size=(2, 5, 6))
    mask = RNG.random((2, 3, 5)) < 0.7
    mask[..., 0] = True
    out, weights = ref.attention(Q, K, V, mask)
    for n in range(2):
        for i in range(3):
            allowed = np.flatnonzero(mask[n, i])
            w = scipy.special.softmax(K[n, allowed] @ Q[n, i] / 2.0)
            assert np.allclose(weights[n, i, allowed], w) and np.allclose(out[n, i], w @ V[n, allowed])


def test_split_heads_gives_each_head_its_slice_of_features(ref):
    x = RNG.normal(size=(2, 3, 12))
    heads = ref.split_heads(x, 4)
    assert heads.shape == (2, 4, 3, 3)
    for k in range(4):
        assert np.array_equal(heads[:, k], x[:, :, 3 * k : 3 * k + 3])

"""The bundled, generated and toy datasets of dlcore.datasets: shapes, dtypes, ranges, repeatability."""

import random
import socket

import numpy as np
import pytest

from dlcore import datasets


# --- scikit-learn's bundled data -------------------------------------------------------
def test_digits_are_float32_images_scaled_to_the_unit_interval():
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 1
    np.testing.assert_array_equal(np.unique(y), np.arange(10))


def test_digits_keep_the_8x8_layout_and_raw_counts_when_asked():
    images, y = datasets.load_digits(flatten=False, scale=False)
    assert images.shape == (1797, 8, 8)
    assert images.max() == 16
    flat, _ = datasets.load_digits()
    np.testing.assert_allclose(images.reshape(1797, 64) / 16, flat, rtol=1e-6)


def test_digits_follow_the_requested_dtype():
    x, _ = datasets.load_digits(dtype=np.float64)
    assert x.dtype == np.float64


@pytest.mark.parametrize(
    "loader, n, d, classes",
    [
        (datasets.load_iris, 150, 4, 3),
        (datasets.load_wine, 178, 13, 3),
        (datasets.load_breast_cancer, 569, 30, 2),
    ],
)
def test_small_tables_have_their_documented_sizes_and_names(loader, n, d, classes):
    x, y = loader()
    assert x.shape == (n, d) and x.dtype == np.float32 and y.dtype == np.int64
    assert len(np.unique(y)) == classes
    _, _, feature_names, class_names = loader(return_names=True)
    assert len(feature_names) == d and len(class_names) == classes
    assert all(isinstance(name, str) for name in feature_names + class_names)


# --- MNIST-1D ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mnist1d_cache(tmp_path_factory):
    """A private cache folder, filled by one generation (so tests never touch ~/.cache)."""
    folder = tmp_path_factory.mktemp("dlcore_cache")
    arrays = datasets.load_mnist1d(cache_dir=folder)
    return folder, arrays


def test_mnist1d_has_the_papers_4000_1000_split_of_length_40_signals(mnist1d_cache):
    _, (x_train, y_train, x_test, y_test) = mnist1d_cache
    assert x_train.shape == (4000, 40) and x_test.shape == (1000, 40)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_array_equal(np.unique(y_train), np.arange(10))
    np.testing.assert_array_equal(np.unique(y_test), np.arange(10))
    both = np.concatenate([x_train, x_test])
    assert abs(both.mean()) < 1e-3 and abs(both.std() - 1) < 1e-3  # the generator standardises the whole set


def test_mnist1d_reads_back_the_cached_arrays(mnist1d_cache):
    folder, arrays = mnist1d_cache
    cached = list(folder.glob("mnist1d_seed42_*.npz"))
    assert len(cached) == 1
    with np.load(cached[0], allow_pickle=False) as f:
        np.testing.assert_array_equal(f["y_test"], arrays[3])
    for again, first in zip(datasets.load_mnist1d(cache_dir=folder), arrays, strict=True):
        np.testing.assert_array_equal(again, first)


def test_mnist1d_generation_is_offline_repeatable_and_leaves_global_randomness_alone(mnist1d_cache, monkeypatch):
    _, arrays = mnist1d_cache

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist1d tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    np.random.seed(123)
    random.seed(123)
    expected_numpy, expected_python = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(123)
    fresh = datasets.load_mnist1d(use_cache=False)
    assert np.random.random() == expected_numpy and random.random() == expected_python
    for a, b in zip(fresh, arrays, strict=True):
        np.testing.assert_array_equal(a, b)


def test_default_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCORE_CACHE", str(tmp_path))
    assert datasets.default_cache_dir() == tmp_path
    monkeypatch.delenv("DLCORE_CACHE")
    assert datasets.default_cache_dir().parts[-2:] == (".cache", "dlcore")


# --- 2-D toy sets -------------------------------------------------------------------------
TOY_SETS = [
    lambda n, rng: datasets.make_moons(n, noise=0.1, rng=rng),
    lambda n, rng: datasets.make_circles(n, noise=0.05, rng=rng),
    lambda n, rng: datasets.make_spirals(n, classes=2, rng=rng),
    lambda n, rng: datasets.make_spirals(n, classes=3, rng=rng),
    lambda n, rng: datasets.make_xor(n, noise=0.1, rng=rng),
]


@pytest.mark.parametrize("make", TOY_SETS)
def test_toy_sets_are_float32_points_with_int64_labels(make):
    x, y = make(101, 0)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("make", TOY_SETS)
def test_toy_sets_repeat_for_a_seed_and_change_with_it(make):
    a, b, c = make(60, 7), make(60, 7), make(60, 8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "make, classes",
    [(datasets.make_moons, 2), (datasets.make_circles, 2), (lambda n, rng: datasets.make_spirals(n, 3, rng=rng), 3)],
)
def test_toy_classes_are_balanced(make, classes):
    _, y = make(301, rng=0)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.max() - counts.min() <= 1


def test_noiseless_circles_lie_on_radius_one_and_factor():
    x, y = datasets.make_circles(200, noise=0.0, factor=0.3, rng=0)
    radius = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-6)


def test_noiseless_moons_lie_on_their_two_arcs():
    x, y = datasets.make_moons(200, noise=0.0, rng=0)
    np.testing.assert_allclose(np.linalg.norm(x[y == 0], axis=1), 1.0, rtol=1e-6)  # upper arc around (0, 0)
    np.testing.assert_allclose(np.linalg.norm(x[y == 1] - [1.0, 0.5], axis=1), 1.0, rtol=1e-6)  # lower around (1, .5)
    assert x[y == 0, 1].min() >= 0 and x[y == 1, 1].max() <= 0.5


def test_noiseless_xor_labels_follow_the_signs():
    x, y = datasets.make_xor(500, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(np.int64))
    assert 200 < y.sum() < 300


def test_spiral_arms_are_rotated_copies_of_each_other():
    x, y = datasets.make_spirals(300, classes=3, noise=0.0, rng=0)
    r = np.linalg.norm(x, axis=1).astype(np.float64)
    angle = np.arctan2(x[:, 1], x[:, 0])
    expected = 2 * np.pi * (r + y / 3)  # turns=1
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-5)


# --- 1-D regression curves ---------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(datasets.REGRESSION_CURVES))
def test_regression_curves_are_sorted_columns_on_the_true_curve_without_noise(kind):
    x, y = datasets.make_regression_curve(kind, n=50, noise=0.0, rng=0)
    assert x.shape == (50, 1) and y.shape == (50, 1) and x.dtype == y.dtype == np.float32
    assert np.all(np.diff(x[:, 0]) >= 0) and x.min() >= -1 and x.max() <= 1
    np.testing.assert_allclose(y, datasets.regression_target(kind, x), atol=1e-6)


def test_sine_curve_noise_has_the_requested_spread():
    x, y = datasets.make_regression_curve("sine", n=5000, noise=0.3, rng=1)
    residual = y - datasets.regression_target("sine", x)
    assert abs(residual.std() - 0.3) < 0.02


def test_regression_curve_names_the_known_kinds():
    with pytest.raises(ValueError, match="sine"):
        datasets.make_regression_curve("wiggle", n=10, rng=0)

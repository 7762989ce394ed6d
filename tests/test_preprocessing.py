"""Scaling, encoding, imputing, outliers, splitting and augmentation in dlcore.preprocessing."""

import numpy as np
import pytest
from sklearn import impute as sk_impute
from sklearn import preprocessing as sk_pre

from dlcore import preprocessing as pre


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=[0.0, 5.0, -3.0], scale=[1.0, 10.0, 0.1], size=(50, 3))
    return x.astype(np.float32)


# --- scalers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (pre.StandardScaler, sk_pre.StandardScaler),
        (pre.MinMaxScaler, sk_pre.MinMaxScaler),
    ],
)
def test_scalers_match_scikit_learn_on_train_and_unseen_data(table, ours, theirs):
    train, test = table[:40], table[40:]
    mine, ref = ours().fit(train), theirs().fit(train.astype(np.float64))
    np.testing.assert_allclose(mine.transform(test), ref.transform(test.astype(np.float64)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mine.fit_transform(train), ref.transform(train.astype(np.float64)), atol=1e-5)


def test_min_max_scaler_respects_a_custom_range(table):
    out = pre.MinMaxScaler(feature_range=(-1, 1)).fit_transform(table)
    ref = sk_pre.MinMaxScaler(feature_range=(-1, 1)).fit_transform(table.astype(np.float64))
    np.testing.assert_allclose(out, ref, atol=1e-5)
    np.testing.assert_allclose(out.min(axis=0), -1, atol=1e-6)
    np.testing.assert_allclose(out.max(axis=0), 1, atol=1e-6)


@pytest.mark.parametrize("scaler", [pre.StandardScaler, pre.MinMaxScaler])
def test_scalers_keep_float32_and_round_trip_through_inverse_transform(table, scaler):
    s = scaler().fit(table)
    out = s.transform(table)
    assert out.dtype == np.float32
    np.testing.assert_allclose(s.inverse_transform(out), table, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("scaler", [pre.StandardScaler, pre.MinMaxScaler])
def test_scalers_do_not_divide_by_zero_on_a_constant_feature(scaler):
    x = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    with np.errstate(all="raise"):
        out = scaler().fit_transform(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[:, 1], 0.0)  # constant column goes to the bottom of the range / zero mean


@pytest.mark.parametrize("scaler", [pre.StandardScaler, pre.MinMaxScaler])
def test_scalers_refuse_transform_before_fit(scaler):
    with pytest.raises(RuntimeError, match="fit"):
        scaler().transform(np.zeros((2, 3)))


@pytest.mark.parametrize("scaler", [pre.StandardScaler, pre.MinMaxScaler])
def test_scalers_name_the_feature_count_when_it_differs(table, scaler):
    s = scaler().fit(table)
    with pytest.raises(ValueError, match="3 features.*2"):
        s.transform(table[:, :2])


def test_scalers_suggest_reshape_for_a_vector():
    with pytest.raises(ValueError, match="reshape"):
        pre.StandardScaler().fit(np.arange(5.0))


def test_scalers_do_not_modify_their_input(table):
    before = table.copy()
    s = pre.StandardScaler().fit(table)
    s.transform(table)
    s.inverse_transform(table)
    np.testing.assert_array_equal(table, before)


# --- labels ----------------------------------------------------------------------------
def test_one_hot_puts_a_single_one_at_each_label():
    y = np.array([2, 0, 1, 2])
    out = pre.one_hot(y, num_classes=4)
    assert out.shape == (4, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(axis=1), y)
    np.testing.assert_array_equal(out.sum(axis=1), 1)
    np.testing.assert_array_equal(out[:, 3], 0)


def test_one_hot_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match="0..2"):
        pre.one_hot(np.array([0, 3]), num_classes=3)


def test_label_encoder_round_trips_strings_and_matches_scikit_learn():
    labels = np.array(["cat", "dog", "ant", "dog", "cat"])
    enc = pre.LabelEncoder()
    codes = enc.fit_transform(labels)
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, sk_pre.LabelEncoder().fit_transform(labels))
    np.testing.assert_array_equal(enc.inverse_transform(codes), labels)


def test_label_encoder_maps_integer_labels_to_consecutive_codes():
    enc = pre.LabelEncoder().fit([10, 30, 20, 30])
    np.testing.assert_array_equal(enc.transform([30, 10]), [2, 0])


def test_label_encoder_names_unseen_labels():
    enc = pre.LabelEncoder().fit(["a", "b"])
    with pytest.raises(ValueError, match="zebra"):
        enc.transform(["a", "zebra"])


# --- missing values ------------------------------------------------------------------
def _with_holes(seed=1, n=60, d=4, frac=0.15):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) * [1, 3, 0.5, 2]
    holes = rng.random(x.shape) < frac
    holes[:, 0] &= np.arange(n) % 2 == 0  # keep every column partly observed
    return np.where(holes, np.nan, x)


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_simple_imputer_matches_scikit_learn(strategy):
    x = _with_holes()
    train, test = x[:40], x[40:]
    mine = pre.SimpleImputer(strategy).fit(train).transform(test)
    ref = sk_impute.SimpleImputer(strategy=strategy).fit(train).transform(test)
    np.testing.assert_allclose(mine, ref, rtol=1e-12)
    assert not np.isnan(mine).any()


def test_simple_imputer_fills_with_training_statistics_only():
    train = np.array([[1.0], [3.0], [np.nan]])
    test = np.array([[np.nan], [100.0]])
    np.testing.assert_array_equal(pre.SimpleImputer("mean").fit(train).transform(test), [[2.0], [100.0]])


@pytest.mark.parametrize("k", [1, 3, 5])
def test_knn_imputer_matches_scikit_learn(k):
    x = _with_holes(seed=2)
    train, test = x[:45], x[45:]
    mine = pre.KNNImputer(k).fit(train)
    ref = sk_impute.KNNImputer(n_neighbors=k).fit(train)
    np.testing.assert_allclose(mine.transform(test), ref.transform(test), rtol=1e-10)
    np.testing.assert_allclose(mine.transform(train), ref.transform(train), rtol=1e-10)


def test_nan_euclidean_distances_match_scikit_learn():
    from sklearn.metrics.pairwise import nan_euclidean_distances

    x = _with_holes(seed=3, n=12)
    np.testing.assert_allclose(pre.nan_euclidean_distances(x, x[:5]), nan_euclidean_distances(x, x[:5]), atol=1e-6)


def test_imputers_do_not_modify_their_input():
    x = _with_holes()
    before = x.copy()
    pre.KNNImputer(3).fit_transform(x)
    pre.SimpleImputer().fit_transform(x)
    np.testing.assert_array_equal(x, before)  # NaNs compare equal here


# --- outliers --------------------------------------------------------------------------
def test_zscore_outliers_flag_only_the_planted_extreme_values():
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, size=(200, 2))  # |z| <= sqrt(3) for a uniform column
    x[17, 0] = 40.0
    x[99, 1] = -40.0
    mask = pre.zscore_outliers(x, threshold=3)
    assert mask.shape == x.shape
    np.testing.assert_array_equal(np.argwhere(mask), [[17, 0], [99, 1]])


def test_zscore_outliers_finds_nothing_in_a_constant_column():
    with np.errstate(all="raise"):
        assert not pre.zscore_outliers(np.full(10, 3.0)).any()


def test_iqr_outliers_use_tukey_fences_per_column():
    # Evenly spread base values have Q1 ~ 0.25, Q3 ~ 0.75, IQR ~ 0.5: fences near -0.5 and 1.5 for k = 1.5.
    planted = np.array([1.6, -0.6, 1.4, -0.4])  # two beyond the fences, two inside them
    column = np.concatenate([np.linspace(0, 1, 1001), planted])
    x = np.stack([column, 10 * column], axis=1)  # the fences scale with the column
    mask = pre.iqr_outliers(x, k=1.5)
    assert mask.shape == x.shape
    np.testing.assert_array_equal(np.flatnonzero(mask[:, 0]), [1001, 1002])
    np.testing.assert_array_equal(mask[:, 1], mask[:, 0])
    assert pre.iqr_outliers(column, k=3.5).sum() == 0  # wider fences near -1.5 and 2.5


# --- splitting -------------------------------------------------------------------------
def _imbalanced_labels():
    return np.repeat([0, 1, 2], [70, 25, 8])


def test_train_test_split_partitions_the_samples_without_overlap():
    x = np.arange(103)[:, None] * 1.0
    y = _imbalanced_labels()
    x_tr, x_te, y_tr, y_te = pre.train_test_split(x, y, test_size=0.25, rng=0)
    assert len(x_te) == round(0.25 * 103) and len(x_tr) + len(x_te) == 103
    np.testing.assert_array_equal(np.sort(np.concatenate([x_tr, x_te])[:, 0]), np.arange(103))
    np.testing.assert_array_equal(y[x_tr[:, 0].astype(int)], y_tr)  # rows stay paired with labels


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("test_size", [0.2, 0.33, 17])
def test_stratified_split_keeps_class_proportions_within_one_sample(seed, test_size):
    y = _imbalanced_labels()
    x = np.zeros((len(y), 2))
    _, x_te, _, y_te = pre.train_test_split(x, y, test_size=test_size, stratify=True, rng=seed)
    for c, n_c in zip(*np.unique(y, return_counts=True), strict=True):
        assert abs((y_te == c).sum() - len(y_te) * n_c / len(y)) < 1


def test_split_is_repeatable_for_a_seed_and_differs_between_seeds():
    x, y = np.arange(50.0)[:, None], np.arange(50) % 2
    a = pre.train_test_split(x, y, rng=3)
    b = pre.train_test_split(x, y, rng=3)
    c = pre.train_test_split(x, y, rng=4)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_train_val_test_split_sizes_disjointness_and_stratification():
    y = _imbalanced_labels()
    x = np.arange(len(y))
    x_tr, x_va, x_te, y_tr, y_va, y_te = pre.train_val_test_split(
        x, y, val_size=0.2, test_size=0.2, stratify=True, rng=0
    )
    assert (len(x_tr), len(x_va), len(x_te)) == (len(y) - 2 * 21, 21, 21)
    assert len(set(x_tr) | set(x_va) | set(x_te)) == len(y)
    for part in (y_va, y_te):
        for c, n_c in zip(*np.unique(y, return_counts=True), strict=True):
            assert abs((part == c).sum() - len(part) * n_c / len(y)) < 1.5


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        pre.train_test_split(np.zeros((5, 2)), np.zeros(4))


# --- augmentation ----------------------------------------------------------------------
@pytest.fixture
def images():
    return np.random.default_rng(5).random((3, 8, 8)).astype(np.float32)


def test_flipping_twice_gives_back_the_image(images):
    once = pre.flip_horizontal(images)
    assert not np.array_equal(once, images)
    np.testing.assert_array_equal(pre.flip_horizontal(once), images)
    np.testing.assert_array_equal(once[:, :, 0], images[:, :, -1])


def test_shift_moves_a_single_bright_pixel():
    image = np.zeros((8, 8), dtype=np.float32)
    image[2, 3] = 1.0
    moved = pre.shift(image, dx=2, dy=-1)  # two right, one up
    assert moved.dtype == np.float32
    np.testing.assert_allclose(moved[1, 5], 1.0)
    np.testing.assert_allclose(moved.sum(), 1.0)


def test_shift_fills_the_uncovered_border_with_zero(images):
    moved = pre.shift(images, dx=-3, dy=0)
    np.testing.assert_array_equal(moved[:, :, -3:], 0)
    np.testing.assert_allclose(moved[:, :, :-3], images[:, :, 3:], atol=1e-6)


def test_rotating_a_quarter_turn_is_counter_clockwise():
    image = np.zeros((7, 7))
    image[3, 5] = 1.0  # right of the centre pixel (3, 3)
    turned = pre.rotate(image, 90)
    np.testing.assert_allclose(turned[1, 3], 1.0, atol=1e-12)  # now above the centre
    np.testing.assert_allclose(pre.rotate(image, 0), image)


def test_rotating_a_batch_rotates_each_image_alike(images):
    batch = pre.rotate(images, 30)
    assert batch.shape == images.shape and batch.dtype == np.float32
    np.testing.assert_allclose(batch[1], pre.rotate(images[1], 30), atol=1e-6)


def test_add_noise_has_the_requested_spread_and_respects_the_seed():
    zeros = np.zeros((100, 28, 28), dtype=np.float32)
    noisy = pre.add_noise(zeros, std=0.2, rng=0)
    assert noisy.dtype == np.float32
    assert abs(noisy.std() - 0.2) < 0.005
    np.testing.assert_array_equal(noisy, pre.add_noise(zeros, std=0.2, rng=0))
    assert pre.add_noise(zeros, 1.0, rng=1, clip=(0, 1)).min() == 0


def test_random_augment_keeps_shapes_and_is_repeatable(images):
    out = pre.random_augment(images, rng=0, max_angle=20, max_shift=1, noise_std=0.05, clip=(0, 1))
    assert out.shape == images.shape and out.dtype == images.dtype
    assert out.min() >= 0 and out.max() <= 1
    assert not np.allclose(out, images)
    again = pre.random_augment(images, rng=0, max_angle=20, max_shift=1, noise_std=0.05, clip=(0, 1))
    np.testing.assert_array_equal(out, again)
    assert pre.random_augment(images[0], rng=0).shape == (8, 8)


def test_random_augment_with_everything_off_is_the_identity(images):
    out = pre.random_augment(images, rng=0, max_angle=0, max_shift=0)
    np.testing.assert_array_equal(out, images)


def test_augmentation_does_not_modify_its_input(images):
    before = images.copy()
    pre.flip_horizontal(images)
    pre.rotate(images, 10)
    pre.shift(images, 1, 1)
    pre.add_noise(images, 0.1, rng=0)
    pre.random_augment(images, rng=0, flip_prob=1.0, noise_std=0.1)
    np.testing.assert_array_equal(images, before)

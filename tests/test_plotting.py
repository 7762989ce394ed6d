"""Shared plotting helpers (dlcore.plotting): every figure is titled, labelled and shows the data given."""

import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from dlcore import plotting as P


@pytest.fixture(autouse=True)
def no_warnings_and_no_leaked_figures():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def boundary_vertices(ax):
    """All vertices of the contour lines drawn on ax (the decision boundary)."""
    lines = [c for c in ax.collections if hasattr(c, "levels") and not c.filled]
    verts = [p.vertices for c in lines for p in c.get_paths() if len(p.vertices)]
    return np.concatenate(verts) if verts else np.empty((0, 2))


# --- colours --------------------------------------------------------------------------------
def test_class_colors_are_distinct_for_up_to_ten_classes():
    colors = P.class_colors(10)
    assert len({to_rgb(c) for c in colors}) == 10
    assert P.class_colors(3) == list(P.PALETTE[:3])
    with pytest.raises(ValueError, match="n <= 10"):
        P.class_colors(11)


def test_palette_avoids_yellow_on_white_for_the_first_classes():
    luminance = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in map(to_rgb, P.PALETTE[:6])]
    assert max(luminance) < 0.75  # the first six colours all show on white paper


# --- show_images -----------------------------------------------------------------------
def test_show_images_unflattens_square_vectors_and_captions_each_image():
    rng = np.random.default_rng(0)
    flat = rng.uniform(size=(5, 64)).astype(np.float32)
    fig = P.show_images(flat, labels=[3, 1, 4, 1, 5], ncols=3, title="Five digits")
    assert fig._suptitle.get_text() == "Five digits"
    used = [ax for ax in fig.axes if ax.images]
    assert len(used) == 5 and len(fig.axes) == 6  # a 2x3 grid, the last cell empty
    assert [ax.get_title() for ax in used] == ["3", "1", "4", "1", "5"]
    np.testing.assert_array_equal(used[2].images[0].get_array(), flat[2].reshape(8, 8))


def test_show_images_uses_one_gray_scale_for_all_images():
    images = np.stack([np.full((4, 4), 0.2), np.linspace(0, 1, 16).reshape(4, 4)])
    fig = P.show_images(images)
    climits = {ax.images[0].get_clim() for ax in fig.axes}
    assert climits == {(0.0, 1.0)}


def test_show_images_draws_rgb_images_in_colour():
    rgb = np.zeros((2, 3, 4, 3))
    rgb[0, ..., 0] = 1.0  # a red image
    fig = P.show_images(rgb, title="RGB")
    assert fig.axes[0].images[0].get_array().shape == (3, 4, 3)


def test_show_images_needs_a_shape_for_non_square_flat_images():
    with pytest.raises(ValueError, match="image_shape"):
        P.show_images(np.zeros((2, 6)))
    fig = P.show_images(np.zeros((2, 6)), image_shape=(2, 3))
    assert fig.axes[0].images[0].get_array().shape == (2, 3)
    with pytest.raises(ValueError, match="2 images but 3 labels"):
        P.show_images(np.zeros((2, 4, 4)), labels=[0, 1, 2])


# --- vectors and classes --------------------------------------------------------------------
def test_plot_vectors_draws_one_labelled_arrow_per_vector_inside_the_view():
    vectors = np.array([[2.0, 1.0], [-1.0, 3.0], [0.5, -2.5]])
    ax = P.plot_vectors(vectors, labels=["u", "v", "w"], title="Three vectors")
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    assert len(arrows) == 3
    np.testing.assert_allclose([a.xy for a in arrows], vectors)
    assert {t.get_text() for t in ax.texts} >= {"u", "v", "w"}
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < vectors[:, 0].min() and x1 > vectors[:, 0].max() and y0 < vectors[:, 1].min() and y1 > 3.0
    assert ax.get_title() == "Three vectors" and ax.get_xlabel() and ax.get_ylabel()


def test_plot_classes_2d_draws_one_group_per_class_with_a_legend():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 2)), np.repeat([0, 1, 2], 20)
    ax = P.plot_classes_2d(X, y, title="Classes", annotate_means=True)
    assert len(ax.collections) == 3
    np.testing.assert_allclose(ax.collections[1].get_offsets(), X[y == 1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1", "2"]
    assert ax.get_title() == "Classes" and ax.get_xlabel() and ax.get_ylabel()


# --- decision boundaries ------------------------------------------------------------------
def two_blobs(dtype=np.float32):
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(-2, 0.5, size=(20, 2)), rng.normal(2, 0.5, size=(20, 2))]).astype(dtype)
    return X, np.repeat([0, 1], 20)


def test_decision_boundary_of_a_label_classifier_lies_where_the_label_changes():
    X, y = two_blobs()
    seen = {}

    def predict(points):
        seen["shape"], seen["dtype"] = points.shape, points.dtype
        return (points[:, 0] > 0.3).astype(np.int64)  # boundary: the vertical line x1 = 0.3

    ax = P.plot_decision_boundary(predict, X, y, resolution=50, title="Threshold on x1")
    assert seen == {"shape": (2500, 2), "dtype": np.float32}  # float32 data gives a float32 grid
    boundary = boundary_vertices(ax)
    assert len(boundary) > 0
    spacing = (X[:, 0].max() - X[:, 0].min() + 1.0) / 49
    assert np.all(np.abs(boundary[:, 0] - 0.3) <= spacing)
    assert ax.get_title() == "Threshold on x1" and ax.get_xlabel() and ax.get_ylabel()


def test_decision_boundary_of_probabilities_is_the_half_probability_contour():
    X, y = two_blobs(np.float64)

    def prob_of_class_1(points):  # logistic in x1 + x2, 0.5 on the line x1 + x2 = 0
        return 1 / (1 + np.exp(-(points[:, 0] + points[:, 1])))

    ax = P.plot_decision_boundary(prob_of_class_1, X, y, resolution=80)
    half = [c for c in ax.collections if hasattr(c, "levels") and list(c.levels) == [0.5]]
    assert len(half) == 1
    verts = np.concatenate([p.vertices for p in half[0].get_paths()])
    np.testing.assert_allclose(verts.sum(axis=1), 0.0, atol=1e-3)
    assert len(ax.figure.axes) == 2  # the colour bar for P(class 1)


def test_decision_boundary_takes_the_argmax_of_class_scores():
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0]])
    y = np.array([0, 1, 2])

    def scores(points):  # (M, 3): class 0 left, class 1 upper right, class 2 lower right
        return np.stack([-points[:, 0], points[:, 0] + points[:, 1], points[:, 0] - points[:, 1]], axis=1)

    ax = P.plot_decision_boundary(scores, X, y, resolution=40)
    filled = [c for c in ax.collections if hasattr(c, "levels") and c.filled]
    assert len(filled) == 1 and len(filled[0].levels) == 4  # three class regions
    assert len(ax.get_legend().get_texts()) == 3


def test_decision_boundary_rejects_a_predict_fn_of_the_wrong_length():
    X, y = two_blobs()
    with pytest.raises(ValueError, match="predict_fn returned"):
        P.plot_decision_boundary(lambda points: np.zeros(3), X, y, resolution=10)


# --- functions -------------------------------------------------------------------------------
def test_plot_function_and_derivative_draws_both_curves_at_the_given_points():
    x = np.linspace(-2, 2, 41)
    ax = P.plot_function_and_derivative(np.tanh, lambda t: 1 - np.tanh(t) ** 2, x, title="tanh")
    f_line, df_line = ax.get_lines()[:2]
    np.testing.assert_allclose(f_line.get_ydata(), np.tanh(x))
    np.testing.assert_allclose(df_line.get_ydata(), 1 - np.tanh(x) ** 2)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$f(x)$", "$f'(x)$"]
    assert ax.get_title() == "tanh" and ax.get_xlabel() and ax.get_ylabel()

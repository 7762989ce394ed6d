"""The 2x2 linear-map widget of chapter 01 (dlcore.widgets.linear_map)."""

import warnings

import matplotlib

matplotlib.use("agg")
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.widgets import linear_map as L

ROTATION_90 = np.array([[0.0, -1.0], [1.0, 0.0]])
SHEAR = np.array([[1.0, 1.0], [0.0, 1.0]])
REFLECTION = np.array([[1.0, 0.0], [0.0, -1.0]])
SINGULAR = np.array([[1.0, 2.0], [0.5, 1.0]])  # second column = 2 * first


def random_matrices(n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-3, 3, size=(2, 2)) for _ in range(n)]


def rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


# --- grid and circle -------------------------------------------------------------------
def test_grid_lines_are_vertical_then_horizontal_and_cover_the_square():
    lines = L.grid_lines(extent=2.0, n_lines=5, n_points=7)
    assert lines.shape == (10, 7, 2)
    vertical, horizontal = lines[:5], lines[5:]
    assert np.all(vertical[:, :, 0] == vertical[:, :1, 0])  # x1 constant along each vertical line
    assert np.all(horizontal[:, :, 1] == horizontal[:, :1, 1])  # x2 constant along each horizontal line
    assert lines.min() == -2.0 and lines.max() == 2.0


@pytest.mark.parametrize("M", random_matrices(5) + [SHEAR, SINGULAR])
def test_transformed_grid_points_are_M_times_the_original_points(M):
    original = L.grid_lines(extent=1.5, n_lines=4, n_points=6)
    moved = L.transform_grid(M, extent=1.5, n_lines=4, n_points=6)
    assert moved.shape == original.shape
    for line, line_image in zip(original, moved, strict=True):
        for p, q in zip(line, line_image, strict=True):
            np.testing.assert_allclose(q, M @ p, atol=1e-12)


def test_transformed_grid_lines_stay_straight():
    moved = L.transform_grid(random_matrices(1, seed=3)[0], n_lines=3, n_points=10)
    for line in moved:
        steps = np.diff(line, axis=0)  # equal steps along a straight, evenly sampled line
        np.testing.assert_allclose(steps, np.broadcast_to(steps[0], steps.shape), atol=1e-12)


@pytest.mark.parametrize("M", random_matrices(4, seed=1))
def test_unit_circle_image_is_the_ellipse_of_points_M_u_with_unit_u(M):
    ellipse = L.unit_circle_image(M, n_points=50)
    assert ellipse.shape == (50, 2)
    preimages = np.linalg.solve(M, ellipse.T).T  # u = M^-1 q
    np.testing.assert_allclose(np.linalg.norm(preimages, axis=1), 1.0, rtol=1e-10)
    np.testing.assert_allclose(ellipse[0], ellipse[-1], atol=1e-12)  # closed curve


def test_non_2x2_matrix_is_rejected_with_its_shape():
    with pytest.raises(ValueError, match=r"2x2.*\(3, 3\)"):
        L.transform_grid(np.eye(3))


# --- eigenvalues and eigenvectors -----------------------------------------------------------
@pytest.mark.parametrize("M", random_matrices(8, seed=2) + [ROTATION_90, SHEAR])
def test_eigenvalues_2x2_match_numpy(M):
    ours = np.sort_complex(np.array(L.eigenvalues_2x2(M)))
    theirs = np.sort_complex(np.linalg.eigvals(M).astype(complex))
    np.testing.assert_allclose(ours, theirs, atol=1e-7)


def test_real_eigenvectors_satisfy_M_v_equals_lambda_v():
    checked = 0
    for M in random_matrices(30, seed=4):
        pairs = L.real_eigenvectors(M)
        real_eigs = np.isreal(np.linalg.eigvals(M))
        assert len(pairs) == (2 if real_eigs.all() else 0)
        for lam, v in pairs:
            assert np.linalg.norm(v) == pytest.approx(1.0)
            np.testing.assert_allclose(M @ v, lam * v, atol=1e-9)
            checked += 1
    assert checked >= 10  # the random draw must include enough real cases to mean something


@pytest.mark.parametrize("angle", [np.pi / 2, np.pi / 3, 2.5, -1.0])
def test_rotation_has_no_real_eigenvectors(angle):
    assert L.real_eigenvectors(rotation(angle)) == []
    assert "complex" in L.describe_linear_map(rotation(angle))


def test_rotation_by_half_turn_has_every_vector_as_eigenvector():
    pairs = L.real_eigenvectors(rotation(np.pi))  # = -I, up to rounding
    assert [lam for lam, _ in pairs] == pytest.approx([-1.0, -1.0])


def test_shear_has_a_single_repeated_eigenvalue_with_one_eigenvector():
    pairs = L.real_eigenvectors(SHEAR)
    assert len(pairs) == 1
    lam, v = pairs[0]
    assert lam == pytest.approx(1.0)
    np.testing.assert_allclose(v, [1.0, 0.0], atol=1e-12)
    assert "defective" in L.describe_linear_map(SHEAR)


def test_scalar_matrix_returns_a_basis_of_eigenvectors():
    pairs = L.real_eigenvectors(2.0 * np.eye(2))
    assert [lam for lam, _ in pairs] == [2.0, 2.0]
    V = np.column_stack([v for _, v in pairs])
    assert abs(np.linalg.det(V)) == pytest.approx(1.0)  # two orthonormal vectors span the plane


def test_singular_matrix_has_eigenvalue_zero_along_its_null_space():
    pairs = dict(L.real_eigenvectors(SINGULAR))
    assert sorted(pairs) == pytest.approx([0.0, 2.0])
    v0 = pairs[min(pairs, key=abs)]
    np.testing.assert_allclose(SINGULAR @ v0, 0.0, atol=1e-12)
    assert "collapses the plane onto a line" in L.describe_linear_map(SINGULAR)
    assert "to a point" in L.describe_linear_map(np.zeros((2, 2)))


def test_reflection_flips_orientation_and_has_eigenvalues_plus_and_minus_one():
    pairs = L.real_eigenvectors(REFLECTION)
    assert sorted(lam for lam, _ in pairs) == [-1.0, 1.0]
    assert "flips orientation" in L.describe_linear_map(REFLECTION)


def test_eigenvectors_have_a_fixed_sign():
    for lam, v in L.real_eigenvectors(-REFLECTION) + L.real_eigenvectors(SINGULAR):
        first_nonzero = v[np.flatnonzero(np.abs(v) > 1e-12)[0]]
        assert first_nonzero > 0, (lam, v)


# --- the picture and the widget --------------------------------------------------------
@pytest.mark.parametrize(
    "M", [np.array(L.DEFAULT_ENTRIES).reshape(2, 2), ROTATION_90, SHEAR, SINGULAR, np.zeros((2, 2))]
)
def test_plot_linear_map_draws_a_titled_labelled_picture_without_warnings(M):
    a, b, c, d = M.ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = L.plot_linear_map(a, b, c, d)
    assert f"[[{a:.2f}, {b:.2f}], [{c:.2f}, {d:.2f}]]" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "det M" in texts
    n_eigen_arrows = sum("lambda" in t.get_text() for t in ax.texts)
    assert n_eigen_arrows == len(L.real_eigenvectors(M))
    plt.close(ax.figure)


def find_sliders(widget):
    found = []
    for child in widget.children:
        if isinstance(child, widgets.FloatSlider):
            found.append(child)
        elif isinstance(child, widgets.Box):
            found.extend(find_sliders(child))
    return found


def test_widget_has_four_sliders_set_to_the_default_matrix():
    w = L.linear_map_widget()
    sliders = find_sliders(w)
    assert [s.description for s in sliders] == ["a", "b", "c", "d"]
    assert tuple(s.value for s in sliders) == pytest.approx(L.DEFAULT_ENTRIES)
    plt.close("all")


def test_moving_a_slider_redraws_with_the_new_matrix(monkeypatch):
    calls = []
    monkeypatch.setattr(L, "plot_linear_map", lambda a, b, c, d, ax=None: calls.append((a, b, c, d)))
    w = L.linear_map_widget(1.0, 0.0, 0.0, 1.0)
    sliders = find_sliders(w)
    sliders[1].value = 1.0  # b: identity -> shear
    assert calls[-1] == pytest.approx((1.0, 1.0, 0.0, 1.0))


def test_widget_callback_draws_and_closes_its_figure():
    plt.close("all")
    w = L.linear_map_widget()
    find_sliders(w)[0].value = -1.0
    w.update()  # run the real callback once more explicitly
    assert plt.get_fignums() == []


def test_plot_linear_map_options_for_small_multiples():
    ax = L.plot_linear_map(1.0, 1.0, 0.0, 1.0, legend=False, info="inside", name="shear")
    assert ax.get_title() == "shear: M = [[1.00, 1.00], [0.00, 1.00]]"
    assert ax.get_legend() is None
    box = [t for t in ax.texts if "det M" in t.get_text()]
    assert len(box) == 1 and box[0].get_position() == (0.02, 0.02)  # inside the axes
    assert L.plot_linear_map(1.0, 0.0, 0.0, 1.0).get_legend() is not None
    with pytest.raises(ValueError, match="info must be"):
        L.plot_linear_map(1.0, 0.0, 0.0, 1.0, info="left")
    plt.close("all")

"""What a 2x2 matrix does to the plane (chapter 01).

A matrix M = [[a, b], [c, d]] sends a point p to M p. Because the map is linear, the picture
of a few objects tells the whole story:

- the square grid becomes a grid of parallelograms (straight, parallel, evenly spaced lines);
- the basis vectors e1 = (1, 0) and e2 = (0, 1) land on the columns (a, c) and (b, d);
- the unit square becomes the parallelogram they span, with signed area det M = a d - b c
  (det < 0: the plane is flipped; det = 0: the plane is squashed onto a line or a point);
- the unit circle becomes an ellipse;
- an eigenvector v keeps its direction: M v = lambda v.

The functions here compute these objects (``transform_grid``, ``unit_circle_image``,
``real_eigenvectors``, ``describe_linear_map``), ``plot_linear_map`` draws them and
``linear_map_widget`` puts four sliders on a, b, c, d.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dlcore.plotting import GRID_COLOR, PALETTE

DEFAULT_ENTRIES = (1.25, 0.75, 0.25, 0.75)  # a, b, c, d: eigenvalues 1.5 and 0.5, eigenvectors not orthogonal
EIG_TOL = 1e-9  # relative tolerance for "zero" (determinant, discriminant, singular values)
SLIDER_RANGE = (-3.0, 3.0)
SLIDER_STEP = 0.05

# colours of the picture's parts
E1_COLOR, E2_COLOR = PALETTE[1], PALETTE[2]  # vermillion, bluish green
GRID_IMAGE_COLOR = PALETTE[0]  # blue
CIRCLE_IMAGE_COLOR = PALETTE[4]  # orange
EIGEN_COLOR = PALETTE[3]  # reddish purple


def as_matrix(M) -> np.ndarray:
    """M as a float64 (2, 2) array; raises ValueError for any other shape."""
    M = np.asarray(M, dtype=np.float64)
    if M.shape != (2, 2):
        raise ValueError(f"expected a 2x2 matrix, got shape {M.shape}")
    return M


# --- the objects the picture is made of ---------------------------------------------------
def grid_lines(extent: float = 2.0, n_lines: int = 9, n_points: int = 50) -> np.ndarray:
    """The square grid on [-extent, extent]^2 as polylines.

    Returns lines: (2 * n_lines, n_points, 2); lines[:n_lines] are vertical (x1 constant),
    lines[n_lines:] horizontal (x2 constant).
    """
    ticks = np.linspace(-extent, extent, n_lines)  # (n_lines,)
    t = np.linspace(-extent, extent, n_points)  # (n_points,)
    vertical = np.stack(np.broadcast_arrays(ticks[:, None], t[None, :]), axis=-1)  # (n_lines, n_points, 2)
    horizontal = vertical[..., ::-1]  # swap the coordinates: x2 constant
    return np.concatenate([vertical, horizontal], axis=0)  # (2 * n_lines, n_points, 2)


def transform_grid(M, extent: float = 2.0, n_lines: int = 9, n_points: int = 50) -> np.ndarray:
    """The grid of ``grid_lines`` after the map p -> M p.

    Returns lines: (2 * n_lines, n_points, 2), point for point the image of ``grid_lines(...)``.
    """
    M = as_matrix(M)
    lines = grid_lines(extent, n_lines, n_points)  # (L, P, 2), each point a row vector p
    return lines @ M.T  # row form of M p: (L, P, 2) @ (2, 2) -> (L, P, 2)


def unit_circle_image(M, n_points: int = 201) -> np.ndarray:
    """Points M u for u on the unit circle (an ellipse, or a segment/point if det M = 0).

    Returns (n_points, 2); the first and last point coincide, so it draws as a closed curve.
    """
    M = as_matrix(M)
    theta = np.linspace(0.0, 2 * np.pi, n_points)
    circle = np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (n_points, 2)
    return circle @ M.T


def eigenvalues_2x2(M) -> tuple[complex, complex]:
    """Both eigenvalues of a 2x2 matrix from its characteristic polynomial.

    lambda^2 - tr(M) lambda + det(M) = 0, so lambda = tr/2 +- sqrt((tr/2)^2 - det).
    Returned as (larger, smaller) when real, (re + i im, re - i im) when complex.
    """
    M = as_matrix(M)
    half_trace = (M[0, 0] + M[1, 1]) / 2
    disc = half_trace**2 - _det(M)
    root = np.sqrt(complex(disc)) if disc < 0 else complex(np.sqrt(disc))
    return complex(half_trace + root), complex(half_trace - root)


def real_eigenvectors(M, tol: float = EIG_TOL) -> list[tuple[float, np.ndarray]]:
    """The real eigenpairs of a 2x2 matrix: [(lambda, v), ...] with M v = lambda v and |v| = 1.

    The cases, decided by the discriminant (tr/2)^2 - det of the characteristic polynomial:
    - negative (e.g. a rotation): complex eigenvalues, no real direction is kept -> [];
    - positive: two distinct real eigenvalues, one eigenvector each (larger lambda first);
    - zero, a repeated eigenvalue lambda, then either
        M = lambda I: every vector is an eigenvector, so the basis e1, e2 is returned, or
        M - lambda I has rank 1 (defective, e.g. a shear): a single eigenvector direction.
    "Zero" means within ``tol`` relative to the size of M's entries. Each v is normalised
    and signed so that its first non-zero component is positive.
    """
    M = as_matrix(M)
    scale = max(1.0, float(np.abs(M).max()))
    half_trace = (M[0, 0] + M[1, 1]) / 2
    disc = half_trace**2 - _det(M)
    if disc < -tol * scale**2:
        return []
    if disc > tol * scale**2:
        root = np.sqrt(disc)
        pairs = []
        for lam in (half_trace + root, half_trace - root):
            _, _, Vt = np.linalg.svd(M - lam * np.eye(2))
            pairs.append((float(lam), _canonical(Vt[-1])))  # null direction of M - lambda I
        return pairs
    lam = half_trace  # repeated eigenvalue
    _, s, Vt = np.linalg.svd(M - lam * np.eye(2))
    rank = int(np.sum(s > tol * scale))
    return [(float(lam), _canonical(v)) for v in Vt[rank:]]  # rank 0: e1, e2; rank 1: one vector


def describe_linear_map(M, tol: float = EIG_TOL) -> str:
    """A few lines naming det M, the eigenvalues and what the map does to the plane."""
    M = as_matrix(M)
    scale = max(1.0, float(np.abs(M).max()))
    det = _det(M)
    lam1, lam2 = eigenvalues_2x2(M)
    lines = [f"det M = {det:.2f}"]
    if abs(det) <= tol * scale**2:
        lines[0] = "det M = 0"
        if np.abs(M).max() <= tol:
            lines.append("collapses the plane to a point")
        else:
            lines.append("collapses the plane onto a line (not invertible)")
    elif det < 0:
        lines.append("det < 0: flips orientation")
    else:
        lines.append(f"scales areas by {det:.2f}")
    pairs = real_eigenvectors(M, tol)
    if abs(lam1.imag) > 0:
        lines.append(f"complex eigenvalues {lam1.real:.2f} ± {abs(lam1.imag):.2f}i")
        lines.append("no real eigenvector: every direction turns")
    elif len(pairs) == 2 and pairs[0][0] != pairs[1][0]:
        lines.append(f"eigenvalues {pairs[0][0]:.2f} and {pairs[1][0]:.2f}")
    elif len(pairs) == 2:
        lines.append(f"eigenvalue {pairs[0][0]:.2f} (repeated)")
        lines.append("M = λI: every vector is an eigenvector")
    elif len(pairs) == 1:
        lines.append(f"eigenvalue {pairs[0][0]:.2f} (repeated)")
        lines.append("defective: only one eigen-direction")
    else:  # repeated within tolerance but M - lambda I not singular: a tiny rotation
        lines.append(f"eigenvalues ≈ {lam1.real:.2f} (nearly complex)")
    return "\n".join(lines)


def _det(M: np.ndarray) -> float:
    return float(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0])


def _canonical(v: np.ndarray) -> np.ndarray:
    """v / |v|, with the sign chosen so the first clearly non-zero component is positive."""
    v = v / np.linalg.norm(v)
    first = v[np.argmax(np.abs(v) > 1e-12)]
    return (-v if first < 0 else v) + 0.0  # + 0.0 turns -0.0 into 0.0


# --- the picture ------------------------------------------------------------------------
def plot_linear_map(
    a: float,
    b: float,
    c: float,
    d: float,
    ax: Axes | None = None,
    extent: float = 2.0,
    view: float = 4.0,
    legend: bool = True,
    info: str = "right",
    name: str | None = None,
) -> Axes:
    """Draw how M = [[a, b], [c, d]] transforms the plane.

    Grey: the original grid on [-extent, extent]^2, the unit circle and e1, e2.
    Colour: the transformed grid, the image of the unit square (hatched when det < 0), the
    ellipse M(unit circle), the columns M e1 = (a, c) and M e2 = (b, d), and each real
    eigenvector's line with the arrow M v = lambda v. A box names det M and the eigenvalues.
    The view is fixed to [-view, view]^2 so pictures of different matrices compare.
    The legend (``legend=False`` leaves it out) sits to the right of the Axes, and so does the
    box unless ``info="inside"`` (lower-left corner, for grids of small pictures) or "none".
    ``name`` replaces "How" in the title, e.g. name="shear" -> "shear: M = [[...]]".
    """
    if info not in ("right", "inside", "none"):
        raise ValueError(f"plot_linear_map: info must be 'right', 'inside' or 'none', got {info!r}")
    M = as_matrix([[a, b], [c, d]])
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 5.5))
    n_lines = 9
    # the original plane, in grey
    for line in grid_lines(extent, n_lines):
        ax.plot(line[:, 0], line[:, 1], color=GRID_COLOR, lw=0.6, zorder=1)
    theta = np.linspace(0, 2 * np.pi, 201)
    ax.plot(np.cos(theta), np.sin(theta), color="0.45", lw=1.2, ls="--", zorder=2)
    # the transformed plane: grid (axes lines thicker), unit square, ellipse
    for i, line in enumerate(transform_grid(M, extent, n_lines)):
        on_axis = i % n_lines == n_lines // 2
        ax.plot(line[:, 0], line[:, 1], color=GRID_IMAGE_COLOR, lw=1.6 if on_axis else 0.8, alpha=0.6, zorder=3)
    corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1]]) @ M.T  # unit square -> parallelogram
    flipped = _det(M) < 0
    ax.fill(
        corners[:, 0], corners[:, 1], color=GRID_IMAGE_COLOR, alpha=0.18, hatch="///" if flipped else None, zorder=3
    )
    ellipse = unit_circle_image(M)
    ax.plot(ellipse[:, 0], ellipse[:, 1], color=CIRCLE_IMAGE_COLOR, lw=2.2, zorder=4)
    # eigenvectors: the line they span stays put; M v = lambda v is drawn as an arrow
    for k, (lam, v) in enumerate(real_eigenvectors(M)):
        ax.plot(
            [-2 * view * v[0], 2 * view * v[0]],
            [-2 * view * v[1], 2 * view * v[1]],
            color=EIGEN_COLOR,
            lw=1.3,
            ls=(0, (6, 3)),
            zorder=5,
        )
        _arrow(ax, lam * v, EIGEN_COLOR, width=2.5, zorder=6)
        far = 0.8 * view / np.abs(v).max() * v  # label the line near the edge of the view, away from the arrows
        ax.annotate(
            f"$\\lambda_{k + 1}$={lam:.2f}",
            xy=far,
            xytext=(-4 if far[0] > 0 else 4, 4),
            textcoords="offset points",
            ha="right" if far[0] > 0 else "left",
            color=EIGEN_COLOR,
            fontsize=10,
            zorder=7,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8),
        )
    # basis vectors and where they land: the columns of M
    for e, color, j in ((np.array([1.0, 0.0]), E1_COLOR, 1), (np.array([0.0, 1.0]), E2_COLOR, 2)):
        _arrow(ax, e, "0.45", width=1.2, zorder=6)
        _arrow(ax, M @ e, color, width=2.8, zorder=8)
        ax.annotate(
            f"$Me_{j}$",
            xy=M @ e,
            xytext=(5, 5),
            textcoords="offset points",
            color=color,
            fontsize=12,
            weight="bold",
            zorder=9,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7),
        )

    ax.set_xlim(-view, view)
    ax.set_ylim(-view, view)
    ax.set_aspect("equal")
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    matrix = f"M = [[{a:.2f}, {b:.2f}], [{c:.2f}, {d:.2f}]]"
    ax.set_title(f"{name}: {matrix}" if name else f"How {matrix} maps the plane")
    if legend:
        handles = [
            Line2D([], [], color=GRID_COLOR, lw=1, label="grid"),
            Line2D([], [], color=GRID_IMAGE_COLOR, lw=1.5, label="M(grid)"),
            Patch(facecolor=GRID_IMAGE_COLOR, alpha=0.3, hatch="///" if flipped else None, label="M(unit square)"),
            Line2D([], [], color="0.45", ls="--", label="unit circle"),
            Line2D([], [], color=CIRCLE_IMAGE_COLOR, lw=2.2, label="M(unit circle)"),
            Line2D([], [], color=E1_COLOR, lw=2.8, label="$Me_1$ = column 1"),
            Line2D([], [], color=E2_COLOR, lw=2.8, label="$Me_2$ = column 2"),
            Line2D([], [], color=EIGEN_COLOR, ls=(0, (6, 3)), label="eigenvector line"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)
    if info != "none":
        inside = info == "inside"
        ax.text(
            0.02 if inside else 1.04,
            0.02 if inside else 0.0,
            describe_linear_map(M),
            transform=ax.transAxes,
            va="bottom",
            ha="left",
            fontsize=8.5 if inside else 10,
            zorder=10,
            bbox=dict(boxstyle="round", fc="white", ec="0.6", alpha=0.9),
        )
    return ax


def _arrow(ax: Axes, tip: np.ndarray, color: str, width: float, zorder: int) -> None:
    if np.allclose(tip, 0):
        ax.plot([0], [0], "o", color=color, ms=4, zorder=zorder)  # a vector squashed to zero
        return
    ax.annotate(
        "",
        xy=(tip[0], tip[1]),
        xytext=(0, 0),
        zorder=zorder,
        arrowprops=dict(arrowstyle="-|>", color=color, lw=width, shrinkA=0, shrinkB=0, mutation_scale=14),
    )


# --- the widget -----------------------------------------------------------------------------
def linear_map_widget(
    a: float = DEFAULT_ENTRIES[0],
    b: float = DEFAULT_ENTRIES[1],
    c: float = DEFAULT_ENTRIES[2],
    d: float = DEFAULT_ENTRIES[3],
):
    """Four sliders for the entries of M = [[a, b], [c, d]], laid out like the matrix, driving
    ``plot_linear_map``. Returns the ``ipywidgets.interactive`` object (display it in a notebook).
    """
    import ipywidgets as widgets

    def show(a: float, b: float, c: float, d: float) -> None:
        fig, ax = plt.subplots(figsize=(8.5, 5.5))
        plot_linear_map(a, b, c, d, ax=ax)
        plt.show()
        plt.close(fig)

    lo, hi = SLIDER_RANGE
    sliders = {
        name: widgets.FloatSlider(
            value=value,
            min=lo,
            max=hi,
            step=SLIDER_STEP,
            description=name,
            readout_format=".2f",
            continuous_update=False,
        )
        for name, value in zip("abcd", (a, b, c, d), strict=True)
    }
    widget = widgets.interactive(show, **sliders)
    output = widget.children[-1]
    # arrange the sliders like the entries of M: [[a, b], [c, d]]
    widget.children = (
        widgets.HBox([sliders["a"], sliders["b"]]),
        widgets.HBox([sliders["c"], sliders["d"]]),
        output,
    )
    return widget


# The book's frames: named matrices that show the kinds of map the chapter discusses.
PRESETS: dict[str, tuple[float, float, float, float]] = {
    "the chapter's M (stretch along two eigenvectors)": DEFAULT_ENTRIES,
    "identity": (1.0, 0.0, 0.0, 1.0),
    "scaling x by 2, y by 0.5": (2.0, 0.0, 0.0, 0.5),
    "rotation by 45 degrees": (0.7071, -0.7071, 0.7071, 0.7071),
    "shear": (1.0, 1.0, 0.0, 1.0),
    "reflection in the x-axis": (1.0, 0.0, 0.0, -1.0),
    "projection onto the x-axis (singular)": (1.0, 0.0, 0.0, 0.0),
    "rank one: every point onto a line": (1.0, 2.0, 0.5, 1.0),
}


def linear_map_frames(presets: dict[str, tuple[float, float, float, float]] | None = None):
    """A dropdown of named matrices as precomputed frames (``dlcore.widgets.frames``).

    The book cannot offer four free sliders, so it offers the maps the chapter names;
    ``linear_map_widget()`` moves a, b, c and d freely in JupyterLab.
    """
    from dlcore.widgets.frames import frame_view

    presets = dict(presets or PRESETS)

    def draw(matrix: str):
        fig, ax = plt.subplots(figsize=(8.5, 5.5))
        plot_linear_map(*presets[matrix], ax=ax)
        return fig

    def alt(matrix: str) -> str:
        a, b, c, d = presets[matrix]
        summary = describe_linear_map([[a, b], [c, d]]).replace("\n", "; ")
        return f"The grid and unit circle mapped by M = [[{a:g}, {b:g}], [{c:g}, {d:g}]] ({matrix}): {summary}"

    return frame_view(
        draw,
        {"matrix": list(presets)},
        alt=alt,
        caption="In JupyterLab, linear_map_widget(a, b, c, d) moves every entry freely.",
    )

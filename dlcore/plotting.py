"""Plotting helpers the chapters share, so every figure looks alike and is readable in print.

Each helper draws on a Matplotlib ``Axes`` (made for you when ``ax`` is None), sets a
title and axis labels, and returns the Axes (``show_images`` returns its Figure, since it
draws a grid of Axes). Colours come from ``PALETTE``, the Okabe-Ito palette, which stays
distinguishable for the common forms of colour blindness; plots that must also survive
grayscale print add labels or line styles (e.g. ``plot_classes_2d(annotate_means=True)``).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers.
# Ordered so that the first few differ most in lightness as well as hue.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (weak on white paper: used last)
)
# Two extra colours so ten classes (digits 0-9) each get their own colour.
_EXTRA: tuple[str, ...] = ("#999999", "#882255")  # grey, wine
GRID_COLOR = "#BBBBBB"  # light grey for reference lines and original grids
# Series never rely on colour alone: each also gets its own line style and marker.
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def series_style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th series of a plot: ``ax.plot(x, y, **series_style(i))``."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
        "markevery": 0.1,
    }


def class_colors(n: int) -> list[str]:
    """``n`` distinct colours for ``n`` classes (up to 10), taken from ``PALETTE`` first."""
    colors = list(PALETTE) + list(_EXTRA)
    if not 1 <= n <= len(colors):
        raise ValueError(f"class_colors: expected 1 <= n <= {len(colors)}, got {n}")
    return colors[:n]


def _get_ax(ax: Axes | None, figsize: tuple[float, float] = (5, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- showing a figure with its alternative text ----------------------------------------
GENERIC_ALT = {"", "image", "figure", "plot", "png", "chart", "graph", "picture"}


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes, cropped to its contents (as the inline backend does)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def check_alt(alt: str) -> str:
    """``alt`` stripped, or a ValueError if it says nothing (empty or a generic word like "figure")."""
    if not isinstance(alt, str) or alt.strip().lower().rstrip(".") in GENERIC_ALT:
        raise ValueError(f"alt text must say what the reader should see, got {alt!r}")
    return alt.strip()


def img_html(png: bytes, alt: str) -> str:
    """An ``<img>`` tag that embeds ``png`` and carries ``alt`` (escaped) for screen readers."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" style="max-width: 100%">'


class FigureImage:
    """A rendered figure with its alternative text; Jupyter and the book show it as an ``<img>``."""

    def __init__(self, png: bytes, alt: str):
        self.png, self.alt = png, check_alt(alt)

    def _repr_html_(self) -> str:
        return img_html(self.png, self.alt)

    def __repr__(self) -> str:
        return f"[figure: {self.alt}]"


def show(fig: Figure, alt: str, dpi: int = 100) -> None:
    """Display ``fig`` with the alternative text ``alt``, then close it.

    ``alt`` is a short sentence saying what the reader should see, with the numbers the
    code computed (an f-string), for example
    ``show(fig, alt=f"Training loss falls from {h[0]:.2f} to {h[-1]:.2f} in 20 epochs")``.
    Screen readers read it, and the book puts it on the image; a figure left to the inline
    backend would only carry its file name.
    """
    from IPython.display import display

    image = FigureImage(figure_png(fig, dpi), alt)
    plt.close(fig)
    display(image)


# --- images ---------------------------------------------------------------------------
def show_images(
    images: np.ndarray,
    labels: Sequence | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    title: str | None = None,
    image_shape: tuple[int, ...] | None = None,
    scale: float = 1.2,
) -> Figure:
    """Show small images in a grid, each captioned with its label.

    images: (N, H, W) grayscale, (N, H, W, 3) RGB, or (N, H*W) flattened grayscale images
        (e.g. the 64-pixel digits; square unless ``image_shape`` is given).
        For a single image pass ``image[None]``.
    labels: N captions (class ids or strings), or None.
    image_shape: shape of one image when ``images`` is flattened and not square, e.g. (8, 8).
    Returns the Figure (one Axes per image; axes ticks are hidden, the grid has a title).
    """
    images = np.asarray(images)
    if images.ndim == 2:  # (N, H*W) -> (N, H, W)
        if image_shape is None:
            side = _square_side(images)
            if side is None:
                raise ValueError(
                    f"show_images: cannot unflatten images of shape {images.shape}; pass image_shape=(H, W)"
                )
            image_shape = (side, side)
        images = images.reshape(len(images), *image_shape)
    if images.ndim not in (3, 4):
        raise ValueError(f"show_images: expected (N, H, W), (N, H, W, 3) or (N, H*W), got {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"show_images: got {len(images)} images but {len(labels)} labels")

    n = len(images)
    vmin, vmax = float(images.min()), float(images.max())  # one gray scale for all images, so they compare
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(scale * ncols, 1.2 * scale * nrows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        if images.ndim == 4:
            ax.imshow(images[i])
        else:
            ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    fig.suptitle(title or f"{n} images of {images.shape[1]}x{images.shape[2]} pixels")
    fig.tight_layout()
    return fig


def _square_side(flat: np.ndarray) -> int | None:
    """Side of a square image with ``flat.shape[-1]`` pixels, or None if not a perfect square."""
    side = int(round(np.sqrt(flat.shape[-1])))
    return side if side * side == flat.shape[-1] else None


# --- vectors and classes in the plane -------------------------------------------------
def plot_vectors(
    vectors: Sequence | np.ndarray,
    ax: Axes | None = None,
    colors: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    title: str = "Vectors as arrows from the origin",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> Axes:
    """Draw 2-D vectors as arrows from the origin, on equal axes that contain them all.

    vectors: (K, 2) array-like, one vector per row. labels: K names written at the arrow tips.
    """
    vectors = np.asarray(vectors, dtype=float).reshape(-1, 2)  # (K, 2)
    ax = _get_ax(ax, figsize=(4.5, 4.5))
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(vectors))]
    for i, v in enumerate(vectors):
        ax.annotate(
            "",
            xy=(v[0], v[1]),
            xytext=(0, 0),
            arrowprops=dict(arrowstyle="-|>", color=colors[i], lw=2, shrinkA=0, shrinkB=0, mutation_scale=15),
        )
        if labels is not None:
            ax.annotate(
                labels[i], xy=(v[0], v[1]), xytext=(4, 4), textcoords="offset points", color=colors[i], fontsize=11
            )
    reach = max(1.0, float(np.abs(vectors).max(initial=0.0))) * 1.2
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color=GRID_COLOR, lw=0.8, zorder=0)
    ax.axvline(0, color=GRID_COLOR, lw=0.8, zorder=0)
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_classes_2d(
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    title: str = "Points coloured by class",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    annotate_means: bool = False,
    s: float = 12,
    alpha: float = 0.7,
) -> Axes:
    """Scatter 2-D points coloured by integer class label, with a legend.

    X: (N, 2); y: (N,) integer labels 0..C-1 (C <= 10). With ``annotate_means`` each class's
    label is also written at its mean, so the plot reads without colour.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"plot_classes_2d: expected X (N, 2) and y (N,), got {X.shape} and {y.shape}")
    ax = _get_ax(ax, figsize=(5.5, 4.5))
    classes = np.unique(y)
    colors = class_colors(int(classes.max()) + 1)
    for k in classes:
        pts = X[y == k]
        ax.scatter(
            pts[:, 0], pts[:, 1], s=s, alpha=alpha, color=colors[k], marker=MARKERS[k], label=str(k), edgecolors="none"
        )
    if annotate_means:
        for k in classes:
            mx, my = X[y == k].mean(axis=0)
            ax.text(
                mx,
                my,
                str(k),
                fontsize=13,
                weight="bold",
                ha="center",
                va="center",
                bbox=dict(boxstyle="circle,pad=0.2", fc="white", ec=colors[k], lw=1.5),
            )
    ax.legend(title="class", fontsize=8, title_fontsize=8, markerscale=1.5, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str = "Decision regions",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    margin: float = 0.5,
) -> Axes:
    """Colour the plane by a 2-D classifier's prediction and overlay the data.

    predict_fn: maps points (M, 2) to one of
        - class labels, shape (M,), integer (or float with integer values);
        - probability of class 1 for a binary classifier, shape (M,) or (M, 1), floats in [0, 1]:
          shaded by probability, with the 0.5 contour drawn as the boundary;
        - class scores or probabilities, shape (M, C) with C >= 2: the argmax is the predicted class.
      It is called once on a (resolution**2, 2) grid in X's floating dtype (float32 stays float32),
      so a dlcore model's ``predict`` can be passed directly.
    X: (N, 2) data points; y: (N,) integer labels, drawn on top.
    """
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"plot_decision_boundary: expected X (N, 2) and y (N,), got {X.shape} and {y.shape}")
    ax = _get_ax(ax, figsize=(5.5, 4.5))
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float32
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1).astype(dtype)  # (M, 2), M = resolution**2

    out = np.asarray(predict_fn(grid))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if len(out) != len(grid):
        raise ValueError(f"plot_decision_boundary: predict_fn returned {out.shape} for {grid.shape} points")
    n_classes = int(max(y.max(initial=0), 1)) + 1
    if out.ndim == 2:  # (M, C) scores -> labels
        n_classes = max(n_classes, out.shape[1])
        out = out.argmax(axis=1)
    is_labels = np.issubdtype(out.dtype, np.integer) or out.dtype == bool or np.all(out == np.round(out))
    if is_labels:
        labels = out.astype(int).reshape(g0.shape)
        n_classes = max(n_classes, int(labels.max()) + 1)
        cmap = ListedColormap(class_colors(n_classes))
        ax.contourf(g0, g1, labels, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
        ax.contour(g0, g1, labels, levels=np.arange(n_classes) + 0.5, colors="k", linewidths=0.8)
    else:
        prob = out.reshape(g0.shape)
        filled = ax.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
        ax.contour(g0, g1, prob, levels=[0.5], colors="k", linewidths=1.5)
        ax.figure.colorbar(filled, ax=ax, label="P(class 1)")
    colors = class_colors(n_classes)
    for k in np.unique(y):
        pts = X[y == k]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=16,
            color=colors[k],
            marker=MARKERS[k],
            edgecolors="k",
            linewidths=0.4,
            label=f"class {k}",
        )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.legend(fontsize=8, loc="upper right", framealpha=0.8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


# --- functions ------------------------------------------------------------------------
def plot_function_and_derivative(
    f: Callable[[np.ndarray], np.ndarray],
    df: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    ax: Axes | None = None,
    title: str = "A function and its derivative",
    xlabel: str = "$x$",
    ylabel: str = "value",
    names: tuple[str, str] = ("$f(x)$", "$f'(x)$"),
) -> Axes:
    """Plot ``f`` and its derivative ``df`` on the same axes, evaluated at the points ``x`` (K,)."""
    x = np.asarray(x)
    ax = _get_ax(ax, figsize=(5.5, 3.8))
    ax.plot(x, f(x), color=PALETTE[0], lw=2, label=names[0])
    ax.plot(x, df(x), color=PALETTE[1], lw=2, ls="--", label=names[1])
    ax.axhline(0, color=GRID_COLOR, lw=0.8, zorder=0)
    ax.grid(True, color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax.legend()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax

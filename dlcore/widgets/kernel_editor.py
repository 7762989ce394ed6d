"""A 3x3 kernel applied to a photograph (chapter 13).

``plot_kernel_on_image`` shows the kernel as a grid of its nine values (with their sum), the
grayscale photograph and the filtered result. Kernels whose values sum to 0 (Sobel, Laplacian)
give 0 on flat regions and respond only where the brightness changes; a kernel that sums to
S multiplies a flat region by S. ``kernel_from_grid`` builds a kernel from nine numbers, so a
notebook can offer any grid.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.cnn_tools import KERNELS, filter_image


def kernel_from_grid(values: Sequence[float]) -> np.ndarray:
    """Nine numbers, row by row -> a (3, 3) kernel."""
    values = np.asarray(values, dtype=np.float64)
    if values.size != 9:
        raise ValueError(f"kernel_from_grid: expected 9 values (a 3x3 grid), got {values.size}")
    return values.reshape(3, 3)


def flat_response(image: np.ndarray, kernel: np.ndarray, threshold: float = 0.02) -> float:
    """Mean |response| of the kernel over the flattest 10% of the image's interior pixels."""
    local = np.abs(filter_image(image, KERNELS["Laplacian"]))[1:-1, 1:-1]
    response = np.abs(filter_image(image, kernel))[1:-1, 1:-1]
    flat = local <= np.quantile(local, 0.1)
    return float(response[flat].mean())


def plot_kernel_on_image(image: np.ndarray, kernel: str | np.ndarray = "Sobel (horizontal edges)") -> Figure:
    """image: grayscale (H, W) in [0, 1]; kernel: a name in ``cnn_tools.KERNELS`` or a (3, 3) array."""
    name = kernel if isinstance(kernel, str) else "custom"
    K = KERNELS[kernel] if isinstance(kernel, str) else np.asarray(kernel, dtype=np.float64)
    out = filter_image(image, K)
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), gridspec_kw={"width_ratios": [0.8, 1.2, 1.2]})
    axes[0].imshow(K, cmap="coolwarm", vmin=-np.abs(K).max() - 1e-9, vmax=np.abs(K).max() + 1e-9)
    for (i, j), v in np.ndenumerate(K):
        axes[0].text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=11)
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    axes[0].set_title(f"{name}\nsum = {K.sum():.3g}", fontsize=9)
    axes[1].imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[1].set_title("input (grayscale)", fontsize=9)
    lim = np.quantile(np.abs(out), 0.995) + 1e-9
    if K.sum() > 0.5:  # keeps (a multiple of) the brightness: draw it as an image
        shown = axes[2].imshow(out, cmap="gray", vmin=0, vmax=lim, interpolation="nearest")
    else:  # responds to changes, with either sign
        shown = axes[2].imshow(out, cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest")
    fig.colorbar(shown, ax=axes[2], fraction=0.046)
    axes[2].set_title("output (cross-correlation, same padding)", fontsize=9)
    for ax in axes[1:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def kernel_editor(image: np.ndarray, kernel: str | np.ndarray = "Sobel (horizontal edges)"):
    """A live 3x3 grid of number boxes; editing any box redraws ``plot_kernel_on_image`` (needs a running kernel).

    image: grayscale (H, W); kernel: the starting values (a name in ``KERNELS`` or a (3, 3) array).
    Returns a VBox (the grid, then the figure); ``box.cells`` holds the nine boxes, row by row.
    """
    import ipywidgets as widgets
    from IPython.display import display

    start = KERNELS[kernel] if isinstance(kernel, str) else np.asarray(kernel, dtype=np.float64)
    cells = [
        widgets.FloatText(value=float(v), description=f"K[{i},{j}]", layout=widgets.Layout(width="150px"))
        for (i, j), v in np.ndenumerate(start)
    ]
    out = widgets.Output()

    def redraw(_=None):
        K = kernel_from_grid([c.value for c in cells])
        out.clear_output(wait=True)
        with out:
            fig = plot_kernel_on_image(image, K)
            display(fig)
            plt.close(fig)

    for c in cells:
        c.observe(redraw, names="value")
    redraw()
    grid = widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns="repeat(3, 160px)"))
    box = widgets.VBox([widgets.HTML("<p>Kernel values (row by row); edit any box to redraw.</p>"), grid, out])
    box.cells = cells
    return box

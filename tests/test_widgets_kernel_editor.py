"""The kernel editor of chapter 13 (dlcore.widgets.kernel_editor)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.cnn_tools import KERNELS
from dlcore.widgets import kernel_editor as ke


def step_image():
    img = np.zeros((20, 20))
    img[:, 10:] = 1.0  # flat left half, flat right half, one vertical edge
    return img


def test_kernel_from_grid():
    assert ke.kernel_from_grid(range(9))[1, 2] == 5
    with pytest.raises(ValueError, match="9 values"):
        ke.kernel_from_grid([1, 2, 3])


def test_flat_response_separates_edge_kernels_from_the_sum_12_kernel():
    img = step_image() * 0.5 + 0.25
    assert ke.flat_response(img, KERNELS["Laplacian"]) < 1e-12
    assert ke.flat_response(img, KERNELS["not an edge kernel (sums to 12)"]) >= 12 * 0.25 - 1e-9


@pytest.mark.parametrize("kernel", ["Sobel (vertical edges)", "box blur", np.eye(3)])
def test_plot_shows_the_grid_and_its_sum(kernel):
    fig = ke.plot_kernel_on_image(step_image(), kernel)
    title = fig.axes[0].get_title()
    K = KERNELS[kernel] if isinstance(kernel, str) else kernel
    assert f"sum = {K.sum():.3g}" in title
    assert len(fig.axes[0].texts) == 9
    plt.close(fig)


def test_live_editor_has_nine_boxes_that_start_from_the_kernel():
    box = ke.kernel_editor(step_image(), "Laplacian")
    assert [c.value for c in box.cells] == KERNELS["Laplacian"].ravel().tolist()
    box.cells[4].value = 1.0  # editing a box must not fail (it redraws)
    assert ke.kernel_from_grid([c.value for c in box.cells])[1, 1] == 1.0
    plt.close("all")

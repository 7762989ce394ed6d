"""The convolution-geometry widget of chapter 13 (dlcore.widgets.conv_geometry)."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import pytest

from dlcore.widgets import conv_geometry as cg
from dlcore.widgets.frames import frame_view


@pytest.mark.parametrize("n, k, s, p, d, n_out", [(10, 3, 1, 0, 1, 8), (10, 3, 2, 1, 1, 5), (10, 3, 1, 0, 2, 6)])
def test_geometry_output_size_and_taps(n, k, s, p, d, n_out):
    geo = cg.conv_geometry(n, k, s, p, d)
    assert geo["n_out"] == n_out and geo["taps"].shape == (n_out, k)
    assert geo["taps"][-1, -1] <= n + 2 * p - 1  # the last tap stays inside the padded input
    assert geo["taps"][1, 0] == s and geo["taps"][0, 1] == d


def test_receptive_fields_in_the_alt_text_use_the_stride_product():
    geo = cg.conv_geometry(10, 3, 2, 1, 1)
    assert geo["rf"].tolist() == [1, 3, 7, 15]
    assert "3, 7 and 15" in cg.geometry_alt(10, 3, 2, 1, 1) and "5 outputs" in cg.geometry_alt(10, 3, 2, 1, 1)


def test_plot_and_frames():
    fig = cg.plot_conv_geometry(10, 5, 2, 2, 2)
    assert len(fig.axes) == 2 and "n_out" in fig.axes[0].get_title()
    plt.close(fig)
    box = frame_view(
        lambda kernel, stride: cg.plot_conv_geometry(10, kernel, stride, 1, 1),
        controls={"kernel": [2, 3], "stride": [1, 2]},
        alt=lambda kernel, stride: cg.geometry_alt(10, kernel, stride, 1, 1),
    )
    assert len(box.frames) == 4

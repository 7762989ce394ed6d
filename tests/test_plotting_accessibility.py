"""The course palette stays distinguishable under colour-vision deficiencies, and series never rely on colour alone.

Colour-vision deficiency is simulated with the full-severity matrices of Machado, Oliveira and
Fernandes (2009), applied in linear RGB; distances are CIE76 Delta E in CIELAB (about 2.3 is
a just-noticeable difference; 15 is clearly different at a glance for lines and markers).
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from dlcore import plotting
from dlcore.plotting import MARKERS, PALETTE, class_colors, series_style

SIMULATIONS = {
    "normal vision": np.eye(3),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]]
    ),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]]
    ),
}
MIN_DELTA_E = 15.0


def to_linear(c):
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_lab(linear_rgb):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_as(color, matrix):
    return to_lab(np.clip(matrix @ to_linear(to_rgb(color)), 0, 1))


def relative_luminance(color):
    return float(np.array([0.2126, 0.7152, 0.0722]) @ to_linear(to_rgb(color)))


def contrast(a, b):
    la, lb = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_palette_colours_stay_apart_under_colour_vision_deficiency(vision):
    lab = {c: seen_as(c, SIMULATIONS[vision]) for c in PALETTE}
    closest = min(itertools.combinations(PALETTE, 2), key=lambda p: np.linalg.norm(lab[p[0]] - lab[p[1]]))
    distance = np.linalg.norm(lab[closest[0]] - lab[closest[1]])
    assert distance >= MIN_DELTA_E, f"{closest} look alike under {vision} (Delta E {distance:.1f})"


def test_a_simulated_red_green_pair_is_caught():
    # The check itself must be able to fail: pure red and green collapse under deuteranopia.
    red, green = (seen_as(c, SIMULATIONS["deuteranopia"]) for c in ("#D62728", "#2CA02C"))
    assert np.linalg.norm(red - green) < MIN_DELTA_E


def test_series_differ_in_line_style_and_marker_as_well_as_colour():
    styles = [series_style(i) for i in range(6)]
    assert len({str(s["linestyle"]) for s in styles}) == 6
    assert len({s["marker"] for s in styles}) == 6
    assert len({s["color"] for s in styles}) == 6


def test_class_scatter_uses_one_marker_per_class():
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.repeat(np.arange(10), 6)
    ax = plotting.plot_classes_2d(X, y)
    paths = [tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections]
    plt.close(ax.figure)
    assert len(set(paths)) == 10, "each class must have its own marker shape"
    assert len(MARKERS) >= len(class_colors(10))


def test_figure_text_meets_aa_contrast_on_white():
    for key in ("text.color", "axes.labelcolor", "xtick.color", "ytick.color"):
        assert contrast(plt.rcParams[key], "white") >= 4.5, key

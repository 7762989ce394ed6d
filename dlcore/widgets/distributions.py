"""Entropy, cross-entropy and KL divergence of discrete distributions (chapter 03).

For distributions p and q over the same K outcomes:

    entropy         H(p)    = -sum_k p_k log p_k
    cross-entropy   H(p, q) = -sum_k p_k log q_k
    KL divergence   KL(p||q) = sum_k p_k log(p_k / q_k) = H(p, q) - H(p)

Conventions (the limits the formulas take):
- 0 log 0 = 0, so outcomes with p_k = 0 contribute nothing, whatever q_k is.
- If q_k = 0 for an outcome with p_k > 0, H(p, q) and KL(p||q) are +inf: q calls impossible
  something that happens. No warning is raised; the result is simply ``inf``.
- ``base=None`` (default) uses the natural log and gives nats, as deep-learning losses do;
  ``base=2`` gives bits. 1 nat = 1 / ln 2 = 1.4427 bits.

Inputs are probability vectors along the last axis: non-negative and summing to 1 (checked
to within ``SUM_TOLERANCE``). Turn non-negative weights into one with ``normalize``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcore.plotting import GRID_COLOR, PALETTE

SUM_TOLERANCE = 1e-6  # how far sum(p) may stray from 1 (float32 round-off)


def normalize(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Non-negative weights (..., K) -> probabilities (..., K) that sum to 1 along the last axis."""
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError(f"normalize: weights must be finite and non-negative, got {w}")
    total = w.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        raise ValueError("normalize: all weights are zero, so there is no distribution to make")
    return w / total


def _check_distribution(fn: str, name: str, p) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0:
        raise ValueError(f"{fn}: {name} must be a probability vector (K,), got a scalar")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{fn}: {name} must be finite and non-negative, got {p}")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=SUM_TOLERANCE):
        raise ValueError(f"{fn}: {name} must sum to 1 along the last axis, got sum {sums} (use normalize)")
    return p


def _log(x: np.ndarray, base: float | None) -> np.ndarray:
    """log of x > 0 in the given base (natural if None)."""
    return np.log(x) if base is None else np.log(x) / np.log(base)


def _scalar(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def entropy(p, base: float | None = None) -> float | np.ndarray:
    """H(p) = -sum p log p with 0 log 0 = 0. p: (..., K) -> (...) in nats (or bits if base=2)."""
    p = _check_distribution("entropy", "p", p)
    positive = p > 0
    safe_p = np.where(positive, p, 1.0)  # log(1) = 0 where p = 0, so no log(0) is ever taken
    return _scalar(-np.sum(p * _log(safe_p, base), axis=-1))


def cross_entropy(p, q, base: float | None = None) -> float | np.ndarray:
    """H(p, q) = -sum p log q. p, q: (..., K) -> (...); +inf where q_k = 0 < p_k."""
    p = _check_distribution("cross_entropy", "p", p)
    q = _check_distribution("cross_entropy", "q", q)
    impossible = np.any((p > 0) & (q == 0), axis=-1)
    safe_q = np.where(q > 0, q, 1.0)
    h = -np.sum(np.where(p > 0, p * _log(safe_q, base), 0.0), axis=-1)
    return _scalar(np.where(impossible, np.inf, h))


def kl_divergence(p, q, base: float | None = None) -> float | np.ndarray:
    """KL(p||q) = sum p log(p / q) >= 0. p, q: (..., K) -> (...); +inf where q_k = 0 < p_k.

    Not symmetric: KL(p||q) and KL(q||p) differ in general, so it is not a distance.
    """
    p = _check_distribution("kl_divergence", "p", p)
    q = _check_distribution("kl_divergence", "q", q)
    impossible = np.any((p > 0) & (q == 0), axis=-1)
    both = (p > 0) & (q > 0)
    ratio = np.where(both, p, 1.0) / np.where(both, q, 1.0)
    kl = np.sum(np.where(both, p * _log(ratio, base), 0.0), axis=-1)
    kl = np.maximum(kl, 0.0)  # round-off can give -1e-17 for p == q; the true value is >= 0
    return _scalar(np.where(impossible, np.inf, kl))


# --- picture and widget --------------------------------------------------------------------
def information_summary(p, q, base: float | None = 2) -> dict[str, float]:
    """H(p), H(q), H(p,q), H(q,p), KL(p||q), KL(q||p) in one dict (bits by default)."""
    return {
        "H(p)": entropy(p, base),
        "H(q)": entropy(q, base),
        "H(p,q)": cross_entropy(p, q, base),
        "H(q,p)": cross_entropy(q, p, base),
        "KL(p||q)": kl_divergence(p, q, base),
        "KL(q||p)": kl_divergence(q, p, base),
    }


def plot_distribution_pair(p, q, labels: Sequence[str] | None = None, base: float | None = 2) -> Figure:
    """Left: p and q as bars. Right: H(p,q) = H(p) + KL(p||q) and H(q,p) = H(q) + KL(q||p) as stacked bars."""
    p = _check_distribution("plot_distribution_pair", "p", p)
    q = _check_distribution("plot_distribution_pair", "q", q)
    labels = list(labels) if labels is not None else [str(k) for k in range(len(p))]
    unit = "bits" if base == 2 else "nats" if base is None else f"log base {base:g}"
    info = information_summary(p, q, base)
    fig, (ax_bars, ax_info) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.2, 1]})

    x = np.arange(len(p))
    ax_bars.bar(x - 0.2, p, width=0.4, color=PALETTE[0], label="p (true)")
    ax_bars.bar(x + 0.2, q, width=0.4, color=PALETTE[1], hatch="//", edgecolor="white", label="q (model)")
    ax_bars.set_xticks(x, labels)
    ax_bars.set_ylim(0, 1)
    ax_bars.grid(True, axis="y", color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax_bars.legend()
    ax_bars.set(title="Two distributions over the same outcomes", xlabel="outcome", ylabel="probability")

    rows = [("H(p,q)", "H(p)", "KL(p||q)"), ("H(q,p)", "H(q)", "KL(q||p)")]
    finite_totals = [info[total] for total, _, _ in rows if np.isfinite(info[total])]
    x_max = max([2.2 * _log(np.array(len(p), dtype=float), base), *(1.15 * t for t in finite_totals)])
    for i, (total, h, kl) in enumerate(rows):
        ax_info.barh(i, info[h], height=0.6, color=PALETTE[2], label="entropy" if i == 0 else None)
        kl_width = info[kl] if np.isfinite(info[kl]) else x_max - info[h]  # infinite KL runs off the axis
        ax_info.barh(i, kl_width, left=info[h], height=0.6, color=PALETTE[3], hatch="..",
                     label="KL divergence" if i == 0 else None)  # fmt: skip
        text = f"{total} = {h} + {kl} = {info[h]:.3f} + {info[kl]:.3f} = {info[total]:.3f}"
        ax_info.text(0.01, i + 0.33, text, transform=ax_info.get_yaxis_transform(), va="bottom", fontsize=8.5)
    ax_info.set_yticks([0, 1], ["p true,\nq model", "q true,\np model"])
    ax_info.set_ylim(-0.5, 1.9)
    ax_info.set_xlim(0, x_max)
    ax_info.grid(True, axis="x", color=GRID_COLOR, lw=0.4, alpha=0.5)
    ax_info.legend(loc="upper right", fontsize=8)
    ax_info.set(title="Cross-entropy = entropy + KL divergence", xlabel=f"information ({unit})")
    fig.tight_layout()
    return fig


def distributions_widget(
    p_weights: Sequence[float] = (0.5, 0.25, 0.15, 0.1),
    q_weights: Sequence[float] = (0.25, 0.25, 0.25, 0.25),
    labels: Sequence[str] | None = None,
):
    """Sliders for the (unnormalised) weights of p and q; shows ``plot_distribution_pair``."""
    import ipywidgets as widgets

    def slider(name: str, value: float) -> widgets.FloatSlider:
        return widgets.FloatSlider(
            value=value, min=0.0, max=1.0, step=0.005, readout_format=".3f", description=name,
            continuous_update=False, style={"description_width": "initial"},
        )  # fmt: skip

    names = list(labels) if labels is not None else [str(k) for k in range(len(p_weights))]
    p_sliders = [slider(f"p: {name}", w) for name, w in zip(names, p_weights, strict=True)]
    q_sliders = [slider(f"q: {name}", w) for name, w in zip(names, q_weights, strict=True)]
    out = widgets.Output()

    def redraw(_change=None) -> None:
        with out:
            out.clear_output(wait=True)
            try:
                p = normalize([s.value for s in p_sliders])
                q = normalize([s.value for s in q_sliders])
            except ValueError as err:
                print(err)
                return
            plot_distribution_pair(p, q, labels)
            plt.show()

    for s in p_sliders + q_sliders:
        s.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([widgets.VBox(p_sliders), widgets.VBox(q_sliders)]), out])
    return box


def distributions_frames(
    p_weights: Sequence[float] = (0.5, 0.25, 0.15, 0.1),
    q_weights: Sequence[float] = (0.25, 0.25, 0.25, 0.25),
    labels: Sequence[str] | None = None,
    mixes: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0),
):
    """q moved towards p, q_t = (1 - t) q + t p, as precomputed frames (``dlcore.widgets.frames``).

    The static book cannot move eight weight sliders at once, so it moves one: the mix t. At
    t = 1 the two distributions agree and both KL divergences are 0.
    """
    from dlcore.widgets.frames import frame_view

    p, q0 = normalize(p_weights), normalize(q_weights)

    def q_at(t: float) -> np.ndarray:
        return (1 - t) * q0 + t * p

    def alt(t: float) -> str:
        s = information_summary(p, q_at(t))
        return (
            f"p and q = {1 - t:g} q0 + {t:g} p as bars; H(p) = {s['H(p)']:.3f} bits, cross-entropy "
            f"H(p,q) = {s['H(p,q)']:.3f}, KL(p||q) = {s['KL(p||q)']:.3f}, KL(q||p) = {s['KL(q||p)']:.3f}"
        )

    return frame_view(
        lambda t: plot_distribution_pair(p, q_at(t), labels),
        {"t": list(mixes)},
        alt=alt,
        labels={"t": "move q towards p (t)"},
    )

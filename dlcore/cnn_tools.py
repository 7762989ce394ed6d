"""Tools for reasoning about convolutional networks: receptive fields, hand-made kernels, saliency.

Receptive field. The receptive field of a unit is the set of input pixels that can change
its value. Along one axis, for a stack of layers with kernel sizes k_l, strides s_l and
dilations d_l (layer 1 first; pooling layers count too), the receptive field RF_l of a unit
in layer l and the distance J_l between neighbouring units of layer l, measured in input
pixels (the "jump"), follow

    J_0 = 1,   RF_0 = 1
    RF_l = RF_{l-1} + d_l (k_l - 1) J_{l-1}        with J_{l-1} = s_1 s_2 ... s_{l-1}
    J_l  = J_{l-1} s_l

so a stride does not widen its own layer's receptive field, it multiplies how fast every
LATER layer's receptive field grows. Receptive fields belong to units, not to filters.

Kernels. ``KERNELS`` holds the classic 3x3 image kernels; ``filter_image`` applies one to a
grayscale image as a CNN layer would (cross-correlation, "same" padding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcore.conv import conv2d_forward, padding_for


def receptive_fields(
    kernels: Sequence[int], strides: Sequence[int] | None = None, dilations: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Receptive field and jump after each layer of a stack, along one axis.

    kernels, strides, dilations: one int per layer (strides and dilations default to 1).
    Returns (rf, jump): two int arrays of length L + 1, rf[0] = jump[0] = 1 (the input pixel),
    rf[l] = rf[l-1] + d_l (k_l - 1) jump[l-1] and jump[l] = jump[l-1] s_l.
    """
    L = len(kernels)
    strides = [1] * L if strides is None else list(strides)
    dilations = [1] * L if dilations is None else list(dilations)
    if not (len(strides) == len(dilations) == L):
        raise ValueError(
            f"receptive_fields: expected one stride and one dilation per kernel ({L}), "
            f"got {len(strides)} strides and {len(dilations)} dilations"
        )
    for name, values in (("kernels", kernels), ("strides", strides), ("dilations", dilations)):
        if any(int(v) != v or v < 1 for v in values):
            raise ValueError(f"receptive_fields: {name} must be positive ints, got {list(values)}")
    rf, jump = [1], [1]
    for k, s, d in zip(kernels, strides, dilations, strict=True):
        rf.append(rf[-1] + d * (k - 1) * jump[-1])
        jump.append(jump[-1] * s)
    return np.array(rf, dtype=np.int64), np.array(jump, dtype=np.int64)


def receptive_field_mask(n: int, kernels: Sequence[int], strides: Sequence[int], unit: int = 0) -> np.ndarray:
    """Which of n input positions (valid convolutions, 1-D) can affect unit ``unit`` of each layer.

    Returns a bool array (L + 1, n): row l marks the inputs seen by unit ``unit`` of layer l
    (row 0: the input position ``unit`` itself). Found by propagating index sets, not by the formula,
    so it checks ``receptive_fields``.
    """
    mask = np.zeros((len(kernels) + 1, n), dtype=bool)
    for layer in range(len(kernels) + 1):
        members = {unit}
        for k, s in reversed(list(zip(kernels[:layer], strides[:layer], strict=True))):
            members = {j * s + q for j in members for q in range(k)}
        idx = [i for i in members if i < n]
        mask[layer, idx] = True
    return mask


# --- hand-made kernels ----------------------------------------------------------------
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "Sobel (horizontal edges)": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float),
    "Sobel (vertical edges)": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "not an edge kernel (sums to 12)": np.array([[1, 2, 3], [4, -8, 4], [1, 2, 3]], dtype=float),
}


def filter_image(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlate a grayscale image with a kernel, "same" zero padding (as a Conv2D layer does).

    image: (H, W), kernel: (kh, kw) -> (H, W) float64.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"filter_image: expected a 2-D image and a 2-D kernel, got {image.shape} and {kernel.shape}")
    pads = (padding_for("same", kernel.shape[0]), padding_for("same", kernel.shape[1]))
    out, _ = conv2d_forward(image[None, :, :, None], kernel[:, :, None, None], None, pads=pads)
    return out[0, :, :, 0]


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """Luma of an RGB image (ITU-R BT.601 weights). rgb: (H, W, 3) -> (H, W)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"to_grayscale: expected an (H, W, 3) image, got shape {rgb.shape}")
    return rgb @ np.array([0.299, 0.587, 0.114])


def shift_images(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move images (N, H, W, C) by dy rows down and dx columns right, filling with zeros."""
    out = np.zeros_like(x)
    H, W = x.shape[1:3]
    src_r = slice(max(0, -dy), H - max(0, dy))
    dst_r = slice(max(0, dy), H - max(0, -dy))
    src_c = slice(max(0, -dx), W - max(0, dx))
    dst_c = slice(max(0, dx), W - max(0, -dx))
    out[:, dst_r, dst_c] = x[:, src_r, src_c]
    return out


# --- explaining a trained classifier --------------------------------------------------
def input_gradient(model, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dL/dx of the cross-entropy of ``model`` at (x, labels), per example (not divided by N).

    model: a Sequential whose output is logits (N, C); x: (N, ...), labels: (N,) int.
    Returns an array of x's shape.
    """
    from dlcore.losses import CategoricalCrossEntropy

    loss = CategoricalCrossEntropy()
    was_training = model.training
    model.eval()
    try:
        loss.forward(model.forward(x), labels)
        model.zero_grad()
        grad = model.backward(loss.backward())
    finally:
        model.train(was_training)
        model.zero_grad()
    return grad * len(x)


def saliency_map(model, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """|dL/dx| summed over channels: which pixels change the loss most. x: (N, H, W, C) -> (N, H, W)."""
    return np.abs(input_gradient(model, x, labels)).sum(axis=-1)


def fgsm(model, x: np.ndarray, labels: np.ndarray, eps: float, clip: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Fast gradient sign attack: x + eps * sign(dL/dx), clipped to the valid pixel range.

    One step that raises the loss as much as possible for a max-norm budget eps per pixel
    (to first order). x: (N, ...) -> adversarial x of the same shape and dtype.
    """
    step = eps * np.sign(input_gradient(model, x, labels))
    return np.clip(x + step, *clip).astype(x.dtype)

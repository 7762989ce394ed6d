"""Knowledge distillation: a student learns from a teacher's temperature-softened outputs.

With student logits s and teacher logits t: (N, C) and temperature T,

    p^T = softmax(t / T),  q^T = softmax(s / T)
    L_soft = T^2 * mean_n KL(p^T || q^T) = T^2 * mean_n sum_c p^T_c (log p^T_c - log q^T_c)
    dL_soft/ds = T * (q^T - p^T) / N

The T^2 keeps the soft term's gradient the same size as a hard-label cross-entropy's when T
changes (without it the gradient shrinks like 1/T). With hard labels y and a weight alpha,

    L = alpha * L_soft + (1 - alpha) * CE(softmax(s), y).

Distillation trains a separate (usually smaller) student; it is not fine-tuning, which keeps
training the same network on new data.
"""

from __future__ import annotations

import numpy as np


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


class DistillationLoss:
    """forward(student_logits, teacher_logits, labels=None) -> float; backward() -> dL/dstudent_logits.

    student_logits, teacher_logits: (N, C); labels: (N,) integers, needed when alpha < 1.
    temperature: T > 0; alpha: weight of the soft (teacher) term, 1 - alpha of the hard labels.
    """

    def __init__(self, temperature: float = 4.0, alpha: float = 1.0):
        if temperature <= 0:
            raise ValueError(f"DistillationLoss: temperature must be > 0, got {temperature}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"DistillationLoss: alpha must be in [0, 1], got {alpha}")
        self.temperature, self.alpha = float(temperature), float(alpha)

    def forward(
        self, student_logits: np.ndarray, teacher_logits: np.ndarray, labels: np.ndarray | None = None
    ) -> float:
        s, t = np.asarray(student_logits), np.asarray(teacher_logits)
        if s.ndim != 2 or s.shape != t.shape:
            raise ValueError(f"{self!r}: student and teacher logits must both be (N, C), got {s.shape} and {t.shape}")
        if self.alpha < 1.0 and labels is None:
            raise ValueError(f"{self!r}: alpha < 1 mixes in the hard labels, so pass labels (N,)")
        T, N = self.temperature, s.shape[0]
        log_p = _log_softmax(t / T)
        log_q = _log_softmax(s / T)
        p = np.exp(log_p)
        soft = T * T * float(np.sum(p * (log_p - log_q))) / N
        grad = self.alpha * T * (np.exp(log_q) - p) / N
        loss = self.alpha * soft
        if self.alpha < 1.0:
            labels = np.asarray(labels)
            log_q1 = _log_softmax(s)
            rows = np.arange(N)
            loss += (1.0 - self.alpha) * float(-log_q1[rows, labels].mean())
            hard = np.exp(log_q1)
            hard[rows, labels] -= 1.0
            grad = grad + (1.0 - self.alpha) * hard / N
        self._grad = grad.astype(s.dtype, copy=False)
        return loss

    __call__ = forward

    def backward(self) -> np.ndarray:
        """dL/dstudent_logits for the last forward: (N, C), the student logits' dtype."""
        return self._grad

    def __repr__(self) -> str:
        return f"DistillationLoss(temperature={self.temperature:g}, alpha={self.alpha:g})"

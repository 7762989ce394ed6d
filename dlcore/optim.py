"""Optimizers: rules that turn gradients into parameter updates.

Every optimizer here follows one pattern. It holds a list of ``Parameter`` objects, and
each call of ``step()``

1. increases the step counter ``t`` (so the first update has ``t = 1``),
2. clips the gradients if asked (``clip_norm``: rescale all of them together so their global
   L2 norm is at most ``clip_norm``; ``clip_value``: clamp each entry to ``[-clip_value, clip_value]``),
3. adds coupled weight decay if asked: ``g = dL/dw + weight_decay * w``, the gradient of the
   L2 penalty ``(weight_decay / 2) * ||w||^2`` added to the loss,
4. applies the optimizer's own rule to each parameter, *in place* on ``p.value``.

Updating in place matters: a model's ``load_state_dict`` (used by early stopping) writes into
the same arrays, so an optimizer built before it keeps working after it. The optimizer state
(velocities, moment estimates) is kept per parameter in ``self.state``, with the dtype of the
parameter (float32 stays float32). Learning rate ``lr`` is a plain attribute that a schedule
may change between steps.

Notation in the docstrings: ``w`` a parameter, ``g`` its gradient after clipping and weight
decay, ``η`` the learning rate ``lr``, ``t`` the step counter, ``ε`` a small constant ``eps``
that keeps a division finite. Every operation is elementwise over the parameter's array.

Clipping rescales ``p.grad`` in place (as PyTorch's ``clip_grad_norm_`` does), so after
``step()`` the gradients you see are the clipped ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from dlcore.module import Parameter


# --- gradient clipping ------------------------------------------------------------------
def clip_grad_norm(params: Iterable[Parameter], max_norm: float) -> float:
    """Rescale all gradients together so that their global L2 norm is at most ``max_norm``.

    The global norm is ``sqrt(sum over parameters of sum(g**2))``. When it exceeds
    ``max_norm``, every gradient is multiplied by ``max_norm / norm`` (in place), which keeps
    the direction of the whole update and shortens it. Returns the norm *before* clipping.
    """
    if max_norm <= 0:
        raise ValueError(f"clip_grad_norm: max_norm must be positive, got {max_norm}")
    params = list(params)
    total_norm = math.sqrt(sum(float(np.dot(p.grad.ravel(), p.grad.ravel())) for p in params))
    if total_norm > max_norm:
        scale = max_norm / total_norm
        for p in params:
            p.grad *= scale
    return total_norm


def clip_grad_value(params: Iterable[Parameter], clip_value: float) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` (in place).

    Unlike ``clip_grad_norm`` this changes the direction of the update.
    """
    if clip_value <= 0:
        raise ValueError(f"clip_grad_value: clip_value must be positive, got {clip_value}")
    for p in params:
        np.clip(p.grad, -clip_value, clip_value, out=p.grad)


# --- the base class -----------------------------------------------------------------------
class Optimizer:
    """Base class: holds parameters, the learning rate, the step counter and per-parameter state.

    params: the Parameters to update (e.g. ``model.parameters()``).
    lr: learning rate η (mutable: ``opt.lr = 0.01`` between steps).
    weight_decay: coupled L2 weight decay λ, ``g = dL/dw + λ w`` before the update rule.
    clip_norm / clip_value: gradient clipping applied in ``step()`` before everything else.

    Subclasses implement ``update(w, g, state)``, which changes ``w`` in place.
    """

    decoupled_weight_decay = False  # AdamW sets this: it applies λ itself, outside the gradient

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ):
        self.params = list(params)
        name = type(self).__name__
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list (build the model before creating the optimizer)")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{name}: expected Parameters (e.g. model.parameters()), got {type(p).__name__}")
        if lr < 0:
            raise ValueError(f"{name}: learning rate must be >= 0, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"{name}: weight_decay must be >= 0, got {weight_decay}")
        self.lr = lr
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (gradients accumulate otherwise)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Apply one update to every parameter, using the gradients currently in ``p.grad``."""
        self.t += 1
        active = [p for p in self.params if p.trainable]  # frozen parameters are skipped entirely
        if self.clip_norm is not None and active:
            clip_grad_norm(active, self.clip_norm)
        if self.clip_value is not None and active:
            clip_grad_value(active, self.clip_value)
        for p, state in zip(self.params, self.state, strict=True):
            if not p.trainable:
                continue
            g = p.grad
            if self.weight_decay and not self.decoupled_weight_decay:
                g = g + self.weight_decay * p.value  # gradient of (λ/2)||w||^2 added to dL/dw
            self.update(p.value, g, state)

    def update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Change ``w`` in place given its gradient ``g``; ``state`` is this parameter's own dict."""
        raise NotImplementedError(f"{type(self).__name__}.update is not implemented")

    def _hyper(self) -> str:
        return f"lr={self.lr:g}"

    def __repr__(self) -> str:
        extra = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return f"{type(self).__name__}({self._hyper()}{extra})"


def _zeros(state: dict[str, np.ndarray], w: np.ndarray, *names: str) -> list[np.ndarray]:
    """This parameter's state arrays ``names``, created as zeros like ``w`` on first use."""
    for name in names:
        if name not in state:
            state[name] = np.zeros_like(w)
    return [state[name] for name in names]


# --- stochastic gradient descent and momentum ---------------------------------------------
class SGD(Optimizer):
    """Gradient descent, with optional momentum in either of its two textbook forms.

    Without momentum (``momentum=0``)::

        w <- w - η g

    Momentum with ``form="classical"`` (Polyak's heavy ball as usually printed; PyTorch and
    Keras use the same update up to where η sits)::

        v <- γ v + η g
        w <- w - v

    Momentum with ``form="ema"`` (the moving-average form, e.g. Andrew Ng's course)::

        v <- β v + (1 - β) g
        w <- w - η v

    Both forms use ``momentum`` for γ or β. They move in the same direction; the EMA form's
    velocity is an average of gradients, so its steps are (1 - β) times shorter than the
    classical form's with the same η: classical with η equals EMA with η / (1 - β) (for a
    constant learning rate). With γ = 0.9 the classical form's steady-state step on a constant
    gradient is 10 η g; the EMA form's is η g.

    ``nesterov=True`` takes the gradient "one step ahead", at w - γ v. After a change of
    variables (the form deep-learning libraries use) it needs only the gradient at the current w::

        classical:  v <- γ v + η g;          w <- w - (γ v + η g)
        ema:        v <- β v + (1 - β) g;    w <- w - η (β v + (1 - β) g)
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        form: str = "classical",
        **kwargs,
    ):
        super().__init__(params, lr, **kwargs)
        if form not in ("classical", "ema"):
            raise ValueError(f"{type(self).__name__}: form must be 'classical' or 'ema', got {form!r}")
        if not 0 <= momentum < 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1), got {momentum}")
        if nesterov and momentum == 0:
            raise ValueError(f"{type(self).__name__}: nesterov=True needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        self.form = form

    def update(self, w, g, state):
        if self.momentum == 0:
            w -= self.lr * g
            return
        (v,) = _zeros(state, w, "v")
        mu = self.momentum
        if self.form == "classical":
            step = self.lr * g  # η g
            v *= mu
            v += step  # v = γ v + η g
            if self.nesterov:
                step += mu * v  # γ v + η g
                w -= step
            else:
                w -= v
        else:
            v *= mu
            v += (1 - mu) * g  # v = β v + (1 - β) g
            if self.nesterov:
                w -= self.lr * (mu * v + (1 - mu) * g)
            else:
                w -= self.lr * v

    def _hyper(self):
        s = f"lr={self.lr:g}"
        if self.momentum:
            s += f", momentum={self.momentum:g}, form={self.form!r}" + (", nesterov=True" if self.nesterov else "")
        return s


class Momentum(SGD):
    """SGD with momentum (default γ = 0.9); see ``SGD`` for both forms side by side."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.9, form: str = "classical", **kwargs):
        super().__init__(params, lr, momentum=momentum, nesterov=False, form=form, **kwargs)


class Nesterov(SGD):
    """SGD with Nesterov momentum (default γ = 0.9); see ``SGD`` for the equations."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.9, form: str = "classical", **kwargs):
        super().__init__(params, lr, momentum=momentum, nesterov=True, form=form, **kwargs)


# --- per-coordinate learning rates ---------------------------------------------------------
class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): divide by the root of all squared gradients so far::

        G <- G + g²
        w <- w - η g / (sqrt(G) + ε)

    Coordinates with large past gradients get small steps. G only grows, so the effective
    learning rate decays towards zero: good for sparse features, too cautious for long runs.
    """

    def __init__(self, params, lr: float = 0.01, eps: float = 1e-8, **kwargs):
        super().__init__(params, lr, **kwargs)
        self.eps = eps

    def update(self, w, g, state):
        (G,) = _zeros(state, w, "G")
        G += g * g
        w -= self.lr * g / (np.sqrt(G) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e, 2012): Adagrad with a moving average instead of a sum::

        s <- ρ s + (1 - ρ) g²
        w <- w - η g / (sqrt(s) + ε)

    Old gradients are forgotten at rate ρ, so the step size no longer decays to zero.
    """

    def __init__(self, params, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8, **kwargs):
        super().__init__(params, lr, **kwargs)
        self.rho = rho
        self.eps = eps

    def update(self, w, g, state):
        (s,) = _zeros(state, w, "s")
        s *= self.rho
        s += (1 - self.rho) * (g * g)
        w -= self.lr * g / (np.sqrt(s) + self.eps)

    def _hyper(self):
        return f"lr={self.lr:g}, rho={self.rho:g}"


class AdaDelta(Optimizer):
    """AdaDelta (Zeiler 2012): RMSprop whose step is rescaled by a moving RMS of past steps::

        s  <- ρ s + (1 - ρ) g²
        Δw  = - sqrt(u + ε) / sqrt(s + ε) · g
        u  <- ρ u + (1 - ρ) Δw²
        w  <- w + η Δw

    The ratio sqrt(u + ε) / sqrt(s + ε) has the units of w, so the paper needs no learning
    rate (η = 1, the default). Note ε sits *inside* both square roots here.
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.95, eps: float = 1e-6, **kwargs):
        super().__init__(params, lr, **kwargs)
        self.rho = rho
        self.eps = eps

    def update(self, w, g, state):
        s, u = _zeros(state, w, "s", "u")
        rho, eps = self.rho, self.eps
        s *= rho
        s += (1 - rho) * (g * g)
        delta = -np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u *= rho
        u += (1 - rho) * (delta * delta)
        w += self.lr * delta

    def _hyper(self):
        return f"lr={self.lr:g}, rho={self.rho:g}"


# --- Adam and its family ------------------------------------------------------------------
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on g plus RMSprop on g², both bias-corrected::

        m <- β1 m + (1 - β1) g            first moment (mean of g)
        v <- β2 v + (1 - β2) g²           second moment (uncentred variance of g)
        m̂ = m / (1 - β1^t)                bias correction: m and v start at 0
        v̂ = v / (1 - β2^t)
        w <- w - η m̂ / (sqrt(v̂) + ε)

    Some lecture notes print the last line with an extra factor of the gradient
    (``η m̂ g / (sqrt(v̂) + ε)``); that is a typo, the paper's update is the one above.

    ``weight_decay`` here is the *coupled* L2 penalty: λ w is added to g before the moments,
    so it is divided by sqrt(v̂) like the rest of the gradient, and weights with large
    gradients are decayed less. ``AdamW`` decouples it.
    """

    def __init__(
        self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, **kwargs
    ):
        super().__init__(params, lr, **kwargs)
        self.betas = tuple(betas)
        self.eps = eps

    def _moments(self, w, g, state):
        """Update m and v in place (vectorised, no temporaries beyond one scratch array)."""
        m, v, tmp = _zeros(state, w, "m", "v", "tmp")
        beta1, beta2 = self.betas
        m *= beta1
        np.multiply(g, 1 - beta1, out=tmp)
        m += tmp  # m = β1 m + (1 - β1) g
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v += tmp  # v = β2 v + (1 - β2) g²
        return m, v, tmp

    def _adam_step(self, w, m, v_for_denominator, tmp):
        """w -= η m̂ / (sqrt(v̂) + ε), computed in the scratch array ``tmp``.

        With b1 = 1 - β1^t and b2 = 1 - β2^t the bias corrections fold into scalars:
        m̂ / (sqrt(v̂) + ε) = (m / b1) / (sqrt(v) / sqrt(b2) + ε) = (sqrt(b2) / b1) m / (sqrt(v) + ε sqrt(b2)),
        which saves two passes over the arrays (m̂ and v̂ are never stored).
        """
        beta1, beta2 = self.betas
        sqrt_b2 = math.sqrt(1 - beta2**self.t)
        b1 = 1 - beta1**self.t
        np.sqrt(v_for_denominator, out=tmp)
        tmp += self.eps * sqrt_b2  # sqrt(b2) (sqrt(v̂) + ε)
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * sqrt_b2 / b1  # η m̂ / (sqrt(v̂) + ε)
        w -= tmp

    def update(self, w, g, state):
        m, v, tmp = self._moments(w, g, state)
        self._adam_step(w, m, v, tmp)

    def _hyper(self):
        return f"lr={self.lr:g}, betas={self.betas}"


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019)::

        m, v, m̂, v̂ as in Adam, computed from the plain gradient g = dL/dw
        w <- w - η (m̂ / (sqrt(v̂) + ε) + λ w)

    The decay λ w is applied directly to the weights, outside the adaptive division, so every
    weight shrinks by the same factor (1 - η λ) per step. With Adam(weight_decay=λ) the term
    λ w goes through m and v instead, which makes it a much weaker, uneven regulariser.
    For plain SGD the two are the same thing. The decay uses w before this step's update and
    is multiplied by η (as in PyTorch).
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay=0.01, **kw):
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay, **kw)

    def update(self, w, g, state):
        m, v, tmp = self._moments(w, g, state)
        if self.weight_decay:
            w *= 1 - self.lr * self.weight_decay  # w <- w - η λ w
        self._adam_step(w, m, v, tmp)


class AMSGrad(Adam):
    """AMSGrad (Reddi et al. 2018): Adam that never lets the second moment shrink::

        m, v as in Adam
        v_max <- max(v_max, v)
        w <- w - η m̂ / (sqrt(v_max / (1 - β2^t)) + ε)

    Keeping the largest v seen so far makes the per-coordinate step size non-increasing,
    which fixes the counterexamples where Adam does not converge. The bias correction of
    v_max follows PyTorch; the paper leaves it out.
    """

    def update(self, w, g, state):
        m, v, tmp = self._moments(w, g, state)
        (v_max,) = _zeros(state, w, "v_max")
        np.maximum(v_max, v, out=v_max)
        self._adam_step(w, m, v_max, tmp)


class AdaMax(Adam):
    """AdaMax (Kingma & Ba 2015, section 7): Adam with the infinity norm instead of g²::

        m <- β1 m + (1 - β1) g
        u <- max(β2 u, |g|)
        w <- w - (η / (1 - β1^t)) m / (u + ε)

    u needs no bias correction. ε (absent in the paper) only guards u = 0.
    """

    def __init__(self, params, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8, **kwargs):
        super().__init__(params, lr, betas=betas, eps=eps, **kwargs)

    def update(self, w, g, state):
        m, u = _zeros(state, w, "m", "u")
        beta1, beta2 = self.betas
        m *= beta1
        m += (1 - beta1) * g
        u *= beta2
        np.maximum(u, np.abs(g), out=u)
        w -= (self.lr / (1 - beta1**self.t)) * m / (u + self.eps)


class Nadam(Adam):
    """Nadam (Dozat 2016): Adam with Nesterov momentum, constant β1 (no momentum schedule)::

        m, v as in Adam
        m̄ = β1 m / (1 - β1^(t+1)) + (1 - β1) g / (1 - β1^t)
        v̂ = v / (1 - β2^t)
        w <- w - η m̄ / (sqrt(v̂) + ε)

    The look-ahead m̄ mixes the bias-corrected momentum one step ahead with the current
    gradient. PyTorch and Keras also decay β1 over time (a "momentum schedule"); without it,
    as here, the update is the paper's algorithm with μ_t = β1.
    """

    def __init__(self, params, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8, **kwargs):
        super().__init__(params, lr, betas=betas, eps=eps, **kwargs)

    def update(self, w, g, state):
        m, v, tmp = self._moments(w, g, state)
        beta1, beta2 = self.betas
        m_bar = (beta1 / (1 - beta1 ** (self.t + 1))) * m + ((1 - beta1) / (1 - beta1**self.t)) * g
        v_hat = v / (1 - beta2**self.t)
        w -= self.lr * m_bar / (np.sqrt(v_hat) + self.eps)


class RAdam(Adam):
    """Rectified Adam (Liu et al. 2020): switch off the adaptive step while v is unreliable::

        m, v, m̂ as in Adam
        ρ∞ = 2 / (1 - β2) - 1
        ρt = ρ∞ - 2 t β2^t / (1 - β2^t)       length of the approximated moving average
        if ρt > 5:
            r = sqrt((ρt - 4)(ρt - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρt))     variance rectification
            w <- w - η r m̂ / (sqrt(v / (1 - β2^t)) + ε)
        else:
            w <- w - η m̂                                              momentum SGD step

    In the first few steps (ρt <= 5, i.e. t <= 5 for β2 = 0.999) the variance of the
    adaptive rate is too large, so RAdam takes plain momentum steps: a built-in warm-up.
    The threshold 5 follows the authors' code and PyTorch (the paper's algorithm says 4).
    """

    rho_threshold = 5.0

    def update(self, w, g, state):
        m, v, tmp = self._moments(w, g, state)
        beta1, beta2 = self.betas
        t = self.t
        m_hat_scale = 1 / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > self.rho_threshold:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(v, out=tmp)
            tmp *= 1 / math.sqrt(1 - beta2**t)
            tmp += self.eps  # sqrt(v̂) + ε
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr * r * m_hat_scale
            w -= tmp
        else:
            w -= (self.lr * m_hat_scale) * m


# --- lookup -------------------------------------------------------------------------------
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adadelta": AdaDelta,
    "adam": Adam,
    "adamw": AdamW,
    "amsgrad": AMSGrad,
    "adamax": AdaMax,
    "nadam": Nadam,
    "radam": RAdam,
}


def get_optimizer(name_or_obj: str | Optimizer, params: Iterable[Parameter], **kwargs) -> Optimizer:
    """An optimizer from its name (``"adam"``, built over ``params`` with ``kwargs``) or an instance.

    An instance is returned as it is, after checking that it updates only some of ``params``
    (all of them, or a subset to keep the others frozen); an optimizer built for another model
    would silently train the wrong weights.
    """
    params = list(params)
    if isinstance(name_or_obj, Optimizer):
        if kwargs:
            raise TypeError(f"get_optimizer: got an optimizer instance and extra arguments {sorted(kwargs)}")
        if not {id(p) for p in name_or_obj.params} <= {id(p) for p in params}:
            raise ValueError(
                f"get_optimizer: {name_or_obj!r} was built for different parameters than this model's "
                f"(create it with model.parameters() of this model)"
            )
        return name_or_obj
    if isinstance(name_or_obj, str):
        key = name_or_obj.lower()
        if key not in OPTIMIZERS:
            raise ValueError(f"get_optimizer: unknown optimizer {name_or_obj!r}; choose from {sorted(OPTIMIZERS)}")
        return OPTIMIZERS[key](params, **kwargs)
    raise TypeError(f"get_optimizer: expected a name or an Optimizer, got {type(name_or_obj).__name__}")

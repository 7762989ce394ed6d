"""Optimizers: first steps against hand-derived arithmetic, convergence, clipping, weight decay."""

import math

import numpy as np
import pytest

from dlcore import optim
from dlcore.layers import Dense
from dlcore.module import Parameter

EPS = 1e-8  # the optimizers' default epsilon


def half_square_steps(opt_class, steps, w0=(1.0, -2.0), **kwargs):
    """Run ``steps`` updates on f(w) = ½ ||w||² (so g = w); returns [w1, w2, ...]."""
    p = Parameter(np.array(w0, dtype=np.float64), "w")
    opt = opt_class([p], **kwargs)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        p.grad += p.value  # dL/dw = w
        opt.step()
        out.append(p.value.copy())
    return out


# --- hand-derived first steps (f = ½ w², g = w, w0 = 1 unless said) --------------------------
def test_sgd_steps_shrink_w_by_one_minus_lr():
    w1, w2, w3 = half_square_steps(optim.SGD, 3, w0=(1.0,), lr=0.1)
    # w <- w - 0.1 w = 0.9 w
    assert w1[0] == pytest.approx(0.9)
    assert w2[0] == pytest.approx(0.81)
    assert w3[0] == pytest.approx(0.729)


def test_classical_momentum_matches_hand_derivation():
    w1, w2, w3 = half_square_steps(optim.Momentum, 3, w0=(1.0,), lr=0.1, momentum=0.9)
    # v1 = 0.1*1 = 0.1,               w1 = 1 - 0.1 = 0.9
    # v2 = 0.9*0.1 + 0.1*0.9 = 0.18,  w2 = 0.9 - 0.18 = 0.72
    # v3 = 0.9*0.18 + 0.1*0.72 = 0.234, w3 = 0.72 - 0.234 = 0.486
    assert [w1[0], w2[0], w3[0]] == pytest.approx([0.9, 0.72, 0.486])


def test_ema_momentum_matches_hand_derivation():
    w1, w2, w3 = half_square_steps(optim.Momentum, 3, w0=(1.0,), lr=0.1, momentum=0.9, form="ema")
    # v1 = 0.1*1 = 0.1,                    w1 = 1 - 0.1*0.1 = 0.99
    # v2 = 0.9*0.1 + 0.1*0.99 = 0.189,     w2 = 0.99 - 0.0189 = 0.9711
    # v3 = 0.9*0.189 + 0.1*0.9711 = 0.26721, w3 = 0.9711 - 0.026721 = 0.944379
    assert [w1[0], w2[0], w3[0]] == pytest.approx([0.99, 0.9711, 0.944379])


def test_ema_momentum_with_lr_over_one_minus_beta_equals_classical():
    classical = half_square_steps(optim.SGD, 5, lr=0.01, momentum=0.9)
    ema = half_square_steps(optim.SGD, 5, lr=0.01 / (1 - 0.9), momentum=0.9, form="ema")
    np.testing.assert_allclose(ema, classical, rtol=1e-12)


def test_nesterov_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.Nesterov, 2, w0=(1.0,), lr=0.1, momentum=0.9)
    # v1 = 0.1,                      w1 = 1 - (0.9*0.1 + 0.1*1) = 0.81
    # v2 = 0.9*0.1 + 0.1*0.81 = 0.171, w2 = 0.81 - (0.9*0.171 + 0.1*0.81) = 0.81 - 0.2349 = 0.5751
    assert [w1[0], w2[0]] == pytest.approx([0.81, 0.5751])


def test_adagrad_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.Adagrad, 2, w0=(1.0,), lr=0.5)
    # G1 = 1, w1 = 1 - 0.5 * 1/1 = 0.5;  G2 = 1.25, w2 = 0.5 - 0.5 * 0.5/sqrt(1.25)
    assert w1[0] == pytest.approx(0.5)
    assert w2[0] == pytest.approx(0.5 - 0.25 / math.sqrt(1.25))


def test_rmsprop_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.RMSprop, 2, w0=(1.0,), lr=0.01, rho=0.9)
    # s1 = 0.1*1 = 0.1, w1 = 1 - 0.01/sqrt(0.1)
    a = 1 - 0.01 / math.sqrt(0.1)
    # s2 = 0.9*0.1 + 0.1*a², w2 = a - 0.01 a / sqrt(s2)
    s2 = 0.09 + 0.1 * a * a
    # (ε = 1e-8 is left out of the hand arithmetic; it changes the result by about 1e-9)
    assert w1[0] == pytest.approx(a, rel=1e-7)
    assert w2[0] == pytest.approx(a - 0.01 * a / math.sqrt(s2), rel=1e-7)


def test_adadelta_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.AdaDelta, 2, w0=(1.0,), rho=0.9, eps=1e-2)
    # s1 = 0.1, Δ1 = -sqrt(0 + 0.01)/sqrt(0.1 + 0.01) = -0.1/sqrt(0.11), u1 = 0.1 Δ1² = 0.001/0.11
    d1 = -0.1 / math.sqrt(0.11)
    a = 1 + d1
    u1 = 0.1 * d1 * d1
    s2 = 0.9 * 0.1 + 0.1 * a * a
    d2 = -math.sqrt(u1 + 0.01) / math.sqrt(s2 + 0.01) * a
    assert w1[0] == pytest.approx(a)
    assert w2[0] == pytest.approx(a + d2)


def test_adam_first_step_moves_each_weight_by_lr():
    (w1,) = half_square_steps(optim.Adam, 1, lr=0.1)
    # m̂ = g and v̂ = g² after bias correction, so the step is 0.1 g / |g| = 0.1 sign(g)
    np.testing.assert_allclose(w1, [0.9, -1.9], rtol=1e-7)


def test_adam_second_step_matches_hand_derivation():
    _, w2 = half_square_steps(optim.Adam, 2, w0=(1.0,), lr=0.1)
    # after step 1: m = 0.1, v = 0.001, w = 0.9 (=: g2)  (ignoring ε, which shifts w by ~1e-9)
    # m2 = 0.9*0.1 + 0.1*0.9 = 0.18;  v2 = 0.999*0.001 + 0.001*0.81 = 0.001809
    # m̂ = 0.18 / (1 - 0.81) = 0.18 / 0.19;  v̂ = 0.001809 / (1 - 0.998001) = 0.001809 / 0.001999
    step = 0.1 * (0.18 / 0.19) / (math.sqrt(0.001809 / 0.001999) + EPS)
    assert w2[0] == pytest.approx(0.9 - step, rel=1e-7)
    assert w2[0] == pytest.approx(0.80041, abs=1e-5)  # 0.9 - 0.0995876...


def test_amsgrad_uses_the_largest_second_moment():
    # g jumps from 10 to 0.1: Adam's v shrinks with it, AMSGrad keeps the v of step 1
    for cls in (optim.Adam, optim.AMSGrad):
        p = Parameter(np.array([0.0]))
        opt = cls([p], lr=0.1)
        for g in (10.0, 0.1):
            opt.zero_grad()
            p.grad += g
            opt.step()
        if cls is optim.Adam:
            adam_w = p.value[0]
        else:
            ams_w = p.value[0]
    # step 1 (both): w = -0.1
    # step 2: m = 0.9*1 + 0.1*0.1 = 0.91, m̂ = 0.91/0.19
    #   Adam:    v = 0.999*0.1 + 0.001*0.01 = 0.09991,  v̂ = v / 0.001999
    #   AMSGrad: v_max = max(0.1, 0.09991) = 0.1,       v̂ = 0.1 / 0.001999
    m_hat = 0.91 / 0.19
    assert adam_w == pytest.approx(-0.1 - 0.1 * m_hat / math.sqrt(0.09991 / 0.001999), rel=1e-7)
    assert ams_w == pytest.approx(-0.1 - 0.1 * m_hat / math.sqrt(0.1 / 0.001999), rel=1e-7)


def test_adamax_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.AdaMax, 2, w0=(1.0,), lr=0.1)
    # m1 = 0.1, u1 = max(0, 1) = 1, w1 = 1 - (0.1/0.1) * 0.1 / 1 = 0.9
    # m2 = 0.09 + 0.09 = 0.18, u2 = max(0.999, 0.9) = 0.999, w2 = 0.9 - (0.1/0.19) * 0.18/0.999
    assert w1[0] == pytest.approx(0.9)
    assert w2[0] == pytest.approx(0.9 - (0.1 / 0.19) * 0.18 / 0.999)


def test_nadam_matches_hand_derivation():
    w1, w2 = half_square_steps(optim.Nadam, 2, w0=(1.0,), lr=0.1)
    # step 1: m = 0.1, v = 0.001;  m̄ = 0.9*0.1/(1 - 0.81) + 0.1*1/(1 - 0.9);  v̂ = 1
    m_bar1 = 0.09 / 0.19 + 1.0
    a = 1 - 0.1 * m_bar1 / (1 + EPS)
    # step 2 (g = a): m = 0.09 + 0.1 a, v = 0.000999 + 0.001 a²
    m2, v2 = 0.09 + 0.1 * a, 0.000999 + 0.001 * a * a
    m_bar2 = 0.9 * m2 / (1 - 0.9**3) + 0.1 * a / (1 - 0.81)
    assert w1[0] == pytest.approx(a)
    assert w2[0] == pytest.approx(a - 0.1 * m_bar2 / (math.sqrt(v2 / (1 - 0.999**2)) + EPS))


def test_radam_takes_momentum_steps_first_then_rectified_adam_steps():
    ws = half_square_steps(optim.RAdam, 7, w0=(1.0,), lr=0.01)
    # step 1: m̂ = g = 1 -> w1 = 0.99;  step 2: m = 0.09 + 0.099 = 0.189, m̂ = 0.189/0.19
    assert ws[0][0] == pytest.approx(0.99)
    assert ws[1][0] == pytest.approx(0.99 - 0.01 * 0.189 / 0.19)
    # ρ∞ = 2/(1 - 0.999) - 1 = 1999, ρ_t = ρ∞ - 2 t 0.999^t / (1 - 0.999^t): ρ_5 ≈ 4.99, ρ_6 ≈ 5.99,
    # so steps 1-5 are w -= lr m̂ and steps 6, 7 are w -= lr r m̂ / (sqrt(v̂) + ε)
    rho_inf = 1999.0
    w, m, v = 1.0, 0.0, 0.0
    for t in range(1, 8):
        g = w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat = m / (1 - 0.9**t)
        rho = rho_inf - 2 * t * 0.999**t / (1 - 0.999**t)
        assert (rho > 5) == (t >= 6)
        if t <= 5:
            w -= 0.01 * m_hat
        else:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            w -= 0.01 * r * m_hat / (math.sqrt(v / (1 - 0.999**t)) + EPS)
        assert ws[t - 1][0] == pytest.approx(w, rel=1e-12)


# --- every optimizer: convergence, dtypes, in-place updates -------------------------------------
CONFIGS = {
    "sgd": dict(lr=0.05),
    "momentum": dict(lr=0.01),
    "nesterov": dict(lr=0.01),
    "adagrad": dict(lr=0.5),
    "rmsprop": dict(lr=0.01),
    "adadelta": dict(),
    "adam": dict(lr=0.05),
    "adamw": dict(lr=0.05, weight_decay=0.0),
    "amsgrad": dict(lr=0.05),
    "adamax": dict(lr=0.05),
    "nadam": dict(lr=0.05),
    "radam": dict(lr=0.05),
}


def minimise(name, grad, w0, steps, dtype=np.float64, **kwargs):
    p = Parameter(np.array(w0, dtype=dtype), "w")
    opt = optim.get_optimizer(name, [p], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        p.grad += grad(p.value)
        opt.step()
    return p, opt


def bowl_grad(w):
    return np.array([1.0, 10.0], dtype=w.dtype) * w  # f = ½ (w1² + 10 w2²), condition number 10


def rosenbrock_grad(w):
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], dtype=w.dtype)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_optimizer_reaches_the_minimum_of_an_ill_conditioned_bowl(name):
    p, _ = minimise(name, bowl_grad, [1.0, 1.0], 500, **CONFIGS[name])
    assert np.abs(p.value).max() < 1e-2


@pytest.mark.parametrize(
    "name, lr",
    [("momentum", 1e-3), ("nesterov", 1e-3), ("adam", 0.02), ("nadam", 0.02), ("amsgrad", 0.02), ("adamax", 0.02)],
)
def test_optimizer_follows_the_rosenbrock_valley_to_its_minimum(name, lr):
    p, _ = minimise(name, rosenbrock_grad, [-1.2, 1.0], 5000, lr=lr)
    np.testing.assert_allclose(p.value, [1.0, 1.0], atol=1e-2)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_float32_parameters_and_state_stay_float32_and_updates_are_in_place(name):
    p = Parameter(np.array([1.0, 1.0], dtype=np.float32), "w")
    value = p.value
    opt = optim.get_optimizer(name, [p], **CONFIGS[name])
    for _ in range(3):
        opt.zero_grad()
        p.grad += bowl_grad(p.value)
        opt.step()
    assert p.value is value  # updated in place
    assert p.value.dtype == np.float32
    assert all(s.dtype == np.float32 for s in opt.state[0].values())
    assert np.all(p.value < 1.0)


def test_optimizer_keeps_training_a_layer_after_load_state_dict():
    layer = Dense(3, 2, rng=0)
    opt = optim.Adam(layer.parameters(), lr=0.1)
    saved = layer.state_dict()
    layer.W.grad += 1.0
    opt.step()
    layer.load_state_dict(saved)
    np.testing.assert_array_equal(layer.W.value, saved["W"])
    opt.step()  # still updates the same arrays
    assert np.all(layer.W.value < saved["W"])


def test_step_counter_and_lr_are_mutable_plain_attributes():
    p = Parameter(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1)
    opt.lr = 0.5
    p.grad += 1.0
    opt.step()
    assert opt.t == 1
    assert p.value[0] == pytest.approx(0.5)


# --- clipping ----------------------------------------------------------------------------------
def test_clip_grad_norm_rescales_all_gradients_together_and_returns_the_norm():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(1))
    a.grad[:] = [3.0, 4.0]
    b.grad[:] = [12.0]  # global norm sqrt(9 + 16 + 144) = 13
    norm = optim.clip_grad_norm([a, b], 6.5)
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(a.grad, [1.5, 2.0])
    np.testing.assert_allclose(b.grad, [6.0])


def test_clip_grad_norm_leaves_small_gradients_alone():
    a = Parameter(np.zeros(2))
    a.grad[:] = [0.3, 0.4]
    assert optim.clip_grad_norm([a], 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad, [0.3, 0.4])


def test_clip_grad_value_clamps_each_entry():
    a = Parameter(np.zeros(3))
    a.grad[:] = [-5.0, 0.2, 7.0]
    optim.clip_grad_value([a], 1.0)
    np.testing.assert_array_equal(a.grad, [-1.0, 0.2, 1.0])


def test_step_applies_clipping_before_the_update():
    p = Parameter(np.zeros(2))
    p.grad[:] = [3.0, 4.0]
    optim.SGD([p], lr=1.0, clip_norm=1.0).step()
    np.testing.assert_allclose(p.value, [-0.6, -0.8])
    q = Parameter(np.zeros(2))
    q.grad[:] = [3.0, -0.5]
    optim.SGD([q], lr=1.0, clip_value=1.0).step()
    np.testing.assert_allclose(q.value, [-1.0, 0.5])


# --- weight decay --------------------------------------------------------------------------------
def test_adam_weight_decay_is_coupled_and_adamw_is_decoupled():
    """With no loss gradient, only the decay acts.

    Adam:  g = λ w = [0.1, -0.2]; m̂ = g, v̂ = g², step = lr g/|g| = lr sign(w) -> w1 = [0.99, -1.99]
           (every weight moves by lr, whatever its size).
    AdamW: g = 0 so the Adam part is 0; w1 = (1 - lr λ) w = 0.999 w = [0.999, -1.998]
           (every weight shrinks by the same factor).
    """
    w0 = [1.0, -2.0]
    zero_grad = np.zeros_like
    adam, _ = minimise("adam", zero_grad, w0, 1, lr=0.01, weight_decay=0.1)
    adamw, _ = minimise("adamw", zero_grad, w0, 1, lr=0.01, weight_decay=0.1)
    np.testing.assert_allclose(adam.value, [0.99, -1.99], rtol=1e-7)
    np.testing.assert_allclose(adamw.value, [0.999, -1.998], rtol=1e-12)


def test_sgd_weight_decay_adds_lambda_w_to_the_gradient_without_touching_grad():
    p = Parameter(np.array([2.0]))
    p.grad[:] = 1.0
    optim.SGD([p], lr=0.1, weight_decay=0.5).step()
    # w <- 2 - 0.1 * (1 + 0.5*2) = 1.8
    assert p.value[0] == pytest.approx(1.8)
    assert p.grad[0] == 1.0


# --- lookup and errors -------------------------------------------------------------------------
def test_get_optimizer_builds_by_name_and_passes_instances_through():
    p = Parameter(np.zeros(2))
    opt = optim.get_optimizer("RMSprop", [p], lr=0.1)
    assert isinstance(opt, optim.RMSprop) and opt.lr == 0.1
    assert optim.get_optimizer(opt, [p]) is opt


def test_get_optimizer_errors_name_the_problem():
    p, q = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'.*adam"):
        optim.get_optimizer("adamm", [p])
    with pytest.raises(ValueError, match="different parameters"):
        optim.get_optimizer(optim.SGD([p]), [q])
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="form must be 'classical' or 'ema'"):
        optim.SGD([p], momentum=0.9, form="heavy")


def test_repr_shows_the_hyperparameters():
    p = Parameter(np.zeros(2))
    assert repr(optim.Momentum([p], lr=0.1)) == "Momentum(lr=0.1, momentum=0.9, form='classical')"
    assert repr(optim.AdamW([p])) == "AdamW(lr=0.001, betas=(0.9, 0.999), weight_decay=0.01)"

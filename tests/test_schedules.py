"""Learning-rate schedules equal their formulas."""

import math

import pytest

from dlcore import schedules


def test_constant_schedule_never_changes():
    s = schedules.Constant(0.1)
    assert [s(t) for t in (0, 1, 100)] == [0.1, 0.1, 0.1]


def test_time_based_decay_is_lr0_over_one_plus_kt():
    s = schedules.TimeBased(0.1, k=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(2) == pytest.approx(0.1 / 2.0)  # 1 + 0.5*2 = 2
    assert s(6) == pytest.approx(0.1 / 4.0)


def test_step_decay_follows_the_textbook_formula_with_one_plus_epoch():
    # lr0 * drop ** floor((1 + epoch) / epochs_drop) with lr0 = 0.1, drop = 0.5, epochs_drop = 10
    s = schedules.StepDecay(0.1, drop=0.5, epochs_drop=10)
    assert s(0) == pytest.approx(0.1)
    assert s(8) == pytest.approx(0.1)  # floor(9/10) = 0
    assert s(9) == pytest.approx(0.05)  # floor(10/10) = 1: the first drop is at epoch 9
    assert s(18) == pytest.approx(0.05)  # floor(19/10) = 1
    assert s(19) == pytest.approx(0.025)  # floor(20/10) = 2


def test_exponential_decay_is_lr0_exp_minus_kt():
    s = schedules.Exponential(0.1, k=0.1)
    assert s(0) == pytest.approx(0.1)
    assert s(10) == pytest.approx(0.1 / math.e)


def test_cosine_goes_from_lr0_through_the_midpoint_to_lr_min_and_stays():
    s = schedules.Cosine(1.0, T=100, lr_min=0.1)
    assert s(0) == pytest.approx(1.0)
    assert s(50) == pytest.approx(0.55)  # cos(π/2) = 0: halfway between 1.0 and 0.1
    assert s(25) == pytest.approx(0.1 + 0.9 * (1 + math.sqrt(0.5)) / 2)
    assert s(100) == pytest.approx(0.1)
    assert s(500) == pytest.approx(0.1)


def test_linear_warmup_rises_linearly_then_hands_over_continuously():
    s = schedules.LinearWarmup(schedules.Exponential(0.1, k=0.1), warmup=5)
    assert s(0) == pytest.approx(0.0)
    assert s(2) == pytest.approx(0.1 * 2 / 5)
    assert s(5) == pytest.approx(0.1)  # after(0)
    assert s(15) == pytest.approx(0.1 / math.e)  # after(10)


def test_linear_warmup_accepts_a_number_as_the_rate_after_warmup():
    s = schedules.LinearWarmup(0.2, warmup=4, start=0.1)
    assert [s(t) for t in (0, 2, 4, 40)] == pytest.approx([0.1, 0.15, 0.2, 0.2])


def test_schedules_reject_bad_arguments_with_clear_messages():
    with pytest.raises(ValueError, match="epochs_drop must be positive"):
        schedules.StepDecay(0.1, epochs_drop=0)
    with pytest.raises(ValueError, match="T must be positive"):
        schedules.Cosine(0.1, T=0)
    with pytest.raises(ValueError, match="t must be >= 0"):
        schedules.Constant(0.1)(-1)


def test_repr_names_the_schedule_and_its_settings():
    assert repr(schedules.StepDecay(0.1, 0.5, 10)) == "StepDecay(lr0=0.1, drop=0.5, epochs_drop=10)"


def test_multistep_multiplies_by_gamma_at_each_milestone_reached():
    s = schedules.MultiStep(1.0, milestones=[3, 6], gamma=0.1)
    assert [s(t) for t in range(8)] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    with pytest.raises(ValueError, match="increasing positive integers"):
        schedules.MultiStep(1.0, milestones=[6, 3])


def test_cyclical_is_a_triangle_wave_from_base_to_max_and_back():
    s = schedules.Cyclical(0.1, 1.0, step_size=5)
    assert s(0) == pytest.approx(0.1) and s(5) == pytest.approx(1.0) and s(10) == pytest.approx(0.1)
    assert s(2) == pytest.approx(0.1 + 0.9 * 2 / 5)  # rising linearly
    assert s(7) == pytest.approx(0.1 + 0.9 * 3 / 5)  # falling linearly
    assert [s(t) for t in range(10)] == pytest.approx([s(t + 10) for t in range(10)])  # period 2 * step_size


def test_cyclical_triangular2_halves_the_peak_every_cycle():
    s = schedules.Cyclical(0.0, 1.0, step_size=4, mode="triangular2")
    assert [s(4), s(12), s(20)] == pytest.approx([1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match="mode must be"):
        schedules.Cyclical(0.0, 1.0, 4, mode="exp")


def test_one_cycle_rises_by_a_cosine_to_max_then_falls_far_below_the_start():
    s = schedules.OneCycle(1.0, total=100, pct_start=0.3, div_factor=25, final_div_factor=1e4)
    start, end = 1.0 / 25, 1.0 / 25 / 1e4
    assert s(0) == pytest.approx(start)
    assert s(15) == pytest.approx(start + (1.0 - start) / 2)  # halfway up: cos(π/2) = 0
    assert s(30) == pytest.approx(1.0)
    assert s(65) == pytest.approx(end + (1.0 - end) / 2)  # halfway down
    assert s(100) == pytest.approx(end) and s(150) == pytest.approx(end)
    rising = [s(t) for t in range(31)]
    falling = [s(t) for t in range(30, 101)]
    assert rising == sorted(rising) and falling == sorted(falling, reverse=True)
    with pytest.raises(ValueError, match="pct_start"):
        schedules.OneCycle(1.0, total=10, pct_start=1.0)

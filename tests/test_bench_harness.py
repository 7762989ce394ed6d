"""bench/harness.py: the paired ratio that `make bench` judges the speed goals by."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from harness import paired_ratio  # noqa: E402  (bench/ is not a package)


def test_paired_ratio_cancels_a_slow_phase_that_hits_both_sides():
    # a machine twice as slow in the second half of the run: both libraries' times double there
    speed = np.r_[np.ones(10), 2 * np.ones(10)]
    ours, theirs = 1.2e-3 * speed, 1.0e-3 * speed
    ours[0], theirs[0] = 9e-3, 1.0e-3  # one round where only dlcore was hit by a burst
    median, low, high = paired_ratio(list(ours), list(theirs))
    assert np.isclose(median, 1.2) and np.isclose(low, 1.2) and np.isclose(high, 1.2)


def test_paired_ratio_spread_brackets_the_median():
    rng = np.random.default_rng(0)
    ours, theirs = rng.uniform(1, 2, 50), rng.uniform(1, 2, 50)
    median, low, high = paired_ratio(list(ours), list(theirs))
    assert low < median < high
    assert np.isclose(median, np.median(ours / theirs))

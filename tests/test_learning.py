"""End-to-end learning on real data with dlcore's Sequential.fit (slow: each test trains a model).

- 8x8 digits: an MLP reaches >= 97 % test accuracy.
- Training is repeatable: the same seed gives the same trained weights.

The MNIST-1D paper's baselines (logistic regression, MLP, CNN, GRU) are reproduced in
tests/test_mnist1d_baselines.py, with their recipes in dlcore/mnist1d.py.
"""

import time

import numpy as np
import pytest

import dlcore
from dlcore.datasets import load_digits, load_mnist1d
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.preprocessing import train_test_split

pytestmark = pytest.mark.slow


def test_mlp_reaches_97_percent_on_held_out_digits():
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=True, rng=0)
    dlcore.seed(0)
    model = Sequential([Dense(64, 128), ReLU(), Dense(128, 10)])
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=1e-3), metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=60, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(x_test, y_test)["accuracy"]
    print(f"digits MLP: test accuracy {accuracy:.1%} after 60 epochs in {seconds:.1f} s")
    assert accuracy >= 0.97


def test_trained_predictions_are_repeatable_for_a_seed():
    """Same seed, same data -> the same trained weights (everything random goes through dlcore.seed)."""
    x_train, y_train, _, _ = load_mnist1d()
    outputs = []
    for _ in range(2):
        dlcore.seed(3)
        model = Sequential([Dense(40, 32), ReLU(), Dense(32, 10)])
        model.compile("categorical_crossentropy", Adam(model.parameters(), lr=1e-2))
        model.fit(x_train[:1000], y_train[:1000], epochs=2, batch_size=100, verbose=0)
        outputs.append(model.predict(x_train[:50]))
    np.testing.assert_array_equal(outputs[0], outputs[1])

"""End-to-end learning on real data with dlcore's Sequential.fit (slow: each test trains a model).

Targets:
- 8x8 digits: an MLP reaches >= 97 % test accuracy.
- MNIST-1D: the baseline rows of the MNIST-1D paper (Greydanus, 2020): logistic regression
  32 %, MLP 68 %. Optimiser settings as in the paper: Adam, learning rate 1e-2, batches of 100.

Two deliberate additions to the paper's recipe, found by measurement:
- The last epochs run at a smaller learning rate. At a constant 1e-2 Adam keeps jumping
  around the minimum and the final test accuracy wanders by several points from epoch to
  epoch; the smaller rate settles it. (A linear model's best on this data is about 32.5 %,
  which is what converged logistic regression reaches, so the 32 % row leaves little room.)
- The MLP gets an L2 weight penalty. Without one it fits the 4000 training signals
  perfectly and lands between 61 % and 68 % on the test set depending on the seed (as does
  scikit-learn's MLPClassifier with the same settings); with it, about 71-74 %.
"""

import time

import numpy as np
import pytest

import dlcore
from dlcore.callbacks import LearningRateScheduler
from dlcore.datasets import load_digits, load_mnist1d
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.preprocessing import train_test_split
from dlcore.regularizers import L2

pytestmark = pytest.mark.slow

PAPER_LR = 1e-2  # MNIST-1D paper: Adam with learning rate 1e-2 ...
PAPER_BATCH = 100  # ... and batches of 100 signals


def fit_and_score(model, data, lr, epochs, batch_size, schedule=None, label=""):
    """Compile with Adam, train on data = (x_train, y_train, x_test, y_test), print and return the test accuracy."""
    x_train, y_train, x_test, y_test = data
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=lr), metrics=["accuracy"])
    callbacks = [LearningRateScheduler(schedule)] if schedule else []
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(x_test, y_test)["accuracy"]
    print(f"{label}: test accuracy {accuracy:.1%} after {epochs} epochs in {seconds:.1f} s")
    return accuracy


def test_mlp_reaches_97_percent_on_held_out_digits():
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=True, rng=0)
    dlcore.seed(0)
    model = Sequential([Dense(64, 128), ReLU(), Dense(128, 10)])
    data = (x_train, y_train, x_test, y_test)
    accuracy = fit_and_score(model, data, lr=1e-3, epochs=60, batch_size=32, label="digits MLP")
    assert accuracy >= 0.97


@pytest.fixture(scope="module")
def mnist1d():
    return load_mnist1d()


def test_logistic_regression_matches_the_mnist1d_paper_baseline(mnist1d):
    dlcore.seed(0)
    model = Sequential([Dense(40, 10, init="xavier")])  # softmax regression: one linear layer, fused softmax loss

    def schedule(epoch):  # 1e-2, then settle
        return PAPER_LR if epoch < 20 else PAPER_LR / 10 if epoch < 30 else PAPER_LR / 100

    accuracy = fit_and_score(model, mnist1d, PAPER_LR, 40, PAPER_BATCH, schedule, "MNIST-1D logistic regression")
    assert accuracy >= 0.32


def test_mlp_matches_the_mnist1d_paper_baseline(mnist1d):
    dlcore.seed(0)
    weight_penalty = L2(3e-3)
    model = Sequential(
        [
            Dense(40, 100, regularizer=weight_penalty),
            ReLU(),
            Dense(100, 100, regularizer=weight_penalty),
            ReLU(),
            Dense(100, 10),
        ]
    )

    def schedule(epoch):  # 1e-2 for 30 epochs, then 1e-3
        return PAPER_LR if epoch < 30 else PAPER_LR / 10

    accuracy = fit_and_score(model, mnist1d, PAPER_LR, 40, PAPER_BATCH, schedule, "MNIST-1D MLP")
    assert accuracy >= 0.68


def test_trained_predictions_are_repeatable_for_a_seed(mnist1d):
    """Same seed, same data -> the same trained weights (everything random goes through dlcore.seed)."""
    x_train, y_train, _, _ = mnist1d
    outputs = []
    for _ in range(2):
        dlcore.seed(3)
        model = Sequential([Dense(40, 32), ReLU(), Dense(32, 10)])
        model.compile("categorical_crossentropy", Adam(model.parameters(), lr=PAPER_LR))
        model.fit(x_train[:1000], y_train[:1000], epochs=2, batch_size=PAPER_BATCH, verbose=0)
        outputs.append(model.predict(x_train[:50]))
    np.testing.assert_array_equal(outputs[0], outputs[1])

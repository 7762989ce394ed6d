"""A dlcore CNN on MNIST-1D beats the MNIST-1D paper's CNN row (94% test accuracy).

The paper's own recipe (3 convolutions of 25 channels, stride 2, then a linear layer; Adam
1e-2, batch 100, 6000 steps) lands between 93% and 94.5% depending on the seed, in PyTorch
and in dlcore alike, so it cannot be asserted reliably. This network keeps the paper's
optimiser and batch size but lets the first convolution see every position (stride 1,
"same" padding) and ends with a global average pool, which makes the features less
sensitive to where the digit sits; it reaches about 97% in 2400 steps.
"""

import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import dlcore
from dlcore.conv import Conv1D
from dlcore.datasets import load_mnist1d
from dlcore.layers import Dense, ReLU
from dlcore.model import Sequential
from dlcore.optim import Adam
from dlcore.pooling import GlobalAvgPool1D

PAPER_CNN_ACCURACY = 0.94
CHANNELS = 32
EPOCHS = 60  # 60 passes over 4000 samples in batches of 100: 2400 Adam steps
BATCH_SIZE = 100
LEARNING_RATE = 1e-2


def mnist1d_cnn(channels: int = CHANNELS) -> Sequential:
    """x: (N, 40, 1) -> logits (N, 10)."""
    return Sequential(
        [
            Conv1D(1, channels, 5, padding="same"),  # (N, 40, 1) -> (N, 40, c)
            ReLU(),
            Conv1D(channels, channels, 3, stride=2, padding=1),  # -> (N, 20, c)
            ReLU(),
            Conv1D(channels, channels, 3, stride=2, padding=1),  # -> (N, 10, c)
            ReLU(),
            Conv1D(channels, channels, 3, padding="same"),  # -> (N, 10, c)
            ReLU(),
            GlobalAvgPool1D(),  # -> (N, c)
            Dense(channels, 10),  # -> (N, 10)
        ]
    )


@pytest.mark.slow
def test_cnn_on_mnist1d_reaches_the_accuracy_of_the_papers_cnn():
    x_train, y_train, x_test, y_test = load_mnist1d()
    x_train, x_test = x_train[:, :, None], x_test[:, :, None]  # (N, 40) -> (N, 40, 1): channels last
    dlcore.seed(0)
    model = mnist1d_cnn()
    model.compile("categorical_crossentropy", Adam(model.parameters(), lr=LEARNING_RATE))
    start = time.perf_counter()
    with threadpool_limits(1, "blas"):  # matrices this small only lose time to BLAS threads waiting on each other
        model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        accuracy = float(np.mean(np.argmax(model.predict(x_test), axis=1) == y_test))
    seconds = time.perf_counter() - start
    steps = EPOCHS * len(x_train) // BATCH_SIZE
    print(f"\nMNIST-1D CNN: test accuracy {accuracy:.3f} after {steps} steps, {seconds:.1f} s")
    assert accuracy >= PAPER_CNN_ACCURACY

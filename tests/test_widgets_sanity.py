"""Chapter 12's sanity-check widget: initial loss near log(10), update ratios that scale with the learning rate."""

import matplotlib.pyplot as plt
import numpy as np

import dlcore as dl
from dlcore.datasets import load_digits
from dlcore.widgets.sanity import UpdateRatio, plot_sanity, sanity_network, sanity_run


def test_a_small_last_layer_starts_at_log_10_and_a_he_one_does_not():
    x, y = load_digits()
    loss = dl.CategoricalCrossEntropy()
    assert abs(loss.forward(sanity_network().forward(x), y) - np.log(10)) < 0.01
    assert loss.forward(sanity_network(last_init="he").forward(x), y) > np.log(10) + 0.1


def test_update_ratio_equals_the_relative_change_of_the_weights():
    x, y = load_digits()
    model = sanity_network()
    model.compile("categorical_crossentropy", dl.SGD(model.parameters(), lr=0.1))
    before = model.layers[0].W.value.copy()
    recorder = UpdateRatio()
    model.fit(x[:64], y[:64], epochs=1, batch_size=64, callbacks=[recorder], verbose=0)
    expected = np.linalg.norm(model.layers[0].W.value - before) / np.linalg.norm(before)
    assert recorder.ratios.shape == (1, 3) and np.isclose(recorder.ratios[0, 0], expected)


def test_ratios_grow_with_the_learning_rate_and_a_good_rate_learns():
    slow, good = sanity_run(1e-3, epochs=1), sanity_run(0.1, epochs=5)
    assert np.median(good.ratios) > 10 * np.median(slow.ratios)
    assert good.losses[-1] < 1.0 < slow.losses[-1]


def test_plot_sanity_draws_the_loss_and_three_ratio_curves():
    fig = plot_sanity(0.1, epochs=1)
    assert len(fig.axes[1].lines) == 3 and len(fig.axes[0].lines) == 2
    plt.close(fig)

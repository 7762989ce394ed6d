"""Chapter 10's widget: dropout, L2 and more data each shrink the gap between training and validation loss."""

import matplotlib.pyplot as plt
import numpy as np

from dlcore.widgets.regularization import plot_regularized, regularized_network, train_regularized


def test_an_unregularised_network_on_few_points_overfits_and_each_remedy_narrows_the_gap():
    plain = train_regularized(0.0, 0.0, 60)
    gap = plain.val_loss[-1] - plain.loss[-1]
    assert plain.train_acc == 1.0 and gap > 1.0, (plain.train_acc, gap)
    for remedy in [train_regularized(0.5, 0.0, 60), train_regularized(0.0, 0.01, 60), train_regularized(0, 0, 400)]:
        assert remedy.val_loss[-1] - remedy.loss[-1] < gap / 2


def test_the_network_has_dropout_and_penalties_where_asked():
    model = regularized_network(0.3, 1e-3)
    assert sum(type(layer).__name__ == "Dropout" for layer in model.layers) == 2
    assert all(layer.regularizer.lam == 1e-3 for layer in model.layers if hasattr(layer, "W"))
    assert all(getattr(layer, "regularizer", None) is None for layer in regularized_network(0.0, 0.0).layers)


def test_plot_regularized_draws_two_curves_and_a_boundary():
    fig = plot_regularized(0.3, 0.003, 60, epochs=20)
    loss_ax, map_ax = fig.axes[:2]
    assert len(loss_ax.lines) == 2 and np.all(np.isfinite(loss_ax.lines[1].get_ydata()))
    assert "validation acc" in map_ax.get_title()
    plt.close(fig)

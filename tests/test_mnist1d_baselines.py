"""The MNIST-1D yardstick (dlcore.mnist1d): the paper's four baselines reproduced by dlcore.

The slow tests train each baseline with its recipe on the locally generated MNIST-1D
(4000 training, 1000 test signals, seed 42) and assert the paper's test accuracy:
logistic regression 32 %, MLP 68 %, CNN 94 %, GRU 91 %. Why each recipe looks the way it
does is in dlcore/mnist1d.py's docstring. The fast tests check the pieces on tiny inputs.
"""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore import mnist1d as M
from dlcore.callbacks import History
from dlcore.gradcheck import check_module_gradients
from dlcore.layers import Dense

NAMES = ["logistic", "mlp", "cnn", "gru"]


# --- the paper's numbers, reproduced (slow: each trains a model on MNIST-1D) -----------------
@pytest.fixture(scope="module")
def mnist1d():
    from dlcore.datasets import load_mnist1d

    return load_mnist1d()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_baseline_reaches_the_papers_test_accuracy_on_mnist1d(mnist1d, name):
    result = M.train_baseline(name, mnist1d)
    print(f"\n{M.results_table([result])}")
    assert result.steps == M.RECIPES[name].steps
    assert result.accuracy >= M.BASELINES[name]


# --- the models ---------------------------------------------------------------------------
@pytest.mark.parametrize("paper", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_every_baseline_maps_a_batch_of_signals_to_ten_logits(name, paper):
    x = np.random.default_rng(0).standard_normal((7, 40)).astype(np.float32)
    model = M.build_model(name, rng=0, paper=paper)
    logits = model.predict(x)
    assert logits.shape == (7, 10)
    assert logits.dtype == np.float32
    assert np.all(np.isfinite(logits))


def test_paper_architectures_have_the_papers_parameter_counts():
    c, h = 25, 6
    cnn = (5 * 1 * c + c) + 2 * (3 * c * c + c) + (5 * c * 10 + 10)  # convs 5, 3, 3; 40 -> 19 -> 10 -> 5 positions
    gru_direction = 1 * 3 * h + h * 3 * h + 3 * h + h  # W, U, b (gates r, z, n) and b_hn
    expected = {
        "logistic": 40 * 10 + 10,
        "mlp": (40 * 100 + 100) + (100 * 100 + 100) + (100 * 10 + 10),
        "cnn": cnn,
        "gru": 2 * gru_direction + (40 * 2 * h * 10 + 10),
    }
    for name, count in expected.items():
        assert M.build_model(name, rng=0, paper=True).num_parameters() == count, name


def test_dlcore_mlp_penalises_its_hidden_weights_and_the_papers_does_not():
    ours, paper = M.build_model("mlp", rng=0), M.build_model("mlp", rng=0, paper=True)
    assert [layer.regularizer is not None for layer in ours.layers if isinstance(layer, Dense)] == [
        True,
        True,
        False,
    ]
    assert all(layer.regularizer is None for layer in paper.layers)


def test_same_rng_seed_builds_the_same_weights():
    a, b = M.build_model("cnn", rng=5), M.build_model("cnn", rng=5)
    c = M.build_model("cnn", rng=6)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(pa.value, pb.value)
    assert not np.array_equal(a.parameters()[0].value, c.parameters()[0].value)


def test_add_channel_axis_reshapes_forward_and_backward():
    layer = M.AddChannelAxis()
    x = np.arange(6.0).reshape(2, 3)
    assert layer(x).shape == (2, 3, 1)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3, 1))), np.ones((2, 3)))
    assert max(check_module_gradients(layer, x).values()) < 1e-6
    with pytest.raises(ValueError, match=r"AddChannelAxis.*\(N, L\)"):
        layer(np.zeros((2, 3, 1)))


@pytest.mark.parametrize("call", [lambda: M.build_model("resnet"), lambda: M.train_baseline("resnet")])
def test_unknown_baseline_name_is_refused_with_the_valid_names(call):
    with pytest.raises(ValueError, match=r"unknown MNIST-1D baseline 'resnet'.*'logistic', 'mlp', 'cnn', 'gru'"):
        call()


# --- the recipes --------------------------------------------------------------------------
def test_every_recipe_starts_at_the_papers_learning_rate_and_never_raises_it():
    for name, recipe in M.RECIPES.items():
        rates = [recipe.learning_rate(t, 400) for t in range(400)]
        assert rates[0] == pytest.approx(1e-2), name
        assert all(later <= earlier + 1e-15 for earlier, later in zip(rates, rates[1:], strict=False)), name


def test_step_drops_happen_at_fractions_of_the_run():
    logistic = M.RECIPES["logistic"]  # /10 after half the run, /100 after three quarters
    assert logistic.learning_rate(199, 400) == pytest.approx(1e-2)
    assert logistic.learning_rate(200, 400) == pytest.approx(1e-3)
    assert logistic.learning_rate(300, 400) == pytest.approx(1e-4)
    assert logistic.learning_rate(150, 300) == pytest.approx(1e-3)  # the schedule stretches with the run


def test_cosine_recipe_halves_the_rate_midway_and_ends_near_zero():
    gru = M.RECIPES["gru"]
    assert gru.learning_rate(500, 1000) == pytest.approx(5e-3)
    assert gru.learning_rate(999, 1000) < 1e-6


# --- training on tiny synthetic data (fast) --------------------------------------------------
def tiny_data(n_train=200, n_test=100, seed=0):
    """Signals whose class is where a bump sits, so even a linear model learns something."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    y = rng.integers(0, 10, n)
    x = 0.3 * rng.standard_normal((n, 40))
    x[np.arange(n), 4 * y] += 3.0  # class k: a bump at position 4k
    x = x.astype(np.float32)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def test_train_baseline_rounds_steps_up_to_whole_epochs_and_reports_the_run():
    data = tiny_data()  # 200 signals: 2 batches of 100 per epoch
    result = M.train_baseline("logistic", data, steps=5)
    assert result.steps == 6  # 3 epochs
    assert len(result.history.epoch) == 3
    assert isinstance(result.history, History)
    assert set(result.history.history) >= {"loss", "accuracy", "test_accuracy", "lr"}
    assert 0 < result.seconds < 10
    assert result.paper_accuracy == M.BASELINES["logistic"]


@pytest.mark.parametrize("steps", [0, -40, 2.5])
def test_train_baseline_refuses_a_step_count_that_is_not_a_positive_integer(steps):
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        M.train_baseline("logistic", tiny_data(), steps=steps)


def test_reported_accuracy_is_the_trained_models_accuracy_on_the_test_set():
    data = tiny_data()
    result = M.train_baseline("logistic", data, steps=40)
    predicted = np.argmax(result.model.predict(data[2]), axis=1)
    assert result.accuracy == pytest.approx(np.mean(predicted == data[3]))
    assert result.accuracy > 0.5  # the bump task is easy; 10 % would be guessing


def test_training_follows_the_recipes_learning_rate_schedule():
    result = M.train_baseline("logistic", tiny_data(), steps=8)  # 4 epochs of 2 steps
    # the rate in force at the end of each epoch: steps 1, 3, 5, 7 of 8
    assert result.history["lr"] == pytest.approx([1e-2, 1e-2, 1e-3, 1e-4])


def test_same_seed_trains_the_same_model_and_another_seed_does_not():
    data = tiny_data()
    a, b, c = (M.train_baseline("mlp", data, seed=s, steps=4) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.model.predict(data[2]), b.model.predict(data[2]))
    assert not np.array_equal(a.model.predict(data[2]), c.model.predict(data[2]))


# --- reporting ----------------------------------------------------------------------------
def fake_result(name, accuracy, seconds=1.25, steps=1600):
    history = History()
    for epoch, acc in enumerate([accuracy / 2, accuracy]):
        history.on_epoch_end(epoch, {"test_accuracy": acc})
    return M.BaselineResult(name, accuracy, M.BASELINES[name], seconds, steps, history, model=None)


def test_results_table_has_one_aligned_row_per_model_with_percentages_and_verdicts():
    table = M.results_table([fake_result("logistic", 0.324, 0.5), fake_result("cnn", 0.9, 12.0, 2400)])
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, two rows
    assert lines[0].split()[:6] == ["model", "paper", "dlcore", "train", "s", "steps"]
    assert set(lines[1]) == {"-"} and len(lines[1]) == len(lines[0])
    assert lines[2].split() == ["logistic", "regression", "32.0%", "32.4%", "0.5", "1600", "yes"]
    assert lines[3].split() == ["CNN", "94.0%", "90.0%", "12.0", "2400", "NO"]
    assert lines[2].index("32.4%") == lines[3].index("90.0%")  # columns line up


def test_plot_results_draws_paper_and_dlcore_bars_with_their_values():
    results = [fake_result("mlp", 0.73), fake_result("gru", 0.95)]
    ax = M.plot_results(results)
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == sorted([68.0, 91.0, 73.0, 95.0])
    assert {t.get_text() for t in ax.texts} >= {"68.0", "73.0", "91.0", "95.0"}
    assert ax.get_title() and ax.get_ylabel()
    plt.close("all")


def test_plot_curves_puts_each_epoch_at_its_step_count():
    ax = M.plot_curves([fake_result("cnn", 0.96, steps=2400)])
    curve = ax.get_lines()[0]
    np.testing.assert_allclose(curve.get_xdata(), [1200, 2400])
    np.testing.assert_allclose(curve.get_ydata(), [48.0, 96.0])
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close("all")


def test_plot_examples_draws_the_requested_signals_of_every_class():
    x, y, _, _ = tiny_data(n_train=300)
    fig = M.plot_examples(x, y, per_class=2)
    assert len(fig.axes) == 10
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)
    first = np.flatnonzero(y == 3)[0]
    np.testing.assert_array_equal(fig.axes[3].get_lines()[0].get_ydata(), x[first])
    plt.close("all")

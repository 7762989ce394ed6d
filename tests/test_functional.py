"""The functional API: graphs of layers, gradient-checked in float64, trained with fit, saved as .npz."""

import numpy as np
import pytest

import dlcore as dl
from dlcore.functional import Add, Concatenate, Input, Model
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.saving import load_weights, save_weights

F64 = np.float64
RNG = np.random.default_rng(12)


def residual_model(d=4, h=6):
    x = Input((d,), dtype=F64, name="x")
    h1 = dl.Tanh()(dl.Dense(d, h, rng=1, dtype=F64)(x))
    y = Add()([x, dl.Dense(h, d, rng=2, dtype=F64)(h1)])  # x is used twice: by the Dense and by Add
    return Model(x, dl.Dense(d, 2, rng=3, dtype=F64)(y))


def two_input_model():
    a, b = Input((3,), dtype=F64, name="a"), Input((2,), dtype=F64, name="b")
    ha = dl.Tanh()(dl.Dense(3, 4, rng=4, dtype=F64)(a))
    joined = Concatenate()([ha, b])  # (N, 6)
    return Model([a, b], dl.Dense(6, 1, rng=5, dtype=F64)(joined))


def test_a_residual_graph_computes_what_it_says():
    model = residual_model()
    x = RNG.normal(size=(5, 4))
    d1, _, d2, _, d3 = model.layers  # Dense, Tanh, Dense, Add, Dense
    expected = (x + np.tanh(x @ d1.W.value + d1.b.value) @ d2.W.value + d2.b.value) @ d3.W.value + d3.b.value
    assert np.allclose(model.forward(x), expected)


def test_residual_graph_gradients_match_finite_differences_including_the_skip_path():
    errors = check_module_gradients(residual_model(), RNG.normal(size=(5, 4)))
    assert max(errors.values()) < 1e-7, errors


def test_two_input_graph_gradients_match_finite_differences_for_both_inputs_and_all_weights():
    model = two_input_model()
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    R = RNG.normal(size=(4, 1))

    def loss():
        return float(np.sum(model.forward([a, b]) * R))

    model.zero_grad()
    model.forward([a, b])
    da, db = model.backward(R)
    assert relative_error(da, numerical_gradient(lambda _: loss(), a)) < 1e-7
    assert relative_error(db, numerical_gradient(lambda _: loss(), b)) < 1e-7
    for name, p in model.named_parameters():
        analytic = p.grad.copy()
        assert relative_error(analytic, numerical_gradient(lambda _: loss(), p.value)) < 1e-7, name


def test_layers_are_in_topological_order_and_the_summary_names_the_inputs():
    model = two_input_model()
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Tanh", "Concatenate", "Dense"]
    text = model.summary()
    assert "Concatenate" in text and "(N, 6)" in text and "a" in text and "b" in text


def test_a_multi_input_model_trains_with_fit_and_beats_the_constant_prediction():
    dl.seed(0)
    a = RNG.normal(size=(256, 3)).astype(np.float32)
    b = RNG.normal(size=(256, 2)).astype(np.float32)
    y = (np.sin(a[:, :1]) + b[:, 1:]).astype(np.float32)
    ia, ib = Input((3,), name="a"), Input((2,), name="b")
    h = dl.ReLU()(dl.Dense(3, 16, rng=0)(ia))
    model = Model([ia, ib], dl.Dense(18, 1, rng=1)(Concatenate()([h, ib])))
    model.compile("mse", dl.Adam(model.parameters(), lr=0.01))
    history = model.fit([a, b], y, epochs=40, batch_size=32, verbose=0, rng=0)
    assert history["loss"][-1] < 0.1 * np.var(y)
    assert model.predict([a, b]).shape == (256, 1)
    assert model.evaluate([a, b], y)["loss"] < 0.1 * np.var(y)


def test_a_functional_chain_equals_the_same_sequential_model():
    x = Input((5,), dtype=F64)
    layers = [dl.Dense(5, 3, rng=0, dtype=F64), dl.ReLU(), dl.Dense(3, 2, rng=1, dtype=F64)]
    out = x
    for layer in layers:
        out = layer(out)
    model = Model(x, out)
    seq = dl.Sequential([dl.Dense(5, 3, rng=0, dtype=F64), dl.ReLU(), dl.Dense(3, 2, rng=1, dtype=F64)])
    data = RNG.normal(size=(7, 5))
    assert np.allclose(model.forward(data), seq.forward(data))


def test_clear_errors_for_wrong_graphs_and_wrong_inputs():
    x, other = Input((4,), name="x"), Input((4,), name="other")
    with pytest.raises(ValueError, match="other"):
        Model(x, Add()([x, other]))  # depends on an input not given
    with pytest.raises(ValueError, match="Dense.*cannot take input"):
        dl.Dense(3, 2)(x)
    layer = dl.Dense(4, 4)
    layer(x)
    with pytest.raises(ValueError, match="called once|already used"):
        layer(Input((4,)))
    model = Model(x, dl.Dense(4, 1)(x))
    with pytest.raises(ValueError, match=r"expects shape \(N, 4\)"):
        model.predict(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="one shape"):
        Add().forward([np.zeros((2, 3)), np.zeros((2, 4))])


def test_save_and_load_weights_round_trip_through_npz(tmp_path):
    model = residual_model()
    bn_model = dl.Sequential([dl.Dense(4, 3, rng=0), dl.BatchNorm(3)])
    bn_model.forward(RNG.normal(size=(8, 4)).astype(np.float32))  # moves the running statistics
    x = RNG.normal(size=(3, 4))
    for m, fresh in [(model, residual_model()), (bn_model, dl.Sequential([dl.Dense(4, 3, rng=9), dl.BatchNorm(3)]))]:
        path = tmp_path / "weights.npz"
        save_weights(m, path)
        for p in fresh.parameters():
            p.value[...] = 0
        load_weights(fresh, path)
        m.eval(), fresh.eval()
        assert np.array_equal(
            m.forward(x.astype(m.parameters()[0].value.dtype)),
            fresh.forward(x.astype(fresh.parameters()[0].value.dtype)),
        )
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as archive:
        assert "layers.1.running_mean" in archive.files


def test_loading_weights_into_another_architecture_raises_a_clear_error(tmp_path):
    path = tmp_path / "w.npz"
    save_weights(dl.Sequential([dl.Dense(4, 3), dl.ReLU(), dl.Dense(3, 2)]), path)
    wider = dl.Sequential([dl.Dense(4, 5), dl.ReLU(), dl.Dense(5, 2)])
    before = [p.value.copy() for p in wider.parameters()]
    with pytest.raises(ValueError, match=r"layers.0.W: model \(4, 5\), file \(4, 3\)"):
        load_weights(wider, path)
    assert all(np.array_equal(b, p.value) for b, p in zip(before, wider.parameters(), strict=True))  # untouched
    with pytest.raises(KeyError, match="missing.*layers.4.W"):
        load_weights(dl.Sequential([dl.Dense(4, 3), dl.ReLU(), dl.Dense(3, 2), dl.ReLU(), dl.Dense(2, 1)]), path)


def test_model_methods_save_and_load(tmp_path):
    model, fresh = residual_model(), residual_model()
    for p in fresh.parameters():
        p.value[...] = 1.0
    model.save_weights(tmp_path / "m.npz")
    fresh.load_weights(tmp_path / "m.npz")
    assert all(np.array_equal(a.value, b.value) for a, b in zip(model.parameters(), fresh.parameters(), strict=True))

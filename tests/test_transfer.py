"""Transfer-learning helpers: task split, frozen backbones stay put, the grid's shape."""

import numpy as np
import pytest

from dlcore import transfer as T


@pytest.fixture(scope="module")
def tasks():
    return T.split_tasks(0, "digits")


def test_tasks_split_classes_and_relabel(tasks):
    for name in ("source", "target"):
        x, y, x_test, y_test = tasks[name]
        assert x.shape[1] == 64 and set(np.unique(y)) == set(range(5)) == set(np.unique(y_test))
        assert len(x_test) < len(x)
    with pytest.raises(ValueError, match="mnist1d"):
        T.split_tasks(0, "cifar")


def test_feature_extraction_keeps_the_backbone_and_fine_tuning_changes_it(tasks):
    pre = T.pretrain(tasks, epochs=2)
    x, y = T.per_class_sample(*tasks["target"][:2], 5, rng=0)
    assert len(x) == 25 and np.all(np.bincount(y) == 5)
    frozen = T.transfer(pre, x, y, frozen=2, lr=1e-2, epochs=3)
    np.testing.assert_array_equal(frozen.layers[0].W.value, pre.layers[0].W.value)
    np.testing.assert_array_equal(frozen.layers[2].W.value, pre.layers[2].W.value)
    tuned = T.transfer(pre, x, y, frozen=0, lr=1e-2, epochs=3)
    assert not np.allclose(tuned.layers[0].W.value, pre.layers[0].W.value)
    assert tuned.layers[0].W.value is not pre.layers[0].W.value  # a copy: the pretrained net is untouched


def test_grid_has_one_accuracy_per_seed_for_every_method_and_size(tasks):
    pre = T.pretrain(tasks, epochs=2)
    results = T.transfer_grid(pre, tasks, ns=[5, 10], seeds=[0, 1], methods=("scratch", "frozen2"))
    assert set(results) == {(m, n) for m in ("scratch", "frozen2") for n in (5, 10)}
    assert all(len(v) == 2 and all(0 <= a <= 1 for a in v) for v in results.values())
    assert T.epochs_for(5) == 40 and T.epochs_for(500) == 20

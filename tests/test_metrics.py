"""Metrics agree with scikit-learn (the reference) on random inputs, in every input form."""

import numpy as np
import pytest
from sklearn import metrics as skm

from dlcore import metrics

RNG = np.random.default_rng(42)
N, C = 200, 4
Y_TRUE = RNG.integers(0, C, N)
SCORES = RNG.standard_normal((N, C))  # logits
Y_PRED = SCORES.argmax(axis=1)
Y_BIN = RNG.integers(0, 2, N)
P_BIN = RNG.random(N)  # probabilities of class 1


def test_accuracy_from_labels_scores_and_one_hot_targets_matches_sklearn():
    expected = skm.accuracy_score(Y_TRUE, Y_PRED)
    assert metrics.accuracy(Y_TRUE, Y_PRED) == pytest.approx(expected)
    assert metrics.accuracy(Y_TRUE, SCORES) == pytest.approx(expected)  # argmax of logits
    assert metrics.accuracy(np.eye(C)[Y_TRUE], SCORES) == pytest.approx(expected)  # one-hot targets


def test_accuracy_of_binary_scores_thresholds_probabilities_at_half_and_logits_at_zero():
    expected = skm.accuracy_score(Y_BIN, P_BIN > 0.5)
    assert metrics.accuracy(Y_BIN, P_BIN) == pytest.approx(expected)
    assert metrics.accuracy(Y_BIN[:, None], P_BIN[:, None]) == pytest.approx(expected)  # (N, 1) forms
    logits = np.log(P_BIN / (1 - P_BIN))
    assert metrics.accuracy(Y_BIN, logits, threshold=0.0) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
@pytest.mark.parametrize("average", ["macro", "micro"])
def test_multiclass_precision_recall_f1_match_sklearn(name, average):
    sk = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
    ours = getattr(metrics, name)
    expected = sk(Y_TRUE, Y_PRED, average=average, zero_division=0)
    assert ours(Y_TRUE, Y_PRED, average=average) == pytest.approx(expected)
    assert ours(Y_TRUE, SCORES, average=average) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_binary_precision_recall_f1_match_sklearn(name):
    sk = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
    ours = getattr(metrics, name)
    labels = (P_BIN > 0.5).astype(int)
    assert ours(Y_BIN, P_BIN) == pytest.approx(sk(Y_BIN, labels))
    assert ours(Y_BIN, labels, pos_label=0) == pytest.approx(sk(Y_BIN, labels, pos_label=0))


def test_a_class_that_is_never_predicted_scores_zero_precision_like_sklearn():
    y_true = np.array([0, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1])  # class 2 never predicted
    expected = skm.precision_score(y_true, y_pred, average="macro", zero_division=0)
    assert metrics.precision(y_true, y_pred, average="macro") == pytest.approx(expected)
    assert metrics.f1(y_true, y_pred, average="macro") == pytest.approx(
        skm.f1_score(y_true, y_pred, average="macro", zero_division=0)
    )


def test_confusion_matrix_matches_sklearn_rows_true_columns_predicted():
    expected = skm.confusion_matrix(Y_TRUE, Y_PRED, labels=np.arange(C))
    np.testing.assert_array_equal(metrics.confusion_matrix(Y_TRUE, SCORES), expected)
    cm = metrics.confusion_matrix(np.array([0, 0, 1]), np.array([1, 1, 1]), num_classes=3)
    np.testing.assert_array_equal(cm, [[0, 2, 0], [0, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize(
    "ours, sk",
    [
        (metrics.mae, skm.mean_absolute_error),
        (metrics.mse, skm.mean_squared_error),
        (metrics.rmse, skm.root_mean_squared_error),
        (metrics.r2, skm.r2_score),
    ],
)
@pytest.mark.parametrize("shape", [(50,), (50, 3)])
def test_regression_metrics_match_sklearn(ours, sk, shape):
    y = RNG.standard_normal(shape)
    y_hat = y + 0.5 * RNG.standard_normal(shape)
    assert ours(y, y_hat) == pytest.approx(sk(y, y_hat), rel=1e-10)


def test_regression_metrics_reshape_n_against_n_by_1_instead_of_broadcasting():
    y = np.arange(5.0)
    y_hat = (y + 1.0)[:, None]  # (5, 1): broadcasting would compare every pair
    assert metrics.mse(y, y_hat) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"shape \(5,\) but y_pred has shape \(4,\)"):
        metrics.mae(y, y[:4])


def test_r2_of_a_constant_target_is_one_when_exact_and_zero_otherwise_like_sklearn():
    y = np.full(4, 2.0)
    assert metrics.r2(y, y) == skm.r2_score(y, y) == 1.0
    assert metrics.r2(y, y + 1) == skm.r2_score(y, y + 1) == 0.0


def test_get_metric_finds_names_and_aliases_and_explains_unknown_ones():
    assert metrics.get_metric("acc") == ("accuracy", metrics.accuracy)
    name, f1_macro = metrics.get_metric("f1")
    assert name == "f1"
    assert f1_macro(Y_TRUE, SCORES) == pytest.approx(skm.f1_score(Y_TRUE, Y_PRED, average="macro"))
    with pytest.raises(ValueError, match="unknown metric 'accuracyy'"):
        metrics.get_metric("accuracyy")


def test_classification_metrics_reject_mismatched_lengths_and_bad_averages():
    with pytest.raises(ValueError, match="y_true has 200 samples but y_pred has 10"):
        metrics.accuracy(Y_TRUE, Y_PRED[:10])
    with pytest.raises(ValueError, match="average='binary' needs two classes"):
        metrics.precision(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="average must be"):
        metrics.recall(Y_BIN, Y_BIN, average="weighted")

"""dlcore.evaluation against scikit-learn: curves, AUC, AP, log loss, calibration, reports, folds."""

import numpy as np
import pytest
import sklearn.calibration
import sklearn.metrics

from dlcore import evaluation as E
from dlcore.activations import softmax

RNG = np.random.default_rng(11)


def _scores(n=200, ties=False):
    y = (RNG.random(n) < 0.3).astype(np.int64)
    s = RNG.normal(size=n) + 1.2 * y
    return y, np.round(s, 1) if ties else s


@pytest.mark.parametrize("ties", [False, True])
def test_roc_curve_and_auc_match_scikit_learn(ties):
    y, s = _scores(ties=ties)
    fpr, tpr, thr = E.roc_curve(y, s)
    sk_fpr, sk_tpr, sk_thr = sklearn.metrics.roc_curve(y, s, drop_intermediate=False)
    assert np.allclose(fpr, sk_fpr) and np.allclose(tpr, sk_tpr) and np.allclose(thr[1:], sk_thr[1:])
    assert np.isclose(E.roc_auc(y, s), sklearn.metrics.roc_auc_score(y, s))


def test_auc_is_the_probability_that_a_positive_outranks_a_negative():
    y, s = _scores(60, ties=True)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg).mean() + 0.5 * (pos[:, None] == neg).mean()
    assert np.isclose(E.roc_auc(y, s), pairs)


@pytest.mark.parametrize("ties", [False, True])
def test_precision_recall_curve_and_average_precision_match_scikit_learn(ties):
    y, s = _scores(ties=ties)
    p, r, t = E.precision_recall_curve(y, s)
    sk_p, sk_r, sk_t = sklearn.metrics.precision_recall_curve(y, s)
    assert np.allclose(p, sk_p) and np.allclose(r, sk_r) and np.allclose(t, sk_t)
    assert np.isclose(E.average_precision(y, s), sklearn.metrics.average_precision_score(y, s))


def test_log_loss_matches_scikit_learn_for_binary_and_multiclass():
    y, s = _scores(50)
    p1 = 1 / (1 + np.exp(-s))
    assert np.isclose(E.log_loss(y, p1), sklearn.metrics.log_loss(y, p1))
    labels = RNG.integers(0, 4, 40)
    proba = softmax(RNG.normal(size=(40, 4)), axis=1)
    assert np.isclose(E.log_loss(labels, proba), sklearn.metrics.log_loss(labels, proba, labels=range(4)))
    assert np.isfinite(E.log_loss(np.array([1]), np.array([0.0])))  # a certain mistake is finite


def test_calibration_bins_match_scikit_learn_calibration_curve_for_binary_probabilities():
    y, s = _scores(400)
    p1 = 1 / (1 + np.exp(-s))
    # scikit-learn bins P(class 1); ours bins the confidence max(p, 1 - p): compare on p >= 0.5
    high = p1 >= 0.5
    conf, acc, count = E.calibration_bins(y[high], p1[high], n_bins=10)
    sk_acc, sk_conf = sklearn.calibration.calibration_curve(y[high], p1[high], n_bins=10, strategy="uniform")
    filled = count > 0
    assert np.allclose(conf[filled], sk_conf) and np.allclose(acc[filled], sk_acc)


def test_expected_calibration_error_is_zero_when_confidence_equals_accuracy_and_large_when_overconfident():
    y = np.array([0] * 8 + [1] * 2)
    proba = np.tile([0.8, 0.2], (10, 1))  # says 80% for class 0, right 80% of the time
    assert np.isclose(E.expected_calibration_error(y, proba), 0.0)
    sure = np.tile([0.999, 0.001], (10, 1))
    assert np.isclose(E.expected_calibration_error(y, sure), 0.999 - 0.8)


def test_temperature_scaling_recovers_the_temperature_that_generated_the_labels():
    logits = RNG.normal(size=(4000, 5)) * 3
    y = np.array([RNG.choice(5, p=p) for p in softmax(logits / 2.0, axis=1)])
    t = E.fit_temperature(logits, y)
    assert 1.8 < t < 2.2
    assert E.log_loss(y, softmax(logits / t, axis=1)) < E.log_loss(y, softmax(logits, axis=1))


def test_class_report_matches_scikit_learn_for_every_average():
    y_true, y_pred = RNG.integers(0, 4, 120), RNG.integers(0, 4, 120)
    y_pred[y_true == 2] = 0  # class 2 never found
    report = E.class_report(y_true, y_pred, 5)
    for average in ("macro", "micro", "weighted"):
        expected = sklearn.metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=range(5), average=average, zero_division=0
        )[:3]
        assert np.allclose(report[average], expected), average
    sk = sklearn.metrics.precision_recall_fscore_support(y_true, y_pred, labels=range(5), zero_division=0)
    for k, key in enumerate(("precision", "recall", "f1", "support")):
        assert np.allclose(report[key], sk[k])


def test_k_fold_indices_cover_every_sample_once_and_stratify():
    y = np.array([0] * 90 + [1] * 10)
    folds = list(E.k_fold_indices(100, 5, y=y, rng=0))
    val = np.concatenate([v for _, v in folds])
    assert np.array_equal(np.sort(val), np.arange(100))
    for train, v in folds:
        assert len(np.intersect1d(train, v)) == 0 and len(train) + len(v) == 100
        assert np.sum(y[v] == 1) == 2  # 10 positives, 2 per fold
    with pytest.raises(ValueError, match="k"):
        list(E.k_fold_indices(3, 5))


def test_curves_reject_non_binary_labels_and_a_missing_class():
    with pytest.raises(ValueError, match="binary"):
        E.roc_curve(np.array([0, 2]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="both classes"):
        E.roc_curve(np.array([1, 1]), np.array([0.1, 0.2]))

"""Classic mistakes in Exercise 11: each ``code`` redefines one function with exactly one mistake,
and the hidden tests must take points off that question (and only that one)."""

from dlgrade.mistakes import Mistake

_PRF_HEAD = """def precision_recall_f1(y_true, y_pred, num_classes, average="macro"):
    pairs = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    cm = np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp

    def ratio(num, den):
        num, den = np.atleast_1d(num).astype(np.float64), np.atleast_1d(den).astype(np.float64)
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)

"""

MISTAKES = [
    Mistake(
        question="11.1",
        name="confusion matrix transposed (rows are the predictions)",
        code="""def confusion_matrix(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[p, t] += 1
    return cm
""",
        hint="rows are the true classes, columns the predictions: entry [true, predicted]",
    ),
    Mistake(
        question="11.1",
        name="confusion matrix sized by the labels seen instead of num_classes",
        code="""def confusion_matrix(y_true, y_pred, num_classes):
    c = int(max(y_true.max(), y_pred.max())) + 1
    cm = np.zeros((c, c), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm
""",
        hint="make the matrix (num_classes, num_classes) even when some classes never occur",
    ),
    Mistake(
        question="11.2",
        name="macro and micro confused (pooled counts for both)",
        code=_PRF_HEAD
        + """    tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r, f = ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)
    return float(p.mean()), float(r.mean()), float(f.mean())
""",
        hint="macro: compute P, R and F1 per class first, then average them",
    ),
    Mistake(
        question="11.2",
        name="macro and micro confused (per-class means for both)",
        code=_PRF_HEAD
        + """    p, r, f = ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)
    return float(p.mean()), float(r.mean()), float(f.mean())
""",
        hint="micro: add TP, FP and FN over the classes first, then divide once",
    ),
    Mistake(
        question="11.2",
        name="macro F1 as the harmonic mean of macro precision and macro recall",
        code=_PRF_HEAD
        + """    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r = ratio(tp, tp + fp).mean(), ratio(tp, tp + fn).mean()
    f = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return float(p), float(r), float(f)
""",
        hint="macro F1 is the mean of the per-class F1 scores, not 2PR/(P+R) of the macro averages",
    ),
    Mistake(
        question="11.2",
        name="precision and recall swapped (FP and FN confused)",
        code=_PRF_HEAD
        + """    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r, f = ratio(tp, tp + fn), ratio(tp, tp + fp), ratio(2 * tp, 2 * tp + fp + fn)
    return float(p.mean()), float(r.mean()), float(f.mean())
""",
        hint="precision divides by what was predicted (TP + FP), recall by what is there (TP + FN)",
    ),
    Mistake(
        question="11.3",
        name="AUC from a single threshold (balanced accuracy at 0.5)",
        code="""def roc_auc(y_true, scores):
    pred = scores > 0.5
    tpr = np.mean(pred[y_true == 1])
    fpr = np.mean(pred[y_true == 0])
    return float((tpr + 1 - fpr) / 2)
""",
        hint="AUC covers every threshold: count the (positive, negative) pairs ranked correctly",
    ),
    Mistake(
        question="11.3",
        name="AUC with ties counted as losses",
        code="""def roc_auc(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    return float((pos[:, None] > neg[None, :]).mean())
""",
        hint="a tied (positive, negative) pair counts one half",
    ),
]

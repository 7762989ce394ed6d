"""Classic mistakes in Exercise 2 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there.
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    # --- 2.1 sigmoid -----------------------------------------------------------------------------
    Mistake(
        question="2.1",
        name="the textbook formula 1 / (1 + exp(-z))",
        code="""
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
""",
        hint="exp(-z) overflows for z <= -710: use e = exp(-|z|) and two formulas by the sign of z.",
    ),
    # Not listed: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))). Each
    # entry of its answer comes from the branch that is exact there, so its values equal the
    # solution's bit for bit on every input; only the discarded branch overflows, which shows as
    # a RuntimeWarning and nothing else. The grader judges values only (the submission controls
    # its own np.errstate), so no hidden case can honestly fail it; the learner's public
    # check() runs with strict floating point and still tells them about the overflow.
    Mistake(
        question="2.1",
        name="exp(z) / (1 + exp(z))",
        code="""
def sigmoid(z):
    e = np.exp(z)
    return e / (1 + e)
""",
    ),
    Mistake(
        question="2.1",
        name="tanh without halving z",
        code="""
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z))
""",
        hint="sigmoid(z) = (1 + tanh(z / 2)) / 2.",
    ),
    Mistake(
        question="2.1",
        name="converts to float64",
        code="""
def sigmoid(z):
    e = np.exp(-np.abs(np.asarray(z, dtype=np.float64)))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
""",
    ),
    # --- 2.2 softmax -----------------------------------------------------------------------------
    Mistake(
        question="2.2",
        name="no maximum subtracted",
        code="""
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
""",
        hint="Subtract each row's maximum before exp (z - z.max(axis=-1, keepdims=True)).",
    ),
    Mistake(
        question="2.2",
        name="subtracts the maximum of the whole array, not of each row",
        code="""
def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)
""",
        hint="A row far below the global maximum underflows to all zeros (0/0): take the maximum per row.",
    ),
    Mistake(
        question="2.2",
        name="normalises over the whole array (no axis)",
        code="""
def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()
""",
        hint="Each row sums to 1 on its own: sum over axis=-1 with keepdims=True.",
    ),
    Mistake(
        question="2.2",
        name="works along the first axis",
        code="""
def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
""",
        hint="The classes are the last axis: axis=-1.",
    ),
    Mistake(
        question="2.2",
        name="axis=1 instead of the last axis",
        code="""
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
""",
        hint="axis=1 is the last axis only for 2-D input: use axis=-1.",
    ),
    Mistake(
        question="2.2",
        name="converts to float64",
        code="""
def softmax(z):
    z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""",
    ),
    # --- 2.3 binary_cross_entropy ------------------------------------------------------------------
    Mistake(
        question="2.3",
        name="no clipping",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
        hint="log(0) is -inf: clip p to [eps, 1 - eps] first.",
    ),
    Mistake(
        question="2.3",
        name="clips only from below",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.maximum(p, eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
        hint="p = 1 makes log(1 - p) = log(0): clip to [eps, 1 - eps].",
    ),
    Mistake(
        question="2.3",
        name="eps added inside the logs instead of clipping",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    return float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
""",
        hint="log(p + eps) shifts every probability; clipping changes only those outside [eps, 1 - eps].",
    ),
    Mistake(
        question="2.3",
        name="ignores the eps argument",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
    ),
    Mistake(
        question="2.3",
        name="sum instead of mean",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(p, eps, 1 - eps)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
        hint="The loss is the mean over the batch.",
    ),
    Mistake(
        question="2.3",
        name="labels swapped in the two terms",
        code="""
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean((1 - y) * np.log(p) + y * np.log(1 - p)))
""",
    ),
    # --- 2.4 binary_cross_entropy_logits -----------------------------------------------------------
    Mistake(
        question="2.4",
        name="sigmoid, then the clipped cross-entropy",
        code="""
def binary_cross_entropy_logits(z, y):
    return binary_cross_entropy(sigmoid(z), y)
""",
        hint="Clipping caps the loss near 16; the logit formula max(z, 0) - z y + log1p(exp(-|z|)) is exact.",
    ),
    Mistake(
        question="2.4",
        name="log(1 + exp(-z)) without the absolute value",
        code="""
def binary_cross_entropy_logits(z, y):
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))))
""",
        hint="exp(-z) overflows at z = -1000: use exp(-|z|).",
    ),
    Mistake(
        question="2.4",
        name="the unstable form log(1 + exp(z)) - z y",
        code="""
def binary_cross_entropy_logits(z, y):
    return float(np.mean(np.log1p(np.exp(z)) - z * y))
""",
        hint="exp(z) overflows at z = 1000: rewrite with max(z, 0) and exp(-|z|).",
    ),
    Mistake(
        question="2.4",
        name="forgets the max(z, 0) term",
        code="""
def binary_cross_entropy_logits(z, y):
    return float(np.mean(-z * y + np.log1p(np.exp(-np.abs(z)))))
""",
    ),
    Mistake(
        question="2.4",
        name="sum instead of mean",
        code="""
def binary_cross_entropy_logits(z, y):
    return float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
""",
        hint="The loss is the mean over the batch.",
    ),
    # --- 2.5 categorical_cross_entropy -------------------------------------------------------------
    Mistake(
        question="2.5",
        name="log of softmax instead of log-softmax",
        code="""
def categorical_cross_entropy(logits, labels):
    p = softmax(logits)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
""",
        hint="When the label's probability underflows to 0, log gives -inf: use log-sum-exp, "
        "m + log(sum(exp(z - m))) - z[label].",
    ),
    Mistake(
        question="2.5",
        name="log of softmax plus a small epsilon",
        code="""
def categorical_cross_entropy(logits, labels):
    p = softmax(logits)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12)))
""",
        hint="The epsilon caps the loss at about 27.6; log-sum-exp gives the exact loss for any logits.",
    ),
    Mistake(
        question="2.5",
        name="log-sum-exp without subtracting the maximum",
        code="""
def categorical_cross_entropy(logits, labels):
    n = logits.shape[0]
    log_sum_exp = np.log(np.exp(logits).sum(axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(n), labels]))
""",
        hint="exp(1000) overflows: m + log(sum(exp(z - m))) with m the row maximum.",
    ),
    Mistake(
        question="2.5",
        name="picks logits[:, labels] (an N x N matrix)",
        code="""
def categorical_cross_entropy(logits, labels):
    m = logits.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(log_sum_exp[:, None] - logits[:, labels]))
""",
        hint="logits[np.arange(N), labels] picks one entry per row.",
    ),
    Mistake(
        question="2.5",
        name="sum instead of mean",
        code="""
def categorical_cross_entropy(logits, labels):
    n = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.sum(log_sum_exp - logits[np.arange(n), labels]))
""",
        hint="The loss is the mean over the batch.",
    ),
    Mistake(
        question="2.5",
        name="subtracts the maximum but forgets to add it back",
        code="""
def categorical_cross_entropy(logits, labels):
    n = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(n), labels]))
""",
        hint="log sum exp(z) = m + log sum exp(z - m): add m back (or subtract it from the label's logit too).",
    ),
    # --- 2.6 categorical_cross_entropy_grad --------------------------------------------------------
    Mistake(
        question="2.6",
        name="forgets to divide by the batch size",
        code="""
def categorical_cross_entropy_grad(logits, labels):
    grad = softmax(logits)
    grad[np.arange(logits.shape[0]), labels] -= 1
    return grad
""",
        hint="The loss is a mean over the batch, so its gradient carries 1/N.",
    ),
    Mistake(
        question="2.6",
        name="one-hot labels built in float64",
        code="""
def categorical_cross_entropy_grad(logits, labels):
    one_hot = np.eye(logits.shape[1])[labels]
    return (softmax(logits) - one_hot) / logits.shape[0]
""",
        hint="np.eye makes float64 and upcasts float32 logits: np.eye(C, dtype=logits.dtype).",
    ),
    Mistake(
        question="2.6",
        name="subtracts 1 in whole columns (grad[:, labels])",
        code="""
def categorical_cross_entropy_grad(logits, labels):
    grad = softmax(logits)
    grad[:, labels] -= 1
    return grad / logits.shape[0]
""",
        hint="grad[np.arange(N), labels] -= 1 changes one entry per row.",
    ),
    Mistake(
        question="2.6",
        name="divides by the number of classes",
        code="""
def categorical_cross_entropy_grad(logits, labels):
    grad = softmax(logits)
    grad[np.arange(logits.shape[0]), labels] -= 1
    return grad / logits.shape[1]
""",
    ),
    Mistake(
        question="2.6",
        name="Y - P instead of P - Y",
        code="""
def categorical_cross_entropy_grad(logits, labels):
    grad = softmax(logits)
    grad[np.arange(logits.shape[0]), labels] -= 1
    return -grad / logits.shape[0]
""",
    ),
]

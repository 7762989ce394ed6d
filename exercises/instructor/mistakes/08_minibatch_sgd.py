"""Classic mistakes in Exercise 8, each a complete redefinition of one question's function.

The hidden tests must take points off the named question (and only that one) for every entry.
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    Mistake(
        question="8.1",
        name="shuffles once and reuses the order every epoch (no reshuffle)",
        code="""def shuffled_batches(n, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    batches = []
    for _ in range(epochs):
        batches += [order[start : start + batch_size] for start in range(0, n, batch_size)]
    return batches
""",
    ),
    Mistake(
        question="8.1",
        name="a new generator from the same seed every epoch (the same order every epoch)",
        code="""def shuffled_batches(n, batch_size, epochs, seed):
    batches = []
    for _ in range(epochs):
        order = np.random.default_rng(seed).permutation(n)
        batches += [order[start : start + batch_size] for start in range(0, n, batch_size)]
    return batches
""",
    ),
    Mistake(
        question="8.1",
        name="drops the last, smaller batch of each epoch",
        code="""def shuffled_batches(n, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(epochs):
        order = rng.permutation(n)
        batches += [order[start : start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
    return batches
""",
    ),
    Mistake(
        question="8.2",
        name="clips each array to max_norm on its own instead of by the global norm",
        code="""def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
    out = []
    for g in grads:
        n = float(np.linalg.norm(g))
        out.append(g * g.dtype.type(max_norm / n) if n > max_norm else g.copy())
    return out, norm
""",
    ),
    Mistake(
        question="8.2",
        name="clips by value instead of by norm",
        code="""def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], norm
""",
    ),
    Mistake(
        question="8.2",
        name="returns the norm after clipping",
        code="""def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * g.dtype.type(scale) for g in grads], min(norm, max_norm)
""",
    ),
    Mistake(
        question="8.3",
        name="no reshuffle: one permutation for all epochs",
        code="""def minibatch_sgd(X, y, w, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    order = rng.permutation(n)
    losses = []
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * (2 / len(idx)) * (Xb.T @ (Xb @ w - yb))
        losses.append(float(np.mean((X @ w - y) ** 2)))
    return w, losses
""",
    ),
    Mistake(
        question="8.3",
        name="gradient summed over the batch instead of averaged",
        code="""def minibatch_sgd(X, y, w, lr, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            Xb, yb = X[idx], y[idx]
            w = w - lr * 2 * (Xb.T @ (Xb @ w - yb))
        losses.append(float(np.mean((X @ w - y) ** 2)))
    return w, losses
""",
    ),
]

"""Classic mistakes in Exercise 10: each ``code`` redefines one function with exactly one mistake,
and the hidden tests must take points off that question (and only that one)."""

from dlgrade.mistakes import Mistake

MISTAKES = [
    Mistake(
        question="10.1",
        name="batch norm normalises with the running statistics in training",
        code="""def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    y = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    return y.astype(x.dtype), new_mean.astype(x.dtype), new_var.astype(x.dtype)
""",
        hint="in training, normalise with this batch's mean and variance; the running statistics are only updated",
    ),
    Mistake(
        question="10.1",
        name="batch norm normalises with the unbiased variance (divides by N - 1)",
        code="""def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var
    return y.astype(x.dtype), new_mean.astype(x.dtype), new_var.astype(x.dtype)
""",
        hint="normalise with the biased variance (divide by N); only the running variance gets N / (N - 1)",
    ),
    Mistake(
        question="10.1",
        name="running variance updated with the biased batch variance",
        code="""def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var
    return y.astype(x.dtype), new_mean.astype(x.dtype), new_var.astype(x.dtype)
""",
        hint="the running variance stores the unbiased estimate: multiply the batch variance by N / (N - 1)",
    ),
    Mistake(
        question="10.1",
        name="Keras's momentum convention (momentum weights the old running value)",
        code="""def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var * (n / (n - 1))
    return y.astype(x.dtype), new_mean.astype(x.dtype), new_var.astype(x.dtype)
""",
        hint="momentum weights the new batch statistic: r = (1 - m) r + m * batch value",
    ),
    Mistake(
        question="10.2",
        name="batch norm uses the batch statistics at inference",
        code="""def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return (gamma * (x - mu) / np.sqrt(var + eps) + beta).astype(x.dtype)
""",
        hint="at inference use running_mean and running_var, so each example is normalised on its own",
    ),
    Mistake(
        question="10.3",
        name="batch norm backward treats the batch mean and variance as constants",
        code="""def batchnorm_backward(dy, x, gamma, eps=1e-5):
    mu = x.mean(axis=0)
    inv_std = 1 / np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)
    x_hat = (x - mu) * inv_std
    dx = dy * gamma * inv_std
    return dx.astype(x.dtype), (dy * x_hat).sum(axis=0).astype(x.dtype), dy.sum(axis=0).astype(x.dtype)
""",
        hint="mu and sigma^2 depend on every x_n: subtract mean(g) and x_hat * mean(g * x_hat) before scaling",
    ),
    Mistake(
        question="10.3",
        name="batch norm backward averages dgamma and dbeta over the batch instead of summing",
        code="""def batchnorm_backward(dy, x, gamma, eps=1e-5):
    mu = x.mean(axis=0)
    inv_std = 1 / np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)
    x_hat = (x - mu) * inv_std
    g = dy * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx.astype(x.dtype), (dy * x_hat).mean(axis=0).astype(x.dtype), dy.mean(axis=0).astype(x.dtype)
""",
        hint="dgamma and dbeta are sums over the batch, not means",
    ),
    Mistake(
        question="10.4",
        name="dropout not rescaled by 1 / (1 - p)",
        code="""def inverted_dropout(x, p, u, training=True):
    if not training:
        return x.copy()
    return (x * (u >= p)).astype(x.dtype)
""",
        hint="divide the kept values by 1 - p so the expected output equals x",
    ),
    Mistake(
        question="10.4",
        name="dropout left on at inference",
        code="""def inverted_dropout(x, p, u, training=True):
    return (x * (u >= p) / (1 - p)).astype(x.dtype)
""",
        hint="when training is False, return x unchanged",
    ),
    Mistake(
        question="10.4",
        name="dropout keeps a unit with probability p instead of 1 - p",
        code="""def inverted_dropout(x, p, u, training=True):
    if not training:
        return x.copy()
    return (x * (u < p) / (1 - p)).astype(x.dtype)
""",
        hint="p is the probability of dropping: keep where u >= p",
    ),
]

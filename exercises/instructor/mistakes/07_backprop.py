"""Classic mistakes in Exercise 7, each a complete redefinition of one question's function.

The hidden tests must take points off the named question (and only that one) for every entry.
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    Mistake(
        question="7.1",
        name="softmax without subtracting the row maximum (overflows for large logits)",
        code="""def mlp_forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = A2 @ params["W3"] + params["b3"]
    E = np.exp(Z3)
    P = E / E.sum(axis=1, keepdims=True)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "P": P}
""",
    ),
    Mistake(
        question="7.2",
        name="delta recursion with W instead of W transposed",
        code="""def mlp_backward(X, y, params, cache):
    N = X.shape[0]
    D3 = cache["P"].copy()
    D3[np.arange(N), y] -= 1
    D3 /= N
    D2 = (D3 @ params["W3"]) * (cache["Z2"] > 0)
    D1 = (D2 @ params["W2"]) * (cache["Z1"] > 0)
    return {"W1": X.T @ D1, "b1": D1.sum(axis=0), "W2": cache["A1"].T @ D2,
            "b2": D2.sum(axis=0), "W3": cache["A2"].T @ D3, "b3": D3.sum(axis=0)}
""",
    ),
    Mistake(
        question="7.2",
        name="weight gradient from delta alone (the update W -= lr * delta)",
        code="""def mlp_backward(X, y, params, cache):
    N = X.shape[0]
    D3 = cache["P"].copy()
    D3[np.arange(N), y] -= 1
    D3 /= N
    D2 = (D3 @ params["W3"].T) * (cache["Z2"] > 0)
    D1 = (D2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": D1, "b1": D1.sum(axis=0), "W2": D2,
            "b2": D2.sum(axis=0), "W3": D3, "b3": D3.sum(axis=0)}
""",
    ),
    Mistake(
        question="7.2",
        name="gradients summed over the batch instead of averaged",
        code="""def mlp_backward(X, y, params, cache):
    N = X.shape[0]
    D3 = cache["P"].copy()
    D3[np.arange(N), y] -= 1
    D2 = (D3 @ params["W3"].T) * (cache["Z2"] > 0)
    D1 = (D2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ D1, "b1": D1.sum(axis=0), "W2": cache["A1"].T @ D2,
            "b2": D2.sum(axis=0), "W3": cache["A2"].T @ D3, "b3": D3.sum(axis=0)}
""",
    ),
    Mistake(
        question="7.2",
        name="recursion without the activation derivative relu'(Z)",
        code="""def mlp_backward(X, y, params, cache):
    N = X.shape[0]
    D3 = cache["P"].copy()
    D3[np.arange(N), y] -= 1
    D3 /= N
    D2 = D3 @ params["W3"].T
    D1 = D2 @ params["W2"].T
    return {"W1": X.T @ D1, "b1": D1.sum(axis=0), "W2": cache["A1"].T @ D2,
            "b2": D2.sum(axis=0), "W3": cache["A2"].T @ D3, "b3": D3.sum(axis=0)}
""",
    ),
    Mistake(
        question="7.3",
        name="updates the parameters in place",
        code="""def mlp_sgd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]
    return params
""",
    ),
    Mistake(
        question="7.3",
        name="steps up the gradient (w + lr * g)",
        code="""def mlp_sgd_step(params, grads, lr):
    return {name: params[name] + lr * grads[name] for name in params}
""",
    ),
]

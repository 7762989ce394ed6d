"""Classic mistakes in Exercise 3 that the hidden tests must catch. Instructor-only.

Format: see dlgrade/mistakes.py. tests/test_grader_mistakes.py grades the solution notebook
with each mistake added and checks it loses points on its question and only there (3.4 calls
the functions of 3.1-3.3; the grader replaces those that lost points by the reference ones).
"""

from dlgrade.mistakes import Mistake

MISTAKES = [
    # --- 3.1 dense_forward -----------------------------------------------------------------------
    Mistake(
        question="3.1",
        name="forgets the bias",
        code="""
def dense_forward(x, W, b):
    return x @ W
""",
    ),
    Mistake(
        question="3.1",
        name="x @ W.T",
        code="""
def dense_forward(x, W, b):
    return x @ W.T + b
""",
        hint="W has shape (D, M): x (N, D) @ W (D, M) needs no transpose.",
    ),
    Mistake(
        question="3.1",
        name="bias as a column (b[:, None])",
        code="""
def dense_forward(x, W, b):
    return x @ W + b[:, None]
""",
        hint="b has shape (M,) and broadcasts over the rows as it is.",
    ),
    Mistake(
        question="3.1",
        name="elementwise product instead of a matrix product",
        code="""
def dense_forward(x, W, b):
    return x * W + b
""",
        hint="x * W multiplies entry by entry; the layer needs the matrix product x @ W.",
    ),
    Mistake(
        question="3.1",
        name="converts to float64",
        code="""
def dense_forward(x, W, b):
    return x.astype(np.float64) @ W + b
""",
    ),
    # --- 3.2 dense_backward ----------------------------------------------------------------------
    Mistake(
        question="3.2",
        name="db keeps the batch axis (keepdims=True)",
        code="""
def dense_backward(delta, x, W):
    return delta @ W.T, x.T @ delta, delta.sum(axis=0, keepdims=True)
""",
        hint="db has the shape of b, (M,): sum over axis 0 without keepdims.",
    ),
    Mistake(
        question="3.2",
        name="db as a mean over the batch",
        code="""
def dense_backward(delta, x, W):
    return delta @ W.T, x.T @ delta, delta.mean(axis=0)
""",
        hint="z = xW + b adds b to every row, so every row's delta flows into db: a sum, not a mean.",
    ),
    Mistake(
        question="3.2",
        name="dW transposed (delta.T @ x)",
        code="""
def dense_backward(delta, x, W):
    return delta @ W.T, delta.T @ x, delta.sum(axis=0)
""",
        hint="dW has the shape of W, (D, M): x.T @ delta.",
    ),
    Mistake(
        question="3.2",
        name="dx = delta @ W",
        code="""
def dense_backward(delta, x, W):
    return delta @ W, x.T @ delta, delta.sum(axis=0)
""",
        hint="dx has the shape of x, (N, D): delta (N, M) @ W.T (M, D).",
    ),
    Mistake(
        question="3.2",
        name="dW divided by the batch size",
        code="""
def dense_backward(delta, x, W):
    return delta @ W.T, x.T @ delta / x.shape[0], delta.sum(axis=0)
""",
        hint="delta already is dL/dz of the whole loss: no extra 1/N here.",
    ),
    Mistake(
        question="3.2",
        name="db summed over everything",
        code="""
def dense_backward(delta, x, W):
    return delta @ W.T, x.T @ delta, delta.sum()
""",
    ),
    Mistake(
        question="3.2",
        name="returns (dW, dx, db)",
        code="""
def dense_backward(delta, x, W):
    return x.T @ delta, delta @ W.T, delta.sum(axis=0)
""",
    ),
    # --- 3.3 relu_backward -----------------------------------------------------------------------
    Mistake(
        question="3.3",
        name="passes the gradient at z == 0 (z >= 0)",
        code="""
def relu_backward(delta, z):
    return delta * (z >= 0)
""",
        hint="At exactly z = 0 the convention is 0: use z > 0.",
    ),
    Mistake(
        question="3.3",
        name="multiplies by relu(z) instead of the step",
        code="""
def relu_backward(delta, z):
    return delta * np.maximum(z, 0)
""",
        hint="The derivative of relu is 1 where z > 0 and 0 elsewhere, not relu(z) itself.",
    ),
    Mistake(
        question="3.3",
        name="zeroes delta in place",
        code="""
def relu_backward(delta, z):
    delta[z <= 0] = 0
    return delta
""",
    ),
    Mistake(
        question="3.3",
        name="masks by the sign of delta",
        code="""
def relu_backward(delta, z):
    return delta * (delta > 0)
""",
        hint="Whether the gradient passes depends on the forward input z, not on delta.",
    ),
    Mistake(
        question="3.3",
        name="the step made as a float64 array",
        code="""
def relu_backward(delta, z):
    return delta * (z > 0).astype(np.float64)
""",
        hint="A float64 mask upcasts float32 delta: multiply by the boolean mask itself.",
    ),
    # --- 3.4 two_layer_loss_and_grads --------------------------------------------------------------
    Mistake(
        question="3.4",
        name="loss without the 1/2",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    h = np.maximum(z1, 0)
    y_hat = dense_forward(h, W2, b2)
    loss = np.sum((y_hat - y) ** 2) / n
    dh, dW2, db2 = dense_backward((y_hat - y) / n, h, W2)
    _, dW1, db1 = dense_backward(relu_backward(dh, z1), x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
    ),
    Mistake(
        question="3.4",
        name="mean over every entry instead of over the batch",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    h = np.maximum(z1, 0)
    y_hat = dense_forward(h, W2, b2)
    loss = 0.5 * np.mean((y_hat - y) ** 2)
    dh, dW2, db2 = dense_backward((y_hat - y) / y.size, h, W2)
    _, dW1, db1 = dense_backward(relu_backward(dh, z1), x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
        hint="L averages over the N examples of the sum over the K outputs: divide by N, not N * K.",
    ),
    Mistake(
        question="3.4",
        name="gradient without the 1/N",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    h = np.maximum(z1, 0)
    y_hat = dense_forward(h, W2, b2)
    loss = 0.5 * np.sum((y_hat - y) ** 2) / n
    dh, dW2, db2 = dense_backward(y_hat - y, h, W2)
    _, dW1, db1 = dense_backward(relu_backward(dh, z1), x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
        hint="dL/dy_hat = (y_hat - y) / N: the loss is a mean.",
    ),
    Mistake(
        question="3.4",
        name="skips the ReLU on the way back",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    h = np.maximum(z1, 0)
    y_hat = dense_forward(h, W2, b2)
    loss = 0.5 * np.sum((y_hat - y) ** 2) / n
    dh, dW2, db2 = dense_backward((y_hat - y) / n, h, W2)
    _, dW1, db1 = dense_backward(dh, x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
        hint="Between the layers, relu_backward(dh, z1) blocks the gradient where z1 <= 0.",
    ),
    Mistake(
        question="3.4",
        name="no ReLU in the forward pass",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    y_hat = dense_forward(z1, W2, b2)
    loss = 0.5 * np.sum((y_hat - y) ** 2) / n
    dh, dW2, db2 = dense_backward((y_hat - y) / n, z1, W2)
    _, dW1, db1 = dense_backward(relu_backward(dh, z1), x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
    ),
    Mistake(
        question="3.4",
        name="dW2 from the pre-activation z1 instead of h",
        code="""
def two_layer_loss_and_grads(x, y, W1, b1, W2, b2):
    n = x.shape[0]
    z1 = dense_forward(x, W1, b1)
    h = np.maximum(z1, 0)
    y_hat = dense_forward(h, W2, b2)
    loss = 0.5 * np.sum((y_hat - y) ** 2) / n
    dh, dW2, db2 = dense_backward((y_hat - y) / n, z1, W2)
    _, dW1, db1 = dense_backward(relu_backward(dh, z1), x, W1)
    return float(loss), dW1, db1, dW2, db2
""",
        hint="The second layer's input is h = relu(z1): dW2 = h.T @ delta2.",
    ),
]

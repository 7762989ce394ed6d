"""Classic mistakes in Exercise 12: each ``code`` redefines one class with exactly one mistake,
and the hidden tests must take points off that question (and only that one)."""

from dlgrade.mistakes import Mistake

_BLOCK_INIT = """class ResidualBlock:
    def __init__(self, W1, b1, W2, b2):
        self.fc1, self.relu, self.fc2 = Linear(W1, b1), ReLUUnit(), Linear(W2, b2)

"""
_BLOCK_FORWARD = """    def forward(self, x):
        return x + self.fc2.forward(self.relu.forward(self.fc1.forward(x)))

"""
_BLOCK_BACKWARD = """    def backward(self, grad_out):
        through_layers = self.fc1.backward(self.relu.backward(self.fc2.backward(grad_out)))
        self.dW1, self.db1 = self.fc1.dW, self.fc1.db
        self.dW2, self.db2 = self.fc2.dW, self.fc2.db
        return grad_out + through_layers
"""

MISTAKES = [
    Mistake(
        question="12.1",
        name="dense backward assigns the parameter gradients instead of adding them",
        code="""class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW, self.db = np.zeros_like(W), np.zeros_like(b)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad_out):
        self.dW = self.x.T @ grad_out
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W.T
""",
    ),
    Mistake(
        question="12.2",
        name="ReLU applied after the skip addition (out = ReLU(x + F(x)))",
        code=_BLOCK_INIT
        + """    def forward(self, x):
        out = x + self.fc2.forward(self.relu.forward(self.fc1.forward(x)))
        return np.maximum(out, 0)

"""
        + _BLOCK_BACKWARD,
    ),
    Mistake(
        question="12.3",
        name="residual backward forgets the skip gradient",
        code=_BLOCK_INIT
        + _BLOCK_FORWARD
        + """    def backward(self, grad_out):
        through_layers = self.fc1.backward(self.relu.backward(self.fc2.backward(grad_out)))
        self.dW1, self.db1 = self.fc1.dW, self.fc1.db
        self.dW2, self.db2 = self.fc2.dW, self.fc2.db
        return through_layers
""",
    ),
    Mistake(
        question="12.3",
        name="residual backward skips the ReLU mask",
        code=_BLOCK_INIT
        + _BLOCK_FORWARD
        + """    def backward(self, grad_out):
        through_layers = self.fc1.backward(self.fc2.backward(grad_out))
        self.dW1, self.db1 = self.fc1.dW, self.fc1.db
        self.dW2, self.db2 = self.fc2.dW, self.fc2.db
        return grad_out + through_layers
""",
    ),
]

"""Classic mistakes in Exercise 12: each ``code`` redefines one class with exactly one mistake,
and the hidden tests must take points off that question (and only that one).

The questions are graded through small functions that build the learner's class, so each
``code`` also repeats the graded function of its question (unchanged): the catalogue names
mistakes by the functions they redefine, and the repeated function then uses the mistaken class.
"""

from dlgrade.mistakes import Mistake

LINEAR_LAYER = """

def linear_layer(x, W, b, grad_out):
    layer = Linear(W, b)
    y = layer.forward(x)
    layer.backward(grad_out)
    dx = layer.backward(grad_out)
    return y, dx, layer.dW, layer.db
"""
RESIDUAL_FORWARD = """

def residual_forward(x, W1, b1, W2, b2):
    return ResidualBlock(W1, b1, W2, b2).forward(x)
"""
RESIDUAL_BACKWARD = """

def residual_backward(x, W1, b1, W2, b2, grad_out):
    block = ResidualBlock(W1, b1, W2, b2)
    block.forward(x)
    dx = block.backward(grad_out)
    return dx, block.dW1, block.db1, block.dW2, block.db2
"""
BLOCK_INIT = """class ResidualBlock:
    def __init__(self, W1, b1, W2, b2):
        self.fc1, self.relu, self.fc2 = Linear(W1, b1), ReLUUnit(), Linear(W2, b2)

"""
BLOCK_FORWARD = """    def forward(self, x):
        return x + self.fc2.forward(self.relu.forward(self.fc1.forward(x)))

"""
BLOCK_BACKWARD = """    def backward(self, grad_out):
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
"""
        + LINEAR_LAYER,
        hint="backward must add into dW and db (+=): a layer's gradients accumulate until they are reset",
    ),
    Mistake(
        question="12.2",
        name="ReLU applied after the skip addition (out = ReLU(x + F(x)))",
        code=BLOCK_INIT
        + """    def forward(self, x):
        out = x + self.fc2.forward(self.relu.forward(self.fc1.forward(x)))
        return np.maximum(out, 0)

"""
        + BLOCK_BACKWARD
        + RESIDUAL_FORWARD,
        hint="the block's output is x + F(x) itself; the ReLU acts inside F, before W2",
    ),
    Mistake(
        question="12.3",
        name="residual backward forgets the skip gradient",
        code=BLOCK_INIT
        + BLOCK_FORWARD
        + """    def backward(self, grad_out):
        through_layers = self.fc1.backward(self.relu.backward(self.fc2.backward(grad_out)))
        self.dW1, self.db1 = self.fc1.dW, self.fc1.db
        self.dW2, self.db2 = self.fc2.dW, self.fc2.db
        return through_layers
"""
        + RESIDUAL_BACKWARD,
        hint="x reaches the output along two paths: add grad_out itself (the skip path) to dL/dx",
    ),
    Mistake(
        question="12.3",
        name="residual backward skips the ReLU mask",
        code=BLOCK_INIT
        + BLOCK_FORWARD
        + """    def backward(self, grad_out):
        through_layers = self.fc1.backward(self.fc2.backward(grad_out))
        self.dW1, self.db1 = self.fc1.dW, self.fc1.db
        self.dW2, self.db2 = self.fc2.dW, self.fc2.db
        return grad_out + through_layers
"""
        + RESIDUAL_BACKWARD,
        hint="the gradient through the layers passes the ReLU: zero it where x W1 + b1 <= 0",
    ),
]

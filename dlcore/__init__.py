"""dlcore: the deep-learning engine the course builds, in small NumPy modules.

Read it file by file: ``layers.py`` (Dense, activations, Dropout, BatchNorm, LayerNorm),
``losses.py``, ``optim.py``, ``schedules.py``, ``model.py`` (Sequential with compile/fit),
``conv.py``, ``recurrent.py``, ``attention.py``, ``transformer.py``; ``gradcheck.py`` checks
every backward against finite differences. The most used names are importable from here:

    import dlcore as dl
    model = dl.Sequential([dl.Dense(64, 32), dl.ReLU(), dl.Dense(32, 10)])
"""

from dlcore import (
    activations,
    attention,
    autograd,
    callbacks,
    conv,
    datasets,
    datasets_seq,
    embedding,
    figures,
    gradcheck,
    init,
    layers,
    linear_models,
    losses,
    metrics,
    mnist1d,
    model,
    optim,
    plotting,
    pooling,
    preprocessing,
    recurrent,
    regularizers,
    residual,
    schedules,
    shallow,
    transformer,
)
from dlcore.attention import MultiHeadAttention, PositionalEmbedding, SinusoidalPositionalEncoding
from dlcore.callbacks import EarlyStopping, History, LearningRateScheduler, StopOnNaN, TrainingDiverged
from dlcore.config import get_default_dtype, get_rng, seed, set_default_dtype
from dlcore.conv import Conv1D, Conv2D, conv_output_size
from dlcore.embedding import Embedding
from dlcore.gradcheck import check_module_gradients, numerical_gradient, relative_error
from dlcore.layers import (
    ELU,
    GELU,
    BatchNorm,
    Dense,
    Dropout,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from dlcore.losses import (
    MAE,
    MSE,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CategoricalCrossEntropy,
    Huber,
    get_loss,
)
from dlcore.model import Sequential
from dlcore.module import Module, Parameter, check_input
from dlcore.optim import (
    SGD,
    AdaDelta,
    Adagrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Momentum,
    Nadam,
    Nesterov,
    RAdam,
    RMSprop,
    get_optimizer,
)
from dlcore.pooling import AvgPool1D, AvgPool2D, GlobalAvgPool1D, GlobalAvgPool2D, MaxPool1D, MaxPool2D
from dlcore.recurrent import GRU, LSTM, Bidirectional, SimpleRNN
from dlcore.regularizers import L1, L2
from dlcore.residual import ResidualBlock
from dlcore.transformer import TransformerConfig, TransformerDecoderBlock, TransformerEncoderBlock

__all__ = [
    # submodules
    "activations", "attention", "autograd", "callbacks", "conv", "datasets", "datasets_seq", "embedding", "figures",
    "gradcheck", "init", "layers", "linear_models", "losses", "metrics", "mnist1d", "model", "optim", "plotting",
    "pooling", "preprocessing", "recurrent", "regularizers", "residual", "schedules", "shallow", "transformer",
    # core
    "Module", "Parameter", "check_input", "get_default_dtype", "get_rng", "seed", "set_default_dtype",
    # layers and model
    "Dense", "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax",
    "Dropout", "BatchNorm", "LayerNorm", "Flatten", "Sequential",
    # convolution
    "Conv1D", "Conv2D", "conv_output_size", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "ResidualBlock",
    # sequences and attention
    "Embedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "MultiHeadAttention", "SinusoidalPositionalEncoding",
    "PositionalEmbedding", "TransformerConfig", "TransformerEncoderBlock", "TransformerDecoderBlock",
    # losses
    "MSE", "MAE", "Huber", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy",
    "get_loss",
    # optimizers and regularizers
    "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "AdaDelta", "Adam", "AdamW", "AdaMax", "Nadam",
    "AMSGrad", "RAdam", "get_optimizer", "L1", "L2",
    # training helpers
    "EarlyStopping", "History", "LearningRateScheduler", "StopOnNaN", "TrainingDiverged",
    "check_module_gradients", "numerical_gradient", "relative_error",
]  # fmt: skip

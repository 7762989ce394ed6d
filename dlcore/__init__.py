"""dlcore: the deep-learning engine the course builds, in small NumPy modules.

Read it file by file; the modules fall into six groups:

- core: ``config`` (dtype, random generator), ``module`` (``Module``, ``Parameter``: the
  forward/backward protocol every layer follows), ``init``, ``gradcheck`` (every backward
  against finite differences), ``autograd`` (a scalar autograd for the graph lesson);
- layers: ``activations`` (the functions and the one registry of names), ``layers`` (Dense,
  activation layers, Dropout, BatchNorm, LayerNorm, Flatten, AddChannelAxis), ``conv``,
  ``pooling``, ``residual``, ``recurrent``, ``embedding``, ``attention``,
  ``additive_attention``, ``transformer``, ``gpt`` (a tiny decoder-only model with a K/V cache),
  ``seq2seq``, ``recurrent_stack`` (stacked recurrent layers), ``cnn_tools`` (receptive fields,
  classic kernels, saliency, adversarial examples),
  ``shallow`` (one-hidden-layer networks), ``linear_models`` (perceptron, logistic regression);
- training: ``losses``, ``distillation``, ``optim``, ``schedules``, ``regularizers``, ``callbacks``,
  ``metrics``, ``evaluation`` (ROC, PR, calibration), ``model_selection`` (k-fold),
  ``regularization`` (proximal L1, dropout and weight-decay helpers), ``model`` (``Sequential``
  with compile/fit/evaluate/predict), ``functional`` (``Input``/``Model`` over a graph of
  layers), ``saving`` (weights to and from ``.npz``), ``landscape`` (loss slices, sharpness),
  ``transfer`` (pretraining and freezing experiments), ``sampling`` (temperature, top-k);
- data: ``datasets``, ``datasets_seq``, ``seq_tasks`` (memory task, time series), ``text``
  (characters of the docstrings that ship with Python), ``preprocessing``,
  ``mnist1d`` (the MNIST-1D baselines);
- pictures: ``plotting`` (shared figure helpers), ``figures`` (diagrams);
- widgets: ``dlcore.widgets.<name>``, one module per interactive figure.

The most used names are importable from here:

    import dlcore as dl
    model = dl.Sequential([dl.Dense(64, 32), dl.ReLU(), dl.Dense(32, 10)])

``import dlcore`` stays quick: the modules that need Matplotlib (plotting, figures, mnist1d,
widgets) load on first use, e.g. at ``dl.plotting`` or ``from dlcore import plotting``.
"""

import importlib

from dlcore import (
    activations,
    additive_attention,
    attention,
    autograd,
    callbacks,
    cnn_tools,
    conv,
    datasets,
    datasets_seq,
    distillation,
    embedding,
    evaluation,
    functional,
    gpt,
    gradcheck,
    init,
    landscape,
    layers,
    linear_models,
    losses,
    metrics,
    model,
    model_selection,
    optim,
    pooling,
    preprocessing,
    recurrent,
    recurrent_stack,
    regularization,
    regularizers,
    residual,
    sampling,
    saving,
    schedules,
    seq2seq,
    seq_tasks,
    shallow,
    text,
    transfer,
    transformer,
)
from dlcore.additive_attention import AdditiveAttention
from dlcore.attention import MultiHeadAttention, PositionalEmbedding, SinusoidalPositionalEncoding
from dlcore.callbacks import (
    EarlyStopping,
    History,
    LearningRateScheduler,
    ReduceLROnPlateau,
    StopOnNaN,
    TrainingDiverged,
)
from dlcore.config import get_default_dtype, get_rng, keep_freed_memory, seed, set_default_dtype
from dlcore.conv import Conv1D, Conv2D, conv_output_size
from dlcore.distillation import DistillationLoss
from dlcore.embedding import Embedding
from dlcore.functional import Add, Concatenate, Input, Model
from dlcore.gpt import TinyGPT
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
from dlcore.recurrent_stack import StackedRNN
from dlcore.regularizers import L1, L2
from dlcore.residual import ResidualBlock
from dlcore.saving import load_weights, save_weights
from dlcore.seq2seq import TransformerSeq2Seq
from dlcore.transformer import TransformerConfig, TransformerDecoderBlock, TransformerEncoderBlock

__all__ = [
    # submodules
    "activations", "additive_attention", "attention", "autograd", "callbacks", "cnn_tools", "conv",
    "datasets", "datasets_seq", "distillation", "embedding", "evaluation", "figures", "functional", "gpt",
    "gradcheck", "init", "landscape", "layers", "linear_models", "losses", "metrics", "mnist1d", "model",
    "model_selection", "optim", "plotting", "pooling", "preprocessing", "recurrent", "recurrent_stack",
    "regularization", "regularizers", "residual", "sampling", "saving", "schedules", "seq2seq", "seq_tasks",
    "shallow", "text", "transfer", "transformer",
    # core
    "Module", "Parameter", "check_input", "get_default_dtype", "get_rng", "seed", "set_default_dtype",
    "keep_freed_memory",
    # layers and model
    "Dense", "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax", "Dropout",
    "BatchNorm", "LayerNorm", "Flatten", "Sequential", "Input", "Model", "Add", "Concatenate", "save_weights",
    "load_weights",
    # convolution
    "Conv1D", "Conv2D", "conv_output_size", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "ResidualBlock",
    # sequences and attention
    "Embedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "StackedRNN", "MultiHeadAttention",
    "SinusoidalPositionalEncoding", "PositionalEmbedding", "TransformerConfig", "TransformerEncoderBlock",
    "TransformerDecoderBlock", "AdditiveAttention", "TinyGPT", "TransformerSeq2Seq",
    # losses
    "MSE", "MAE", "Huber", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy",
    "get_loss", "DistillationLoss",
    # optimizers and regularizers
    "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "AdaDelta", "Adam", "AdamW", "AdaMax", "Nadam", "AMSGrad",
    "RAdam", "get_optimizer", "L1", "L2",
    # training helpers
    "EarlyStopping", "History", "LearningRateScheduler", "ReduceLROnPlateau", "StopOnNaN", "TrainingDiverged",
    "check_module_gradients", "numerical_gradient", "relative_error",
]  # fmt: skip

# Modules that import Matplotlib load when first used, so that ``import dlcore`` stays fast.
_LAZY_SUBMODULES = ("figures", "mnist1d", "plotting", "widgets")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"dlcore.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlcore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))

"""dlcore: the deep-learning engine the course builds, in small NumPy modules."""

from dlcore.config import get_default_dtype, get_rng, seed, set_default_dtype
from dlcore.module import Module, Parameter, check_input

__all__ = ["Module", "Parameter", "check_input", "get_default_dtype", "get_rng", "seed", "set_default_dtype"]

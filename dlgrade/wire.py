"""Plain data between the grader and its sandboxed worker: no pickle, no objects.

Only None, booleans, numbers, short strings, lists, string-keyed dicts and numeric NumPy
arrays cross the process boundary. The receiver rebuilds arrays from raw bytes with a
dtype it has checked, so nothing a submission sends can run code or carry behaviour (an
object whose ``__eq__`` always answers True cannot be built on the grader's side).

A frame on a pipe is

    MAGIC (4 bytes) | header length (u32) | data length (u64) | header JSON | array bytes

The header is JSON in which arrays appear as ``{"__nd__": i}`` (their dtype and shape in
``header["arrays"][i]``; the same array object twice in a message is the same object when
it arrives, so a test can pass one array as two arguments), dicts as ``{"__map__": {...}}``,
test functions the grader evaluates itself as ``{"__fnref__": slot}`` (see ``FnRef``), and
(for the learner's in-process checks) as ``{"__fn__": name, "params": {...}}``.

This file imports nothing from the package: the worker loads it as a top-level module.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable

import numpy as np

MAGIC = b"DLG1"
_PREFIX = struct.Struct("<4sIQ")
MAX_HEADER_BYTES = 8 << 20
MAX_DEPTH = 16
MAX_STRING = 10_000
MAX_NDIM = 16
ALLOWED_KINDS = "biufc"  # bool, signed, unsigned, float, complex: never object, void or strings


class WireError(ValueError):
    """A message that breaks the format (truncated, oversized, wrong types...)."""


# --- values a learner's function may return ------------------------------------------------
def plain(obj, depth: int = 0):
    """``obj`` as plain data: arrays (copied, base class), numbers, None, str, lists, dicts.

    NumPy scalars become 0-d arrays so their dtype survives. Raises TypeError for anything
    else, with a message a learner can act on.
    """
    if depth > MAX_DEPTH:
        raise TypeError("the returned value is nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if isinstance(obj, np.ndarray):
        arr = np.array(obj, copy=True, subok=False)
        if arr.dtype.kind not in ALLOWED_KINDS:
            raise TypeError(f"returned an array of dtype {arr.dtype}; expected numbers")
        return arr
    if isinstance(obj, np.generic):
        return plain(np.asarray(obj), depth + 1)
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, (list, tuple)):
        return [plain(item, depth + 1) for item in obj]
    if isinstance(obj, dict):
        if not all(type(key) is str for key in obj):
            raise TypeError("returned a dict whose keys are not all strings")
        return {key: plain(value, depth + 1) for key, value in obj.items()}
    raise TypeError(f"returned a {type(obj).__name__}; expected a NumPy array, a number, or a tuple/list/dict of those")


# --- test functions passed as arguments (e.g. to numerical_gradient) -------------------------
def _quadratic(A: np.ndarray, b: np.ndarray) -> Callable[[np.ndarray], float]:
    """f(x) = 1/2 x.A.x + b.x over the flattened x."""

    def f(x: np.ndarray) -> float:
        v = np.ravel(x)
        return float(0.5 * v @ A @ v + b @ v)

    return f


def _sum_exp(scale: float) -> Callable[[np.ndarray], float]:
    """f(x) = sum(exp(scale * x)) / scale."""

    def f(x: np.ndarray) -> float:
        return float(np.sum(np.exp(scale * x)) / scale)

    return f


def _sum_sin_product(w: np.ndarray) -> Callable[[np.ndarray], float]:
    """f(x) = sum(sin(w * x)), w the same shape as x."""

    def f(x: np.ndarray) -> float:
        return float(np.sum(np.sin(w * x)))

    return f


TEST_FUNCTIONS: dict[str, Callable[..., Callable]] = {
    "quadratic": _quadratic,
    "sum_exp": _sum_exp,
    "sum_sin_product": _sum_sin_product,
}


class FnRef:
    """A function argument that stays with the grader: the worker gets a stand-in that sends
    each point x to the grader and receives f(x)."""

    __slots__ = ("slot",)

    def __init__(self, slot: int):
        self.slot = slot

    def __repr__(self) -> str:
        return f"FnRef({self.slot})"


def make_function(name: str, params: dict) -> Callable:
    """The test function ``name`` built from plain ``params``."""
    if name not in TEST_FUNCTIONS:
        raise WireError(f"unknown test function {name!r}")
    return TEST_FUNCTIONS[name](**params)


# --- encoding ----------------------------------------------------------------------------------
def _encode(obj, arrays: list[np.ndarray], depth: int, seen: dict[int, int]):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if isinstance(obj, np.generic) and not isinstance(obj, np.complexfloating):
        obj = obj.item()  # NumPy scalars travel as Python numbers (lr=np.float64(0.1) must not upcast)
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is float:
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, np.ndarray):
        if id(obj) not in seen:
            arrays.append(obj)
            seen[id(obj)] = len(arrays) - 1
        return {"__nd__": seen[id(obj)]}
    if isinstance(obj, (list, tuple)):
        return [_encode(item, arrays, depth + 1, seen) for item in obj]
    if isinstance(obj, dict):
        return {"__map__": {str(k): _encode(v, arrays, depth + 1, seen) for k, v in obj.items()}}
    if isinstance(obj, FnRef):
        return {"__fnref__": int(obj.slot)}
    if hasattr(obj, "fn_name") and hasattr(obj, "params"):  # dlgrade.spec.Fn, duck-typed
        return {"__fn__": obj.fn_name, "params": _encode(dict(obj.params), arrays, depth + 1, seen)}
    raise WireError(f"cannot send a {type(obj).__name__}")


def pack(message: dict) -> bytes:
    """One frame holding ``message`` (JSON-able apart from arrays anywhere inside)."""
    arrays: list[np.ndarray] = []
    body = _encode(message, arrays, 0, {})
    chunks, descriptors = [], []
    for arr in arrays:
        if arr.dtype.kind not in ALLOWED_KINDS:
            raise WireError(f"cannot send an array of dtype {arr.dtype}")
        data = np.ascontiguousarray(arr).tobytes()
        descriptors.append({"dtype": arr.dtype.str, "shape": list(arr.shape), "nbytes": len(data)})
        chunks.append(data)
    header = json.dumps({"body": body, "arrays": descriptors}, allow_nan=False).encode()
    if len(header) > MAX_HEADER_BYTES:
        raise WireError("message too large (return arrays rather than long lists)")
    data = b"".join(chunks)
    return _PREFIX.pack(MAGIC, len(header), len(data)) + header + data


# --- decoding (strict: the bytes may come from a hostile process) --------------------------------
def _array_from(descriptor, data: memoryview, offset: int) -> tuple[np.ndarray, int]:
    if not isinstance(descriptor, dict) or set(descriptor) != {"dtype", "shape", "nbytes"}:
        raise WireError("bad array descriptor")
    dtype_str, shape, nbytes = descriptor["dtype"], descriptor["shape"], descriptor["nbytes"]
    if not isinstance(dtype_str, str) or len(dtype_str) > 8:
        raise WireError("bad dtype")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError as err:
        raise WireError(f"bad dtype {dtype_str!r}") from err
    if dtype.kind not in ALLOWED_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
        raise WireError(f"dtype {dtype_str!r} is not allowed")
    if not isinstance(shape, list) or len(shape) > MAX_NDIM:
        raise WireError("bad shape")
    if not all(type(n) is int and n >= 0 for n in shape) or type(nbytes) is not int:
        raise WireError("bad shape")
    if math.prod(shape) * dtype.itemsize != nbytes or offset + nbytes > len(data):
        raise WireError("array size does not match its data")
    arr = np.frombuffer(data[offset : offset + nbytes], dtype=dtype).reshape(shape).copy()
    return arr, offset + nbytes


def _decode(node, arrays: list[np.ndarray], depth: int, functions: bool, fn_proxy=None, max_string=MAX_STRING):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if node is None or type(node) in (bool, int, float):
        return node
    if type(node) is str:
        if len(node) > max_string:
            raise WireError("string too long")
        return node
    if type(node) is list:
        return [_decode(item, arrays, depth + 1, functions, fn_proxy, max_string) for item in node]
    if type(node) is dict and len(node) == 1:
        ((tag, value),) = node.items()
        if tag == "__nd__" and type(value) is int and 0 <= value < len(arrays):
            return arrays[value]
        if tag == "__float__" and value in ("nan", "inf", "-inf"):
            return float(value)
        if tag == "__map__" and type(value) is dict:
            return {str(k): _decode(v, arrays, depth + 1, functions, fn_proxy, max_string) for k, v in value.items()}
        if tag == "__fnref__" and fn_proxy is not None and type(value) is int:
            return fn_proxy(value)
    if functions and type(node) is dict and set(node) == {"__fn__", "params"} and type(node["__fn__"]) is str:
        params = _decode(node["params"], arrays, depth + 1, functions, None, max_string)
        if not isinstance(params, dict):
            raise WireError("bad test-function parameters")
        return make_function(node["__fn__"], params)
    raise WireError("unexpected value in message")


def unpack(header: bytes, data: bytes, functions: bool = False, fn_proxy=None, max_string: int = MAX_STRING) -> dict:
    """The message in one frame's header and data; raises WireError on anything odd.

    functions: rebuild ``{"__fn__": ...}`` test functions here (only for in-process use).
    fn_proxy: ``fn_proxy(slot)`` makes the stand-in for ``{"__fnref__": slot}`` (the worker).
    max_string: the longest string accepted (the worker allows whole notebook cells).
    """
    try:
        parsed = json.loads(header)
    except (ValueError, RecursionError) as err:  # also integers too long to convert
        raise WireError("header is not JSON") from err
    if not isinstance(parsed, dict) or set(parsed) != {"body", "arrays"} or not isinstance(parsed["arrays"], list):
        raise WireError("bad header")
    view, offset, arrays = memoryview(data), 0, []
    for descriptor in parsed["arrays"]:
        arr, offset = _array_from(descriptor, view, offset)
        arrays.append(arr)
    if offset != len(data):
        raise WireError("extra bytes after the arrays")
    message = _decode(parsed["body"], arrays, 0, functions, fn_proxy, max_string)
    if not isinstance(message, dict):
        raise WireError("a message must be a dict")
    return message


class FrameReader:
    """Split a byte stream into messages.

    ``feed`` returns the complete messages so far. At the first garbage (bad magic, oversize,
    undecodable frame) it keeps the messages before it, sets ``error`` and ignores the rest.
    """

    def __init__(
        self, max_data_bytes: int = 256 << 20, functions: bool = False, fn_proxy=None, max_string: int = MAX_STRING
    ):
        self.max_data_bytes = max_data_bytes
        self.functions = functions
        self.fn_proxy = fn_proxy
        self.max_string = max_string
        self.buffer = bytearray()
        self.error: str | None = None

    def feed(self, chunk: bytes) -> list[dict]:
        if self.error is not None:
            return []
        self.buffer += chunk
        messages = []
        try:
            while len(self.buffer) >= _PREFIX.size:
                magic, header_len, data_len = _PREFIX.unpack_from(self.buffer)
                if magic != MAGIC:
                    raise WireError("stream does not start with a frame")
                if header_len > MAX_HEADER_BYTES:
                    raise WireError("bad frame header")
                if data_len > self.max_data_bytes:
                    raise WireError("frame too large")
                end = _PREFIX.size + header_len + data_len
                if len(self.buffer) < end:
                    break
                header = bytes(self.buffer[_PREFIX.size : _PREFIX.size + header_len])
                data = bytes(self.buffer[_PREFIX.size + header_len : end])
                del self.buffer[:end]
                messages.append(unpack(header, data, self.functions, self.fn_proxy, self.max_string))
        except (WireError, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as err:
            self.error = str(err)
            self.buffer.clear()
        return messages

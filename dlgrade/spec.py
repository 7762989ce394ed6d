"""What a test is, and how an answer is compared with the expected one.

Public tests (run in the learner's notebook) and hidden tests (run by the grader) are both
lists of ``Case``. ``compare`` works on plain data only (see ``wire.plain``), so the grader
can use it on what comes back from the sandbox and the learner's ``check`` on what their
function returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlgrade import wire

# Default tolerances by the expected array's dtype: float32 keeps ~7 digits, float64 ~16.
RTOL = {np.dtype(np.float32): 2e-4, np.dtype(np.float64): 1e-6}
ATOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-9}
SCALAR_RTOL, SCALAR_ATOL = 1e-6, 1e-9
_ERROR = re.compile(r"^(?:raised )?[A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Exit|Interrupt)\b")


@dataclass(frozen=True)
class Question:
    """A graded question: the function the learner writes and what it is worth.

    outputs: names of the returned values when the function returns a tuple, e.g.
    ("dx", "dW", "db"), used in messages.
    """

    id: str
    function: str
    points: float
    title: str = ""
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fn:
    """A test function passed as an argument (for example the ``f`` of a numerical gradient).

    It stands for ``wire.TEST_FUNCTIONS[fn_name](**params)``. When grading, it stays in the grader: the
    sandboxed function gets a stand-in that asks the grader for f(x), one point at a time,
    so the parameters never reach the submission. The learner's ``check`` builds it in place.
    """

    fn_name: str
    params: dict


@dataclass
class Case:
    """One call of the learner's function and what must come back.

    expected: the right return value (arrays, numbers, tuples, dicts), or None when only
        ``check`` decides.
    check: extra test on the returned value: ``check(actual) -> message or None``.
    rtol, atol: tolerances; None picks them from the expected dtype.
    strict_fp: the learner's ``check`` runs the call under ``np.errstate(over, divide,
        invalid = "raise")``. The grader ignores it: the submission controls its own
        errstate, so grades depend only on the values (choose inputs where an unstable
        formula returns inf or NaN).
    hint: shown when the case fails with a wrong value, NaN/inf, a floating-point error, a wrong
        shape or a time-out (not for an exception, a dtype or a changed input: their messages
        name the cause).
    time_limit: seconds allowed for this call in the grader (None: the grader's default).
    hints: hints by what went wrong, chosen before ``hint``: keys "values", "nan",
        "floating-point", "shape", "dtype", "error", "timeout" (see ``failure_kind`` below).
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    check: Callable[[Any], str | None] | None = None
    rtol: float | None = None
    atol: float | None = None
    strict_fp: bool = False
    hint: str = ""
    time_limit: float | None = None
    hints: dict[str, str] = field(default_factory=dict)


def fresh_copy(value):
    """A copy of a call's arguments to pass to a function: arrays copied, lists, tuples and dicts
    rebuilt (the same array twice stays one copy), ``Fn`` turned into the function."""
    memo: dict[int, Any] = {}

    def copy(v):
        if isinstance(v, np.ndarray):
            if id(v) not in memo:
                memo[id(v)] = v.copy()
            return memo[id(v)]
        if isinstance(v, Fn):
            return wire.make_function(v.fn_name, dict(v.params))
        if isinstance(v, (list, tuple)):
            return type(v)(copy(x) for x in v)
        if isinstance(v, dict):
            return {k: copy(x) for k, x in v.items()}
        return v

    return copy(value)


def _unchanged(after, before) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        )
    if isinstance(before, (list, tuple)):
        return (
            isinstance(after, (list, tuple))
            and len(after) == len(before)
            and all(_unchanged(a, b) for a, b in zip(after, before, strict=True))
        )
    if isinstance(before, dict):
        same_keys = isinstance(after, dict) and after.keys() == before.keys()
        return same_keys and all(_unchanged(after[k], before[k]) for k in before)
    return True  # numbers, strings, None, functions: a call cannot change them in place


def changed_arguments(before_args, after_args, before_kwargs=None, after_kwargs=None) -> list[str]:
    """Which arguments a call changed in place ("argument 2", "state"): ``before_*`` as passed,
    ``after_*`` as they were when the call returned."""
    pairs = enumerate(zip(before_args, after_args, strict=False))
    changed = [f"argument {i + 1}" for i, (b, a) in pairs if not _unchanged(a, b)]
    before_kwargs, after_kwargs = before_kwargs or {}, after_kwargs or {}
    for key, before in before_kwargs.items():
        if key not in after_kwargs or not _unchanged(after_kwargs[key], before):
            changed.append(str(key))
    return changed


def _index_str(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]" if index else "[]"


def _compare_array(actual, expected: np.ndarray, label: str, rtol, atol) -> list[str]:
    if not isinstance(actual, np.ndarray):
        return [f"{label}: returned {type(actual).__name__}, expected a NumPy array of shape {expected.shape}"]
    if actual.shape != expected.shape:
        return [f"{label}: shape {actual.shape}, expected {expected.shape}"]
    if expected.dtype == np.bool_:
        if actual.dtype != np.bool_:
            return [f"{label}: dtype {actual.dtype}, expected bool (use a comparison such as a > b)"]
        wrong = np.argwhere(actual != expected)
        return [f"{label}: {len(wrong)} wrong entries, first at {_index_str(tuple(wrong[0]))}"] if len(wrong) else []
    if expected.dtype.kind in "iu":
        if actual.dtype.kind not in "iu":
            return [f"{label}: dtype {actual.dtype}, expected integers"]
        wrong = np.argwhere(actual != expected)
        return [f"{label}: {len(wrong)} wrong entries, first at {_index_str(tuple(wrong[0]))}"] if len(wrong) else []
    if actual.dtype.kind not in "biuf":
        return [f"{label}: dtype {actual.dtype}, expected real numbers"]
    if actual.dtype != expected.dtype:
        return [
            f"{label}: dtype {actual.dtype}, expected {expected.dtype} (keep the input's dtype: a np.float64 "
            "constant or an array made with np.array(...) of Python floats upcasts float32 to float64)"
        ]
    rtol = RTOL.get(expected.dtype, SCALAR_RTOL) if rtol is None else rtol
    atol = ATOL.get(expected.dtype, SCALAR_ATOL) if atol is None else atol
    a, e = actual.astype(np.float64).reshape(-1), expected.astype(np.float64).reshape(-1)
    return _compare_values(a, e, expected.shape, label, rtol, atol)


def _compare_values(a: np.ndarray, e: np.ndarray, shape: tuple[int, ...], label: str, rtol, atol) -> list[str]:
    """a, e: flat float64 arrays of the same size."""
    finite = np.isfinite(e)
    if np.isnan(a[finite]).any():
        where = _index_str(tuple(int(i) for i in np.unravel_index(int(np.argmax(np.isnan(a) & finite)), shape)))
        return [f"{label}: NaN at {where} where a number is expected (a 0/0, inf - inf or inf * 0 happened)"]
    if np.isinf(a[finite]).any():
        where = _index_str(tuple(int(i) for i in np.unravel_index(int(np.argmax(np.isinf(a) & finite)), shape)))
        return [f"{label}: inf at {where} where a finite number is expected (an overflow or a division by 0)"]
    if not np.array_equal(np.isnan(a), np.isnan(e)) or not np.array_equal(np.isinf(a), np.isinf(e)):
        return [f"{label}: NaN or inf where none is expected"]
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.where(finite, np.abs(a - e) - (atol + rtol * np.abs(e)), 0.0)
    excess[~finite] = np.where(a[~finite] == e[~finite], -1.0, 1.0)
    if (excess <= 0).all():
        return []
    worst = int(np.argmax(excess))
    where = tuple(int(i) for i in np.unravel_index(worst, shape))
    return [
        f"{label}: wrong values in {int((excess > 0).sum())} of {excess.size} entries; worst at "
        f"{_index_str(where)}: {_difference(a[worst], e[worst], atol + rtol * abs(e[worst]))}"
    ]


def _digits(got: float, expected: float) -> int:
    """Significant digits that show where two numbers differ (6 to 17)."""
    scale = max(abs(got), abs(expected))
    diff = abs(got - expected)
    if not np.isfinite(scale) or diff == 0 or scale == 0:
        return 6
    return int(min(17, max(6, np.ceil(np.log10(scale / diff)) + 2)))


def _difference(got: float, expected: float, allowed: float) -> str:
    """'got 1.0000012, expected 1.0000034 (off by 2.2e-06; allowed 1e-06)'."""
    digits = _digits(got, expected)
    text = f"got {got:.{digits}g}, expected {expected:.{digits}g}"
    if np.isfinite(got) and np.isfinite(expected):
        text += f" (off by {abs(got - expected):.2g}; allowed {allowed:.2g})"
    return text


def _as_number(actual):
    """A returned scalar (Python number or 0-d real array) as a float, else None."""
    if type(actual) in (int, float):
        return float(actual)
    if isinstance(actual, np.ndarray) and actual.shape == () and actual.dtype.kind in "iuf":
        return float(actual)
    return None


def compare(actual, expected, label: str = "result", rtol=None, atol=None, names: tuple[str, ...] = ()) -> list[str]:
    """Messages describing how ``actual`` differs from ``expected`` (empty: they agree).

    Arrays must match in shape and dtype and agree within rtol/atol; numbers within
    rtol/atol; tuples/lists element by element (labelled by ``names``); dicts key by key.
    """
    if isinstance(expected, np.ndarray):
        return _compare_array(actual, expected, label, rtol, atol)
    if isinstance(expected, (bool, np.bool_)):
        if type(actual) is bool or (isinstance(actual, np.ndarray) and actual.shape == () and actual.dtype == bool):
            return [] if bool(actual) == bool(expected) else [f"{label}: {bool(actual)}, expected {bool(expected)}"]
        return [f"{label}: returned {type(actual).__name__}, expected True or False"]
    if isinstance(expected, (int, np.integer)):
        value = _as_number(actual)
        if value is None:
            return [f"{label}: returned {_describe(actual)}, expected the integer {int(expected)}"]
        return [] if value == int(expected) else [f"{label}: {value:g}, expected {int(expected)}"]
    if isinstance(expected, (float, np.floating)):
        value = _as_number(actual)
        if value is None:
            return [f"{label}: returned {_describe(actual)}, expected a single number"]
        rtol = SCALAR_RTOL if rtol is None else rtol
        atol = SCALAR_ATOL if atol is None else atol
        if np.isnan(value) and not np.isnan(float(expected)):
            return [f"{label}: NaN, expected {float(expected):.6g} (a 0/0, inf - inf or inf * 0 happened)"]
        if not np.isclose(value, float(expected), rtol=rtol, atol=atol):
            allowed = atol + rtol * abs(float(expected))
            return [f"{label}: {_difference(value, float(expected), allowed)}"]
        return []
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return [f"{label}: returned {_describe(actual)}, expected {len(expected)} values {_names(names, expected)}"]
        if len(actual) != len(expected):
            return [f"{label}: returned {len(actual)} values, expected {len(expected)} {_names(names, expected)}"]
        messages = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            sub = names[i] if i < len(names) else f"{label}[{i}]"
            messages += compare(a, e, sub, rtol, atol)
        return messages
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{label}: returned {_describe(actual)}, expected a dict with keys {sorted(expected)}"]
        if set(actual) != set(expected):
            return [f"{label}: keys {sorted(actual)}, expected {sorted(expected)}"]
        messages = []
        for key in expected:
            messages += compare(actual[key], expected[key], f"{label}[{key!r}]", rtol, atol)
        return messages
    if expected is None:
        return [] if actual is None else [f"{label}: returned {_describe(actual)}, expected None"]
    raise TypeError(f"compare: cannot compare with a {type(expected).__name__}")


def _names(names: tuple[str, ...], expected) -> str:
    return "(" + ", ".join(names) + ")" if len(names) == len(expected) else ""


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} values"
    return "None" if value is None else type(value).__name__


def judge(case: Case, actual, names: tuple[str, ...] = ()) -> list[str]:
    """All messages for one case: the comparison with ``expected``, then ``check``."""
    messages = [] if case.expected is None else compare(actual, case.expected, "result", case.rtol, case.atol, names)
    if not messages and case.check is not None:
        problem = case.check(actual)
        if problem:
            messages.append(problem)
    return messages


def failure_kind(message: str) -> str:
    """What went wrong, from a failure message: "not implemented", "timeout", "floating-point",
    "error" (an exception), "mutated", "dtype", "shape", "nan" or "values"."""
    if message == "not implemented":
        return "not implemented"
    if "took longer than" in message or "time limit" in message:
        return "timeout"
    if message.startswith(("FloatingPointError", "floating-point error")):
        return "floating-point"
    if _ERROR.match(message) or message.startswith(("raised ", "not run:", "the result cannot be sent")):
        return "error"
    if "in place" in message:
        return "mutated"
    if ": dtype " in message:
        return "dtype"
    if ": shape " in message or ": returned " in message or "keys " in message:
        return "shape"
    if "NaN" in message or " inf" in message:
        return "nan"
    return "values"


GENERIC_HINT_KINDS = {"values", "nan", "floating-point", "shape", "timeout"}


def choose_hint(case: Case, kind: str) -> str:
    """The case's hint for this kind of failure (``Case.hints``), else its general hint when it
    can concern this kind (never for an exception, a dtype or an input changed in place,
    whose messages name the cause)."""
    specific = getattr(case, "hints", None) or {}
    if kind in specific:
        return specific[kind]
    return case.hint if kind in GENERIC_HINT_KINDS else ""

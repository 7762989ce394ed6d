"""The learner's one-line check: ``check("2.3", softmax)`` runs that question's public tests.

It runs in the learner's own notebook, for instant feedback only; grades come from the
grader, which runs hidden tests on the submission in a separate process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlgrade import exercises, wire
from dlgrade.spec import Case, Question, changed_arguments, choose_hint, failure_kind, fresh_copy, judge

_disabled = 0
STRICT_FP = {"over": "raise", "divide": "raise", "invalid": "raise"}
WORDS = {"passed": "✅ passed", "failed": "❌ failed", "not implemented": "⏳ not implemented"}
_LIBRARY_ROOTS = tuple(
    os.path.realpath(p) + os.sep
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(np.__file__).parent), str(Path(__file__).parent)}
)


@dataclass
class CaseResult:
    name: str
    status: str  # "passed", "failed" or "not implemented"
    message: str = ""
    hint: str = ""


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Make ``check`` do nothing (while the grader loads reference solutions)."""
    global _disabled
    _disabled += 1
    try:
        yield
    finally:
        _disabled -= 1


def where_in_learner_code(err: BaseException) -> str:
    """' (line 7 of your `softmax` cell: `return e / s`)' for the innermost frame of the
    learner's own code (not NumPy, not the Python installation, not dlgrade), else ''."""
    try:
        frames = traceback.extract_tb(err.__traceback__)
    except Exception:  # noqa: BLE001 - a location is a bonus
        return ""
    mine = [f for f in frames if not os.path.realpath(f.filename).startswith(_LIBRARY_ROOTS)]
    if not mine:
        return ""
    frame = mine[-1]
    text = (frame.line or "").strip()
    text = text if len(text) <= 80 else text[:77] + "..."
    return f" (in `{frame.name}`, line {frame.lineno} of its cell" + (f": `{text}`)" if text else ")")


def run_case(question: Question, case: Case, func: Callable) -> CaseResult:
    """Call ``func`` on one case in this process and judge the answer."""
    args, kwargs = fresh_copy(case.args), fresh_copy(case.kwargs)
    try:
        with np.errstate(**(STRICT_FP if case.strict_fp else {})):
            value = wire.plain(func(*args, **kwargs))
    except NotImplementedError:
        return CaseResult(case.name, "not implemented")
    except FloatingPointError as err:
        message = f"floating-point error: {err}{where_in_learner_code(err)}"
        return CaseResult(case.name, "failed", message, choose_hint(case, "floating-point"))
    except Exception as err:
        message = f"raised {type(err).__name__}: {err}{where_in_learner_code(err)}"
        return CaseResult(case.name, "failed", message, choose_hint(case, "error"))
    messages = judge(case, value, question.outputs)
    changed = changed_arguments(case.args, args, case.kwargs, kwargs)
    if changed:
        messages.append(f"changed its input {', '.join(changed)} in place; compute new arrays instead")
    if not messages:
        return CaseResult(case.name, "passed")
    message = "; ".join(messages)
    return CaseResult(case.name, "failed", message, choose_hint(case, failure_kind(message)))


def group_failures(results: list[CaseResult]) -> list[tuple[list[str], str, str]]:
    """Failed results merged by identical message and hint: [(test names, message, hint)],
    so one error in a function is told once, not once per test."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in results:
        if r.status == "failed":
            groups.setdefault((r.message, r.hint), []).append(r.name)
    return [(names, message, hint) for (message, hint), names in groups.items()]


def run_public(question_id: str, func: Callable) -> tuple[Question, list[CaseResult]]:
    """The question and one result per public test."""
    module = exercises.public(exercises.slug_for_question(question_id))
    question = next((q for q in module.QUESTIONS if q.id == question_id), None)
    if question is None:
        raise LookupError(f"there is no question {question_id!r}")
    return question, [run_case(question, case, func) for case in module.PUBLIC.get(question_id, [])]


def check(question_id: str, func: Callable) -> None:
    """Run the public tests of question ``question_id`` on ``func`` and print the outcome."""
    if _disabled:
        return
    try:
        question, results = run_public(question_id, func)
    except LookupError as err:
        print(f"check: {err}")
        return
    label = f"Question {question.id} ({question.function})"
    if getattr(func, "__name__", question.function) != question.function:
        print(f"Note: {label} is graded by the name `{question.function}`; you passed `{func.__name__}`.")
    if any(r.status == "not implemented" for r in results):
        print(
            f"{WORDS['not implemented']} yet: {label}. "
            "Replace the `raise NotImplementedError(...)` line with your code."
        )
        return
    passed = sum(r.status == "passed" for r in results)
    if passed == len(results):
        print(f"{WORDS['passed']}: {label}, all {len(results)} public tests. (Grading tries more cases.)")
        return
    print(f"{WORDS['failed']}: {label}, {passed} of {len(results)} public tests passed.")
    for names, message, hint in group_failures(results):
        which = names[0] if len(names) == 1 else f"{len(names)} tests ({'; '.join(names)})"
        print(f"   ✗ failed: {which}: {message}")
        if hint:
            print(f"     Hint: {hint}")

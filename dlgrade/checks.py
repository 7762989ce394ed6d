"""The learner's one-line check: ``check("2.3", softmax)`` runs that question's public tests.

It runs in the learner's own notebook, for instant feedback only; grades come from the
grader, which runs hidden tests on the submission in a separate process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from dlgrade import exercises, wire
from dlgrade.spec import Case, Question, changed_arguments, fresh_copy, judge

_disabled = 0
STRICT_FP = {"over": "raise", "divide": "raise", "invalid": "raise"}


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


def run_case(question: Question, case: Case, func: Callable) -> CaseResult:
    """Call ``func`` on one case in this process and judge the answer."""
    args, kwargs = fresh_copy(case.args), fresh_copy(case.kwargs)
    try:
        with np.errstate(**(STRICT_FP if case.strict_fp else {})):
            value = wire.plain(func(*args, **kwargs))
    except NotImplementedError:
        return CaseResult(case.name, "not implemented")
    except FloatingPointError as err:
        return CaseResult(case.name, "failed", f"floating-point error: {err}", case.hint)
    except Exception as err:
        return CaseResult(case.name, "failed", f"raised {type(err).__name__}: {err}", case.hint)
    messages = judge(case, value, question.outputs)
    changed = changed_arguments(case.args, args, case.kwargs, kwargs)
    if changed:
        messages.append(f"changed its input {', '.join(changed)} in place; compute new arrays instead")
    return CaseResult(case.name, "failed" if messages else "passed", "; ".join(messages), case.hint)


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
        print(f"⏳ {label}: not implemented yet. Replace the `raise NotImplementedError(...)` line with your code.")
        return
    passed = sum(r.status == "passed" for r in results)
    if passed == len(results):
        print(f"✅ {label}: all {len(results)} public tests passed. (When graded, hidden tests try more cases.)")
        return
    print(f"❌ {label}: {passed} of {len(results)} public tests passed.")
    for r in results:
        if r.status != "passed":
            print(f"   ✗ {r.name}: {r.message}")
            if r.hint:
                print(f"     Hint: {r.hint}")

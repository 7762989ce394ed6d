"""The mistake catalogue: classic wrong answers each question's hidden tests must catch.

Next to the hidden tests, ``exercises/instructor/mistakes/NN_name.py`` (instructor-only) defines

    from dlgrade.mistakes import Mistake

    MISTAKES = [
        Mistake(
            question="2.5",
            name="log of softmax instead of log-softmax",
            code='''
    def categorical_cross_entropy(logits, labels):
        p = softmax(logits)
        return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
    ''',
        ),
        ...
    ]

``code`` is complete Python source that redefines one or more of the exercise's functions
(the solution's names) with the mistake; it may call the solution's other functions and
``np``. A submission made of the solution notebook with ``code`` added after the solution
must lose points on ``question`` and keep full points everywhere else, except on the
questions listed in ``also`` (tests/test_grader_mistakes.py grades every entry).
``hint``, optional, is what to tell a learner whose answer matches this mistake.

The grader uses the catalogue a second time, for feedback: when a hidden case fails and the
learner's answer is exactly what a catalogued mistake gives on that case, the feedback
names the mistake instead of a generic hint.
"""

from __future__ import annotations

import ast
import copy
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlgrade import exercises, notebook


@dataclass(frozen=True)
class Mistake:
    """One classic mistake in one question (see the module docstring for the format)."""

    question: str
    name: str
    code: str
    also: tuple[str, ...] = ()
    hint: str = ""

    def defined_functions(self) -> list[str]:
        """The top-level functions ``code`` (re)defines, in order."""
        tree = ast.parse(self.code)
        return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


def _reference(slug: str, instructor: str | Path | None = None):
    """The reference solutions (``grade.reference``; imported here, since grade imports this module)."""
    from dlgrade.grade import reference

    return reference(slug, instructor)


def catalogue_path(slug: str, instructor: str | Path | None = None) -> Path:
    return exercises.instructor_dir(instructor) / "mistakes" / f"{exercises.resolve(slug)}.py"


def load(slug: str, instructor: str | Path | None = None) -> list[Mistake]:
    """The exercise's catalogue (empty when it has none or the instructor folder is absent)."""
    path = catalogue_path(slug, instructor)
    if not path.exists():
        return []
    module = exercises._load(path, f"dlgrade_mistakes_{exercises.resolve(slug)}")
    return list(getattr(module, "MISTAKES", []))


def problems(slug: str, instructor: str | Path | None = None) -> list[str]:
    """What is wrong with a catalogue: unknown questions, code that does not compile or defines
    no function of the exercise, duplicate names in one question (empty list: fine)."""
    path = catalogue_path(slug, instructor)
    if not path.exists():
        return []
    try:
        entries = load(slug, instructor)
    except Exception as err:  # noqa: BLE001 - a broken catalogue is reported, not raised
        return [f"mistakes/{path.name}: cannot be loaded ({type(err).__name__}: {err})"]
    questions = {q.id: q.function for q in exercises.public(slug).QUESTIONS}
    reference = set(vars(_reference(slug, instructor)))
    found, seen = [], set()
    for number, m in enumerate(entries, start=1):
        where = f"mistakes/{path.name}, entry {number} ({getattr(m, 'name', '?')!r})"
        if not isinstance(m, Mistake):
            found.append(f"{where}: not a dlgrade.mistakes.Mistake")
            continue
        if m.question not in questions:
            found.append(f"{where}: no question {m.question!r}")
        for other in m.also:
            if other not in questions or other == m.question:
                found.append(f"{where}: `also` names {other!r}, which is not another question")
        if (m.question, m.name) in seen:
            found.append(f"{where}: the name is used twice in question {m.question}")
        seen.add((m.question, m.name))
        try:
            names = m.defined_functions()
        except SyntaxError as err:
            found.append(f"{where}: code does not compile ({err.msg}, line {err.lineno})")
            continue
        if not names:
            found.append(f"{where}: code defines no function")
        unknown = [n for n in names if n not in reference]
        if unknown:
            found.append(f"{where}: defines {', '.join(unknown)}, which the solution does not define")
    return found


# --- a submission that makes one mistake ----------------------------------------------------------
def _defining_cell(cells: list[dict], function: str) -> int | None:
    pattern = re.compile(rf"^def {re.escape(function)}\(", re.MULTILINE)
    found = None
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and pattern.search(notebook.cell_source(cell)):
            found = index
    return found


def submission(source: dict, mistake: Mistake) -> dict:
    """The solution notebook with the mistake's code appended to the cell that defines the
    (last defined) function it redefines, so the mistake is the definition that wins."""
    nb = copy.deepcopy(source)
    cells = nb["cells"]
    where = [_defining_cell(cells, name) for name in mistake.defined_functions()]
    where = [index for index in where if index is not None]
    if not where:
        raise LookupError(f"no cell defines any of {mistake.defined_functions()}")
    cell = cells[max(where)]
    text = notebook.cell_source(cell).rstrip("\n")
    cell["source"] = text + "\n\n\n# --- the mistake: " + mistake.name + "\n" + mistake.code.strip("\n") + "\n"
    return nb


# --- recognising a mistake in a learner's answer ---------------------------------------------------
class Catalogue:
    """Each mistake's version of the exercise's functions, run in the grader's process
    (instructor code, like the reference solutions)."""

    def __init__(self, slug: str, instructor: str | Path | None = None):
        self.entries = load(slug, instructor)
        self.reference = vars(_reference(slug, instructor))
        self._spaces: dict[int, dict] = {}

    def for_question(self, question: str) -> list[Mistake]:
        return [m for m in self.entries if m.question == question or question in m.also]

    def _space(self, mistake: Mistake) -> dict:
        key = id(mistake)
        if key not in self._spaces:
            space = dict(self.reference)
            space["__name__"] = "dlgrade_mistake"
            exec(compile(mistake.code, f"<mistake {mistake.name}>", "exec"), space)
            self._spaces[key] = space
        return self._spaces[key]

    def outcome(self, mistake: Mistake, function: str, args, kwargs):
        """("value", plain value) or ("error", "Type: message") of the mistaken function.

        Floating-point warnings are ignored, as the grader ignores a case's ``strict_fp``: an
        answer is judged by its values only, so a mistake is recognised by its values too.
        """
        from dlgrade import wire
        from dlgrade.spec import fresh_copy

        fn = self._space(mistake)[function]
        call_args, call_kwargs = fresh_copy(args), fresh_copy(kwargs)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return "value", wire.plain(fn(*call_args, **call_kwargs))
        except Exception as err:  # noqa: BLE001 - the mistake's own failure is the outcome
            return "error", f"{type(err).__name__}: {err}"


def error_text(message: str) -> str:
    """An error message without the grader's location suffix: 'ValueError: shapes ...'."""
    return re.sub(r" \((?:code cell \d+, line \d+|in the cell under .*|in a cell.*)\)$", "", message or "", flags=re.S)


def error_type(message: str) -> str | None:
    """'NameError' from 'NameError: name x is not defined (...)', else None."""
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Warning)):", message or "")
    return match.group(1) if match else None

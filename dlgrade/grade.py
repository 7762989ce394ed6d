"""Grading: hidden tests made and judged here, submitted code run in the sandbox.

For each question the grader draws inputs (from a seed: ``DEFAULT_SEED`` unless one is
given, so grading the same file twice gives the same grade, and the report records it),
adds fixed diagnostic cases, computes the expected answers with the reference solutions in
this process, sends only the inputs to a sandboxed worker, and compares what comes back, as
plain data, with this process's NumPy. A submission can change anything in its own process;
none of it reaches this one.

Feedback names the cause: a failing answer that is exactly what a catalogued mistake gives
(``mistakes.py``) is told so, and other hints are chosen by what went wrong (an exception, a
dtype, a shape, a value, a time-out). A mistake is charged once: when a question's function
calls the function of an earlier question that lost points, that question is graded with
the reference version of the earlier function substituted, and the report says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dlgrade import exercises, mistakes, notebook
from dlgrade.sandbox import CallOutcome, Limits, Sandbox
from dlgrade.spec import Case, Question, choose_hint, compare, failure_kind, judge

GRADER = "dlgrade 1.1"
MAX_NOTEBOOK_BYTES = 20 << 20
DEFAULT_SEED = 2026  # the hidden-test draws when no --seed is given: the same grade on every run
SUBSTITUTE_MARK = "# dlgrade: reference versions of functions from questions that lost points"


@dataclass
class PreparedQuestion:
    question: Question
    cases: list[Case]


@dataclass
class Prepared:
    """One exercise's hidden tests for one grading run (inputs and expected answers)."""

    slug: str
    title: str
    seed: int
    questions: list[PreparedQuestion]
    instructor: Path
    catalogue: mistakes.Catalogue | None = None
    reference_functions: dict = field(default_factory=dict)
    _diagnoses: dict = field(default_factory=dict)


def prepare(exercise: str, seed: int | None = None, instructor: str | Path | None = None) -> Prepared:
    """Draw the hidden tests' inputs and compute the expected answers with the solutions."""
    slug = exercises.resolve(exercise)
    seed = DEFAULT_SEED if seed is None else int(seed)
    public = exercises.public(slug)
    hidden = exercises.hidden(slug, instructor)
    ref = exercises.reference(slug, instructor)
    questions = []
    for number, question in enumerate(public.QUESTIONS):
        rng = np.random.default_rng([seed, number])
        questions.append(PreparedQuestion(question, list(hidden.HIDDEN[question.id](rng, ref))))
    return Prepared(
        slug,
        getattr(public, "TITLE", slug),
        seed,
        questions,
        exercises.instructor_dir(instructor),
        mistakes.Catalogue(slug, instructor),
        exercises.reference_functions(slug, instructor),
    )


def _wire_cases(cases: list[Case]) -> list[dict]:
    return [
        {"args": list(c.args), "kwargs": dict(c.kwargs), "strict_fp": c.strict_fp, "time_limit": c.time_limit}
        for c in cases
    ]


def _diagnose(
    prepared: Prepared, index: tuple[int, int], question: Question, case: Case, outcome, kind: str = "values"
) -> str:
    """The catalogued mistakes this failing answer is exactly the result of, as a hint."""
    catalogue = prepared.catalogue
    if catalogue is None or case.time_limit is not None:
        return ""
    candidates = catalogue.for_question(question.id)
    if not candidates:
        return ""
    key = (index, question.function)
    if key not in prepared._diagnoses:
        prepared._diagnoses[key] = [
            (m, *catalogue.outcome(m, question.function, case.args, case.kwargs, case.strict_fp)) for m in candidates
        ]
    matches = []
    learner_error = mistakes.error_text(outcome.error or "")
    for mistake, how, result in prepared._diagnoses[key]:
        if how == "error":
            if outcome.error is not None and learner_error == result:
                matches.append(mistake)
        elif outcome.error is None:
            try:
                wrong = bool(judge(case, result, question.outputs))
                same = not compare(outcome.value, result, "result", case.rtol, case.atol, question.outputs)
            except Exception:  # noqa: BLE001 - a strange value matches nothing
                continue
            if wrong and same:
                matches.append(mistake)
    if outcome.error is not None and len(matches) != 1:
        return ""  # an exception names a mistake only when it is the only one raising exactly it
    if not matches:
        return ""
    if kind == "dtype":  # many causes give the same float64 values: name them as examples only
        m = matches[0]
        return f"A common cause: {_quote_name(m.name)}." + (f" {m.hint}" if m.hint else "")
    if len(matches) == 1:
        m = matches[0]
        text = f"Your answer is exactly what the mistake {_quote_name(m.name)} gives."
        return text + (f" {m.hint}" if m.hint else "")
    names = "; ".join(_quote_name(m.name) for m in matches[:3])
    return f"Your answer is exactly what each of these mistakes gives: {names}."


def _quote_name(name: str) -> str:
    return f"'{name}'"


_WHERE = re.compile(r" \(code cell (\d+), line (\d+)\)")


def locate(message: str, cells: list[str], headings: list[str]) -> str:
    """Replace the worker's "(code cell 4, line 6)" by the question's heading and the quoted line."""

    def where(match: re.Match) -> str:
        cell, line = int(match.group(1)) - 1, int(match.group(2))
        if cell >= len(cells):
            return " (in the grader's reference code)"
        lines = cells[cell].splitlines()
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        text = text if len(text) <= 80 else text[:77] + "..."
        place = f'in the cell under "{headings[cell]}"' if cell < len(headings) and headings[cell] else "in a cell"
        return f" ({place}, line {line}" + (f": `{text}`)" if text else ")")

    return _WHERE.sub(where, message)


def _judge_call(
    question: Question,
    case: Case,
    outcome: CallOutcome,
    prepared: Prepared | None = None,
    index: tuple[int, int] = (0, 0),
) -> dict:
    if outcome.error == "NotImplementedError":
        return {"name": case.name, "passed": False, "message": "not implemented", "hint": ""}
    if outcome.error is not None:
        messages = [outcome.error]
    else:
        try:
            messages = judge(case, outcome.value, question.outputs)
        except Exception as err:  # a check tripped over a strange value: a failed case, not a grader crash
            messages = [f"could not check the result ({type(err).__name__}: {err})"]
    if outcome.mutated:
        messages.append(f"changed its input {', '.join(outcome.mutated)} in place; compute new arrays instead")
    if not messages:
        return {"name": case.name, "passed": True, "message": "", "hint": ""}
    message = "; ".join(messages)
    kind = failure_kind(message)
    hint = ""
    if prepared is not None and kind not in ("timeout", "mutated"):
        try:
            hint = _diagnose(prepared, index, question, case, outcome, kind)
        except Exception:  # noqa: BLE001 - feedback must never crash grading
            hint = ""
    return {"name": case.name, "passed": False, "message": message, "hint": hint or choose_hint(case, kind)}


def substitutions(question: Question, learner: dict, prepared: Prepared, lost: dict[str, str]) -> dict[str, str]:
    """{function: question id} of earlier questions that lost points and whose function the
    learner's function for ``question`` calls (directly or through their own helpers)."""
    if question.function not in learner:
        return {}
    reads, todo, seen = set(), [question.function], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in learner:
            continue
        seen.add(name)
        reads |= learner[name][1]
        todo += [n for n in learner[name][1] if n in learner and n not in lost]
    chosen = {}
    for name in sorted(reads & set(lost)):
        closure, todo = set(), [name]
        while todo:
            dep = todo.pop()
            if dep in closure or dep not in prepared.reference_functions:
                continue
            closure.add(dep)
            todo += [n for n in prepared.reference_functions[dep][1] if n in prepared.reference_functions]
        if question.function not in closure and all(prepared.reference_functions[d][0] for d in closure):
            chosen[name] = lost[name]
    return chosen


def reference_cell(names: list[str], prepared: Prepared) -> str:
    """A cell that binds the reference versions of ``names`` in the learner's namespace. They
    are defined, with the reference functions they call, in a private namespace of their own,
    so they see neither the learner's globals nor any other solution."""
    closure, todo = [], list(names)
    while todo:
        dep = todo.pop(0)
        if dep in closure or dep not in prepared.reference_functions:
            continue
        closure.append(dep)
        todo += sorted(n for n in prepared.reference_functions[dep][1] if n in prepared.reference_functions)
    definitions = "\n\n\n".join(prepared.reference_functions[n][0] for n in closure)
    source = "import math\nimport numpy as np\n\n\n" + definitions
    return (
        f"{SUBSTITUTE_MARK}\n"
        "def _dlgrade_reference():\n"
        "    space = {'__name__': 'dlgrade_reference', '__builtins__': __builtins__}\n"
        f"    exec(compile({source!r}, '<reference>', 'exec'), space)\n"
        f"    return {{name: space[name] for name in {list(names)!r}}}\n\n\n"
        "globals().update(_dlgrade_reference())\n"
        "del _dlgrade_reference\n"
    )


def _status(results: list[dict]) -> str:
    passed = sum(r["passed"] for r in results)
    if results and all(r["message"] == "not implemented" for r in results):
        return "not implemented"
    return "passed" if passed == len(results) else "partial" if passed else "failed"


def _empty_report(path: Path, student: str, prepared: Prepared | None, note: str) -> dict:
    questions = [] if prepared is None else prepared.questions
    return {
        "student": student,
        "submission": str(path),
        "sha256": "",
        "exercise": None if prepared is None else prepared.slug,
        "title": None if prepared is None else prepared.title,
        "seed": None if prepared is None else prepared.seed,
        "score": 0.0,
        "max_score": float(sum(pq.question.points for pq in questions)),
        "questions": [
            {
                "id": pq.question.id,
                "function": pq.question.function,
                "title": pq.question.title,
                "points": 0.0,
                "max_points": float(pq.question.points),
                "status": "failed",
                "passed_cases": 0,
                "total_cases": len(pq.cases),
                "cases": [],
            }
            for pq in questions
        ],
        "notes": [note],
        "grader": GRADER,
    }


def detect_exercise(nb: dict, path: Path) -> str:
    """The exercise a submission claims in its metadata, else the one its file name names."""
    claimed = nb.get("metadata", {}).get("dlgrade", {}).get("exercise") if isinstance(nb, dict) else None
    for candidate in (claimed, path.stem, *path.stem.split("-")):
        if isinstance(candidate, str):
            try:
                return exercises.resolve(candidate)
            except LookupError:
                pass
    for slug in exercises.slugs():
        if slug in path.stem:
            return slug
    raise LookupError(f"cannot tell which exercise {path.name} is; pass --exercise")


def grade_notebook(
    path: str | Path,
    prepared: Prepared,
    sandbox: Sandbox,
    student: str | None = None,
) -> dict:
    """Grade one submitted notebook against prepared hidden tests; a JSON-able report."""
    path = Path(path)
    student = student or path.stem
    started = time.monotonic()
    raw = path.read_bytes()  # read once; the submission is never written
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return _empty_report(path, student, prepared, f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
    try:
        nb = json.loads(raw)
        cells = notebook.grading_sources(nb)
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError):
        return _empty_report(path, student, prepared, "the file is not a readable notebook (.ipynb JSON)")
    headings = notebook.code_cell_headings(nb)
    learner = exercises.top_level_functions(cells)
    skip: set[int] = set()
    notes: dict[int, str] = {}
    problems: list[str] = []
    questions = []
    lost: dict[str, str] = {}  # function -> question id, for questions that lost points
    for number, pq in enumerate(prepared.questions):
        q = pq.question
        substituted = substitutions(q, learner, prepared, lost)
        sent = cells + [reference_cell(list(substituted), prepared)] if substituted else cells
        run = sandbox.run(sent, q.function, _wire_cases(pq.cases), skip)
        for index, message in run.cell_errors.items():
            if index < len(cells):
                notes.setdefault(index, locate(message, cells, headings))
        if run.problem:
            problems.append(f"Question {q.id}: {locate(run.problem, cells, headings)}")
        results = [
            _judge_call(q, case, outcome, prepared, (number, i))
            for i, (case, outcome) in enumerate(zip(pq.cases, run.outcomes, strict=True))
        ]
        for r in results:
            r["message"] = locate(r["message"], cells, headings)
        passed = sum(r["passed"] for r in results)
        if passed < len(results):
            lost[q.function] = q.id
        entry = {
            "id": q.id,
            "function": q.function,
            "title": q.title,
            "points": round(q.points * passed / len(results), 2) if results else 0.0,
            "max_points": float(q.points),
            "status": _status(results),
            "passed_cases": passed,
            "total_cases": len(results),
            "cases": results,
        }
        if substituted:
            entry["reference_functions"] = substituted
        questions.append(entry)
    cell_notes = [f"{notebook.describe_cell(cells, i, headings)}: {m}" for i, m in sorted(notes.items())]
    return {
        "student": student,
        "submission": str(path),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "exercise": prepared.slug,
        "title": prepared.title,
        "seed": prepared.seed,
        "score": round(sum(q["points"] for q in questions), 2),
        "max_score": float(sum(q["max_points"] for q in questions)),
        "questions": questions,
        "notes": cell_notes + problems,
        "elapsed_seconds": round(time.monotonic() - started, 3),
        "grader": GRADER,
    }


def grade_file(
    path: str | Path,
    exercise: str | None = None,
    *,
    seed: int | None = None,
    limits: Limits | None = None,
    instructor: str | Path | None = None,
) -> dict:
    """Grade one notebook from scratch (its own sandbox and fresh hidden-test inputs)."""
    path = Path(path)
    try:
        slug = exercises.resolve(exercise) if exercise else detect_exercise(_peek(path), path)
    except LookupError as err:
        return _empty_report(path, path.stem, None, str(err))
    prepared = prepare(slug, seed, instructor)
    with Sandbox(limits, deny_roots=[prepared.instructor]) as sandbox:
        return grade_notebook(path, prepared, sandbox)


def _peek(path: Path) -> dict:
    try:
        return json.loads(path.read_bytes()[:MAX_NOTEBOOK_BYTES])
    except (OSError, ValueError):
        return {}


def find_submissions(folder: str | Path) -> list[tuple[str, Path]]:
    """(student, path) for every notebook below ``folder``; the student is the relative path."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        relative = path.relative_to(folder).with_suffix("")
        found.append((relative.as_posix(), path))
    return found


def grade_folder(
    folder: str | Path,
    exercise: str | None = None,
    *,
    jobs: int = 2,
    seed: int | None = None,
    limits: Limits | None = None,
    instructor: str | Path | None = None,
) -> list[dict]:
    """Grade every notebook under ``folder``, ``jobs`` at a time; one report per notebook.

    All submissions of one exercise get the same hidden-test inputs (from ``seed``, by default
    ``DEFAULT_SEED``), so grading the folder again gives the same gradebook.
    """
    submissions = find_submissions(folder)
    seed = DEFAULT_SEED if seed is None else seed
    prepared: dict[str, Prepared] = {}
    plan = []
    for student, path in submissions:
        try:
            slug = exercises.resolve(exercise) if exercise else detect_exercise(_peek(path), path)
        except LookupError as err:
            plan.append((student, path, None, str(err)))
            continue
        if slug not in prepared:
            prepared[slug] = prepare(slug, seed, instructor)
        plan.append((student, path, prepared[slug], None))
    deny = sorted({str(p.instructor) for p in prepared.values()})
    lanes = max(1, min(jobs, len(plan)))
    sandboxes = [Sandbox(limits, deny_roots=deny) for _ in range(lanes)]
    free = list(sandboxes)

    def grade_one(item) -> dict:
        student, path, prep, problem = item
        if prep is None:
            return _empty_report(path, student, None, problem)
        sandbox = free.pop()
        try:
            return grade_notebook(path, prep, sandbox, student)
        finally:
            free.append(sandbox)

    try:
        with ThreadPoolExecutor(max_workers=lanes) as pool:
            return list(pool.map(grade_one, plan))
    finally:
        for sandbox in sandboxes:
            sandbox.close()

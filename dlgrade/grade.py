"""Grading: hidden tests made and judged here, submitted code run in the sandbox.

For each question the grader draws inputs (from a seed: ``DEFAULT_SEED`` unless one is
given, so grading the same file twice gives the same grade, and the report records it),
adds fixed diagnostic cases, computes the expected answers with the reference solutions in
this process, sends each call's inputs to a sandboxed worker when the call starts, and
compares what comes back, as plain data, with this process's NumPy, including whether the
call changed its inputs. A submission can change anything in its own process; none of it
reaches this one.

Feedback names the cause: a failing answer that is exactly what a catalogued mistake gives
(``mistakes.py``) is told so, and other hints are chosen by what went wrong (an exception, a
dtype, a shape, a value, a time-out). A mistake is charged once: when a question's function
calls the function of an earlier question that lost points, that question is graded with
the reference version of the earlier function substituted, and the report says so.

Submissions are read defensively: a file that is not a regular file, is too large, or is not
a well-formed notebook gets a zero with the reason, and ``grade_folder`` always finishes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dlgrade import checks, exercises, mistakes, notebook
from dlgrade.notebook import SubmissionError
from dlgrade.sandbox import CallOutcome, Limits, Sandbox, SandboxError, readable_inside
from dlgrade.spec import Case, Question, choose_hint, compare, failure_kind, judge

GRADER = "dlgrade 1.1"
MAX_NOTEBOOK_BYTES = 20 << 20
MAX_FOLDER_DEPTH = 8
DEFAULT_SEED = 2026  # the hidden-test draws when no --seed is given: the same grade on every run
SUBSTITUTE_MARK = "# dlgrade: reference versions of functions from questions that lost points"
NOT_ISOLATED = (
    "NOT ISOLATED: graded without the operating-system sandbox (--unisolated-self-study); "
    "a submission could have changed this score. Not valid for credit."
)
_references: dict[tuple[str, float], types.ModuleType] = {}


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
    ref = reference(slug, instructor)
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


def reference(slug: str, instructor: str | Path | None = None) -> types.SimpleNamespace:
    """The solutions: every name the source notebook defines, run in this (the grader's) process."""
    slug = exercises.resolve(slug)
    path = exercises.source_notebook(slug, instructor)
    key = (str(path), path.stat().st_mtime)
    if key not in _references:
        module = types.ModuleType(f"dlgrade_reference_{slug}")
        nb = json.loads(path.read_text(encoding="utf-8"))
        sys.modules[module.__name__] = module
        with checks.disabled():
            for index, source in enumerate(notebook.grading_sources(nb)):
                exec(compile(source, f"<{slug} reference, code cell {index + 1}>", "exec"), module.__dict__)
        _references[key] = module
    return types.SimpleNamespace(**{k: v for k, v in vars(_references[key]).items() if not k.startswith("__")})


def _wire_cases(cases: list[Case]) -> list[dict]:
    return [{"args": list(c.args), "kwargs": dict(c.kwargs), "time_limit": c.time_limit} for c in cases]


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
            (m, *catalogue.outcome(m, question.function, case.args, case.kwargs)) for m in candidates
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


def detect_exercise(nb: dict | str | None, path: Path) -> str:
    """The exercise a submission claims (its metadata, or the claim itself), else the one its file name names."""
    claimed = nb
    if isinstance(nb, dict):
        metadata = nb.get("metadata")
        section = metadata.get("dlgrade") if isinstance(metadata, dict) else None
        claimed = section.get("exercise") if isinstance(section, dict) else None
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
    """Grade one submitted notebook against prepared hidden tests; a JSON-able report.

    Never raises for anything the submission contains: the report says what went wrong.
    """
    path = Path(path)
    student = student or path.stem
    try:
        raw = read_submission(path)  # read once; the submission is never written
        cells, _ = notebook.submission_cells(raw)
    except SubmissionError as err:
        return _mark(_empty_report(path, student, prepared, str(err)), sandbox)
    try:
        return _mark(_grade_cells(path, raw, cells, prepared, sandbox, student), sandbox)
    except Exception as err:  # a grader bug must cost one report, not the class's run
        note = f"the grader failed on this submission ({type(err).__name__}); please report it"
        return _mark(_empty_report(path, student, prepared, note), sandbox)


def _mark(report: dict, sandbox: Sandbox | None) -> dict:
    report["isolated"] = bool(sandbox is None or sandbox.isolated)
    if not report["isolated"]:
        report["notes"] = [NOT_ISOLATED, *report["notes"]]
    return report


def read_submission(path: Path) -> bytes:
    """The file's bytes: only a regular file (no symlink, FIFO or device), at most the size limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        kind = "a symbolic link" if os.path.islink(path) else f"unreadable ({err.strerror})"
        raise SubmissionError(f"skipped: the submission is {kind}, not a regular file") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError("skipped: the submission is not a regular file (a folder, FIFO or device)")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _grade_cells(path: Path, raw: bytes, cells: list[str], prepared: Prepared, sandbox: Sandbox, student: str) -> dict:
    started = time.monotonic()
    try:
        headings = notebook.code_cell_headings(json.loads(raw))
    except Exception:  # noqa: BLE001 - headings only make messages friendlier
        headings = []
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
    isolated: bool = True,
) -> dict:
    """Grade one notebook from scratch (its own sandbox; hidden-test inputs from ``seed``, by default ``DEFAULT_SEED``).

    isolated=False grades without the operating-system sandbox (self-study only; the report
    says so). With isolated=True, raises SandboxError where the sandbox cannot run.
    """
    path = Path(path)
    try:
        slug = _exercise_of(path, exercise)
    except LookupError as err:
        return _mark(_empty_report(path, path.stem, None, str(err)), None if isolated else _Unisolated())
    with Sandbox(limits, isolated=isolated, ahead=4) as sandbox:  # a worker starts while the tests are drawn
        prepared = prepare(slug, seed, instructor)
        _check_private(prepared, isolated)
        sandbox.plan(len(prepared.questions))  # and the others right after
        return grade_notebook(path, prepared, sandbox)


def _check_private(prepared: Prepared, isolated: bool) -> None:
    """Refuse to grade for credit when the sandbox could read the instructor folder."""
    if isolated and readable_inside(prepared.instructor):
        raise SandboxError(
            f"the instructor folder {prepared.instructor} lies inside a folder the sandbox can read "
            "(the Python installation or the system libraries): move it elsewhere"
        )


class _Unisolated:
    isolated = False


def _exercise_of(path: Path, exercise: str | None) -> str:
    """The exercise to grade ``path`` as; LookupError says why there is none (including why the
    file cannot be read, when that is the reason)."""
    if exercise:
        return exercises.resolve(exercise)
    try:
        claimed, problem = notebook.submission_cells(read_submission(path))[1], None
    except SubmissionError as err:
        claimed, problem = None, str(err)
    try:
        return detect_exercise(claimed, path)
    except LookupError:
        if problem:
            raise LookupError(problem) from None
        raise


def find_submissions(folder: str | Path) -> list[tuple[str, Path]]:
    """(student, path) for every notebook below ``folder``; the student is the relative path.

    Symbolic links are listed (and later refused) but never followed; at most
    MAX_FOLDER_DEPTH folders deep; checkpoint folders are left out.
    """
    folder = Path(folder)
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints" and depth < MAX_FOLDER_DEPTH)
        for name in files + [d for d in os.listdir(root) if d.endswith(".ipynb") and d in dirs]:
            if name.endswith(".ipynb"):
                path = Path(root) / name
                found.append((path.relative_to(folder).with_suffix("").as_posix(), path))
    return sorted(set(found))


def grade_folder(
    folder: str | Path,
    exercise: str | None = None,
    *,
    jobs: int = 2,
    seed: int | None = None,
    limits: Limits | None = None,
    instructor: str | Path | None = None,
    isolated: bool = True,
) -> list[dict]:
    """Grade every notebook under ``folder``, ``jobs`` at a time; one report per notebook.

    All submissions of one exercise get the same hidden-test inputs (from ``seed``, by default
    ``DEFAULT_SEED``), so grading the folder again gives the same gradebook. Whatever a
    submission contains or does, every other one is graded and reported.
    """
    submissions = find_submissions(folder)
    seed = DEFAULT_SEED if seed is None else seed
    lanes = max(1, min(jobs, len(submissions)))
    sandboxes = [Sandbox(limits, isolated=isolated) for _ in range(lanes)]
    try:
        for sandbox in sandboxes:  # fails here, once, if the machine cannot isolate; workers load meanwhile
            sandbox.start()
        return _grade_planned(submissions, exercise, seed, instructor, sandboxes)
    finally:
        for sandbox in sandboxes:
            sandbox.close()


def _grade_planned(submissions, exercise, seed, instructor, sandboxes: list[Sandbox]) -> list[dict]:
    prepared: dict[str, Prepared] = {}
    plan = []
    for student, path in submissions:
        try:
            slug = _exercise_of(path, exercise)
        except LookupError as err:
            plan.append((student, path, None, str(err)))
            continue
        if slug not in prepared:
            prepared[slug] = prepare(slug, seed, instructor)
            _check_private(prepared[slug], sandboxes[0].isolated)
        plan.append((student, path, prepared[slug], None))
    free = list(sandboxes)

    def grade_one(item) -> dict:
        student, path, prep, problem = item
        if prep is None:
            return _mark(_empty_report(path, student, None, problem), sandboxes[0])
        sandbox = free.pop()
        try:
            return grade_notebook(path, prep, sandbox, student)
        finally:
            free.append(sandbox)

    with ThreadPoolExecutor(max_workers=len(sandboxes)) as pool:
        return list(pool.map(grade_one, plan))

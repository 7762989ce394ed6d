"""Grading: hidden tests made and judged here, submitted code run in the sandbox.

For each question the grader draws fresh inputs (a new random seed per run, plus fixed edge
cases), computes the expected answers with the reference solutions in this process, sends
each call's inputs to a sandboxed worker when the call starts, and compares what comes back,
as plain data, with this process's NumPy, including whether the call changed its inputs.
A submission can change anything in its own process; none of it reaches this one.

Submissions are read defensively: a file that is not a regular file, is too large, or is not
a well-formed notebook gets a zero with the reason, and ``grade_folder`` always finishes.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlgrade import checks, exercises, notebook
from dlgrade.notebook import SubmissionError
from dlgrade.sandbox import CallOutcome, Limits, Sandbox, SandboxError, readable_inside
from dlgrade.spec import Case, Question, judge

GRADER = "dlgrade 1.1"
MAX_NOTEBOOK_BYTES = 20 << 20
MAX_FOLDER_DEPTH = 8
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


def prepare(exercise: str, seed: int | None = None, instructor: str | Path | None = None) -> Prepared:
    """Draw the hidden tests' inputs and compute the expected answers with the solutions."""
    slug = exercises.resolve(exercise)
    seed = secrets.randbits(63) if seed is None else int(seed)
    public = exercises.public(slug)
    hidden = exercises.hidden(slug, instructor)
    ref = reference(slug, instructor)
    questions = []
    for number, question in enumerate(public.QUESTIONS):
        rng = np.random.default_rng([seed, number])
        questions.append(PreparedQuestion(question, list(hidden.HIDDEN[question.id](rng, ref))))
    return Prepared(slug, getattr(public, "TITLE", slug), seed, questions, exercises.instructor_dir(instructor))


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


def _judge_call(question: Question, case: Case, outcome: CallOutcome) -> dict:
    if outcome.error == "NotImplementedError":
        return {"name": case.name, "passed": False, "message": "not implemented", "hint": ""}
    if outcome.error is not None:
        return {"name": case.name, "passed": False, "message": outcome.error, "hint": case.hint}
    try:
        messages = judge(case, outcome.value, question.outputs)
    except Exception as err:  # a check tripped over a strange value: a failed case, not a grader crash
        messages = [f"could not check the result ({type(err).__name__}: {err})"]
    if outcome.mutated:
        messages.append(f"changed its input {', '.join(outcome.mutated)} in place; compute new arrays instead")
    return {
        "name": case.name,
        "passed": not messages,
        "message": "; ".join(messages),
        "hint": case.hint if messages else "",
    }


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
    skip: set[int] = set()
    notes: dict[int, str] = {}
    problems: list[str] = []
    questions = []
    for pq in prepared.questions:
        q = pq.question
        run = sandbox.run(cells, q.function, _wire_cases(pq.cases), skip)
        for index, message in run.cell_errors.items():
            notes.setdefault(index, message)
        if run.problem:
            problems.append(f"Question {q.id}: {run.problem}")
        results = [_judge_call(q, case, outcome) for case, outcome in zip(pq.cases, run.outcomes, strict=True)]
        passed = sum(r["passed"] for r in results)
        questions.append(
            {
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
        )
    cell_notes = [f"{notebook.describe_cell(cells, i)}: {m}" for i, m in sorted(notes.items())]
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
    """Grade one notebook from scratch (its own sandbox and fresh hidden-test inputs).

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

    All submissions of one exercise get the same hidden-test inputs in a run. Whatever a
    submission contains or does, every other one is graded and reported.
    """
    submissions = find_submissions(folder)
    seed = secrets.randbits(63) if seed is None else seed
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

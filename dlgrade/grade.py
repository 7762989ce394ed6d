"""Grading: hidden tests made and judged here, submitted code run in the sandbox.

For each question the grader draws fresh inputs (a new random seed per run, plus fixed edge
cases), computes the expected answers with the reference solutions in this process, sends
only the inputs to a sandboxed worker, and compares what comes back, as plain data, with
this process's NumPy. A submission can change anything in its own process; none of it
reaches this one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlgrade import exercises, notebook
from dlgrade.sandbox import CallOutcome, Limits, Sandbox
from dlgrade.spec import Case, Question, judge

GRADER = "dlgrade 1.0"
MAX_NOTEBOOK_BYTES = 20 << 20


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
    ref = exercises.reference(slug, instructor)
    questions = []
    for number, question in enumerate(public.QUESTIONS):
        rng = np.random.default_rng([seed, number])
        questions.append(PreparedQuestion(question, list(hidden.HIDDEN[question.id](rng, ref))))
    return Prepared(slug, getattr(public, "TITLE", slug), seed, questions, exercises.instructor_dir(instructor))


def _wire_cases(cases: list[Case]) -> list[dict]:
    return [
        {"args": list(c.args), "kwargs": dict(c.kwargs), "strict_fp": c.strict_fp, "time_limit": c.time_limit}
        for c in cases
    ]


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

    All submissions of one exercise get the same hidden-test inputs in a run.
    """
    submissions = find_submissions(folder)
    seed = secrets.randbits(63) if seed is None else seed
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

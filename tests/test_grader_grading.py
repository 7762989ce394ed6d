"""Grading end to end: solutions get full marks, stubs get zero, mistakes lose the right points."""

import csv
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dlgrade import exercises, grade, notebook, report
from dlgrade import sandbox as sandbox_module
from dlgrade.__main__ import main
from dlgrade.sandbox import Limits

LIMITS = Limits(cell_timeout=5.0, case_timeout=5.0, question_timeout=20.0, memory_mb=600)
SLUGS = exercises.slugs()


def write_notebook(path: Path, cells: list[str], slug: str | None = None) -> Path:
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None} for c in cells
        ],
        "metadata": {"dlgrade": {"exercise": slug}} if slug else {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture(scope="module")
def graded_folder(tmp_path_factory):
    """Every solution and every learner stub, graded as one folder (two at a time)."""
    folder = tmp_path_factory.mktemp("submissions")
    for slug in SLUGS:
        shutil.copy(exercises.source_notebook(slug), folder / f"solution-{slug}.ipynb")
        shutil.copy(exercises.exercises_dir() / f"{slug}.ipynb", folder / f"stub-{slug}.ipynb")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    reports = grade.grade_folder(folder, jobs=2, seed=7, limits=LIMITS)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    return folder, {r["student"]: r for r in reports}, before, after


@pytest.mark.parametrize("slug", SLUGS)
def test_every_solution_notebook_scores_full_marks(graded_folder, slug):
    _, reports, _, _ = graded_folder
    result = reports[f"solution-{slug}"]
    failures = [(q["id"], c["name"], c["message"]) for q in result["questions"] for c in q["cases"] if not c["passed"]]
    assert failures == [] and result["notes"] == []
    assert result["score"] == result["max_score"] > 0


@pytest.mark.parametrize("slug", SLUGS)
def test_every_released_stub_notebook_scores_zero_as_not_implemented(graded_folder, slug):
    _, reports, _, _ = graded_folder
    result = reports[f"stub-{slug}"]
    assert result["score"] == 0 and result["notes"] == []
    assert {q["status"] for q in result["questions"]} == {"not implemented"}


def test_grading_never_modifies_the_submissions(graded_folder):
    _, _, before, after = graded_folder
    assert before == after


def test_every_question_has_several_hidden_cases_and_the_points_add_up(graded_folder):
    _, reports, _, _ = graded_folder
    for slug in SLUGS:
        result = reports[f"solution-{slug}"]
        points = {q.id: q.points for q in exercises.public(slug).QUESTIONS}
        assert {q["id"]: q["max_points"] for q in result["questions"]} == points
        assert min(q["total_cases"] for q in result["questions"]) >= 3


def test_the_gradebook_and_reports_are_written(graded_folder, tmp_path):
    _, reports, _, _ = graded_folder
    for r in reports.values():
        json_path, md_path = report.write(r, tmp_path)
        assert json.loads(json_path.read_text())["score"] == r["score"]
        assert f"**Score: {r['score']:g} / {r['max_score']:g}**" in md_path.read_text()
        assert "| Question | Function | Points | Result |" in md_path.read_text()
    rows = list(csv.DictReader(report.gradebook(list(reports.values()), tmp_path / "gradebook.csv").open()))
    assert len(rows) == 2 * len(SLUGS)  # a solution and a stub per exercise
    row = next(r for r in rows if r["student"] == "solution-02_activations_losses")
    assert row["score"] == "16" and row["2.2"] == "3" and row["exercise"] == "02_activations_losses"


SLOPPY_02 = [
    "import numpy as np\nfrom dlgrade import check",
    # textbook formulas, no care for extreme inputs or dtypes
    "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))",
    "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)",
    "def binary_cross_entropy(p, y, eps=1e-7):\n    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))",
    "def binary_cross_entropy_logits(z, y):\n    p = sigmoid(z)\n    return binary_cross_entropy(p, y)",
    "def categorical_cross_entropy(logits, labels):\n"
    "    p = softmax(logits)\n    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))",
    "def categorical_cross_entropy_grad(logits, labels):\n"
    "    grad = softmax(logits).astype(np.float64)\n    grad[np.arange(len(labels)), labels] -= 1\n"
    "    return grad / len(labels)",
]


def test_sloppy_answers_lose_the_points_of_exactly_the_cases_they_get_wrong(tmp_path):
    path = write_notebook(tmp_path / "sloppy.ipynb", SLOPPY_02, "02_activations_losses")
    result = grade.grade_file(path, seed=11, limits=LIMITS)
    failed = {q["id"]: {c["name"] for c in q["cases"] if not c["passed"]} for q in result["questions"]}
    # judged by values alone: 1 / (1 + exp(-z)) returns 0 for sigmoid(-710) = 4.5e-309
    assert failed["2.1"] == {"extreme inputs, no overflow"}
    assert failed["2.2"] == {"scores of +-1000", "all scores shifted by +1000"}
    assert failed["2.3"] == {"p exactly 0 and 1, right and wrong", "eps passed by keyword"}
    # 2.6 calls the unstable softmax of 2.2: graded with the reference softmax, so only its own
    # float64 one-hot costs points there, and the report says which function was replaced
    assert failed["2.6"] == {"float32 stays float32"}
    assert result["questions"][5]["reference_functions"] == {"softmax": "2.2"}
    assert result["questions"][3]["reference_functions"] == {"binary_cross_entropy": "2.3", "sigmoid": "2.1"}
    assert "reference_functions" not in result["questions"][1]
    q21 = result["questions"][0]
    assert q21["points"] == pytest.approx(2 * 4 / 5) and q21["status"] == "partial"
    overflow = next(c for c in q21["cases"] if c["name"] == "extreme inputs, no overflow")
    assert "got 0, expected 4.4" in overflow["message"] and "exp" in overflow["hint"]
    dtype = next(c for c in result["questions"][5]["cases"] if c["name"] == "float32 stays float32")
    assert "dtype float64, expected float32" in dtype["message"]
    assert 0 < result["score"] < result["max_score"]


def test_a_file_that_is_not_a_notebook_scores_zero_with_a_note(tmp_path):
    path = tmp_path / "02_activations_losses.ipynb"
    path.write_bytes(b"\x00\xff not json")
    result = grade.grade_file(path, limits=LIMITS)
    assert result["score"] == 0 and "not a readable notebook" in result["notes"][0]
    assert result["max_score"] == 16


def test_the_exercise_comes_from_the_metadata_or_the_file_name(tmp_path):
    stub = notebook.read(exercises.exercises_dir() / "04_optimizers.ipynb")
    assert grade.detect_exercise(stub, Path("anything.ipynb")) == "04_optimizers"
    assert grade.detect_exercise({}, Path("alice-05_conv2d.ipynb")) == "05_conv2d"
    assert grade.detect_exercise({}, Path("06_attention.ipynb")) == "06_attention"
    with pytest.raises(LookupError):
        grade.detect_exercise({}, Path("homework.ipynb"))
    result = grade.grade_file(write_notebook(tmp_path / "homework.ipynb", ["x = 1"]), limits=LIMITS)
    assert result["score"] == 0 and "--exercise" in result["notes"][0]


def test_hidden_inputs_are_the_same_on_every_run_unless_another_seed_is_given():
    first, second = grade.prepare("01", seed=5), grade.prepare("01", seed=5)
    default, again = grade.prepare("01"), grade.prepare("01")
    a, b, c, d = (p.questions[0].cases[0].args[0] for p in (first, second, default, again))
    assert np.array_equal(a, b) and np.array_equal(c, d) and not np.array_equal(a, c)
    assert default.seed == grade.DEFAULT_SEED and first.seed == 5


def test_the_sandbox_receives_no_secret_and_each_input_only_when_its_call_starts(tmp_path, monkeypatch):
    events = []  # what the grader sent, and ("result", index) when a call's answer came back
    send, outcome = sandbox_module._Worker.send, sandbox_module._outcome

    def spy_send(self, message, deadline):
        events.append(message)
        return send(self, message, deadline)

    def spy_outcome(message, case):
        events.append({"type": "result received", "index": message["index"]})
        return outcome(message, case)

    monkeypatch.setattr(sandbox_module._Worker, "send", spy_send)
    monkeypatch.setattr(sandbox_module, "_outcome", spy_outcome)
    path = shutil.copy(exercises.source_notebook("01_numpy_gradients"), tmp_path / "01_numpy_gradients.ipynb")
    assert grade.grade_file(path, seed=2, limits=LIMITS)["score"] == 10
    cases = [pq.cases for pq in grade.prepare("01_numpy_gradients", seed=2).questions]
    jobs = [m for m in events if m["type"] == "job"]
    assert len(jobs) == len(cases) == 4
    for job in jobs:  # the notebook and the function's name; no inputs, no paths, no tests
        assert set(job) == {"type", "cells", "skip_cells", "function", "limits"}
    text = repr(events)
    assert str(exercises.instructor_dir()) not in text and "hidden_tests" not in text
    # per question: the job, then call 0, its result, call 1, its result, ... (one input at a time)
    starts = [i for i, m in enumerate(events) if m["type"] == "job"] + [len(events)]
    for question, (start, end) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        steps = [(m["type"], m["index"]) for m in events[start:end] if m["type"] in ("call", "result received")]
        n = len(cases[question])
        assert steps == [(kind, i) for i in range(n) for kind in ("call", "result received")], question
    # the numerical gradient's f stays here: the sandbox asks for f(x) point by point
    gradient_calls = [m for m in events[starts[-2] :] if m["type"] == "call"]
    assert len(gradient_calls) == len(cases[-1]) >= 4
    assert all(type(m["args"][0]).__name__ == "FnRef" for m in gradient_calls)
    points = [m for m in events if m["type"] == "fn_value"]
    assert len(points) >= sum(2 * c.args[1].size for c in cases[-1]) and all(
        isinstance(m["value"], float) for m in points
    )


def test_the_command_line_grades_a_file_and_a_folder(tmp_path, capsys):
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    shutil.copy(exercises.source_notebook("04_optimizers"), folder / "alice" / "04_optimizers.ipynb")
    shutil.copy(exercises.exercises_dir() / "04_optimizers.ipynb", folder / "bob.ipynb")
    assert main(["grade-folder", str(folder), "--exercise", "4", "--out", str(tmp_path / "out"), "--seed", "3"]) == 0
    rows = list(csv.DictReader((tmp_path / "out" / "gradebook.csv").open()))
    assert [(r["student"], r["score"]) for r in rows] == [("alice/04_optimizers", "10"), ("bob", "0")]
    assert (tmp_path / "out" / "alice_04_optimizers.md").exists() and (tmp_path / "out" / "bob.json").exists()
    assert main(["grade", str(folder / "bob.ipynb"), "--out", str(tmp_path / "one")]) == 0
    assert "bob: 0 / 10" in capsys.readouterr().out
    assert json.loads((tmp_path / "one" / "bob.json").read_text())["questions"][2]["status"] == "not implemented"


def test_a_loop_convolution_passes_every_case_of_the_vectorised_question_but_the_speed_one(tmp_path):
    source = notebook.read(exercises.source_notebook("05_conv2d"))
    cells = notebook.grading_sources(source)
    cells.append("conv2d_forward = conv2d_forward_loop")
    path = write_notebook(tmp_path / "loops.ipynb", cells, "05_conv2d")
    result = grade.grade_file(path, seed=4, limits=LIMITS)
    q52 = next(q for q in result["questions"] if q["id"] == "5.2")
    failed = [c for c in q52["cases"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["32 images 8x32x32, 32 filters, within 3 s"]
    assert "took longer than 3 s" in failed[0]["message"] and "im2col" in failed[0]["hint"]
    assert result["score"] == pytest.approx(result["max_score"] - 4 / q52["total_cases"], abs=0.01)

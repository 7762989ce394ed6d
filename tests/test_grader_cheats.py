"""Cheating submissions (tests/cheats/) earn nothing for the questions they cheat on, and do no harm.

Each notebook in tests/cheats/ answers some questions honestly and attacks the grader on the
others: monkeypatching NumPy or the grader, swallowing exceptions, looping forever, crashing,
exhausting memory, disk, files and threads, reading the solutions and hidden tests, switching
off the audit hook and then writing everywhere, signalling every process, forging results for
the next student, peeking at test functions, changing inputs in place and hiding it, hostile
frames, and flooding every output. No harm means: a canary file outside the sandbox is
untouched, the grader finishes, honest submissions graded after the cheats (in the same run
and lanes) keep full marks, and the gradebook parses.
"""

import csv
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dlgrade import exercises, grade, report
from dlgrade.sandbox import Limits

CHEATS = Path(__file__).parent / "cheats"
LIMITS = Limits(cell_timeout=3.0, case_timeout=3.0, question_timeout=6.0, memory_mb=300)

# cheat notebook -> the questions it cheats on (every other question is answered honestly)
EXPECTED = {
    "monkeypatch_numpy": {"2.1", "2.2", "2.3"},
    "patch_grader": {"3.1"},
    "swallow_exceptions": {"4.2"},
    "infinite_loop": {"1.2"},
    "crash": {"6.1", "6.4"},
    "memory_bomb": {"5.3"},
    "read_secrets": {"2.2", "2.5"},
    "print_noise": {"4.3"},
    "disable_audit_hook": {"2.2", "2.5"},
    "signal_grader": {"3.1", "3.3"},
    "peek_test_function": {"1.4"},
    "mutate_inputs": {"4.1", "4.2"},
    "hostile_frames": {"6.1", "6.3"},
    "exhaust_resources": {"5.3"},
}


def test_every_cheat_in_the_folder_is_covered():
    assert {p.stem for p in CHEATS.glob("*.ipynb")} == set(EXPECTED)


HONEST = [f"zz-honest-{slug}" for slug in exercises.slugs()]  # graded after the cheats, in the same lanes


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cheats")
    canary = tmp_path_factory.mktemp("canary") / "canary.txt"
    canary.write_text("the grader's machine is untouched\n")
    for name in EXPECTED:
        shutil.copy(CHEATS / f"{name}.ipynb", folder / f"{name}.ipynb")
    for name, slug in zip(HONEST, exercises.slugs(), strict=True):
        shutil.copy(exercises.source_notebook(slug), folder / f"{name}.ipynb")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    canary_before = (canary.stat().st_mtime_ns, canary.read_text())
    numpy_source = Path(np.__file__).read_bytes()
    reports = {r["student"]: r for r in grade.grade_folder(folder, jobs=2, seed=13, limits=LIMITS)}
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert before == after, "the grader must never modify a submission"
    assert (canary.stat().st_mtime_ns, canary.read_text()) == canary_before, "a cheat reached the canary"
    assert [p.name for p in canary.parent.iterdir()] == ["canary.txt"], "a cheat planted a file"
    assert Path(np.__file__).read_bytes() == numpy_source, "a cheat changed NumPy"
    return reports


def test_honest_submissions_graded_after_the_cheats_keep_full_marks(results):
    for name in HONEST:
        failures = [(q["id"], c["message"]) for q in results[name]["questions"] for c in q["cases"] if not c["passed"]]
        assert failures == [] and results[name]["score"] == results[name]["max_score"] > 0, name


def test_the_gradebook_of_a_class_with_cheats_parses(results, tmp_path):
    path = report.gradebook(list(results.values()), tmp_path / "gradebook.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {r["student"] for r in rows} == set(EXPECTED) | set(HONEST)
    assert all(float(r["score"]) <= float(r["max_score"]) and r["isolated"] == "yes" for r in rows)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_cheat_scores_zero_on_the_cheated_questions_and_full_marks_on_honest_ones(results, name):
    points = {q["id"]: (q["points"], q["max_points"]) for q in results[name]["questions"]}
    cheated = {qid: got for qid, (got, _) in points.items() if qid in EXPECTED[name]}
    honest = {qid: got == full for qid, (got, full) in points.items() if qid not in EXPECTED[name]}
    assert cheated == dict.fromkeys(EXPECTED[name], 0.0)
    assert all(honest.values()), results[name]["questions"]


def test_outside_the_sandbox_the_secret_reading_cheat_would_have_worked():
    """The read_secrets cheat is real: run in-process (as graders that use the learner's kernel do), it
    finds the solutions and answers correctly."""
    nb = json.loads((CHEATS / "read_secrets.ipynb").read_text())
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]).replace('check("', 'print("'), namespace)
    ref = grade.reference("02")

    z = np.random.default_rng(0).normal(size=(3, 4))
    assert np.allclose(namespace["softmax"](z), ref.softmax(z))


def test_cheats_leave_notes_the_instructor_can_read(results):
    notes = " ".join(results["infinite_loop"]["notes"] + results["crash"]["notes"] + results["print_noise"]["notes"])
    assert "took longer than" in notes and "exit code 3" in notes and "result channel" in notes

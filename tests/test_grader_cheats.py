"""Cheating submissions (tests/cheats/) earn nothing for the questions they cheat on, and keep the rest.

Each notebook in tests/cheats/ answers some questions honestly and attacks the grader on the
others: monkeypatching NumPy or the grader, swallowing exceptions, looping forever, crashing,
exhausting memory, reading the solutions and hidden tests, and flooding every output.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dlgrade import grade
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
}


def test_every_cheat_in_the_folder_is_covered():
    assert {p.stem for p in CHEATS.glob("*.ipynb")} == set(EXPECTED)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cheats")
    for name in EXPECTED:
        shutil.copy(CHEATS / f"{name}.ipynb", folder / f"{name}.ipynb")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    reports = {r["student"]: r for r in grade.grade_folder(folder, jobs=2, seed=13, limits=LIMITS)}
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert before == after, "the grader must never modify a submission"
    return reports


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
    import numpy as np

    z = np.random.default_rng(0).normal(size=(3, 4))
    assert np.allclose(namespace["softmax"](z), ref.softmax(z))


def test_cheats_leave_notes_the_instructor_can_read(results):
    notes = " ".join(results["infinite_loop"]["notes"] + results["crash"]["notes"] + results["print_noise"]["notes"])
    assert "took longer than" in notes and "exit code 3" in notes and "result channel" in notes

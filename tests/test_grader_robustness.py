"""Whatever lands in a submissions folder, a grading run finishes, reports every student and writes a
gradebook that parses; student text reaches every output literally; without isolation, `grade`
refuses to grade for credit."""

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import markdown_it
import pytest

from dlgrade import __main__ as cli
from dlgrade import exercises, grade, report
from dlgrade.__main__ import main
from dlgrade.sandbox import Limits

LIMITS = Limits(cell_timeout=5.0, case_timeout=5.0, question_timeout=20.0, memory_mb=600)


def notebook(cells, slug="04_optimizers", **extra) -> str:
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": []} for c in cells],
        "metadata": {"dlgrade": {"exercise": slug}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    nb.update(extra)
    return json.dumps(nb)


def hostile_folder(folder: Path) -> dict[str, str]:
    """Every kind of bad submission; returns student -> a word the reason must contain."""
    solution = exercises.source_notebook("04_optimizers")
    shutil.copy(solution, folder / "honest-04_optimizers.ipynb")
    (folder / "link-to-solution.ipynb").symlink_to(solution)
    (folder / "link-to-device.ipynb").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "folder.ipynb").mkdir()
    with open(folder / "huge.ipynb", "wb") as handle:  # sparse: 21 MB without using the disk
        handle.truncate(21 << 20)
    (folder / "nested.ipynb").write_text('{"cells": ' + "[" * 50000 + "]" * 50000 + "}")
    (folder / "huge-int.ipynb").write_text('{"cells": [], "nbformat": ' + "9" * 10000 + "}")
    (folder / "not-json.ipynb").write_bytes(b"\x00\xff\xfe garbage")
    (folder / "cells-dict.ipynb").write_text('{"cells": {"a": 1}}')
    (folder / "cell-list-of-ints.ipynb").write_text(notebook([[1, 2, 3]]))
    (folder / "metadata-list.ipynb").write_text(notebook(["x = 1"], metadata=[1, 2]))
    (folder / "exercise-number.ipynb").write_text(notebook(["x = 1"], metadata={"dlgrade": {"exercise": 4}}))
    (folder / "null-byte.ipynb").write_text(notebook(["x = 1\x00"]))
    deep = folder
    for _ in range(12):  # deeper than the grader walks
        deep = deep / "d"
    deep.mkdir(parents=True)
    shutil.copy(solution, deep / "too-deep.ipynb")
    return {
        "link-to-solution": "symbolic link",
        "link-to-device": "symbolic link",
        "fifo": "not a regular file",
        "folder": "not a regular file",
        "huge": "larger than",
        "nested": "nested too deeply",
        "huge-int": "not a readable notebook",
        "not-json": "not a readable notebook",
        "cells-dict": "no list of cells",
        "cell-list-of-ints": "not text",
        "metadata-list": "cannot tell which exercise",
        "exercise-number": "cannot tell which exercise",
    }


def test_a_folder_of_hostile_files_is_graded_to_the_end_and_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    reasons = hostile_folder(folder)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    out = tmp_path / "out"
    assert main(["grade-folder", str(folder), "--out", str(out), "--seed", "1"]) == 0
    assert os.listdir(private_tmp) == []  # no temporary folder left behind (isolated runs make none)
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["honest-04_optimizers"]["score"] == "10"
    assert "d/d/d/d/d/d/d/d/d/d/d/d/too-deep" not in rows
    for student, word in reasons.items():
        result = json.loads((out / f"{report._safe_name(student)}.json").read_text())
        assert result["score"] == 0 and any(word in note for note in result["notes"]), (student, result["notes"])
    null_byte = json.loads((out / "null-byte.json").read_text())
    assert null_byte["score"] == 0 and "null" in " ".join(null_byte["notes"])
    assert "Traceback" not in capsys.readouterr().err


def test_student_text_is_escaped_in_the_gradebook_the_feedback_and_the_terminal(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    payload = "<img src=x onerror=alert(1)> [click](http://evil.example) **bold** | `tick`"
    cells = [
        "import numpy as np",
        f"def sgd_step(w, dw, lr, weight_decay=0.0):\n    raise ValueError({payload!r})",
    ]
    names = ["=HYPERLINK(1)-04_optimizers", "a b-04_optimizers", "a_b-04_optimizers", "\x1b[2Jclear-04_optimizers"]
    for name in names:
        (folder / f"{name}.ipynb").write_text(notebook(cells))
    (folder / "caf\udce9-04_optimizers.ipynb").write_text(notebook([*cells[:1], "raise ValueError('\\udce9')"]))
    out = tmp_path / "out"
    assert main(["grade-folder", str(folder), "--out", str(out), "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "[2Jclear-04_optimizers" in printed
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert "'=HYPERLINK(1)-04_optimizers" in {r["student"] for r in rows}
    assert not any(r["student"].startswith(("=", "+", "-", "@")) for r in rows)
    reports = sorted(p.name for p in out.glob("*.md"))
    assert len(reports) == 5 and "a_b-04_optimizers-2.md" in reports  # "a b" and "a_b" collide
    feedback = (out / "HYPERLINK_1_-04_optimizers.md").read_text()
    # in the message: escaped; in the quoted line of code: a code span, whose content no renderer interprets
    assert "&lt;img" in feedback and "**bold**" not in feedback and "\\`tick\\`" in feedback
    html = markdown_it.MarkdownIt().render(feedback)
    assert "<img" not in html and "<a " not in html and "<strong>bold" not in html and "<code>tick</code>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; [click](http://evil.example) **bold** | `tick`" in html


def test_without_isolation_grade_refuses_unless_asked_for_a_self_study_run(tmp_path, monkeypatch, capsys):
    path = shutil.copy(exercises.source_notebook("04_optimizers"), tmp_path / "04_optimizers.ipynb")
    monkeypatch.setattr(cli, "isolation_problem", lambda: "bubblewrap (bwrap) is not installed: install bubblewrap")
    assert main(["grade", str(path), "--out", str(tmp_path / "out")]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1 and "bubblewrap" in message and "--unisolated-self-study" in message
    assert not (tmp_path / "out").exists()
    assert main(["grade", str(path), "--out", str(tmp_path / "out"), "--unisolated-self-study"]) == 0
    result = json.loads((tmp_path / "out" / "04_optimizers.json").read_text())
    assert result["isolated"] is False and result["notes"][0].startswith("NOT ISOLATED")
    assert result["score"] == 10
    assert "NOT ISOLATED" in (tmp_path / "out" / "04_optimizers.md").read_text()
    book = report.gradebook([result], tmp_path / "gradebook.csv")
    assert next(csv.DictReader(book.open()))["isolated"] == "NO"


@pytest.mark.parametrize(
    "nb, reason",
    [
        ({"cells": [{"cell_type": "code", "source": {"x": 1}}]}, "not text"),
        ({"cells": ["just a string"]}, "not a notebook cell"),
        ([], "no list of cells"),
    ],
)
def test_malformed_notebooks_become_a_zero_with_the_reason(tmp_path, nb, reason):
    path = tmp_path / "04_optimizers.ipynb"
    path.write_text(json.dumps(nb))
    result = grade.grade_file(path, limits=LIMITS)
    assert result["score"] == 0 and reason in result["notes"][0] and result["max_score"] == 10


def test_grading_for_credit_refuses_an_instructor_folder_the_sandbox_could_read(tmp_path, monkeypatch, capsys):
    from dlgrade import sandbox

    visible = sandbox.visible_sources()
    monkeypatch.setattr(sandbox, "visible_sources", lambda: [*visible, str(exercises.instructor_dir())])
    path = shutil.copy(exercises.source_notebook("04_optimizers"), tmp_path / "04_optimizers.ipynb")
    assert main(["grade", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "instructor folder" in capsys.readouterr().err and not (tmp_path / "out").exists()
